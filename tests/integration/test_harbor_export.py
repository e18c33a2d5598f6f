"""harbor_export and the adoption round trip: a Harbor set up by raw API calls (requests, not the collection) is
exported to host variables, then (a) the roles applied with them to the same Harbor change nothing and send no write,
from the first run on, and (b) applied to a fresh Harbor they make the same objects, compared field by field through the API.

The objects carry this test process's unique names (tests/support/names.py): on a shared real Harbor the export holds
everything there is, so the checks, the round trip and the comparisons take the test's own objects out of it (what
an operator does who adopts part of a Harbor), and leave every other object alone."""
import re

import pytest
import yaml

from tests.integration.test_site import host, run_site
from tests.support.ansible import run_playbook
from tests.support.harbor import list_all
from tests.support.names import is_test_name, unique

EXPORT = "registryops.harbor.harbor_export"
GiB = 1024 ** 3
CI_SECRET = "Ci-Robot-Secret-1"
BY_NAME = {"X-Is-Resource-Name": "true"}
UPSTREAM, AIRGAP = unique("upstream"), unique("airgap")
CACHE, NVIDIA, SIGNED = unique("cache"), unique("nvidia"), unique("signed")
TO_AIRGAP, FROM_AIRGAP = unique("to-airgap"), unique("from-airgap")
CI, PUSHER = unique("ci"), unique("airgap-push")


def vault(kind, name):
    """The Vault variable the export names for a secret (plugins/module_utils/export.py: ``identifier``)."""
    return "vault_%s_%s_secret" % (kind, re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_"))


VAULT_UPSTREAM, VAULT_AIRGAP = vault("registry", UPSTREAM), vault("registry", AIRGAP)
VAULT_CI, VAULT_NODES = vault("robot", CI), vault("robot", CACHE + "_nodes")


def ok(resp, status=(200, 201)):
    assert resp.status_code in ((status,) if isinstance(status, int) else status), resp.text
    return resp


def location_id(resp):
    return int(ok(resp, 201).headers["Location"].rsplit("/", 1)[1])


def build_by_hand(harbor, remote):
    """What an operator clicked together: two endpoints (one behind a proxy cache), projects with quotas and settings,
    a push and a pull rule, a system robot and a disabled project robot (and one setting no role expresses)."""
    robot = ok(remote.api("POST", "/robots", json={"name": PUSHER, "level": "system", "duration": -1, "permissions": [
        {"kind": "project", "namespace": "*", "access": [
            {"resource": "repository", "action": "push"}, {"resource": "repository", "action": "pull"}]}]})).json()
    upstream = location_id(harbor.api("POST", "/registries", json={
        "name": UPSTREAM, "type": "docker-registry", "url": remote.url, "description": "the other registry",
        "credential": {"type": "basic", "access_key": remote.username, "access_secret": remote.password}}))
    airgap = location_id(harbor.api("POST", "/registries", json={
        "name": AIRGAP, "type": "harbor", "url": remote.url, "insecure": True,
        "credential": {"type": "basic", "access_key": robot["name"], "access_secret": robot["secret"]}}))
    ok(harbor.api("POST", "/projects", json={"project_name": CACHE, "registry_id": upstream, "storage_limit": 10 * GiB,
                                             "metadata": {"public": "true", "proxy_speed_kb": "2048", "max_upstream_conn": "5"}}))
    ok(harbor.api("POST", "/projects", json={"project_name": NVIDIA, "storage_limit": 5 * GiB, "metadata": {"public": "false"}}))
    ok(harbor.api("POST", "/projects", json={"project_name": SIGNED, "metadata": {"public": "false", "enable_content_trust": "true"}}))
    ok(harbor.api("POST", "/replication/policies", json={
        "name": TO_AIRGAP, "dest_registry": {"id": airgap}, "dest_namespace": "mirror", "dest_namespace_replace_count": 1,
        "trigger": {"type": "scheduled", "trigger_settings": {"cron": "0 0 2 * * *"}}, "enabled": True, "override": True,
        "speed": 1024, "filters": [{"type": "name", "value": NVIDIA + "/**"}, {"type": "tag", "value": "v*", "decoration": "matches"}]}))
    ok(harbor.api("POST", "/replication/policies", json={
        "name": FROM_AIRGAP, "description": "pull the library", "src_registry": {"id": airgap}, "dest_namespace": "pulled",
        "dest_namespace_replace_count": 1, "trigger": {"type": "manual"}, "enabled": False, "override": False,
        "filters": [{"type": "name", "value": "library/**"}]}))
    ci = ok(harbor.api("POST", "/robots", json={"name": CI, "level": "system", "duration": 30, "description": "pipelines",
                                                "permissions": [
                                                    {"kind": "system", "namespace": "/", "access": [
                                                        {"resource": "registry", "action": "read"},
                                                        {"resource": "registry", "action": "list"}]},
                                                    {"kind": "project", "namespace": "*", "access": [
                                                        {"resource": "repository", "action": "pull"}]}]})).json()
    ok(harbor.api("PATCH", "/robots/%d" % ci["id"], json={"secret": CI_SECRET}))
    nodes = ok(harbor.api("POST", "/robots", json={"name": "nodes", "level": "project", "duration": -1, "permissions": [
        {"kind": "project", "namespace": CACHE, "access": [{"resource": "repository", "action": "pull"}]}]})).json()
    shown = ok(harbor.api("GET", "/robots/%d" % nodes["id"])).json()
    ok(harbor.api("PUT", "/robots/%d" % nodes["id"], json=dict(shown, disable=True)))
    return robot


def export(harbor, dest):
    play = run_playbook([{"name": "export", EXPORT: {"dest": str(dest)}}], target=harbor, diff=True)
    assert play.rc == 0, play.output
    return play.result("export")


def vault_values(result, remote, robot):
    """The Vault variables, as the user would define them (the credentials they hold)."""
    values = {}
    for name in result["vault_variables"]:
        if name == VAULT_UPSTREAM:
            values[name] = remote.password
        elif name == VAULT_AIRGAP:
            values[name] = robot["secret"]
        else:
            values[name] = CI_SECRET if name == VAULT_CI else "Robot-Secret-%d" % len(values)
    return values


def ours(variables):
    """The exported variables of this test's objects (and the ``library`` project every Harbor has): what the test
    adopts from a Harbor that may hold other objects."""
    def mine(entry):
        return is_test_name(entry.get("name")) or is_test_name(entry.get("project"))
    out = dict(variables)
    for key in ("proxy_cache_upstreams", "replication_endpoints", "replication_rules", "harbor_robot_accounts",
                "harbor_export_not_expressible"):
        out[key] = [entry for entry in variables[key] if mine(entry)]
    out["replication_projects"] = [p for p in variables["replication_projects"] if mine(p) or p["name"] == "library"]
    return out


def inventory_for(target, exported, values):
    return {"harbor-a": host(target, **dict(ours(yaml.safe_load(exported)), **values))}


def apply(tmp_path, inventory):
    runs = [run_site(tmp_path, connected=inventory), run_site(tmp_path, connected=inventory, playbook="robot_accounts.yml")]
    for run in runs:
        assert run.rc == 0, run.output[-6000:]
    return runs


# -- comparison through the API --------------------------------------------------------------------------------------
def registries_of(target):
    out = {}
    for reg in list_all(target, "/registries"):
        credential = reg.get("credential") or {}
        out[reg["name"]] = dict(type=reg["type"], url=reg["url"], description=reg.get("description", ""),
                                insecure=reg.get("insecure", False), ca=reg.get("ca_certificate", ""),
                                access_key=credential.get("access_key", ""), has_secret=bool(credential.get("access_secret")))
    return out


def projects_of(target):
    names = {reg["id"]: reg["name"] for reg in list_all(target, "/registries")}
    quotas = {q["ref"]["name"]: q["hard"]["storage"] for q in list_all(target, "/quotas")}
    out = {}
    for project in list_all(target, "/projects"):
        metadata = {k: v for k, v in (project.get("metadata") or {}).items() if v not in ("false", "") and k != "retention_id"}
        out[project["name"]] = dict(metadata=metadata, proxy=names.get(project.get("registry_id")), quota=quotas.get(project["name"]),
                                    allowlist=[i["cve_id"] for i in (project.get("cve_allowlist") or {}).get("items") or []])
    return out


def rules_of(target):
    out = {}
    for rule in list_all(target, "/replication/policies"):
        side = {k: (rule.get(k) or {}).get("name") for k in ("src_registry", "dest_registry")}
        keep = {k: v for k, v in rule.items() if k not in ("id", "creation_time", "update_time", "src_registry", "dest_registry")}
        keep["filters"] = sorted((f["type"], str(f["value"]), f.get("decoration", "")) for f in keep.get("filters") or [])
        keep["description"] = rule.get("description") or ""
        trigger = keep.get("trigger") or {}             # no trigger_settings and {"cron": ""} are the same trigger
        keep["trigger"] = (trigger.get("type"), (trigger.get("trigger_settings") or {}).get("cron") or "")
        out[rule["name"]] = dict(keep, **side)
    return out


def robots_of(target):
    out = {}
    projects = [p for p in list_all(target, "/projects") if is_test_name(p["name"])]     # this test's project robots
    listings = [list_all(target, "/robots")] + [
        list_all(target, "/robots", {"q": "Level=project,ProjectID=%d" % p["project_id"]}) for p in projects]
    for robot in [r for listing in listings for r in listing]:
        permissions = sorted((p["kind"], p["namespace"], a["resource"], a["action"]) for p in robot["permissions"] for a in p["access"])
        out[robot["name"]] = dict(level=robot["level"], description=robot.get("description", ""), duration=robot["duration"],
                                  disable=robot["disable"], permissions=permissions)
    return out


def differences(before, after):
    """``{kind: {name: {field: (before, after)}}}`` for every object and field that differ (empty when identical)."""
    found = {}
    for kind in before:
        for name in sorted(set(before[kind]) | set(after[kind])):
            one, two = before[kind].get(name), after[kind].get(name)
            if one != two:
                fields = sorted(set(one or {}) | set(two or {})) if one and two else ["(object)"]
                found.setdefault(kind, {})[name] = {f: ((one or {}).get(f), (two or {}).get(f)) for f in fields
                                                    if (one or {}).get(f) != (two or {}).get(f) or f == "(object)"}
    return found


MARKS = ("[managed by registryops.harbor.proxy_cache]", "[managed by registryops.harbor.replication]")


def unmarked(state):
    """``state`` with the roles' marks taken out of the endpoints' and rules' descriptions."""
    out = dict(state)
    for kind in ("registries", "rules"):
        out[kind] = {name: dict(item, description=re.sub(r"\s*\[managed by registryops\.harbor\.[a-z_]+\]$", "",
                                                         item.get("description") or ""))
                     for name, item in state[kind].items()}
    return out


def state_of(target):
    """This test's objects on ``target`` (by kind and name), as the API shows them."""
    state = dict(registries=registries_of(target), projects=projects_of(target), rules=rules_of(target), robots=robots_of(target))
    return {kind: {name: item for name, item in items.items() if is_test_name(name)} for kind, items in state.items()}


# -- the tests ------------------------------------------------------------------------------------------------------
def test_export_lists_secrets_as_vault_references_and_what_the_roles_cannot_express(harbor_pair, tmp_path):
    harbor, remote = harbor_pair
    build_by_hand(harbor, remote)
    # one playbook: a check-mode export (to another file) before the real one
    play = run_playbook([{"name": "preview", EXPORT: {"dest": str(tmp_path / "preview.yml")}, "check_mode": True},
                         {"name": "export", EXPORT: {"dest": str(tmp_path / "host_vars" / "harbor-a.yml")}}], target=harbor, diff=True)
    assert play.rc == 0, play.output
    preview, result = play.result("preview"), play.result("export")
    assert preview["changed"] is True and not (tmp_path / "preview.yml").exists()        # check mode writes no file
    assert preview["diff"]["before"] == ""
    if harbor.emulator is not None:
        assert preview["diff"]["after"] == result["content"]
    else:                                   # other tests may change a shared Harbor meanwhile: this test's part is the same
        assert ours(yaml.safe_load(preview["diff"]["after"])) == ours(result["variables"])
    assert result["changed"] is True and result["dest"].endswith("harbor-a.yml")
    variables = result["variables"]
    written = yaml.safe_load((tmp_path / "host_vars" / "harbor-a.yml").read_text())
    assert written == variables
    mine = ours(variables)
    assert mine["proxy_cache_upstreams"] == [{
        "name": UPSTREAM, "provider": "docker-registry", "url": remote.url, "description": "the other registry",
        "access_key": "admin", "access_secret": "{{ %s }}" % VAULT_UPSTREAM, "verify_remote_cert": True,
        "project": CACHE, "public": True, "storage_quota": "10 GiB", "proxy_speed_kb": 2048, "max_upstream_connections": 5}]
    assert mine["replication_endpoints"] == [{
        "name": AIRGAP, "provider": "harbor", "url": remote.url, "access_key": "robot$" + PUSHER,
        "access_secret": "{{ %s }}" % VAULT_AIRGAP, "verify_remote_cert": False}]
    assert mine["replication_projects"] == [
        {"name": "library", "public": True, "storage_quota": "unlimited"},
        {"name": NVIDIA, "public": False, "storage_quota": "5 GiB"},
        {"name": SIGNED, "public": False, "storage_quota": "unlimited"}]
    assert [r["name"] for r in mine["replication_rules"]] == [FROM_AIRGAP, TO_AIRGAP]
    assert mine["replication_rules"][1] == {
        "name": TO_AIRGAP, "mode": "push", "endpoint": AIRGAP, "enabled": True,
        "filters": {"name": NVIDIA + "/**", "tag": "v*", "tag_decoration": "matches"}, "dest_namespace": "mirror", "flattening": 1,
        "trigger": "scheduled", "cron": "0 0 2 * * *", "bandwidth": "128 KiB/s", "override": True, "replicate_deletion": False,
        "copy_by_chunk": False, "single_active_replication": False}
    assert variables["replication_sync"] is False
    robots = {(r.get("project"), r["name"]): r for r in mine["harbor_robot_accounts"]}
    assert robots[None, CI] == {"name": CI, "description": "pipelines", "duration": 30, "permissions": [
        {"kind": "system", "access": {"registry": ["list", "read"]}}, {"namespace": "*", "access": {"repository": ["pull"]}}],
        "secret": "{{ %s }}" % VAULT_CI}
    assert robots[CACHE, "nodes"] == {"name": "nodes", "project": CACHE, "duration": "never", "disabled": True,
                                      "permissions": [{"access": {"repository": ["pull"]}}], "secret": "{{ %s }}" % VAULT_NODES}
    assert mine["harbor_export_not_expressible"] == [{
        "kind": "project", "name": SIGNED, "reason": "the replication role does not set these project settings",
        "settings": {"content_trust": True}, "apply_with": "registryops.harbor.harbor_project"}]
    assert [entry for entry in result["not_expressible"] if is_test_name(entry["name"])] == mine["harbor_export_not_expressible"]
    assert sorted(name for name in result["vault_variables"] if is_test_name(name.replace("_", "-"))) == sorted(
        [VAULT_AIRGAP, VAULT_UPSTREAM, VAULT_NODES, VAULT_CI])
    if harbor.emulator is not None:
        assert "vault_robot_automation_secret" in result["vault_variables"]          # the emulator's own robot
    assert "Harbor12345" not in result["content"] and VAULT_CI in result["content"].splitlines()[3]
    again = export(harbor, tmp_path / "host_vars" / "harbor-a.yml")
    if harbor.emulator is not None:
        assert again["changed"] is False                                        # no time stamp: an unchanged Harbor, an unchanged file
    else:                                   # other tests may change a shared Harbor meanwhile: this test's part is unchanged
        assert ours(again["variables"]) == mine


def test_round_trip_same_harbor_unchanged_and_fresh_harbor_identical(harbor_pair, emulator_factory, tmp_path):
    harbor, remote = harbor_pair
    robot = build_by_hand(harbor, remote)
    result = export(harbor, tmp_path / "exported.yml")
    exported = (tmp_path / "exported.yml").read_text()
    values = vault_values(result, remote, robot)
    before = state_of(harbor)

    # (a) the export applied to the Harbor it came from: nothing changes, nothing is written, on the first run too. The
    # endpoints and rules exist without the roles' mark ("[managed by registryops.harbor.<role>]"); with prune off a
    # missing mark is no difference, so the roles adopt them as they are.
    for run_number in (1, 2):
        for target in (harbor, remote):
            target.clear_log()
        runs = apply(tmp_path, inventory_for(harbor, exported, values))
        assert [run.recap["harbor-a"]["changed"] for run in runs] == [0, 0], (run_number, [run.output[-4000:] for run in runs])
        assert harbor.writes() == [] and remote.writes() == [], run_number
    assert state_of(harbor) == before
    exported_again = export(harbor, tmp_path / "exported.yml")
    if harbor.emulator is not None:
        assert exported_again["changed"] is False                  # and the export is the same file
    else:                                   # other tests may change a shared Harbor meanwhile: this test's part is the same
        assert ours(exported_again["variables"]) == ours(yaml.safe_load(exported))

    # (b) the export applied to a fresh Harbor: the same objects, field by field
    fresh = emulator_factory()
    (tmp_path / "fresh").mkdir()
    first = apply(tmp_path / "fresh", inventory_for(fresh, exported, values))
    assert all(run.recap["harbor-a"]["changed"] > 0 for run in first)
    after = state_of(fresh)
    # the roles made these, so they carry the roles' mark (what their prune looks for)
    assert all(item["description"].endswith(MARKS) for kind in ("registries", "rules") for item in after[kind].values())
    assert after["projects"][SIGNED]["metadata"] == {}         # content trust: listed as not expressible, not applied
    # what harbor_export_not_expressible lists, applied with the module it names, completes the copy
    for entry in ours(result["variables"])["harbor_export_not_expressible"]:
        module = entry["apply_with"]
        play = run_playbook([{"name": "complete", module: dict(entry["settings"], name=entry["name"])}], target=fresh)
        assert play.rc == 0, play.output
    assert differences(before, unmarked(state_of(fresh))) == {}
    assert "harbor_version" in fresh.api("GET", "/systeminfo", auth=("robot$" + CI, CI_SECRET)).json()     # the Vault secret
    # and a second run on the fresh Harbor changes nothing either
    fresh.clear_log()
    runs = apply(tmp_path / "fresh", inventory_for(fresh, exported, values))
    assert [run.recap["harbor-a"]["changed"] for run in runs] == [0, 0]
    assert fresh.writes() == []


@pytest.mark.parametrize("args, message", [
    ({"vault_prefix": "1bad"}, "vault_prefix: the start of a variable name"),
])
def test_bad_input(harbor, args, message):
    play = run_playbook([{"name": "export", EXPORT: args}], target=harbor)
    assert play.rc != 0 and message in play.result("export")["msg"]
