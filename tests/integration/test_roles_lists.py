"""The roles write each kind of object with one module call (the modules' list forms, issue 11): converge, an unchanged
re-run that only reads, and entries turned ``state: absent`` removed in the right order, through real ansible-playbook
runs of the roles against emulated Harbors."""
from tests.support.harbor import ADMIN
from tests.support.names import ours, unique

PROXY_CACHE = "registryops.harbor.proxy_cache"
REPLICATION = "registryops.harbor.replication"


def role(name, **role_vars):
    return {"name": "role", "ansible.builtin.include_role": {"name": name}, "vars": role_vars}


def task(play, role_name, name):
    return play.result("%s : %s" % (role_name, name))


def names(target, path):
    """The names of this test's objects at ``path`` (and ``library`` for projects), sorted."""
    listed = target.api("GET", path, params={"page_size": 100, "q": "name=~%s" % unique("")[1:]}).json()
    return sorted(ours([item["name"] for item in listed]) + (["library"] if path == "/projects" else []))


def upstream_entry(upstream, name, project, **more):
    return dict(name=name, preset="generic", provider="docker-registry", url=upstream.url, project=project, **more)


def test_proxy_cache_role_converges_its_upstreams_in_one_call_per_kind(run_play, emulator_factory, harbor):
    upstream = emulator_factory()
    upstreams = [upstream_entry(upstream, unique("up-a"), unique("cache-a")),
                 upstream_entry(upstream, unique("up-b"), unique("cache-b"), storage_quota="1GiB", public=False)]
    first = run_play([role(PROXY_CACHE, proxy_cache_upstreams=upstreams, proxy_cache_check_references=False)], target=harbor)
    assert first.rc == 0, first.output[-4000:]
    assert names(harbor, "/registries") == [unique("up-a"), unique("up-b")]
    assert names(harbor, "/projects") == sorted([unique("cache-a"), unique("cache-b"), "library"])
    writes = [(w["method"], w["path"]) for w in harbor.writes()]
    assert writes.count(("POST", "/api/v2.0/registries")) == 2 and writes.count(("POST", "/api/v2.0/projects")) == 2
    endpoints, projects = (task(first, PROXY_CACHE, "Registry endpoints of the upstreams"),
                           task(first, PROXY_CACHE, "Proxy-cache projects"))
    assert [r["name"] for r in endpoints["results"]] == [unique("up-a"), unique("up-b")] and endpoints["changed"]
    assert [r["name"] for r in projects["results"]] == [unique("cache-a"), unique("cache-b")] and projects["changed"]

    harbor.clear_log()
    again = run_play([role(PROXY_CACHE, proxy_cache_upstreams=upstreams, proxy_cache_check_references=False)], target=harbor)
    assert again.rc == 0 and again.changed == 0, again.output[-4000:]
    assert harbor.writes() == []
    # one call per kind, each reading its kind once: the role's read of the endpoints' descriptions (its mark, for
    # adoption and prune); the endpoints' listing; the login check (before the first read of /projects, and the
    # proxy-cache version gate), the projects, the endpoints' names and the one quota set
    assert sorted(e["path"] for e in harbor.requests_log()) == sorted([
        "/api/v2.0/registries", "/api/v2.0/registries", "/api/v2.0/systeminfo", "/api/v2.0/projects", "/api/v2.0/registries",
        "/api/v2.0/quotas"])

    upstreams[1]["state"] = "absent"
    removed = run_play([role(PROXY_CACHE, proxy_cache_upstreams=upstreams, proxy_cache_check_references=False)], target=harbor)
    assert removed.rc == 0, removed.output[-4000:]
    assert names(harbor, "/registries") == [unique("up-a")] and names(harbor, "/projects") == sorted([unique("cache-a"), "library"])
    removal = task(removed, PROXY_CACHE, "Remove the proxy-cache projects of removed upstreams (purge removes their repositories first)")
    assert [r["name"] for r in removal["results"]] == [unique("cache-b")]
    harbor.clear_log()
    assert run_play([role(PROXY_CACHE, proxy_cache_upstreams=upstreams, proxy_cache_check_references=False)],
                    target=harbor).changed == 0
    assert harbor.writes() == []


def test_replication_role_writes_and_removes_endpoints_projects_and_rules_by_list(run_play, emulator_factory, harbor):
    peer = emulator_factory()
    endpoints = [dict(name=unique("peer"), url=peer.url, access_key=ADMIN[0], access_secret=ADMIN[1])]
    projects = [dict(name=unique("src-a")), dict(name=unique("src-b"), public=True, storage_quota="2GiB")]
    rules = [dict(name=unique("push-a"), endpoint=unique("peer"), filters={"name": unique("src-a") + "/**"}, dest_namespace=unique("src-a")),
             dict(name=unique("push-b"), endpoint=unique("peer"), filters={"name": unique("src-b") + "/**"}, dest_namespace=unique("src-b"),
                  trigger="scheduled",
                  cron="0 0 2 * * *", description="nightly")]

    def converge():
        return run_play([role(REPLICATION, replication_endpoints=endpoints, replication_projects=projects, replication_rules=rules,
                              replication_sync=False)], target=harbor)

    first = converge()
    assert first.rc == 0, first.output[-4000:]
    assert names(harbor, "/registries") == [unique("peer")]
    assert names(harbor, "/projects") == sorted(["library", unique("src-a"), unique("src-b")])
    assert names(harbor, "/replication/policies") == [unique("push-a"), unique("push-b")]
    assert [r["name"] for r in task(first, REPLICATION, "Replication rules")["results"]] == [unique("push-a"), unique("push-b")]
    assert [r["name"] for r in task(first, REPLICATION, "Projects of this Harbor")["results"]] == [unique("src-a"), unique("src-b")]
    assert ADMIN[1] not in first.output

    harbor.clear_log()
    again = converge()
    assert again.rc == 0 and again.changed == 0, again.output[-4000:]
    assert harbor.writes() == []

    rules[1]["state"] = "absent"
    projects[1]["state"] = "absent"
    removed = converge()
    assert removed.rc == 0, removed.output[-4000:]
    assert names(harbor, "/replication/policies") == [unique("push-a")]
    assert names(harbor, "/projects") == sorted(["library", unique("src-a")])
    harbor.clear_log()
    assert converge().changed == 0
    assert harbor.writes() == []
