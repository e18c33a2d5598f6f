"""Secrets: every secret the suite uses (passwords, tokens, JSON keys, private keys, URL user info) is grepped in all
captured output (check mode, real runs and re-runs, all with -vvv and --diff, failures included), in every registered
result, in the emulators' request logs, and in what Harbor stores and returns. Expected: 0 hits.

Each scenario is one batch of ansible-playbook runs; each secret is one test item (the private key in a
ca_certificate file and URL user info guard issue 10's defects 1 and 2, fixed).
"""
import json
import tempfile
from pathlib import Path

import pytest
import trustme

from tests.reliability.harness import FULL, grep, measure, run_ansible, shared_batch, stop_all
from tests.support.harbor import start_emulator

ADMIN_PASSWORD = "Adm1n-S3cret-pw-7f3a"
WRONG_HARBOR_PASSWORD = "Wr0ng-harbor-pw-77aa"
NGC_TOKEN = "ngc-api-key-S3cret-9c1d"
WRONG_TOKEN = "wrong-S3cret-attempt-42b"
GCR_KEY_BODY = "MIIEsecretGCRkeymaterialZm9vYmFyYmF6cXV4"
GCR_KEY_ID = "gcr-private-key-id-5e2b0c"
GCR_JSON = json.dumps({"type": "service_account", "project_id": "demo", "private_key_id": GCR_KEY_ID,
                       "private_key": "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n" % GCR_KEY_BODY,
                       "client_email": "mirror@demo.iam.gserviceaccount.com"})
QUAY_PASSWORD = "quay-cli-S3cret-11e9"
QUAY_TOKEN = "quay-oauth-S3cret-22f0"
QUAY_JSON = json.dumps({"account_name": "acct", "docker_cli_password": QUAY_PASSWORD, "oauth2_token": QUAY_TOKEN})
URL_PASSWORD = "UrlPassw0rd-S3cret-31"
REGISTRY_URL_PASSWORD = "RegUrlPw-S3cret-4d4d"

REG = "registryops.harbor.harbor_registry"
ROBOT_SECRET = "Robot-S3cret-pw-5a1e"
ROBOT_SECRET_ELSEWHERE = "Elsewhere-S3cret-8b2c"


def key_material(pem):
    """The base64 lines of a PEM private key (what must never be shown, whatever the framing)."""
    return [line for line in pem.splitlines() if line and not line.startswith("-----")][:2]


def collect(runs, targets):
    """Every place a secret could surface: outputs, results, request logs, what Harbor returns."""
    places = {}
    for label, run in runs:
        places["output of %s" % label] = run.output
        places["results of %s" % label] = json.dumps(run.results, default=str)
    for name, target in targets.items():
        places["request log of %s" % name] = json.dumps(target.requests_log())
        places["registries stored in %s" % name] = target.api("GET", "/registries").text
    return places


def three_runs(tasks, hosts, main=False, secrets=None):
    """--check, then real, then again (update_password=always sends the secret again); all with -vvv and --diff.
    The CI slice keeps the check run and the first run of the main scenario, and the first run of the others.
    ``secrets`` go in as extra variables (as vaulted ones would): the tasks name them, so that ansible-core's own error
    display, which quotes the task's source lines, shows ``{{ variable }}`` and not the value."""
    runs = []
    if FULL or main:
        runs.append(("check run", run_ansible(tasks, hosts=hosts, check=True, diff=True, verbosity=3, extra_vars=secrets)))
    runs.append(("first run", run_ansible(tasks, hosts=hosts, diff=True, verbosity=3, extra_vars=secrets)))
    if FULL:
        runs.append(("second run", run_ansible(tasks, hosts=hosts, diff=True, verbosity=3, extra_vars=secrets)))
    return runs


def scenario_main():
    """Registry endpoints with a token, a GCR JSON key (file and dict), a Quay JSON key, a wrong secret; a wrong
    Harbor password last (a failed login may freeze the user for a moment)."""
    remote = start_emulator(users={"$oauthtoken": NGC_TOKEN, "_json_key": GCR_JSON, "json_file": QUAY_JSON})
    harbor = start_emulator(admin_password=ADMIN_PASSWORD)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            gcr_file, quay_file = Path(tmp) / "gcr.json", Path(tmp) / "quay.json"
            gcr_file.write_text(GCR_JSON)
            quay_file.write_text(QUAY_JSON)
            base = {"harbor_url": harbor.url, "harbor_username": "admin", "harbor_password": "{{ admin_password }}"}
            secrets = {"admin_password": ADMIN_PASSWORD, "ngc_token": NGC_TOKEN, "wrong_token": WRONG_TOKEN,
                       "wrong_harbor_password": WRONG_HARBOR_PASSWORD}
            tasks = [
                {"name": "ngc", REG: dict(base, name="ngc", provider="docker-registry", url=remote.url, access_key="$oauthtoken",
                                          access_secret="{{ ngc_token }}", test_connection=True, update_password="always")},
                {"name": "gcr file", REG: dict(base, name="gcr", provider="google-gcr", url=remote.url,
                                               access_secret=str(gcr_file), test_connection=True)},
                {"name": "gcr dict", REG: dict(base, name="gcr2", provider="google-gcr", url=remote.url,
                                               access_secret="{{ lookup('file', '%s') | from_json }}" % gcr_file)},
                {"name": "quay", REG: dict(base, name="quay", provider="quay", url=remote.url, access_secret=str(quay_file))},
                {"name": "wrong secret", REG: dict(base, name="ngc-wrong", provider="docker-registry", url=remote.url,
                                                   access_key="$oauthtoken", access_secret="{{ wrong_token }}",
                                                   test_connection=True),
                 "ignore_errors": True},
                {"name": "info", "registryops.harbor.harbor_registry_info": base, "register": "endpoints"},
                {"name": "show registered", "debug": {"var": "endpoints"}},
                {"name": "wrong harbor password", "registryops.harbor.harbor_project_info": dict(
                    base, harbor_password="{{ wrong_harbor_password }}", request_retries=0), "ignore_errors": True},
            ]
            runs = three_runs(tasks, {"localhost": {}}, main=True, secrets=secrets)
        places = collect(runs, {"harbor": harbor, "remote": remote})
        failures = [r["task"] for _label, run in runs for r in run.results if r.get("failed")]
        return {"places": places, "failures": failures, "rc": [run.rc for _label, run in runs]}
    finally:
        stop_all([remote, harbor])


def scenario_private_key():
    """ca_certificate names a PEM file holding a certificate and its private key (defect 1)."""
    remote = start_emulator()
    harbor = start_emulator()
    ca = trustme.CA()
    pem = ca.cert_pem.bytes().decode() + ca.private_key_pem.bytes().decode()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bundle = Path(tmp) / "ca-with-key.pem"
            bundle.write_text(pem)
            base = {"harbor_url": harbor.url, "harbor_username": "admin", "harbor_password": harbor.password}
            tasks = [{"name": "ca with key", REG: dict(base, name="with-ca", provider="docker-registry", url=remote.url,
                                                       ca_certificate=str(bundle)), "ignore_errors": True},
                     {"name": "info", "registryops.harbor.harbor_registry_info": base}]
            runs = three_runs(tasks, {"localhost": {}})
        return {"places": collect(runs, {"harbor": harbor}), "secrets": key_material(ca.private_key_pem.bytes().decode())}
    finally:
        stop_all([remote, harbor])


def scenario_url_userinfo():
    """User info in harbor_url and in a registry url (defect 2), on success and on failure."""
    remote = start_emulator()
    harbor = start_emulator()
    try:
        with_info = harbor.url.replace("http://", "http://urluser:%s@" % URL_PASSWORD)
        down = "http://urluser:%s@127.0.0.1:9" % URL_PASSWORD
        base = {"harbor_username": "admin", "harbor_password": harbor.password}
        registry_url = remote.url.replace("http://", "http://reguser:%s@" % REGISTRY_URL_PASSWORD)
        secrets = {"with_info": with_info, "down": down, "registry_url": registry_url}
        tasks = [
            {"name": "harbor_url with user info", "registryops.harbor.harbor_project_info": dict(base, harbor_url="{{ with_info }}"),
             "ignore_errors": True},
            {"name": "unreachable harbor_url with user info", "registryops.harbor.harbor_project_info": dict(
                base, harbor_url="{{ down }}", request_retries=0), "ignore_errors": True},
            {"name": "registry url with user info", REG: dict(base, harbor_url=harbor.url, name="userinfo",
                                                              provider="docker-registry", url="{{ registry_url }}"),
             "ignore_errors": True},
        ]
        runs = three_runs(tasks, {"localhost": {}}, secrets=secrets)
        return {"places": collect(runs, {"harbor": harbor, "remote": remote})}
    finally:
        stop_all([remote, harbor])


def scenario_robots():
    """Robot accounts: a chosen secret (created, then update_password=always checks it by a login), a robot whose secret
    was changed elsewhere (always sets it again), a generated secret returned to a no_log task, the export."""
    harbor = start_emulator()
    try:
        base = {"harbor_url": harbor.url, "harbor_username": "admin", "harbor_password": harbor.password}
        robot = "registryops.harbor.harbor_robot_account"
        pull = [{"namespace": "library", "access": {"repository": ["pull"]}}]
        tasks = [
            {"name": "chosen", robot: dict(base, name="chosen", permissions=pull, secret="{{ robot_secret }}", update_password="always")},
            {"name": "generated", robot: dict(base, name="generated", permissions=pull, return_generated_secret=True),
             "no_log": True, "register": "generated"},
            {"name": "changed elsewhere", robot: dict(base, name="elsewhere", permissions=pull, secret="{{ robot_secret }}",
                                                      update_password="always")},
            {"name": "list", "registryops.harbor.harbor_robot_account_info": base},
            {"name": "export", "registryops.harbor.harbor_export": base},
        ]
        runs = three_runs(tasks[:2], {"localhost": {}}, main=True, secrets={"robot_secret": ROBOT_SECRET})
        created = harbor.api("POST", "/robots", json={"name": "elsewhere", "level": "system", "duration": -1, "permissions": [
            {"kind": "project", "namespace": "library", "access": [{"resource": "repository", "action": "pull"}]}]}).json()
        harbor.api("PATCH", "/robots/%d" % created["id"], json={"secret": ROBOT_SECRET_ELSEWHERE})
        later = three_runs(tasks[2:], {"localhost": {}}, main=True, secrets={"robot_secret": ROBOT_SECRET})
        runs += [(label + " (later)", run) for label, run in later]
        with harbor.emulator.state.lock:
            generated = [r["secret"] for r in harbor.emulator.state.robots.values() if r["name"] == "generated"]
        places = collect(runs, {"harbor": harbor})
        places["robots stored in harbor"] = harbor.api("GET", "/robots").text
        failures = [r["task"] for _label, run in runs for r in run.results if r.get("failed")]
        return {"places": places, "secrets": [ROBOT_SECRET, ROBOT_SECRET_ELSEWHERE, created["secret"]] + generated,
                "failures": failures}
    finally:
        stop_all([harbor])


SCENARIOS = {"main": scenario_main, "robots": scenario_robots, "private-key": scenario_private_key, "url-userinfo": scenario_url_userinfo}

# secret id -> (scenario, the text that must never appear; None: every secret the scenario holds)
SECRETS = {
    "harbor_password": ("main", ADMIN_PASSWORD),
    "wrong harbor_password": ("main", WRONG_HARBOR_PASSWORD),
    "registry token": ("main", NGC_TOKEN),
    "wrong registry token": ("main", WRONG_TOKEN),
    "GCR JSON key: private key": ("main", GCR_KEY_BODY),
    "GCR JSON key: key id": ("main", GCR_KEY_ID),
    "GCR JSON key: whole document": ("main", GCR_JSON),
    "Quay JSON key: CLI password": ("main", QUAY_PASSWORD),
    "Quay JSON key: OAuth token": ("main", QUAY_TOKEN),
    "private key in ca_certificate": ("private-key", None),
    "harbor_url user info": ("url-userinfo", URL_PASSWORD),
    "registry url user info": ("url-userinfo", REGISTRY_URL_PASSWORD),
    "robot secrets: chosen, set elsewhere, generated": ("robots", None),
}


def params():
    return [pytest.param(name, id=name.replace(" ", "-").replace(":", "")) for name in SECRETS]


@pytest.mark.parametrize("name", params())
def test_secret_is_never_shown(name):
    scenario, secret = SECRETS[name]
    found = shared_batch("secrets-%s" % scenario, SCENARIOS[scenario])
    texts = [secret] if secret else found["secrets"]
    leaks = sorted(set(place for text in texts for place, content in found["places"].items() if grep(text, content)))
    measure("secret", secret=name, places=len(found["places"]), leaks=len(leaks), leaked_in=leaks)
    assert not leaks, "%s appears in: %s" % (name, ", ".join(leaks))


def test_the_robot_scenario_ran_without_failures():
    found = shared_batch("secrets-robots", scenario_robots)
    assert found["failures"] == [] and len(found["secrets"]) == 4


def test_the_main_scenario_ran_its_failures_and_successes():
    """The grep means something only if the secrets were used: every task ran, and only the two wrong ones failed."""
    found = shared_batch("secrets-main", scenario_main)
    assert sorted(set(found["failures"])) == ["wrong harbor password", "wrong secret"], found["failures"]
    assert "registries stored in harbor" in found["places"] and '"name":"gcr2"' in found["places"]["registries stored in harbor"]
