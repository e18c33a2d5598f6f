"""The request sequences of the differential check: every endpoint the modules and roles call (plugins/module_utils:
systeminfo, registries and their ping, projects by name and id, summary, quotas, repositories, artifacts, replication
policies, executions, tasks and task logs; the proxy_cache role's manifest read on ``/v2/``), with good and bad inputs.

Each case is ``fn(run, env)``; ``run`` sends and records (tests/differential/core.py), ``env`` holds the registries
both Harbors can reach (``env.upstream``: anonymous, seeded with ``library/busybox:1.36``; ``env.destination(side)``:
an empty registry per side, the target of push replications; ``env.closed_url``: a port nobody listens on). Every
name a case makes carries the run's suffix (``run.name(...)``), so the cases can run against a shared Harbor; the runner
deletes what a case made on each side, also when it failed.
"""
import json

from tools.dataplane.distribution import DistributionClient
from tools.dataplane.oci import image

CASES = []
UPSTREAM_REPOSITORY, UPSTREAM_TAG = "library/busybox", "1.36"


def case(name, needs=()):
    """Register ``fn(run, env)`` as the case ``name``; ``needs``: "upstream" and/or "destination" (registries)."""
    def register(fn):
        CASES.append((name, fn, tuple(needs)))
        return fn
    return register


def created_id(resp):
    """The id at the end of a 201's Location (None otherwise)."""
    if resp is None or resp.status_code != 201:
        return None
    tail = resp.headers.get("Location", "").rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else tail


def registry(run, label, name, url, **fields):
    body = dict({"name": name, "type": "docker-registry", "url": url, "insecure": True}, **fields)
    return created_id(run.call(label, "POST", "/registries", body))


def project(run, label, name, **fields):
    return run.call(label, "POST", "/projects", dict({"project_name": name, "metadata": {"public": "false"}}, **fields))


def push(run, project_name, repository, tag):
    """One small image pushed through the Harbor's /v2/ (the same bytes on both sides, so the same digest)."""
    client = DistributionClient(run.side.url, auth=(run.side.username, run.side.password), verify=run.side.ca_path or True)
    manifest = image("differential/" + repository, tag)
    client.push("%s/%s" % (project_name, repository), tag, manifest)
    return manifest.digest


# ---- systeminfo ----------------------------------------------------------------------------------------------------
@case("systeminfo")
def systeminfo(run, env):
    run.call("admin", "GET", "/systeminfo")
    run.call("anonymous", "GET", "/systeminfo", auth=None)
    # a user name of the run's own: Harbor freezes the logins of a name for 1.5 s after a failed one, which would turn
    # the requests of anybody else using the admin account into anonymous ones (a shared Harbor)
    wrong = (run.name("nobody"), "not-the-password")
    run.call("bad credentials", "GET", "/systeminfo", auth=wrong)
    run.call("anonymous private read", "GET", "/registries", auth=None)
    run.call("bad credentials private read", "GET", "/registries", auth=wrong)


# ---- registry endpoints --------------------------------------------------------------------------------------------
@case("registry life cycle", needs=("upstream",))
def registry_life_cycle(run, env):
    name = run.name("up")
    rid = registry(run, "create", name, env.upstream.url, description="an upstream")
    run.call("list ours", "GET", "/registries", ours=True)
    run.call("list q exact", "GET", "/registries", params={"q": "name=%s" % name})
    run.call("get", "GET", "/registries/%s" % rid)
    run.call("get missing", "GET", "/registries/999999")
    run.call("get not a number", "GET", "/registries/abc")
    run.call("update description", "PUT", "/registries/%s" % rid, {"description": "changed"})
    run.call("update credential", "PUT", "/registries/%s" % rid,
             {"credential_type": "basic", "access_key": "someone", "access_secret": "s3cret"})
    run.call("get after update", "GET", "/registries/%s" % rid)
    run.call("update insecure false", "PUT", "/registries/%s" % rid, {"insecure": False})
    run.call("create duplicate", "POST", "/registries",
             {"name": name, "type": "docker-registry", "url": env.upstream.url, "insecure": True})
    run.call("update missing", "PUT", "/registries/999999", {"description": "x"})
    run.call("delete", "DELETE", "/registries/%s" % rid)
    run.call("get deleted", "GET", "/registries/%s" % rid)
    run.call("delete again", "DELETE", "/registries/%s" % rid)


@case("registry bad input", needs=("upstream",))
def registry_bad_input(run, env):
    url = env.upstream.url
    run.call("name of 64 bytes", "POST", "/registries", {"name": run.name("n" * (64 - len(run.name("")))), "type": "docker-registry",
                                                         "url": url, "insecure": True})
    run.call("name of 65 bytes", "POST", "/registries", {"name": run.name("n" * (65 - len(run.name("")))), "type": "docker-registry",
                                                         "url": url})
    run.call("empty name", "POST", "/registries", {"name": "", "type": "docker-registry", "url": url})
    run.call("no name", "POST", "/registries", {"type": "docker-registry", "url": url})
    run.call("no url", "POST", "/registries", {"name": run.name("nourl"), "type": "docker-registry"})
    run.call("ftp url", "POST", "/registries", {"name": run.name("ftp"), "type": "docker-registry", "url": "ftp://mirror.example.com"})
    run.call("url without scheme", "POST", "/registries", {"name": run.name("noscheme"), "type": "docker-registry",
                                                           "url": url.split("://", 1)[1], "insecure": True})
    run.call("unknown type", "POST", "/registries", {"name": run.name("nexus"), "type": "nexus", "url": url})
    run.call("no type", "POST", "/registries", {"name": run.name("notype"), "url": url})
    run.call("unreachable", "POST", "/registries", {"name": run.name("gone"), "type": "docker-registry", "url": env.closed_url})
    run.call("insecure not a boolean", "POST", "/registries", {"name": run.name("insec"), "type": "docker-registry", "url": url,
                                                               "insecure": "yes"})
    run.call("bad credential type", "POST", "/registries", {"name": run.name("cred"), "type": "docker-registry", "url": url,
                                                            "insecure": True, "credential": {"type": "kerberos", "access_key": "a",
                                                                                             "access_secret": "b"}})
    run.call("bad ca certificate", "POST", "/registries", {"name": run.name("ca"), "type": "docker-registry", "url": url,
                                                           "ca_certificate": "not a pem"})
    run.call("not json", "POST", "/registries", data="{name", headers={"Content-Type": "application/json"})
    run.call("list ours", "GET", "/registries", ours=True)


@case("registry list paging, q and sort", needs=("upstream",))
def registry_listing(run, env):
    for base in ("list-c", "list-a", "list-b"):
        registry(run, "create %s" % base, run.name(base), env.upstream.url)
    fuzzy = "name=~%s" % run.name("")[1:]
    run.call("q fuzzy", "GET", "/registries", params={"q": fuzzy})
    run.call("page 1 of 2", "GET", "/registries", params={"q": fuzzy, "page": 1, "page_size": 2})
    run.call("page 2 of 2", "GET", "/registries", params={"q": fuzzy, "page": 2, "page_size": 2})
    run.call("page 3 (empty)", "GET", "/registries", params={"q": fuzzy, "page": 3, "page_size": 2})
    run.call("sort name", "GET", "/registries", params={"q": fuzzy, "sort": "name"})
    run.call("sort -name", "GET", "/registries", params={"q": fuzzy, "sort": "-name"})
    run.call("q exact", "GET", "/registries", params={"q": "name=%s" % run.name("list-a")})
    run.call("q exact no match", "GET", "/registries", params={"q": "name=%s" % run.name("list")})
    run.call("q and type", "GET", "/registries", params={"q": "%s,type=docker-registry" % fuzzy})
    run.call("q other type", "GET", "/registries", params={"q": "%s,type=harbor" % fuzzy})
    run.call("q bad syntax", "GET", "/registries", params={"q": "name=(a b"})
    run.call("page_size 0", "GET", "/registries", params={"q": fuzzy, "page_size": 0})
    run.call("page_size over 100", "GET", "/registries", params={"q": fuzzy, "page_size": 101})
    run.call("page 0", "GET", "/registries", params={"q": fuzzy, "page": 0})
    run.call("page not a number", "GET", "/registries", params={"page": "x"})


@case("registry ping", needs=("upstream",))
def registry_ping(run, env):
    rid = registry(run, "create", run.name("ping"), env.upstream.url)
    run.call("ping by id", "POST", "/registries/ping", {"id": rid})
    run.call("ping by url", "POST", "/registries/ping", {"type": "docker-registry", "url": env.upstream.url, "insecure": True})
    run.call("ping with credentials", "POST", "/registries/ping", {"type": "docker-registry", "url": env.upstream.url,
                                                                   "insecure": True, "credential_type": "basic",
                                                                   "access_key": "u", "access_secret": "p"})
    run.call("ping unreachable", "POST", "/registries/ping", {"type": "docker-registry", "url": env.closed_url})
    run.call("ping missing id", "POST", "/registries/ping", {"id": 999999})
    run.call("ping nothing", "POST", "/registries/ping", {})
    run.call("ping unknown type", "POST", "/registries/ping", {"type": "nexus", "url": env.upstream.url})


@case("registry in use", needs=("upstream",))
def registry_in_use(run, env):
    rid = registry(run, "create", run.name("used"), env.upstream.url)
    project(run, "proxy project", run.name("usedcache"), registry_id=rid)
    run.call("delete used by a project", "DELETE", "/registries/%s" % rid)
    run.call("delete project", "DELETE", run.project_path(run.name("usedcache")), headers={"X-Is-Resource-Name": "true"})
    run.call("rule from it", "POST", "/replication/policies", {
        "name": run.name("usedrule"), "src_registry": {"id": rid}, "dest_namespace": "x", "trigger": {"type": "manual"},
        "filters": [{"type": "name", "value": "library/**"}], "enabled": True})
    run.call("delete used by a rule", "DELETE", "/registries/%s" % rid)
    run.call("update url of a used endpoint", "PUT", "/registries/%s" % rid, {"url": env.closed_url})


# ---- projects ------------------------------------------------------------------------------------------------------
@case("project life cycle")
def project_life_cycle(run, env):
    name = run.name("proj")
    by_name = {"X-Is-Resource-Name": "true"}
    created = project(run, "create", name, storage_limit=10 * 1024 ** 3)
    pid = created_id(created)
    run.call("head", "HEAD", "/projects", params={"project_name": name})
    run.call("head missing", "HEAD", "/projects", params={"project_name": run.name("nope")})
    run.call("get by name", "GET", run.project_path(name), headers=by_name)
    run.call("get by id", "GET", "/projects/%s" % pid)
    run.call("get missing by name", "GET", run.project_path(run.name("nope")), headers=by_name)
    run.call("get missing by id", "GET", "/projects/999999")
    run.call("list q exact", "GET", "/projects", params={"q": "name=%s" % name})
    run.call("summary", "GET", "/projects/%s/summary" % pid)
    run.call("summary by name", "GET", run.project_path(name) + "/summary", headers=by_name)
    run.call("metadata", "GET", "/projects/%s/metadata" % pid)
    run.call("update public", "PUT", run.project_path(name), {"metadata": {"public": "true"}}, headers=by_name)
    run.call("update bad public", "PUT", run.project_path(name), {"metadata": {"public": "maybe"}}, headers=by_name)
    run.call("update unknown metadata", "PUT", run.project_path(name), {"metadata": {"colour": "blue"}}, headers=by_name)
    run.call("get after update", "GET", run.project_path(name), headers=by_name)
    run.call("update scan settings and allowlist", "PUT", run.project_path(name), {
        "metadata": {"auto_scan": "true", "prevent_vul": "true", "severity": "high", "reuse_sys_cve_allowlist": "false"},
        "cve_allowlist": {"items": [{"cve_id": "CVE-2024-3094"}, {"cve_id": "cve-2023-44487"}], "expires_at": 1798761600}},
        headers=by_name)
    run.call("get after scan settings", "GET", run.project_path(name), headers=by_name)
    run.call("duplicate cve", "PUT", run.project_path(name), {"cve_allowlist": {"items": [{"cve_id": "CVE-1"}, {"cve_id": "CVE-1"}]}},
             headers=by_name)
    run.call("blank cve", "PUT", run.project_path(name), {"cve_allowlist": {"items": [{"cve_id": " "}]}}, headers=by_name)
    quotas = run.call("quotas", "GET", "/quotas", params={"reference": "project", "reference_id": pid})
    quota_id = (quotas.json() or [{}])[0].get("id") if quotas is not None and quotas.status_code == 200 else None
    run.call("update quota", "PUT", "/quotas/%s" % quota_id, {"hard": {"storage": 20 * 1024 ** 3}})
    run.call("update quota below -1", "PUT", "/quotas/%s" % quota_id, {"hard": {"storage": -2}})
    run.call("update quota unknown resource", "PUT", "/quotas/%s" % quota_id, {"hard": {"count": 3}})
    run.call("quota after update", "GET", "/quotas/%s" % quota_id)
    run.call("quotas sorted", "GET", "/quotas", params={"reference": "project", "reference_id": pid, "sort": "-hard.storage"})
    run.call("create duplicate", "POST", "/projects", {"project_name": name})
    run.call("delete", "DELETE", run.project_path(name), headers=by_name)
    run.call("get deleted", "GET", run.project_path(name), headers=by_name)
    run.call("delete again", "DELETE", run.project_path(name), headers=by_name)


@case("project bad input")
def project_bad_input(run, env):
    tail = len(run.name(""))
    for label, name in (("upper case", run.name("Upper")), ("double dot", run.name("a..b")), ("leading dash", "-" + run.name("a")),
                        ("space", run.name("a b")), ("trailing underscore", run.name("ab") + "_"), ("empty", ""),
                        ("255 characters", run.name("p" * (255 - tail))), ("256 characters", run.name("p" * (256 - tail)))):
        run.call(label, "POST", "/projects", {"project_name": name})
    run.call("no name", "POST", "/projects", {})
    run.call("storage limit -2", "POST", "/projects", {"project_name": run.name("neg"), "storage_limit": -2})
    run.call("storage limit 0", "POST", "/projects", {"project_name": run.name("zero"), "storage_limit": 0})
    run.call("missing registry", "POST", "/projects", {"project_name": run.name("noreg"), "registry_id": 999999})
    run.call("public not a string", "POST", "/projects", {"project_name": run.name("pub"), "metadata": {"public": True}})
    run.call("public maybe", "POST", "/projects", {"project_name": run.name("pubm"), "metadata": {"public": "maybe"}})
    run.call("location by name", "POST", "/projects", {"project_name": run.name("loc")}, headers={"X-Resource-Name-In-Location": "true"})
    run.call("name that is a number", "POST", "/projects", {"project_name": "12345" + run.name("")[1:].replace("-", "")})
    run.call("list ours", "GET", "/projects", params={"q": "name=~%s" % run.name("")[1:]})


@case("project list paging, q and sort")
def project_listing(run, env):
    for base in ("list-c", "list-a", "list-b"):
        project(run, "create %s" % base, run.name(base))
    fuzzy = "name=~%s" % run.name("")[1:]
    run.call("q fuzzy", "GET", "/projects", params={"q": fuzzy})
    run.call("page 1 of 2", "GET", "/projects", params={"q": fuzzy, "page": 1, "page_size": 2})
    run.call("page 2 of 2", "GET", "/projects", params={"q": fuzzy, "page": 2, "page_size": 2})
    run.call("sort -name", "GET", "/projects", params={"q": fuzzy, "sort": "-name"})
    run.call("sort creation_time", "GET", "/projects", params={"q": fuzzy, "sort": "creation_time"})
    run.call("q exact", "GET", "/projects", params={"q": "name=%s" % run.name("list-a")})
    run.call("deprecated name param", "GET", "/projects", params={"name": run.name("list-a")[:-2]})
    run.call("public false", "GET", "/projects", params={"q": fuzzy, "public": "false"})
    run.call("public true", "GET", "/projects", params={"q": fuzzy, "public": "true"})
    run.call("q registry_id none", "GET", "/projects", params={"q": "%s,registry_id=999999" % fuzzy})
    run.call("with_detail false", "GET", "/projects", params={"q": fuzzy, "with_detail": "false"})
    run.call("anonymous", "GET", "/projects", params={"q": fuzzy}, auth=None)
    run.call("bad credentials", "GET", "/projects", params={"q": fuzzy}, auth=(run.name("nobody"), "wrong"))
    run.call("page_size over 100", "GET", "/projects", params={"q": fuzzy, "page_size": 101})


# ---- repositories and artifacts ------------------------------------------------------------------------------------
@case("repositories and artifacts")
def repositories_and_artifacts(run, env):
    name = run.name("repos")
    project(run, "create project", name)
    push(run, name, "app/web", "1.0")
    push(run, name, "app/web", "1.1")
    push(run, name, "tools", "latest")
    run.call("list repositories", "GET", run.project_path(name) + "/repositories")
    run.call("list repositories sorted", "GET", run.project_path(name) + "/repositories", params={"sort": "name"})
    run.call("list repositories q", "GET", run.project_path(name) + "/repositories", params={"q": "name=~app"})
    run.call("list repositories paged", "GET", run.project_path(name) + "/repositories", params={"page": 1, "page_size": 1})
    run.call("get repository", "GET", run.repo_path(name, "app/web"))
    run.call("get missing repository", "GET", run.repo_path(name, "nope"))
    run.call("artifacts with tags", "GET", run.repo_path(name, "app/web") + "/artifacts",
             params={"with_tag": "true", "with_label": "true"})
    run.call("artifacts without tags", "GET", run.repo_path(name, "app/web") + "/artifacts", params={"with_tag": "false"})
    run.call("artifacts q tags", "GET", run.repo_path(name, "app/web") + "/artifacts", params={"q": "tags=1.1"})
    run.call("artifact by tag", "GET", run.repo_path(name, "app/web") + "/artifacts/1.0")
    run.call("artifact missing tag", "GET", run.repo_path(name, "app/web") + "/artifacts/9.9")
    run.call("project repo_count", "GET", run.project_path(name), headers={"X-Is-Resource-Name": "true"})
    run.call("summary with content", "GET", run.project_path(name) + "/summary", headers={"X-Is-Resource-Name": "true"})
    run.call("delete non-empty project", "DELETE", run.project_path(name), headers={"X-Is-Resource-Name": "true"})
    run.call("delete repository", "DELETE", run.repo_path(name, "tools"))
    run.call("delete missing repository", "DELETE", run.repo_path(name, "tools"))
    run.call("list after delete", "GET", run.project_path(name) + "/repositories")


# ---- proxy cache ---------------------------------------------------------------------------------------------------
@case("proxy-cache life cycle", needs=("upstream",))
def proxy_cache_life_cycle(run, env):
    by_name = {"X-Is-Resource-Name": "true"}
    rid = registry(run, "create endpoint", run.name("hub"), env.upstream.url)
    name = run.name("cache")
    project(run, "create proxy project", name, registry_id=rid, metadata={"public": "true"})
    run.call("get project", "GET", run.project_path(name), headers=by_name)
    run.call("summary", "GET", run.project_path(name) + "/summary", headers=by_name)
    run.call("list q registry_id", "GET", "/projects", params={"q": "registry_id=%s" % rid})
    run.call("update to another registry", "PUT", run.project_path(name), {"registry_id": rid}, headers=by_name)
    run.call("update proxy settings", "PUT", run.project_path(name), {"metadata": {
        "proxy_speed_kb": "102400", "max_upstream_conn": "10", "proxy_cache_local_on_not_found": "true"}}, headers=by_name)
    run.call("metadata after proxy settings", "GET", run.project_path(name) + "/metadata", headers=by_name)
    manifest = "/v2/%s/%s/manifests/%s" % (name, UPSTREAM_REPOSITORY, UPSTREAM_TAG)
    accept = {"Accept": "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json"}
    run.call("anonymous manifest read", "GET", manifest, headers=accept, auth=None)
    pulled = DistributionClient(run.side.url, auth=(run.side.username, run.side.password), verify=run.side.ca_path or True)
    media_type, body, digest = pulled.get_manifest("%s/%s" % (name, UPSTREAM_REPOSITORY), UPSTREAM_TAG)
    for blob in [json.loads(body)["config"]] + json.loads(body)["layers"]:     # as a pull does: Harbor caches after it
        pulled.get_blob("%s/%s" % (name, UPSTREAM_REPOSITORY), blob["digest"])
    run.note("pulled manifest", {"media_type": media_type, "digest": digest})
    missing = pulled.request("GET", "/v2/%s/library/nope/manifests/1" % name,
                             scope="repository:%s/library/nope:pull" % name, headers=accept)
    run.note("pull of a missing repository", {"status": missing.status_code,
                                              "codes": [e.get("code") for e in (missing.json().get("errors") or [])]
                                              if missing.headers.get("Content-Type", "").startswith("application/json") else None})
    repository = run.repo_path(name, UPSTREAM_REPOSITORY)
    cached = run.wait("cached artifact", lambda: (run.side.request("GET", repository + "/artifacts").json() or None)
                      if run.side.request("GET", repository + "/artifacts").status_code == 200 else None, timeout=60)
    run.note("cached", bool(cached))
    run.call("cached artifacts", "GET", repository + "/artifacts", params={"with_tag": "true"})
    run.call("push refused", "POST", "/v2/%s/library/mine/blobs/uploads/" % name, auth=None)
    run.call("delete endpoint in use", "DELETE", "/registries/%s" % rid)
    run.call("delete project with a cached repository", "DELETE", run.project_path(name), headers=by_name)
    run.call("delete cached repository", "DELETE", repository)
    run.call("delete project", "DELETE", run.project_path(name), headers=by_name)
    run.call("delete endpoint", "DELETE", "/registries/%s" % rid)


# ---- replication ---------------------------------------------------------------------------------------------------
def rule_body(name, **fields):
    return dict({"name": name, "enabled": True, "override": True, "trigger": {"type": "manual"},
                 "filters": [{"type": "name", "value": "library/**"}], "dest_namespace_replace_count": -1}, **fields)


@case("replication rule life cycle", needs=("upstream",))
def replication_rule_life_cycle(run, env):
    rid = registry(run, "create endpoint", run.name("remote"), env.upstream.url)
    push_name, pull_name = run.name("push"), run.name("pull")
    push_id = created_id(run.call("create push rule", "POST", "/replication/policies",
                                  rule_body(push_name, dest_registry={"id": rid}, dest_namespace="mirror")))
    pull_id = created_id(run.call("create pull rule", "POST", "/replication/policies", rule_body(
        pull_name, src_registry={"id": rid}, dest_namespace=run.name("pulled"), speed=1024, copy_by_chunk=True,
        filters=[{"type": "name", "value": "library/**"}, {"type": "tag", "value": "1.*"},
                 {"type": "resource", "value": "image"}],
        trigger={"type": "scheduled", "trigger_settings": {"cron": "0 0 3 * * *"}})))
    run.call("list ours", "GET", "/replication/policies", ours=True)
    run.call("list q exact", "GET", "/replication/policies", params={"q": "name=%s" % push_name})
    run.call("list name param", "GET", "/replication/policies", params={"name": push_name})
    run.call("list sorted", "GET", "/replication/policies", params={"q": "name=~%s" % run.name("")[1:], "sort": "-name"})
    run.call("get push", "GET", "/replication/policies/%s" % push_id)
    run.call("get pull", "GET", "/replication/policies/%s" % pull_id)
    run.call("get missing", "GET", "/replication/policies/999999")
    run.call("update disable", "PUT", "/replication/policies/%s" % push_id,
             rule_body(push_name, dest_registry={"id": rid}, dest_namespace="mirror", enabled=False))
    run.call("update partial body", "PUT", "/replication/policies/%s" % push_id, {"description": "only this"})
    run.call("get after update", "GET", "/replication/policies/%s" % push_id)
    run.call("create duplicate", "POST", "/replication/policies", rule_body(push_name, dest_registry={"id": rid}))
    run.call("rename to a taken name", "PUT", "/replication/policies/%s" % pull_id,
             rule_body(push_name, src_registry={"id": rid}, dest_namespace=run.name("pulled")))
    run.call("update missing", "PUT", "/replication/policies/999999", rule_body(run.name("x"), dest_registry={"id": rid}))
    run.call("delete push", "DELETE", "/replication/policies/%s" % push_id)
    run.call("delete missing", "DELETE", "/replication/policies/%s" % push_id)
    run.call("delete pull", "DELETE", "/replication/policies/%s" % pull_id)


@case("replication rule bad input", needs=("upstream",))
def replication_rule_bad_input(run, env):
    rid = registry(run, "create endpoint", run.name("remote"), env.upstream.url)
    cache = run.name("cachedest")
    project(run, "proxy project", cache, registry_id=rid)
    bad = [
        ("no registry", rule_body(run.name("r1"))),
        ("both registries", rule_body(run.name("r2"), src_registry={"id": rid}, dest_registry={"id": rid})),
        ("missing registry", rule_body(run.name("r3"), dest_registry={"id": 999999})),
        ("empty name", rule_body("", dest_registry={"id": rid})),
        ("name of 257 characters", rule_body(run.name("r" * (257 - len(run.name("")))), dest_registry={"id": rid})),
        ("bad cron", rule_body(run.name("r4"), dest_registry={"id": rid},
                               trigger={"type": "scheduled", "trigger_settings": {"cron": "every day"}})),
        ("five-field cron", rule_body(run.name("r5"), dest_registry={"id": rid},
                                      trigger={"type": "scheduled", "trigger_settings": {"cron": "0 3 * * *"}})),
        ("unknown trigger", rule_body(run.name("r6"), dest_registry={"id": rid}, trigger={"type": "hourly"})),
        ("unknown filter type", rule_body(run.name("r7"), dest_registry={"id": rid}, filters=[{"type": "colour", "value": "x"}])),
        ("name filter with decoration", rule_body(run.name("r8"), dest_registry={"id": rid},
                                                  filters=[{"type": "name", "value": "library/**", "decoration": "excludes"}])),
        ("tag filter decoration", rule_body(run.name("r9"), dest_registry={"id": rid},
                                            filters=[{"type": "tag", "value": "1.*", "decoration": "excludes"}])),
        ("bad resource filter", rule_body(run.name("r10"), dest_registry={"id": rid}, filters=[{"type": "resource", "value": "helm"}])),
        ("bad dest namespace", rule_body(run.name("r11"), dest_registry={"id": rid}, dest_namespace="Bad Namespace")),
        ("negative speed", rule_body(run.name("r12"), dest_registry={"id": rid}, speed=-5)),
        ("replace count out of range", rule_body(run.name("r13"), dest_registry={"id": rid}, dest_namespace_replace_count=7)),
        ("pull into a proxy-cache project", rule_body(run.name("r14"), src_registry={"id": rid}, dest_namespace=cache)),
        ("event based pull", rule_body(run.name("r15"), src_registry={"id": rid}, trigger={"type": "event_based"})),
        ("speed not a number", rule_body(run.name("r16"), dest_registry={"id": rid}, speed="fast")),
    ]
    for label, body in bad:
        run.call(label, "POST", "/replication/policies", body)
    run.call("list ours", "GET", "/replication/policies", ours=True)


def wait_execution(run, execution_id):
    def final():
        resp = run.side.request("GET", "/replication/executions/%s" % execution_id)
        if resp.status_code != 200:
            return None
        return resp.json() if resp.json().get("status") not in ("InProgress", "Pending", "Running") else None
    return run.wait("execution %s finished" % execution_id, final, timeout=120)


def push_rule(run, env, prefix, images, **rule):
    """A source project holding ``images`` ((repository, tag) pairs), an endpoint on this side's destination registry
    and a manual push rule of the project's repositories to it: ``(endpoint id, rule id)``."""
    destination = env.destination(run.side.label)
    run.alias(destination.url, "<destination>")
    source = run.name(prefix + "src")
    project(run, "create source project", source)
    for repository, tag in images:
        push(run, source, repository, tag)
    rid = registry(run, "create destination endpoint", run.name(prefix + "dest"), destination.url)
    policy_id = created_id(run.call("create push rule", "POST", "/replication/policies", rule_body(
        run.name(prefix + "rule"), dest_registry={"id": rid}, filters=[{"type": "name", "value": source + "/**"}], **rule)))
    return rid, policy_id


@case("replication execution life cycle", needs=("destination",))
def replication_execution_life_cycle(run, env):
    rid, policy_id = push_rule(run, env, "", [("app/web", "1.0"), ("tools", "latest")], dest_namespace=run.name("mirror"))
    started = run.call("start", "POST", "/replication/executions", {"policy_id": policy_id})
    execution_id = created_id(started)
    run.call("start missing rule", "POST", "/replication/executions", {"policy_id": 999999})
    run.call("start without rule", "POST", "/replication/executions", {})
    finished = wait_execution(run, execution_id)
    run.note("final status", finished and {k: finished.get(k) for k in ("status", "total", "succeed", "failed", "trigger")})
    run.call("get execution", "GET", "/replication/executions/%s" % execution_id)
    run.call("list by policy", "GET", "/replication/executions", params={"policy_id": policy_id})
    run.call("list by policy and status", "GET", "/replication/executions", params={"policy_id": policy_id, "status": "Succeed"})
    run.call("list by policy sorted", "GET", "/replication/executions", params={"policy_id": policy_id, "sort": "-start_time"})
    tasks = run.call("tasks", "GET", "/replication/executions/%s/tasks" % execution_id, params={"sort": "src_resource"})
    run.call("tasks q status", "GET", "/replication/executions/%s/tasks" % execution_id, params={"q": "status=Succeed"})
    task_ids = [t["id"] for t in (tasks.json() or [])] if tasks is not None and tasks.status_code == 200 else []
    if task_ids:
        log = run.side.request("GET", "/replication/executions/%s/tasks/%s/log" % (execution_id, task_ids[0]))
        run.note("task log", {"status": log.status_code, "content_type": log.headers.get("Content-Type", "").split(";")[0],
                              "not empty": bool(log.text.strip())})
    run.call("task log of a missing task", "GET", "/replication/executions/%s/tasks/999999/log" % execution_id)
    run.call("get missing execution", "GET", "/replication/executions/999999")
    run.call("tasks of a missing execution", "GET", "/replication/executions/999999/tasks")
    run.call("stop finished", "PUT", "/replication/executions/%s" % execution_id)
    run.call("stop missing", "PUT", "/replication/executions/999999")
    run.note("copied to the destination", env.destination_content(run.side.label, run.name("mirror")))
    run.call("delete rule", "DELETE", "/replication/policies/%s" % policy_id)
    run.call("executions of the deleted rule", "GET", "/replication/executions", params={"policy_id": policy_id})
    run.call("delete endpoint", "DELETE", "/registries/%s" % rid)


@case("replication execution failure", needs=("destination",))
def replication_execution_failure(run, env):
    _rid, policy_id = push_rule(run, env, "f", [("app", "1.0")])
    with env.destination_down(run.side.label):
        execution_id = created_id(run.call("start", "POST", "/replication/executions", {"policy_id": policy_id}))
        finished = wait_execution(run, execution_id)
    run.note("final status", finished and {k: finished.get(k) for k in ("status", "total", "succeed", "failed")})
    run.call("failed tasks", "GET", "/replication/executions/%s/tasks" % execution_id, params={"status": "Failed"})
    run.call("delete rule", "DELETE", "/replication/policies/%s" % policy_id)


def all_cases(patterns=()):
    """The cases whose names match one of the fnmatch ``patterns`` (all without patterns)."""
    import fnmatch
    if not patterns:
        return list(CASES)
    return [c for c in CASES if any(fnmatch.fnmatch(c[0], p) for p in patterns)]
