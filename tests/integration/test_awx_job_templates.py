"""The job templates of docs/docsite/rst/guide_awx.rst, run the way AWX runs them: the collection's playbook, an inventory whose hosts are
Harbors (without connection variables), the Harbor credential injected as AWX does it (tests/integration/awx.py) and the
survey's answers as extra vars (extensions/awx/surveys/*.json).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integration.awx import REPO, inject, load_type
from tests.support.ansible import PlayResult, collections_root

SURVEYS = REPO / "extensions" / "awx" / "surveys"
ROLES = REPO / "roles"
SURVEY_TYPES = {"text": "str", "textarea": "str", "password": "str", "integer": "int", "float": "float"}


def role_options():
    """{variable: option spec} of every role's main entry point."""
    options = {}
    for spec in sorted(ROLES.glob("*/meta/argument_specs.yml")):
        options.update(yaml.safe_load(spec.read_text())["argument_specs"]["main"]["options"])
    return options


def role_defaults():
    defaults = {}
    for path in sorted(ROLES.glob("*/defaults/main.yml")):
        defaults.update(yaml.safe_load(path.read_text()) or {})
    return defaults


def survey(name):
    return json.loads((SURVEYS / ("%s.json" % name)).read_text())


@pytest.mark.parametrize("name", ["proxy_cache", "replication", "site"])
def test_survey_questions_are_role_options_with_their_defaults(name):
    spec = survey(name)
    assert spec["name"] and spec["description"] and spec["spec"]
    options, defaults = role_options(), role_defaults()
    for question in spec["spec"]:
        assert {"question_name", "variable", "type", "required"} <= set(question), question
        option = options.get(question["variable"])
        assert option is not None, "%s is not an option of any role" % question["variable"]
        assert SURVEY_TYPES[question["type"]] == option["type"], question
        assert question.get("default") == defaults[question["variable"]], question
        if question["type"] == "integer":
            assert question["min"] <= question["default"] <= question["max"]


def test_site_survey_asks_what_both_playbooks_ask():
    both = survey("proxy_cache")["spec"] + survey("replication")["spec"]
    assert survey("site")["spec"] == both


def launch(playbook, inventory, credential_env, extra_vars, tmp):
    """ansible-playbook as an AWX job: HARBOR_* from the credential, survey answers in an extra-vars file."""
    (tmp / "extra_vars.json").write_text(json.dumps(extra_vars))
    (tmp / "hosts.yml").write_text(yaml.safe_dump(inventory))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARBOR_", "ANSIBLE_"))}
    env.update(credential_env, ANSIBLE_COLLECTIONS_PATH=str(collections_root()), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_HOME=str(tmp / "ansible-home"), ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-tmp"))
    cmd = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(tmp / "hosts.yml"),
           str(REPO / "playbooks" / playbook), "-e", "@%s" % (tmp / "extra_vars.json")]
    proc = subprocess.run(cmd, cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600,
                          check=False)
    result = PlayResult(proc.returncode, proc.stdout, [])
    result.stats = {}
    for line in proc.stdout.splitlines():               # the recap names the inventory host, not localhost
        if line.startswith("harbor-connected") and "changed=" in line:
            result.stats = {k: int(v) for k, v in (part.split("=") for part in line.split()[2:] if "=" in part)}
    return result


def harbor_inventory(**host_vars):
    """One Harbor, no harbor_url/harbor_username/harbor_password: the credential supplies them."""
    host = dict(ansible_connection="local", ansible_python_interpreter=sys.executable, **host_vars)
    return {"harbor": {"children": {"harbor_connected": {"hosts": {"harbor-connected": host}}}}}


@pytest.fixture
def connected(emulator_factory, tmp_path):
    """A TLS Harbor with a private CA, reached only through the injected credential (the CA given as text)."""
    harbor = emulator_factory(tls=True)
    env, _ = inject(load_type(), {"harbor_url": harbor.url, "username": "admin", "password": "Harbor12345",
                                  "ca_cert": Path(harbor.ca_path).read_text()}, tmp_path / "private_data_dir")
    return harbor, env


@pytest.mark.emulator_only("emulators serving HTTPS with a CA of their own (the AWX credential's CA text)")
@pytest.mark.parametrize("playbook", ["proxy_cache", "site"])
def test_proxy_cache_job_template(playbook, connected, emulator_factory, tmp_path):
    harbor, credential_env = connected
    upstream = emulator_factory(users={"$oauthtoken": "awx-ngc-key"})            # stands in for nvcr.io
    upstream.seed(project="nvaie", repository="vllm", tags=["latest"])
    upstream.api("PUT", "/projects/nvaie", json={"metadata": {"public": "true"}}, headers={"X-Is-Resource-Name": "true"})
    inventory = harbor_inventory(proxy_cache_upstreams=[{"name": "NVIDIA", "preset": "ngc", "url": upstream.url,
                                                         "access_secret": "awx-ngc-key", "test_reference": "nvaie/vllm:latest"}])
    answers = {q["variable"]: q["default"] for q in survey(playbook)["spec"]}
    answers["proxy_cache_pull_host"] = "harbor.example.com"

    first = launch("%s.yml" % playbook, inventory, credential_env, answers, tmp_path)
    assert first.rc == 0, first.output[-5000:]
    assert first.stats.get("changed", 0) > 0, first.output[-3000:]
    assert "harbor.example.com/nvidiaio/nvaie/vllm:latest" in first.output       # the survey's pull host in the hints
    assert "awx-ngc-key" not in first.output and "Harbor12345" not in first.output
    project = harbor.api("GET", "/projects/nvidiaio", headers={"X-Is-Resource-Name": "true"}).json()
    assert project["registry_id"]

    harbor.clear_log()
    second = launch("%s.yml" % playbook, inventory, credential_env, answers, tmp_path)
    assert second.rc == 0 and second.stats.get("changed") == 0, second.output[-5000:]
    assert harbor.writes() == []


# full: a replication run that waits for its executions (CI time); CI covers the injected credential with
# test_proxy_cache_job_template and the replication role with the molecule air_gap_push scenario and test_site_demo.py
@pytest.mark.full
@pytest.mark.emulator_only("emulators serving HTTPS with a CA of their own (the AWX credential's CA text)")
def test_replication_job_template(connected, emulator_factory, tmp_path):
    """Push to a Harbor outside the inventory: its account is in the inventory (Vault in AWX), this Harbor's comes from
    the credential."""
    harbor, credential_env = connected
    disconnected = emulator_factory()
    harbor.seed(project="nvaie", repository="nvidia/cuda", tags=["12.4.1-base"])
    inventory = harbor_inventory(
        replication_endpoints=[{"name": "disconnected-harbor", "url": disconnected.url, "access_key": "admin",
                                "access_secret": "Harbor12345"}],
        replication_rules=[{"name": "nvaie-to-disconnected", "endpoint": "disconnected-harbor",
                            "filters": {"name": "nvaie/**"}, "flattening": "none"}])
    answers = {q["variable"]: q["default"] for q in survey("replication")["spec"]}
    answers["replication_wait_timeout"] = 600

    first = launch("replication.yml", inventory, credential_env, answers, tmp_path)
    assert first.rc == 0, first.output[-5000:]
    copied = disconnected.api("GET", "/projects/nvaie/repositories/nvidia%252Fcuda/artifacts").json()
    assert [t["name"] for a in copied for t in a["tags"]] == ["12.4.1-base"]

    harbor.clear_log()
    second = launch("replication.yml", inventory, credential_env, answers, tmp_path)
    assert second.rc == 0 and second.stats.get("changed") == 0, second.output[-5000:]
    assert harbor.writes() == []
