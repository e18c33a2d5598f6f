"""Secrets: every secret the suite uses (passwords, tokens, JSON keys, private keys, URL user info) is grepped in all
captured output, in every registered result, in the files a run leaves (Ansible's temporary directories, its log file,
what the ``tree`` and ``junit`` callbacks write), in the emulators' request logs, and in what Harbor stores and
returns. Expected: 0 hits.

Scenarios (each one batch of ansible-playbook runs; each secret is one test item):

- ``main``, ``private-key``, ``url-userinfo``: registry endpoints with tokens, JSON keys, a private key in a
  ca_certificate file, URL user info (issue 10's defects 1 and 2); check mode, real runs and re-runs with -vvv and --diff.
- ``modules``: every module, single and list forms, with a secret in every secret-bearing option (``harbor_password``,
  ``access_secret`` of single endpoints and of list elements, a robot account's ``secret``, single and in ``robots``, and
  the secret Harbor generates for a robot, returned to a ``no_log`` task), failing modules (a text element in
  ``registries`` and in ``robots``: issue 20's defect 2, bad input next to a secret, a robot secret Harbor would refuse,
  a wrong password), a failing assert on a registered result, and harbor_export writing its file into the run's folder
  (read with the other files the run leaves: it must hold Vault references, never a secret);
- ``roles``: both roles with a secret in every secret-bearing role variable (``harbor_password`` of this Harbor and of a
  peer host, ``access_secret`` of ``proxy_cache_upstreams`` and ``replication_endpoints``), failing input checks (issue
  20's defect 1: the replication role printed a whole endpoint, access_secret included), a failing argument spec and a
  failing module inside a role.

``modules`` and ``roles`` run in every mode of ``MODES`` (default verbosity, -v with the ``minimal`` callback, -vvv
with --diff, --check --diff -vvv with the ``oneline`` callback, a second real run); the CI slice runs ``CI_MODES``.
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
C = "registryops.harbor."

# the modules and roles scenarios: one secret per secret-bearing option or role variable
HARBOR_PW = "Hb0r-admin-S3cret-a1"          # harbor_password of the Harbor the modules and roles talk to
PEER_PW = "Peer-admin-S3cret-b2"            # harbor_password of the peer Harbor (a replication endpoint's default secret)
UPSTREAM_PW = "Upstr3am-S3cret-c3"          # the upstream registry's password (proxy_cache_upstreams[].access_secret)
TOKENS = dict(single="Tok-single-S3cret-d4", element="Tok-element-S3cret-e5", failing_element="Tok-textlist-S3cret-f6",
              bad_input="Tok-badinput-S3cret-g7", bad_choice="Tok-badchoice-S3cret-h8", endpoint="Tok-endpoint-S3cret-i9",
              spec="Tok-badspec-S3cret-j0", unreachable="Tok-unreachable-S3cret-k1", role_badhost="Tok-badhost-S3cret-l2",
              role_nourl="Tok-nourl-S3cret-m3", robot_single="Rob0t-single-S3cret-o5", robot_element="Rob0t-element-S3cret-p6",
              robot_textlist="Rob0t-textlist-S3cret-q7", robot_weak="weak-lowercase-s3cret-r8")
WRONG_PW = "Wr0ng-S3cret-n4"

# ansible-playbook runs of the modules and roles scenarios: label -> run_ansible options
MODES = {
    "default": dict(verbosity=0),
    "-v, minimal callback": dict(verbosity=1, stdout_callback="minimal"),
    "-vvv --diff": dict(verbosity=3, diff=True),
    "--check --diff -vvv, oneline callback": dict(check=True, diff=True, verbosity=3, stdout_callback="oneline"),
    "-vvv --diff, second run": dict(verbosity=3, diff=True),
}
# CI: -vvv --diff only (what the default callback prints at verbosity 0 and -v, it prints at -vvv too, with the module
# invocation and the diffs on top); the other modes run with scripts/reliability.py --full
CI_MODES = ("-vvv --diff",)
ROBOT_SECRET = "Robot-S3cret-pw-5a1e"
ROBOT_SECRET_ELSEWHERE = "Elsewhere-S3cret-8b2c"


def key_material(pem):
    """The base64 lines of a PEM private key (what must never be shown, whatever the framing)."""
    return [line for line in pem.splitlines() if line and not line.startswith("-----")][:2]


def collect(runs, targets):
    """Every place a secret could surface: outputs, results, files left, request logs, what Harbor returns."""
    places = {}
    for label, run in runs:
        places["output of %s" % label] = run.output
        if run.stderr:
            places["stderr of %s" % label] = run.stderr
        places["results of %s" % label] = json.dumps(run.results, default=str)
        for name, text in run.files.items():
            # one place per kind of file (tree/<host>, junit/*.xml, ansible.log, remote-tmp/...)
            kind = "file %s of %s" % (name.split("/", 1)[0] if "/" in name else name, label)
            places[kind] = places.get(kind, "") + text
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


def in_modes(tasks, hosts, secrets, plays=None):
    """``tasks`` run in every mode of MODES (the CI slice: CI_MODES), each leaving its files to be read."""
    runs = []
    for label, options in MODES.items():
        if FULL or label in CI_MODES:
            runs.append((label, run_ansible(tasks, hosts=hosts, extra_vars=secrets, plays=plays, leave_files=True, forks=4,
                                            **options)))
    return runs


def scenario_modules():
    """Every module, single and list forms, with a secret in every secret-bearing option, the failing ones included."""
    # the pull rules read its artifacts as its admin; by name (a Harbor lists no catalog to a token, as Harbor v2.15.2)
    upstream = start_emulator(admin_password=UPSTREAM_PW)
    harbor = start_emulator(admin_password=HARBOR_PW)
    try:
        upstream.seed(project="library", repository="app", tags=["1"])
        secrets = dict(("token_%s" % k, v) for k, v in TOKENS.items())
        secrets.update(upstream_pw=UPSTREAM_PW, wrong_pw=WRONG_PW)
        endpoint = dict(provider="docker-registry", url=upstream.url, access_key="admin")
        ignored = {"ignore_errors": True}
        pull = {"access": {"repository": ["pull"]}}
        tasks = [
            {"name": "registry, single", C + "harbor_registry": dict(endpoint, name="single", access_secret="{{ upstream_pw }}",
                                                                     test_connection=True, update_password="always")},
            {"name": "registry, list", C + "harbor_registry": {"registries": [
                dict(endpoint, name="list-a", access_secret="{{ upstream_pw }}"),
                dict(endpoint, name="list-b", access_secret="{{ upstream_pw }}", update_password="always")]}},
            {"name": "registry, list with a text element", C + "harbor_registry": {"registries": [
                dict(endpoint, name="list-c", access_secret="{{ token_failing_element }}"), "this is not a mapping"]}, **ignored},
            {"name": "registry, bad input beside a secret", C + "harbor_registry": dict(
                endpoint, name="bad", url="registry.example.com", access_secret="{{ token_bad_input }}"), **ignored},
            {"name": "registry, list with a bad choice beside a secret", C + "harbor_registry": {"registries": [
                dict(endpoint, name="list-d", access_secret="{{ token_bad_choice }}"), dict(name="list-e", provider="bogus")]},
             **ignored},
            {"name": "registry, wrong secret", C + "harbor_registry": dict(endpoint, name="wrong", access_key="nobody",
                                                                           access_secret="{{ token_single }}", test_connection=True),
             **ignored},
            {"name": "registry info", C + "harbor_registry_info": {}, "register": "endpoints"},
            {"name": "show the registered endpoints", "ansible.builtin.debug": {"var": "endpoints"}},
            {"name": "a failing assert on the registered endpoints", "ansible.builtin.assert": {
                "that": ["endpoints.registries | length == 999"], "fail_msg": "{{ endpoints.registries | map(attribute='name') }}"},
             **ignored},
            {"name": "project, single", C + "harbor_project": {"name": "cache", "proxy_cache_registry": "single"}},
            {"name": "project, list", C + "harbor_project": {"projects": [{"name": "local-a"}, {"name": "local-b", "storage_quota": "1GiB"}]}},
            {"name": "project info", C + "harbor_project_info": {}, "register": "projects"},
            {"name": "robot, single", C + "harbor_robot_account": {
                "name": "puller", "project": "local-a", "permissions": [pull], "secret": "{{ token_robot_single }}",
                "update_password": "always"}},
            {"name": "robot, list", C + "harbor_robot_account": {"robots": [
                {"name": "ci", "permissions": [dict(pull, namespace="*")], "secret": "{{ token_robot_element }}",
                 "update_password": "always"},
                {"name": "pusher", "project": "local-b", "permissions": [pull], "secret": "{{ token_robot_element }}"}]}},
            {"name": "robot, generated secret", C + "harbor_robot_account": {
                "name": "generated", "permissions": [dict(pull, namespace="local-a")], "return_generated_secret": True},
             "no_log": True, "register": "generated"},
            {"name": "robot, list with a text element", C + "harbor_robot_account": {"robots": [
                {"name": "text-list", "permissions": [dict(pull, namespace="local-a")], "secret": "{{ token_robot_textlist }}"},
                "this is not a mapping"]}, **ignored},
            {"name": "robot, a secret Harbor would refuse", C + "harbor_robot_account": {
                "name": "weak", "permissions": [dict(pull, namespace="local-a")], "secret": "{{ token_robot_weak }}"}, **ignored},
            {"name": "robot info", C + "harbor_robot_account_info": {}, "register": "robots"},
            {"name": "rule, single", C + "harbor_replication_rule": {
                "name": "pull-one", "mode": "pull", "registry": "single", "filters": {"name": "library/app"}, "dest_namespace": "local-a"}},
            {"name": "rule, list", C + "harbor_replication_rule": {"rules": [
                {"name": "pull-two", "mode": "pull", "registry": "list-a", "filters": {"name": "library/app"}, "dest_namespace": "local-b"},
                {"name": "push-one", "mode": "push", "registry": "list-b", "filters": {"name": "local-a/**"},
                 "dest_namespace": "library"}]}},
            {"name": "rule info", C + "harbor_replication_rule_info": {}, "register": "rules"},
            {"name": "execution, single", C + "harbor_replication_execution": {
                "rule": "pull-one", "wait_timeout": 60, "wait_sleep": 0.5}, **ignored},
            {"name": "execution, list", C + "harbor_replication_execution": {
                "rules": [{"rule": "pull-two"}, {"rule": "push-one"}], "wait_timeout": 60, "wait_sleep": 0.5}, **ignored},
            {"name": "execution info", C + "harbor_replication_execution_info": {"rule": "pull-one", "logs": True}},
            {"name": "repository info", C + "harbor_repository_info": {"project": "local-a"}},
            {"name": "export", C + "harbor_export": {"dest": "{{ playbook_dir }}/export/harbor.yml"}, "register": "exported"},
            {"name": "show the export", "ansible.builtin.debug": {"var": "exported"}},
            {"name": "wrong harbor password", C + "harbor_project_info": {"harbor_password": "{{ wrong_pw }}", "request_retries": 0},
             **ignored},
        ]
        hosts = {"harbor": {"harbor_url": harbor.url, "harbor_username": "admin", "harbor_password": HARBOR_PW}}
        runs = in_modes(tasks, hosts, secrets)
        places = collect(runs, {"harbor": harbor, "upstream": upstream})
        places["robots stored in harbor"] = harbor.api("GET", "/robots").text
        failed = sorted(set(r["task"] for _label, run in runs for r in run.results if r.get("failed")))
        with harbor.emulator.state.lock:
            robots = dict((r["name"], r["secret"]) for r in harbor.emulator.state.robots.values())
        return {"places": places, "failures": failed, "runs": [label for label, _run in runs], "robots": sorted(robots),
                "secrets": [robots["generated"]] if "generated" in robots else []}
    finally:
        stop_all([upstream, harbor])


def scenario_roles():
    """Both roles, a secret in every secret-bearing role variable; role input checks, an argument spec and a module
    failing inside a role (each on its own inventory host, so that the others go on)."""
    upstream = start_emulator(users={"mirror": UPSTREAM_PW, "replicator": TOKENS["endpoint"]})
    harbor = start_emulator(admin_password=HARBOR_PW)
    peer = start_emulator(admin_password=PEER_PW)
    try:
        upstream.seed(project="library", repository="app", tags=["1"])
        login = dict(harbor_url=harbor.url, harbor_username="admin", harbor_password=HARBOR_PW)
        upstreams = [dict(name="upstream", preset="generic", provider="docker-registry", url=upstream.url, access_key="mirror",
                          access_secret=UPSTREAM_PW, project="upstream-cache")]
        hosts = {
            "harbor": dict(login, proxy_cache_upstreams=upstreams, proxy_cache_check_references=False,
                           replication_endpoints=[dict(name="to-peer", host="peer", robot=False)],
                           replication_projects=[dict(name="outbound")],
                           replication_rules=[dict(name="push-outbound", endpoint="to-peer", filters={"name": "outbound/**"},
                                                   dest_namespace="inbound")]),
            "peer": dict(harbor_url=peer.url, harbor_username="admin", harbor_password=PEER_PW),
            "bad-host": dict(login, replication_endpoints=[dict(name="nowhere", host="not-in-inventory",
                                                                access_secret=TOKENS["role_badhost"])]),
            "no-url": dict(login, replication_endpoints=[dict(name="no-url", access_key="x", access_secret=TOKENS["role_nourl"])]),
            "bad-spec": dict(login, replication_endpoints=[dict(name="bad-spec", url=upstream.url, access_key="x",
                                                                access_secret=TOKENS["spec"], verify_remote_cert="perhaps")]),
            "unreachable": dict(login, replication_endpoints=[
                dict(name="fine", url=upstream.url, provider="docker-registry", access_key="replicator",
                     access_secret=TOKENS["endpoint"]),
                dict(name="down", url="http://127.0.0.1:9", provider="docker-registry", access_key="x",
                     access_secret=TOKENS["unreachable"])]),
        }
        tasks = [
            {"name": "proxy cache", "ansible.builtin.include_role": {"name": C + "proxy_cache"},
             "when": "proxy_cache_upstreams is defined"},
            {"name": "replication", "ansible.builtin.include_role": {"name": C + "replication"},
             "when": "replication_endpoints is defined", "vars": {"replication_sync": "{{ inventory_hostname == 'harbor' }}"}},
        ]
        runs = in_modes(tasks, hosts, None)
        places = collect(runs, {"harbor": harbor, "peer": peer, "upstream": upstream})
        failed = dict((host, sorted(set(str(r.get("msg") or r.get("argument_errors") or "")[:2000]
                                        for _label, run in runs for r in run.failures(host)))) for host in hosts)
        return {"places": places, "failures": failed, "runs": [label for label, _run in runs]}
    finally:
        stop_all([upstream, harbor, peer])


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


SCENARIOS = {"main": scenario_main, "robots": scenario_robots, "private-key": scenario_private_key,
             "url-userinfo": scenario_url_userinfo, "modules": scenario_modules, "roles": scenario_roles}

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
    # every module, single and list forms
    "modules: harbor_password": ("modules", HARBOR_PW),
    "modules: access_secret of an endpoint and of list elements": ("modules", UPSTREAM_PW),
    "modules: access_secret beside a text element of registries": ("modules", TOKENS["failing_element"]),
    "modules: access_secret beside bad input": ("modules", TOKENS["bad_input"]),
    "modules: access_secret beside a bad choice in a list": ("modules", TOKENS["bad_choice"]),
    "modules: a wrong access_secret": ("modules", TOKENS["single"]),
    "modules: a wrong harbor_password": ("modules", WRONG_PW),
    "modules: secret of a robot account": ("modules", TOKENS["robot_single"]),
    "modules: secret of robots elements": ("modules", TOKENS["robot_element"]),
    "modules: secret beside a text element of robots": ("modules", TOKENS["robot_textlist"]),
    "modules: a robot secret Harbor would refuse": ("modules", TOKENS["robot_weak"]),
    "modules: a robot secret Harbor generated": ("modules", None),
    # both roles
    "roles: harbor_password": ("roles", HARBOR_PW),
    "roles: harbor_password of a peer host (an endpoint's default secret)": ("roles", PEER_PW),
    "roles: proxy_cache_upstreams[].access_secret": ("roles", UPSTREAM_PW),
    "roles: replication_endpoints[].access_secret": ("roles", TOKENS["endpoint"]),
    "roles: access_secret of an endpoint whose host is not in the inventory": ("roles", TOKENS["role_badhost"]),
    "roles: access_secret of an endpoint without a url": ("roles", TOKENS["role_nourl"]),
    "roles: access_secret beside a variable the argument spec refuses": ("roles", TOKENS["spec"]),
    "roles: access_secret of an endpoint Harbor cannot reach": ("roles", TOKENS["unreachable"]),
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
    measure("secret", secret=name, places=len(found["places"]), leaks=len(leaks), leaked_in=leaks, scenario=scenario,
            runs=found.get("runs") or [])
    assert not leaks, "%s appears in: %s" % (name, ", ".join(leaks))


def test_the_robot_scenario_ran_without_failures():
    found = shared_batch("secrets-robots", scenario_robots)
    assert found["failures"] == [] and len(found["secrets"]) == 4


def test_the_main_scenario_ran_its_failures_and_successes():
    """The grep means something only if the secrets were used: every task ran, and only the two wrong ones failed."""
    found = shared_batch("secrets-main", scenario_main)
    assert sorted(set(found["failures"])) == ["wrong harbor password", "wrong secret"], found["failures"]
    assert "registries stored in harbor" in found["places"] and '"name":"gcr2"' in found["places"]["registries stored in harbor"]


def test_the_modules_scenario_ran_its_failures_and_successes():
    found = shared_batch("secrets-modules", scenario_modules)
    assert found["failures"] == sorted([
        "registry, list with a text element", "registry, bad input beside a secret",
        "registry, list with a bad choice beside a secret", "registry, wrong secret",
        "a failing assert on the registered endpoints", "wrong harbor password", "robot, list with a text element",
        "robot, a secret Harbor would refuse"]), found["failures"]
    # the secrets were used: the robots exist, one with a generated secret; harbor_export wrote its file in the run's
    # folder (read like every file the run leaves), with Vault references where the secrets were
    assert len(found["secrets"]) == 1 and {"local-a+puller", "ci", "local-b+pusher"} < set(found["robots"]), found["robots"]
    exported = [text for place, text in found["places"].items() if place.startswith("file export of")]
    assert len(exported) == len(found["runs"]) - ("--check --diff -vvv, oneline callback" in found["runs"]), list(found["places"])
    assert all("{{ vault_registry_single_secret }}" in text and "{{ vault_robot_local_a_puller_secret }}" in text for text in exported)


def test_the_roles_scenario_failed_where_the_input_is_bad_and_only_there():
    found = shared_batch("secrets-roles", scenario_roles)
    failures = found["failures"]
    assert failures["harbor"] == [] and failures["peer"] == [], failures
    # each bad host fails once per mode with a message about its own endpoint (whatever task of the role says it)
    for host, words in (("bad-host", ["nowhere", "not-in-inventory"]), ("no-url", ["no-url"]), ("bad-spec", ["verify_remote_cert"]),
                        ("unreachable", ["down"])):
        assert failures[host] and all(all(word in msg for word in words) for msg in failures[host]), (host, failures[host])


test_the_main_scenario_ran_its_failures_and_successes.scenario = "main"
test_the_modules_scenario_ran_its_failures_and_successes.scenario = "modules"
test_the_roles_scenario_failed_where_the_input_is_bad_and_only_there.scenario = "roles"
