"""How AWX validates and injects a custom credential type, for the tests of extensions/awx.

AWX validates a custom credential type when it is saved (awx/main/fields.py, CredentialTypeInjectorField: every
template rendered in a Jinja2 ImmutableSandboxedEnvironment with StrictUndefined, each input field set to 'EXAMPLE'
and ``tower.filename`` set per file template) and injects a credential at job start (awx_plugins.interfaces
inject_credential, formerly CredentialType.inject_credential: a namespace of the credential's non-empty inputs, missing
booleans as False, each ``file`` template written to a 0600 file under <private_data_dir>/env whose path becomes
``tower.filename`` or ``tower.filename.<name>``, then every ``env`` template rendered in the same sandbox).
``validate_type`` and ``inject`` do the same steps.
"""
import os
import re
import stat
import tempfile
from pathlib import Path
from types import SimpleNamespace

import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

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
