"""Bad input: a table of bad values across every module option (and, once the roles exist, every role variable).

Every row must give a clear error that names the option, before any write: zero writes in the request log, no
traceback, no request with a malformed path. Each row runs against its own emulator (so that its request log is its
own); the rows run as tasks of one ansible-playbook with ``ignore_errors`` (hosts run them side by side with the free
strategy), then each result is inspected. CI runs ``SLICE``; ``scripts/reliability.py --full`` runs every row.
"""
import pytest

from tests.reliability.harness import (FULL, REPO, clear_error, log_writes, malformed_paths, measure, refusal_problems,
                                       run_ansible, shared_batch, stop_all)
from tests.support.harbor import start_emulator

C = "registryops.harbor."
REG, PROJ, RULE, EXE = C + "harbor_registry", C + "harbor_project", C + "harbor_replication_rule", C + "harbor_replication_execution"
INFO_MODULES = ("harbor_registry_info", "harbor_project_info", "harbor_replication_rule_info", "harbor_replication_execution_info")
REG_I, PROJ_I, RULE_I, EXE_I = (C + m for m in INFO_MODULES)
ROBOT, ROBOT_I, EXPORT = C + "harbor_robot_account", C + "harbor_robot_account_info", C + "harbor_export"
PULL = [{"namespace": "*", "access": {"repository": ["pull"]}}]
PEM_GARBAGE = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
GCR_NO_KEY = '{"type": "service_account", "client_email": "sa@example.iam.gserviceaccount.com"}'


def row(module, args, option, pin=False, rid=None):
    return dict(module=module, args=args, option=option, pin=pin, id=rid)


# (module, args, the option the message must name, [pin: always in the CI slice, as a guard of a fixed issue-10 defect])
ROWS = [
    # -- connection options (every module shares them; read-only modules keep a failure harmless)
    row(PROJ_I, {"harbor_url": ""}, "harbor_url"),
    row(PROJ_I, {"harbor_url": "ftp://127.0.0.1"}, "harbor_url"),
    row(PROJ_I, {"harbor_url": "http://"}, "harbor_url"),
    row(PROJ_I, {"harbor_url": "harbor.example.com"}, "harbor_url"),
    row(PROJ_I, {"harbor_url": "http://[::1"}, "harbor_url"),
    row(PROJ_I, {"harbor_url": "{url}/harbor/projects"}, "harbor_url"),
    row(PROJ_I, {"harbor_url": "{url}/?tab=projects"}, "harbor_url"),
    row(PROJ_I, {"harbor_username": ""}, "harbor_username"),
    row(PROJ_I, {"validate_certs": "perhaps"}, "validate_certs"),
    row(PROJ_I, {"request_timeout": 0}, "request_timeout"),
    row(PROJ_I, {"request_timeout": -5}, "request_timeout"),
    row(PROJ_I, {"request_timeout": "soon"}, "request_timeout"),
    row(PROJ_I, {"request_retries": -1}, "request_retries"),
    row(PROJ_I, {"request_retries": "many"}, "request_retries"),
    row(PROJ_I, {"request_retries": 1000}, "request_retries", pin=True),
    row(REG, {"name": "x", "provider": "docker-hub", "request_timeout": 0}, "request_timeout"),
    row(RULE, {"name": "x", "request_retries": -3}, "request_retries"),
    # -- harbor_registry
    row(REG, {"name": "", "provider": "docker-hub"}, "name"),
    row(REG, {"name": "   ", "provider": "docker-hub"}, "name"),
    row(REG, {"name": "x" * 65, "provider": "docker-hub"}, "name"),
    row(REG, {"provider": "docker-hub"}, "name"),
    row(REG, {"name": "e1", "provider": "dockerhubx", "url": "https://x.example"}, "provider"),
    row(REG, {"name": "e1", "provider": "helm-hub", "url": "https://x.example"}, "provider"),
    row(REG, {"name": "e1", "provider": 12, "url": "https://x.example"}, "provider"),
    row(REG, {"name": "e1", "url": "https://x.example"}, "provider"),
    row(REG, {"name": "e1", "provider": "docker-registry"}, "url"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": ""}, "url"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "ftp://x.example"}, "url"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "http://"}, "url"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https:///v2"}, "url"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "registry.example.com"}, "url", pin=True),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://[::1"}, "url"),
    row(REG, {"name": "e1", "state": "gone"}, "state"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "credential_type": "token"}, "credential_type"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "credential_type": "oauth"}, "credential_type"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "verify_remote_cert": "maybe"},
        "verify_remote_cert"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "ca_certificate": "not a pem"}, "ca_certificate"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "ca_certificate": PEM_GARBAGE}, "ca_certificate"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "ca_certificate": "/nonexistent/ca.pem"},
        "ca_certificate"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "access_secret": "s3"}, "access_secret"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "access_key": "u", "access_secret": "*****"},
        "access_secret"),
    row(REG, {"name": "e1", "provider": "google-gcr", "url": "https://gcr.io", "access_secret": "not json"}, "access_secret"),
    row(REG, {"name": "e1", "provider": "google-gcr", "url": "https://gcr.io", "access_secret": GCR_NO_KEY}, "access_secret"),
    row(REG, {"name": "e1", "provider": "quay", "url": "https://quay.io", "access_secret": "[1, 2]"}, "access_secret"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "access_key": "u",
              "access_secret": {"a": 1}}, "access_secret"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "update_password": "sometimes"},
        "update_password"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "test_connection": "perhaps"}, "test_connection"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "recreate": "x"}, "recreate"),
    row(REG, {"name": "e1", "provider": "docker-registry", "url": "https://x.example", "colour": "red"}, "colour"),
    row(REG, {"name": "existing-endpoint", "provider": "harbor"}, "provider"),
    row(REG, {"name": "existing-endpoint", "access_key": "someone-else"}, "access_secret"),
    row(REG, {"registries": [{"name": "ok-1", "provider": "docker-registry", "url": "https://ok.example"},
                             {"name": "bad", "provider": "docker-registry", "url": "ftp://x"}]}, "registries[1].url"),
    row(REG, {"registries": [{"name": "e1", "provider": "docker-hub"}], "name": "e2"}, "registries"),
    # -- harbor_project
    row(PROJ, {"name": "Upper"}, "name"),
    row(PROJ, {"name": "a..b"}, "name"),
    row(PROJ, {"name": ""}, "name"),
    row(PROJ, {"name": "-lead"}, "name"),
    row(PROJ, {"name": "trail_"}, "name"),
    row(PROJ, {"name": "x" * 256}, "name"),
    row(PROJ, {"name": "white space"}, "name"),
    row(PROJ, {"name": "caf\u00e9"}, "name"),
    row(PROJ, {"name": "a/b"}, "name"),
    row(PROJ, {"name": "p1", "storage_quota": "10 parsecs"}, "storage_quota"),
    row(PROJ, {"name": "p1", "storage_quota": "-5"}, "storage_quota"),
    row(PROJ, {"name": "p1", "storage_quota": "0"}, "storage_quota"),
    row(PROJ, {"name": "p1", "storage_quota": "2000TiB"}, "storage_quota"),
    row(PROJ, {"name": "p1", "storage_quota": "10i"}, "storage_quota"),
    row(PROJ, {"name": "p1", "storage_quota": ""}, "storage_quota"),
    row(PROJ, {"name": "p1", "storage_quota": [1]}, "storage_quota"),
    row(PROJ, {"name": "p1", "storage_quota": "1.5.5GB"}, "storage_quota"),
    row(PROJ, {"name": "p1", "storage_quota": "0.0000001KB"}, "storage_quota"),
    row(PROJ, {"name": "p1", "severity": "extreme"}, "severity"),
    row(PROJ, {"name": "p1", "proxy_speed_kb": "fast"}, "proxy_speed_kb"),
    row(PROJ, {"name": "p1", "proxy_cache_registry": "existing-endpoint", "proxy_speed_kb": 3000000000}, "proxy_speed_kb"),
    row(PROJ, {"name": "p1", "max_upstream_connections": "x"}, "max_upstream_connections"),
    row(PROJ, {"name": "p1", "max_upstream_connections": 5}, "max_upstream_connections"),
    row(PROJ, {"name": "p1", "proxy_speed_kb": 100}, "proxy_speed_kb"),
    row(PROJ, {"name": "p1", "proxy_cache_local_on_not_found": True}, "proxy_cache_local_on_not_found"),
    row(PROJ, {"name": "p1", "proxy_cache_registry": "existing-endpoint", "content_trust": True}, "content_trust"),
    row(PROJ, {"name": "p1", "proxy_cache_registry": "no-such-endpoint"}, "proxy_cache_registry"),
    row(PROJ, {"name": "p1", "public": "sometimes"}, "public"),
    row(PROJ, {"name": "p1", "auto_scan": "x"}, "auto_scan"),
    row(PROJ, {"name": "p1", "prevent_vulnerable_images": "x"}, "prevent_vulnerable_images"),
    row(PROJ, {"name": "p1", "cve_allowlist": {"cves": [""]}}, "cve_allowlist"),
    row(PROJ, {"name": "p1", "cve_allowlist": {"expires_at": "tomorrow"}}, "expires_at"),
    row(PROJ, {"name": "p1", "cve_allowlist": "CVE-2024-3094"}, "cve_allowlist", pin=True),
    row(PROJ, {"name": "p1", "cve_allowlist": {"bogus": 1}}, "bogus"),
    row(PROJ, {"name": "p1", "state": "deleted"}, "state"),
    row(PROJ, {"name": "p1", "state": "absent", "purge": "x"}, "purge"),
    row(PROJ, {"name": "p1", "auto_sbom_generation": "x"}, "auto_sbom_generation"),
    row(PROJ, {"name": "p1", "reuse_system_cve_allowlist": "x"}, "reuse_system_cve_allowlist"),
    row(PROJ, {"name": "p1", "cve_allowlist": {"cves": {"CVE-2024-3094": True}}}, "cves"),
    row(PROJ, {"name": "p1", "recreate": "x"}, "recreate"),
    row(PROJ, {"name": "existing-project", "proxy_cache_registry": "existing-endpoint"}, "proxy_cache_registry"),
    row(PROJ, {"projects": [{"name": "fine"}, {"name": "big", "storage_quota": "lots"}]}, "projects[1].storage_quota"),
    row(PROJ, {"projects": [{"name": "twice"}, {"name": "twice"}]}, "projects[1].name"),
    row(PROJ, {"projects": [{"name": "p1"}], "name": "p2"}, "projects"),
    # -- harbor_replication_rule
    row(RULE, {"rules": [{"name": "r1", "mode": "pull", "registry": "x", "cron": "nope", "trigger": "scheduled"}]}, "rules[0].cron"),
    row(RULE, {"rules": "r1"}, "rules"),
    row(RULE, {"name": "r1", "mode": "sideways", "registry": "existing-endpoint"}, "mode"),
    row(RULE, {"name": "r1", "registry": "existing-endpoint"}, "mode"),
    row(RULE, {"name": "r1", "mode": "push"}, "registry"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "no-such-endpoint"}, "registry"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "trigger": "hourly"}, "trigger"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "trigger": "scheduled"}, "cron"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "trigger": "scheduled", "cron": "0 0 2 * *"}, "cron"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "trigger": "scheduled", "cron": "30 0 2 * * *"}, "cron"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "trigger": "scheduled", "cron": "0 * 2 * * *"}, "cron"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "trigger": "scheduled", "cron": "0 0 2 * * @"}, "cron"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "trigger": "manual", "cron": "0 0 2 * * *"}, "cron"),
    row(RULE, {"name": "r1", "mode": "pull", "registry": "existing-endpoint", "trigger": "event_based"}, "trigger"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "trigger": "event_based",
               "single_active_replication": True}, "single_active_replication"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "bandwidth": "fast"}, "bandwidth"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "bandwidth": "10 parsecs/s"}, "bandwidth"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "bandwidth": "10TB/s"}, "bandwidth"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "flattening": "deep"}, "flattening"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "flattening": -2}, "flattening"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "flattening": 3, "dest_namespace": "mirror",
               "filters": {"name": "library/*"}}, "flattening"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "dest_namespace": "Bad Namespace"}, "dest_namespace"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "dest_namespace": "a//b"}, "dest_namespace"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "filters": {"labels": "release"}}, "labels"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "filters": {"labels": ["", "x"]}}, "labels"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "filters": {"tag_decoration": "like"}}, "tag_decoration"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "filters": {"resource": "chart"}}, "resource"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "filters": {"colour": "x"}}, "colour"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "filters": "library/**"}, "filters", pin=True),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "filters": {"tag": {"v": 1}}}, "tag", pin=True),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "filters": {"label_decoration": "like"}},
        "label_decoration"),
    row(RULE, {"name": "r1", "state": "gone"}, "state"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "replicate_deletion": "x"}, "replicate_deletion"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "copy_by_chunk": "x"}, "copy_by_chunk"),
    row(RULE, {"name": "r1", "state": "absent", "stop_running": "x"}, "stop_running"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "enabled": "maybe"}, "enabled"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "override": "x"}, "override"),
    row(RULE, {"name": "r1", "state": "absent", "stop_timeout": -1}, "stop_timeout"),
    row(RULE, {"name": "r1", "state": "absent", "stop_timeout": "x"}, "stop_timeout"),
    row(RULE, {"mode": "push", "registry": "existing-endpoint"}, "name"),
    row(RULE, {"name": "existing-rule", "trigger": "scheduled"}, "cron"),
    # -- harbor_replication_execution
    row(EXE, {"rule": "no-such-rule"}, "rule"),
    row(EXE, {"rule": "existing-rule", "state": "paused"}, "state"),
    row(EXE, {"rule": "existing-rule", "wait_timeout": -1}, "wait_timeout"),
    row(EXE, {"rule": "existing-rule", "wait_sleep": 0}, "wait_sleep"),
    row(EXE, {"rule": "existing-rule", "log_lines": -1}, "log_lines"),
    row(EXE, {"rule": "existing-rule", "force": "x"}, "force"),
    row(EXE, {"rule": "existing-rule", "since": "yesterday"}, "since"),
    row(EXE, {"rule": "disabled-rule"}, "enabled"),
    row(EXE, {}, "rule"),
    row(EXE, {"rule": "existing-rule", "wait": "x"}, "wait"),
    row(EXE, {"rule": "existing-rule", "stop_on_timeout": "x"}, "stop_on_timeout"),
    row(EXE, {"rule": "existing-rule", "fail_on_error": "x"}, "fail_on_error"),
    row(EXE, {"rules": [{"rule": "existing-rule"}, {"rule": "no-such-rule"}]}, "rules[1].rule"),
    row(EXE, {"rules": [{"rule": "existing-rule"}, {"rule": "disabled-rule"}]}, "rules[1]"),
    row(EXE, {"rules": [{"rule": "existing-rule"}, {"rule": "existing-rule", "state": "stopped"}]}, "rules[1].rule"),
    row(EXE, {"rules": [{"rule": "existing-rule", "state": "paused"}]}, "state"),
    row(EXE, {"rules": [{"rule": "existing-rule"}], "rule": "existing-rule"}, "rules"),
    # -- the _info modules
    row(PROJ_I, {"query": "[["}, "query"),
    row(REG_I, {"query": "foo("}, "query"),
    row(RULE_I, {"query": "!!"}, "query"),
    row(EXE_I, {"rule": "existing-rule", "limit": 0}, "limit"),
    row(EXE_I, {"rule": "existing-rule", "limit": 101}, "limit"),
    row(EXE_I, {"rule": "existing-rule", "status": "Done"}, "status"),
    row(EXE_I, {"rule": "existing-rule", "id": "x"}, "id"),
    row(EXE_I, {"rule": "no-such-rule"}, "rule"),
    row(EXE_I, {"rule": "existing-rule", "tasks": "x"}, "tasks"),
    row(EXE_I, {"rule": "existing-rule", "logs": "x"}, "logs"),
    row(EXE_I, {"rule": "existing-rule", "query": "]["}, "query"),
    # -- harbor_robot_account, harbor_robot_account_info, harbor_export
    row(ROBOT, {"name": "robot$ci", "permissions": PULL}, "name"),
    row(ROBOT, {"name": "ci", "permissions": PULL, "secret": "weak"}, "secret"),
    row(ROBOT, {"name": "ci", "permissions": PULL, "duration": "soon"}, "duration"),
    row(ROBOT, {"name": "ci", "permissions": [{"namespace": "*", "access": {"repository": ["pull", "fly"]}}]}, "permissions"),
    row(ROBOT, {"name": "ci", "permissions": [{"namespace": "*", "access": "repository"}]}, "permissions"),
    row(ROBOT, {"name": "ci", "level": "project", "permissions": PULL}, "project"),
    row(ROBOT, {"name": "ci", "project": "no-such-project", "permissions": [{"access": {"repository": ["pull"]}}]}, "project"),
    row(ROBOT, {"name": "ci", "permissions": PULL, "update_password": "always"}, "update_password"),
    row(ROBOT, {"name": "ci", "permissions": PULL, "return_generated_secret": True}, "return_generated_secret"),
    row(ROBOT, {"name": "ci", "permissions": PULL, "state": "gone"}, "state"),
    row(ROBOT, {"name": "ci", "permissions": PULL, "level": "global"}, "level"),
    row(ROBOT, {"name": "ci", "permissions": PULL, "disabled": "perhaps"}, "disabled"),
    row(ROBOT, {"name": "ci", "permissions": [{"kind": "global", "access": {"repository": ["pull"]}}]}, "kind"),
    row(ROBOT, {"name": "ci", "permissions": [{"kind": "system", "namespace": "library", "access": {"registry": ["list"]}}]},
        "namespace"),
    row(ROBOT, {"name": "ci", "permissions": [{"namespace": "*"}]}, "access"),
    row(ROBOT, {"robots": "ci"}, "robots"),
    row(ROBOT, {"name": "ci", "permissions": PULL, "update_password": "sometimes"}, "update_password"),
    row(ROBOT_I, {"project": "no-such-project"}, "project"),
    row(ROBOT_I, {"level": "everything"}, "level"),
    row(EXPORT, {"vault_prefix": "9x"}, "vault_prefix"),
    row(EXPORT, {"dest": "/etc/hostname/harbor.yml"}, "dest"),
    row(EXPORT, {"replication_sync": "perhaps"}, "replication_sync"),
    # -- found by the property suite: limits Harbor checks only after the write was sent
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "trigger": "scheduled", "cron": "0 61 * * * *"}, "cron"),
    row(REG, {"name": "\u00e9" * 40, "provider": "docker-hub"}, "name"),
    row(PROJ, {"name": "p1", "storage_quota": "9" * 400 + "GB"}, "storage_quota"),
    row(RULE, {"name": "r1", "mode": "push", "registry": "existing-endpoint", "bandwidth": "9" * 400 + "KB/s"}, "bandwidth"),
]

# EXTENSION POINT (role variables): the roles of this collection add their bad variables here, one dict per row:
#   dict(role="registryops.harbor.<role>", vars={...the role's variables, one of them bad...}, option="<that variable>")
# Each runs as an include_role task against its own emulator with the same checks (clear error naming the variable,
# zero writes, no traceback, no malformed path).
PC_ROLE, REPL_ROLE = "registryops.harbor.proxy_cache", "registryops.harbor.replication"
GOOD_UPSTREAM = {"name": "good", "provider": "docker-registry", "url": "https://registry.example.com"}
GOOD_RULE = {"name": "good", "endpoint": "existing-endpoint", "filters": {"name": "library/**"}}
ROLE_VARIABLE_ROWS = [
    # a bad third entry: the role's plan refuses it, naming the role variable, before the first two are written
    dict(role=PC_ROLE, vars={"proxy_cache_check_references": False, "proxy_cache_upstreams": [
        GOOD_UPSTREAM, dict(GOOD_UPSTREAM, name="second"), {"name": "third", "preset": "docker-hub", "project": "DockerHub2"}]},
        option="proxy_cache_upstreams[2].project", pin=True),
    dict(role=PC_ROLE, vars={"proxy_cache_upstreams": [dict(GOOD_UPSTREAM, storage_quota="lots")]},
         option="proxy_cache_upstreams[0].storage_quota"),
    dict(role=REPL_ROLE, vars={"replication_rules": [GOOD_RULE, dict(GOOD_RULE, name="second"), dict(
        GOOD_RULE, name="third", trigger="scheduled", cron="0 * 2 * * *")]}, option="replication_rules[2].cron", pin=True),
    dict(role=REPL_ROLE, vars={"replication_rules": [GOOD_RULE, GOOD_RULE]}, option="replication_rules[1].name"),
    dict(role=REPL_ROLE, vars={"replication_wait_timeout": -5}, option="replication_wait_timeout"),
    dict(role=REPL_ROLE, vars={"replication_endpoints": [{"name": "peer", "host": "no-such-host"}]}, option="replication_endpoints[0].host"),
    dict(role=PC_ROLE, vars={"proxy_cache_upstreams": [GOOD_UPSTREAM], "proxy_cache_pull_robot": {"secret": "weak"}},
         option="proxy_cache_pull_robot.secret"),
    dict(role=REPL_ROLE, vars={"replication_projects": [{"name": "fine"}, {"name": "Not A Project"}]}, option="replication_projects[1].name"),
    dict(role=REPL_ROLE, vars={"replication_rules": [dict(GOOD_RULE, dest_project={"storage_quota": "huge"})]},
         option="replication_rules[0].dest_project.storage_quota"),
]

# The CI slice: rows spread over every module and every kind of check (argument spec, parser, lookup, combination),
# plus the pinned rows that guard fixed issue-10 defects.
SLICE_EVERY = 9


def all_rows():
    rows = ROWS + [dict(r, module=None) for r in ROLE_VARIABLE_ROWS]
    for index, found in enumerate(rows):
        found["id"] = found.get("id") or "%03d-%s-%s" % (index, (found.get("module") or found.get("role")).rsplit(".", 1)[-1],
                                                         found["option"].replace(" ", "-"))
    return rows


def selected_rows():
    rows = all_rows()
    if FULL:
        return rows
    return [r for i, r in enumerate(rows) if i % SLICE_EVERY == 0 or r.get("pin")]


def set_up(target, remote):
    """What the rows about existing objects find: an endpoint in use by two rules (one disabled), a project with a
    repository."""
    api = target.api
    credential = {"type": "basic", "access_key": remote.username, "access_secret": remote.password}
    body = {"name": "existing-endpoint", "type": "docker-registry", "url": remote.url, "insecure": True, "credential": credential}
    assert api("POST", "/registries", json=body).status_code == 201
    endpoint_id = api("GET", "/registries").json()[0]["id"]
    for name, enabled in (("existing-rule", True), ("disabled-rule", False)):
        assert api("POST", "/replication/policies", json={
            "name": name, "enabled": enabled, "dest_registry": {"id": endpoint_id}, "trigger": {"type": "manual"},
            "filters": [{"type": "name", "value": "library/**"}]}).status_code == 201
    target.seed(project="existing-project", repository="app", tags=["1"])
    target.clear_log()


def task_of(found, target):
    connection = {"harbor_url": target.url, "harbor_username": target.username, "harbor_password": target.password}
    if found.get("role"):
        # no ignore_errors: the role stops at its failed task (its later tasks would write); each role row has a host of
        # its own, so the failure stops that row only
        return {"name": found["id"], "include_role": {"name": found["role"]}, "vars": dict(connection, **found["vars"])}
    args = dict(connection)
    for key, value in found["args"].items():
        args[key] = value.format(url=target.url) if isinstance(value, str) and "{url}" in value else value
    return {"name": found["id"], found["module"]: args, "ignore_errors": True}


def run_rows(rows, workers=4):
    remote = start_emulator()
    targets = [remote]
    try:
        plans = []
        for index, found in enumerate(rows):
            target = start_emulator()
            targets.append(target)
            set_up(target, remote)
            task = task_of(found, target)
            task["when"] = "inventory_hostname == '%s'" % host_of(found, index, workers)
            plans.append((found, target, task))
        verdicts = {}
        for roles in (False, True):
            batch = [(found, target, task) for found, target, task in plans if bool(found.get("role")) == roles]
            hosts = sorted(set(task["when"].split("'")[1] for _row, _target, task in batch))
            if not batch:
                continue
            run = run_ansible([task for _row, _target, task in batch], hosts=dict((h, {}) for h in hosts), forks=len(hosts),
                              strategy="free")
            for found, target, task in batch:
                if roles:       # the failed task of the row's own host (the role's tasks have their own names)
                    mine = [r for r in run.results if r.get("host") == task["when"].split("'")[1] and r.get("status") != "skipped"]
                    results = [r for r in mine if r.get("failed")] or mine
                else:
                    results = [r for r in run.results if r.get("task") == found["id"] and r.get("status") != "skipped"]
                verdicts[found["id"]] = judge(found, results, target.requests_log())
        return verdicts
    finally:
        stop_all(targets)


def host_of(found, index, workers):
    """Module rows share ``workers`` hosts; a role row has a host of its own."""
    return "r%d" % index if found.get("role") else "w%d" % (index % workers)


def judge(found, results, log):
    result = results[-1] if results else {}
    problems = refusal_problems(result, found["option"], log)
    verdict = dict(problems=problems, clear=bool(result.get("failed")) and not clear_error(result) and found["option"] in str(result.get("msg")),
                   writes=len(log_writes(log)), malformed=len(malformed_paths(log)), traceback="traceback" in " ".join(problems))
    measure("bad_input", row=found["id"], module=found.get("module") or found.get("role"), option=found["option"],
            **verdict)
    return verdict


def params():
    found = []
    for bad in selected_rows():
        found.append(pytest.param(bad, id=bad["id"]))
    return found


def test_the_table_covers_every_module_option():
    """At least 100 rows, and every option of every module (connection options once) has a bad value."""
    rows = all_rows()
    assert len(rows) >= 100
    named = set((r["module"], r["option"]) for r in rows if r.get("module"))
    missing = []
    connection = set(("harbor_url", "harbor_username", "validate_certs", "request_timeout", "request_retries"))
    for module in (REG, PROJ, RULE, EXE, REG_I, PROJ_I, RULE_I, EXE_I, ROBOT, ROBOT_I, EXPORT):
        for option in option_names(module.rsplit(".", 1)[-1]):
            if option in connection or option in ("harbor_password", "ca_path", "access_key", "description", "robot_name_prefix"):
                continue        # connection options: once above; free text has no bad value (ca_path: test_tls.py)
            if module in (REG_I, PROJ_I, RULE_I, ROBOT_I) and option == "name":
                continue        # a filter of the _info modules: any text is a valid (maybe unknown) name
            if (module, option) not in named and not any(r["option"] == option and r.get("module") == module for r in rows):
                missing.append("%s %s" % (module, option))
    assert not missing, "options without a bad value in the table: %s" % missing


def option_names(module_name):
    """The top-level and nested option names in a module's DOCUMENTATION (the argument spec, as users read it)."""
    import ast

    import yaml
    tree = ast.parse((REPO / "plugins" / "modules" / ("%s.py" % module_name)).read_text())
    text = [node.value.value for node in tree.body if isinstance(node, ast.Assign)
            and any(getattr(t, "id", None) == "DOCUMENTATION" for t in node.targets)][0]
    doc = yaml.safe_load(text)
    names = []
    for option, spec in (doc.get("options") or {}).items():
        names.append(option)
        for sub in ((spec or {}).get("suboptions") or {}):
            names.append(sub)
    return names


@pytest.mark.parametrize("bad", params())
def test_bad_input(bad):
    rows = selected_rows()
    verdicts = shared_batch("bad-input-%s" % ("full" if FULL else "slice"), lambda: run_rows(rows))
    verdict = verdicts[bad["id"]]
    assert not verdict["problems"], "%s %s -> %s" % (bad.get("module") or bad.get("role"), bad.get("args") or bad.get("vars"),
                                                     "\n".join(verdict["problems"]))
