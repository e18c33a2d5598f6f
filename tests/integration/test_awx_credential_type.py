"""The AWX/AAP credential type (extensions/awx/credential_type.yml), rendered the way AWX renders it.

AWX validates a custom credential type when it is saved (awx/main/fields.py, CredentialTypeInjectorField: every
template rendered in a Jinja2 ImmutableSandboxedEnvironment with StrictUndefined, each input field set to 'EXAMPLE'
and ``tower.filename`` set per file template) and injects a credential at job start (awx_plugins.interfaces
inject_credential, formerly CredentialType.inject_credential: a namespace of the credential's non-empty inputs, missing
booleans as False, each ``file`` template written to a 0600 file under <private_data_dir>/env whose path becomes
``tower.filename`` or ``tower.filename.<name>``, then every ``env`` template rendered in the same sandbox). The
helpers below do the same steps, and the resulting environment runs real ansible-playbook against the emulator with
no connection option anywhere in the playbook.
"""
import os
import re
import stat
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tests.integration.conftest import run_playbook

REPO = Path(__file__).resolve().parents[2]
CREDENTIAL_TYPE = REPO / "extensions" / "awx" / "credential_type.yml"
HIDDEN = "*" * 10
# AWX refuses these in env injectors (plus every ANSIBLE_* name).
ENV_BLOCKLIST = {"VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID", "INVENTORY_UPDATE_ID",
                 "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES", "CALLBACK_QUEUE", "CALLBACK_CONNECTION",
                 "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS", "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_CONFIG_PATH"}


def load_type():
    return yaml.safe_load(CREDENTIAL_TYPE.read_text())


def validate_type(ctype):
    """What AWX checks when the credential type is saved; raises AssertionError naming the problem."""
    assert ctype["kind"] in ("cloud", "net"), "custom credential types are kind cloud or net"
    fields = ctype["inputs"]["fields"]
    ids = [f["id"] for f in fields]
    assert len(ids) == len(set(ids)), "field ids must be unique"
    for field in fields:
        assert re.match(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$", field["id"]), field
        assert field.get("type", "string") in ("string", "boolean"), field
        if field.get("type") == "boolean":
            assert not field.get("secret") and not field.get("multiline"), "%s: not allowed for boolean" % field["id"]
    assert set(ctype["inputs"].get("required", [])) <= set(ids)
    injectors = ctype["injectors"]
    assert set(injectors) <= {"file", "env", "extra_vars"}
    templates = list(injectors.get("file", {}))
    for name in templates:
        assert re.match(r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$", name), name
    assert not ("template" in templates and len(templates) > 1), "must use multi-file syntax when injecting multiple files"
    for name, tmpl in injectors.get("env", {}).items():
        assert re.match(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$", name), name
        assert not name.startswith("ANSIBLE_") and name not in ENV_BLOCKLIST, "%s is not allowed in credentials" % name
        assert re.match(r"^[\x00-\x7F]*$", tmpl), "%s: non-ASCII template" % name
    namespace = {field_id: "EXAMPLE" for field_id in ids}
    filename = "EXAMPLE_FILENAME" if "template" in templates else SimpleNamespace(**{n.split(".")[1]: "EXAMPLE_FILENAME" for n in templates})
    namespace["tower"] = SimpleNamespace(filename=filename)
    sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for kind, injector in injectors.items():
        for key, tmpl in injector.items():
            sandbox.from_string(tmpl).render(namespace)      # UndefinedError = "uses an undefined field"


def inject(ctype, inputs, private_data_dir):
    """(env, safe_env) for a credential with ``inputs``, as AWX computes them at job start."""
    secret = {f["id"] for f in ctype["inputs"]["fields"] if f.get("secret")}
    tower = SimpleNamespace(filename=None)
    namespace, safe = {"tower": tower}, {"tower": tower}
    for name, value in inputs.items():
        if type(value) is bool:
            namespace[name] = safe[name] = value
            continue
        if name in secret:
            safe[name] = HIDDEN
        elif value:
            safe[name] = value
        if value:
            namespace[name] = value
    for field in ctype["inputs"]["fields"]:
        if field.get("type") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = safe[field["id"]] = False
    sandbox = ImmutableSandboxedEnvironment()
    env_dir = Path(private_data_dir) / "env"
    env_dir.mkdir(parents=True, exist_ok=True)
    single, several = None, {}
    for label, tmpl in ctype["injectors"].get("file", {}).items():
        handle, path = tempfile.mkstemp(dir=str(env_dir))
        with os.fdopen(handle, "w") as out:
            out.write(sandbox.from_string(tmpl).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        if "." in label:
            several[label.split(".")[1]] = path
        else:
            single = path
    tower.filename = single or SimpleNamespace(**several)
    env, safe_env = {}, {}
    for name, tmpl in ctype["injectors"].get("env", {}).items():
        env[name] = sandbox.from_string(tmpl).render(**namespace)
        safe_env[name] = sandbox.from_string(tmpl).render(**safe)
    return env, safe_env


def connection_env_vars():
    """The HARBOR_* fallbacks of the modules' connection options, read from module_utils/module.py."""
    source = (REPO / "plugins" / "module_utils" / "module.py").read_text()
    spec = source[source.index("CONNECTION_SPEC = dict("):source.index("QUERY_SPEC")]
    return set(re.findall(r'env_fallback, \["(HARBOR_[A-Z_]+)"\]', spec))


def proxy_cache_play(upstream_url):
    """Every task without a single connection option: HARBOR_* from the credential does it all."""
    return [
        {"name": "endpoint", "registryops.harbor.harbor_registry": {
            "name": "NVIDIA", "provider": "docker-registry", "url": upstream_url}},
        {"name": "proxy cache", "registryops.harbor.harbor_project": {
            "name": "nvidiaio", "public": True, "proxy_cache_registry": "NVIDIA"}},
        {"name": "read back", "registryops.harbor.harbor_project_info": {"name": "nvidiaio"}},
    ]


def no_connection_options(tasks):
    for task in tasks:
        for key, args in task.items():
            if key.startswith("registryops.harbor."):
                assert not set(args) & {"harbor_url", "harbor_username", "harbor_password", "validate_certs", "ca_path"}


def test_credential_type_is_valid_and_injects_exactly_the_modules_env_vars():
    ctype = load_type()
    validate_type(ctype)
    assert connection_env_vars() == {"HARBOR_URL", "HARBOR_USERNAME", "HARBOR_PASSWORD", "HARBOR_VALIDATE_CERTS", "HARBOR_CA_PATH"}
    assert set(ctype["injectors"]["env"]) == connection_env_vars()
    assert not ctype["injectors"].get("extra_vars")
    fields = {f["id"]: f for f in ctype["inputs"]["fields"]}
    assert fields["password"].get("secret") is True
    assert fields["ca_cert"].get("multiline") is True and not fields["ca_cert"].get("secret")


def test_validation_catches_an_undefined_field():
    """The validation above can fail: an injector naming a field that does not exist (AWX refuses to save it)."""
    ctype = load_type()
    ctype["injectors"]["env"]["HARBOR_URL"] = "{{ harbor_address }}"
    with pytest.raises(Exception, match="harbor_address"):
        validate_type(ctype)


def test_injected_credential_with_ca_text_runs_a_playbook_without_connection_options(emulator_factory, tmp_path):
    harbor = emulator_factory(tls=True)
    upstream = emulator_factory()       # stands in for nvcr.io
    ca_text = Path(harbor.ca_path).read_text()
    ctype = load_type()
    env, safe_env = inject(ctype, {"harbor_url": harbor.url, "username": "admin", "password": "Harbor12345",
                                   "skip_tls_verify": False, "ca_cert": ca_text}, tmp_path)
    assert env["HARBOR_VALIDATE_CERTS"] == "true"
    ca_file = Path(env["HARBOR_CA_PATH"])
    assert ca_file.parent == tmp_path / "env" and ca_file.read_text() == ca_text
    assert stat.S_IMODE(ca_file.stat().st_mode) == 0o600
    assert safe_env["HARBOR_PASSWORD"] == HIDDEN and "Harbor12345" not in str(safe_env)

    play = proxy_cache_play(upstream.url)
    no_connection_options(play)
    first = run_playbook(play, env=env, verbosity=3)
    assert first.rc == 0, first.output[-4000:]
    assert first.result("proxy cache")["changed"] is True
    assert first.result("read back")["projects"][0]["proxy_cache_registry"] == "NVIDIA"
    assert "Harbor12345" not in first.output
    harbor.clear_log()
    second = run_playbook(play, env=env)
    assert second.rc == 0 and second.changed == 0, second.output[-4000:]
    assert harbor.writes() == []


def test_skip_tls_verify_without_ca_and_the_fail_safe_default(emulator_factory, tmp_path):
    harbor = emulator_factory(tls=True)
    ctype = load_type()
    inputs = {"harbor_url": harbor.url, "username": "admin", "password": "Harbor12345"}
    insecure, _ = inject(ctype, dict(inputs, skip_tls_verify=True), tmp_path / "a")
    assert insecure["HARBOR_VALIDATE_CERTS"] == "false" and insecure["HARBOR_CA_PATH"] == ""
    read = [{"name": "read", "registryops.harbor.harbor_project_info": {"name": "library"}}]
    play = run_playbook(read, env=insecure)
    assert play.rc == 0, play.output[-4000:]
    assert play.result("read")["projects"][0]["name"] == "library"

    # A credential saved through the API without the boolean: AWX injects False, so certificates are verified.
    default, _ = inject(ctype, inputs, tmp_path / "b")
    assert default["HARBOR_VALIDATE_CERTS"] == "true"
    refused = run_playbook([{"name": "read", "registryops.harbor.harbor_project_info": {"request_retries": 0}}], env=default)
    assert refused.rc != 0
    assert "ca_path" in refused.result("read")["msg"]
