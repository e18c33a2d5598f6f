"""The AWX/AAP credential type (extensions/awx/credential_type.yml), validated and injected the way AWX does it
(tests/integration/awx.py); the resulting environment runs real ansible-playbook against the emulator with no
connection option anywhere in the playbook.
"""
import re
import stat
from pathlib import Path

import pytest

from tests.integration.awx import CREDENTIAL_TYPE, HIDDEN, REPO, inject, load_type, validate_type
from tests.support.ansible import run_playbook


def connection_env_vars():
    """The HARBOR_* fallbacks of the modules' connection options, read from module_utils/module.py."""
    source = (REPO / "plugins" / "module_utils" / "module.py").read_text()
    start = source.index("CONNECTION_SPEC = dict(")
    spec = source[start:source.index("\n)\n", start)]
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
    assert connection_env_vars() == {"HARBOR_URL", "HARBOR_USERNAME", "HARBOR_PASSWORD", "HARBOR_VALIDATE_CERTS", "HARBOR_CA_PATH",
                                     "HARBOR_CLIENT_CERT", "HARBOR_CLIENT_KEY"}
    assert set(ctype["injectors"]["env"]) == connection_env_vars()
    assert not ctype["injectors"].get("extra_vars")
    fields = {f["id"]: f for f in ctype["inputs"]["fields"]}
    assert fields["password"].get("secret") is True
    assert fields["ca_cert"].get("multiline") is True and not fields["ca_cert"].get("secret")
    assert fields["client_cert"].get("multiline") is True and not fields["client_cert"].get("secret")
    assert fields["client_key"].get("multiline") is True and fields["client_key"].get("secret") is True


def test_validation_catches_an_undefined_field():
    """The validation above can fail: an injector naming a field that does not exist (AWX refuses to save it)."""
    ctype = load_type()
    ctype["injectors"]["env"]["HARBOR_URL"] = "{{ harbor_address }}"
    with pytest.raises(Exception, match="harbor_address"):
        validate_type(ctype)


def test_injected_credential_with_ca_and_client_certificate_text_runs_a_playbook_without_connection_options(
        emulator_factory, tmp_path):
    harbor = emulator_factory(tls=True, client_auth=True)      # behind a proxy that wants a client certificate
    upstream = emulator_factory()       # stands in for nvcr.io
    ca_text = Path(harbor.ca_path).read_text()
    cert_text, key_text = Path(harbor.emulator.client_cert).read_text(), Path(harbor.emulator.client_key).read_text()
    ctype = load_type()
    env, safe_env = inject(ctype, {"harbor_url": harbor.url, "username": "admin", "password": "Harbor12345",
                                   "skip_tls_verify": False, "ca_cert": ca_text, "client_cert": cert_text,
                                   "client_key": key_text}, tmp_path)
    assert env["HARBOR_VALIDATE_CERTS"] == "true"
    for variable, text in (("HARBOR_CA_PATH", ca_text), ("HARBOR_CLIENT_CERT", cert_text), ("HARBOR_CLIENT_KEY", key_text)):
        written = Path(env[variable])
        assert written.parent == tmp_path / "env" and written.read_text() == text
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert safe_env["HARBOR_PASSWORD"] == HIDDEN and "Harbor12345" not in str(safe_env)
    assert key_text not in str(env) and key_text not in str(safe_env)      # the key travels as a 0600 file only

    play = proxy_cache_play(upstream.url)
    no_connection_options(play)
    first = run_playbook(play, env=env, verbosity=3)
    assert first.rc == 0, first.output[-4000:]
    assert first.result("proxy cache")["changed"] is True
    assert first.result("read back")["projects"][0]["proxy_cache_registry"] == "NVIDIA"
    assert "Harbor12345" not in first.output and key_text.splitlines()[1] not in first.output
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


@pytest.mark.core_matrix
def test_loading_the_file_for_awx_awx_keeps_the_injector_templates_literal():
    """docs/docsite/rst/guide_awx.rst passes the file's mappings to awx.awx.credential_type through a lookup; Ansible must hand the injector
    templates to the module untouched (not render {{ harbor_url }} itself)."""
    expected = load_type()
    tasks = [{"name": "as module arguments", "vars": {
        "harbor_credential_type": "{{ lookup('ansible.builtin.file', '%s') | from_yaml }}" % CREDENTIAL_TYPE},
        "ansible.builtin.set_fact": {"inputs": "{{ harbor_credential_type.inputs }}",
                                     "injectors": "{{ harbor_credential_type.injectors }}"}}]
    play = run_playbook(tasks)
    assert play.rc == 0, play.output[-3000:]
    facts = play.result("as module arguments")["ansible_facts"]
    assert facts["injectors"] == expected["injectors"]
    assert facts["inputs"] == expected["inputs"]
