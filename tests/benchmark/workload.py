"""What the benchmark converges, and the playbooks that do it, one per variant.

The objects (for N): N registry endpoints ``ep-0000``… (docker-registry, pointing at an upstream emulator), N projects
``proj-0000``… (even ones are proxy caches of ``ep-<i>``, public; odd ones private with a 10 GiB quota) and N push
rules ``rule-0000``… (to ``ep-<i>``, filter ``proj-<i>/**``, manual trigger). The "10% changed" data flips the first
ceil(N/10) objects of each kind: the endpoint's certificate verification, the project's access level and the rule's
description.

Variants (each a function returning a playbook as a Python structure; the data comes in as extra vars):
- ``floor``: the same three loops of ``ansible.builtin.ping`` (Ansible's own cost per item, nothing else);
- ``loop``: this collection, one module call per object (what users write today);
- ``list``: this collection, one module call per kind with ``registries:``/``projects:``/``rules:`` (for the kinds
  whose module has that option; the others stay loops);
- ``uri``: ``ansible.builtin.uri`` written the way a user would: GET each object, POST when missing, PUT when a
  compared field differs (the endpoint id looked up by name where a body needs it);
- ``peer``: another collection found with ``--peer`` (swisstxt.harbor: endpoints and projects; it has no rule module);
- ``roles``: this collection's roles, which write each kind with one list call: ``proxy_cache`` for the proxy-cache
  projects and their endpoints (storage quota ``unlimited``, the role's default), then ``replication`` for the other
  endpoints, the private projects and the rules (``replication_sync: false``: rules only, no replication). The roles
  also check and resolve their entries on the controller (their filter plugins, plugins/filter/): that is part of what a
  role costs.
"""
import ast
import math
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
COLLECTION = "registryops.harbor"
LIST_OPTIONS = {"endpoints": ("harbor_registry", "registries"), "projects": ("harbor_project", "projects"),
                "rules": ("harbor_replication_rule", "rules")}
EXECUTION_LIST_OPTION = ("harbor_replication_execution", "rules")
KINDS = ("endpoints", "projects", "rules")


def name(kind, index):
    return "%s-%04d" % ({"endpoints": "ep", "projects": "proj", "rules": "rule"}[kind], index)


def objects(count, upstream_url, changed=False):
    """The neutral description of the N objects of each kind (every variant maps it to its own options)."""
    flipped = int(math.ceil(count / 10.0)) if changed else 0
    endpoints, projects, rules = [], [], []
    for i in range(count):
        flip = i < flipped
        endpoints.append({"name": name("endpoints", i), "url": upstream_url, "description": "benchmark endpoint %d" % i,
                          "verify": not flip})
        project = {"name": name("projects", i)}
        if i % 2 == 0:
            project.update(public=not flip, proxy=name("endpoints", i))
        else:
            project.update(public=flip, quota="10GiB", quota_bytes=10 * 1024 ** 3, quota_gb=10)
        projects.append(project)
        rules.append({"name": name("rules", i), "registry": name("endpoints", i), "source": name("projects", i) + "/**",
                      "description": "benchmark rule %d%s" % (i, " (changed)" if flip else "")})
    return {"endpoints": endpoints, "projects": projects, "rules": rules}


def changed_count(count):
    return int(math.ceil(count / 10.0))


# -- this collection's module options -------------------------------------------------------------------------------
def endpoint_options(item):
    return {"name": item["name"], "provider": "docker-registry", "url": item["url"], "description": item["description"],
            "verify_remote_cert": item["verify"]}


def project_options(item):
    options = {"name": item["name"], "public": item["public"]}
    if item.get("proxy"):
        options["proxy_cache_registry"] = item["proxy"]
    if item.get("quota"):
        options["storage_quota"] = item["quota"]
    return options


def rule_options(item):
    return {"name": item["name"], "mode": "push", "registry": item["registry"], "filters": {"name": item["source"]},
            "trigger": "manual", "description": item["description"]}


OPTIONS_OF = {"endpoints": endpoint_options, "projects": project_options, "rules": rule_options}


def extra_vars(data, **connection):
    """Extra vars for every variant: the neutral lists, this collection's option lists, and connection values."""
    result = dict(data)
    for kind in KINDS:
        result[kind + "_options"] = [OPTIONS_OF[kind](item) for item in data[kind]]
    result.update(connection)
    return result


def module_options(module):
    """The option names a module of this collection documents (= its argument spec; ansible-test checks they match)."""
    path = REPO / "plugins" / "modules" / (module + ".py")
    if not path.exists():
        return set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DOCUMENTATION" for t in node.targets):
            return set((yaml.safe_load(node.value.value) or {}).get("options") or {})
    return set()


def list_support():
    """{kind: True/False} whether the kind's module takes a list of objects (``registries:`` etc.)."""
    support = {kind: option in module_options(module) for kind, (module, option) in LIST_OPTIONS.items()}
    module, option = EXECUTION_LIST_OPTION
    support["executions"] = option in module_options(module)
    return support


def roles_present():
    roles = REPO / "roles"
    return sorted(p.name for p in roles.iterdir() if p.is_dir()) if roles.is_dir() else []


def peer_collection(peer_path):
    """``(namespace.name, modules dir)`` of a supported peer under the collections folder ``peer_path``, else None."""
    if not peer_path:
        return None
    for root in (Path(peer_path), Path(peer_path) / "ansible_collections"):
        candidate = root / "swisstxt" / "harbor" / "plugins" / "modules"
        if (candidate / "harbor_registry.py").exists() and (candidate / "harbor_project.py").exists():
            return "swisstxt.harbor", root.parent if root.name == "ansible_collections" else root
    return None


# -- playbooks ------------------------------------------------------------------------------------------------------
def play(tasks, **extra):
    return [dict({"name": "benchmark", "hosts": "localhost", "connection": "local", "gather_facts": False}, **extra,
                 tasks=tasks)]


def floor_play():
    return play([{"name": kind, "ansible.builtin.ping": {"data": "{{ item.name }}"}, "loop": "{{ %s }}" % kind}
                 for kind in KINDS])


LOOP_TASKS = {
    "endpoints": {"name": "endpoints", COLLECTION + ".harbor_registry": {
        "name": "{{ item.name }}", "provider": "{{ item.provider }}", "url": "{{ item.url }}",
        "description": "{{ item.description }}", "verify_remote_cert": "{{ item.verify_remote_cert }}"},
        "loop": "{{ endpoints_options }}"},
    "projects": {"name": "projects", COLLECTION + ".harbor_project": {
        "name": "{{ item.name }}", "public": "{{ item.public }}",
        "proxy_cache_registry": "{{ item.proxy_cache_registry | default(omit) }}",
        "storage_quota": "{{ item.storage_quota | default(omit) }}"},
        "loop": "{{ projects_options }}"},
    "rules": {"name": "rules", COLLECTION + ".harbor_replication_rule": {
        "name": "{{ item.name }}", "mode": "{{ item.mode }}", "registry": "{{ item.registry }}",
        "filters": "{{ item.filters }}", "trigger": "{{ item.trigger }}", "description": "{{ item.description }}"},
        "loop": "{{ rules_options }}"},
}


def loop_play():
    return play([LOOP_TASKS[kind] for kind in KINDS])


def list_play(support):
    tasks = []
    for kind in KINDS:
        module, option = LIST_OPTIONS[kind]
        if support.get(kind):
            tasks.append({"name": kind, "%s.%s" % (COLLECTION, module): {option: "{{ %s_options }}" % kind}})
        else:
            tasks.append(LOOP_TASKS[kind])
    return play(tasks)


URI_DEFAULTS = {"url_username": "{{ harbor_username }}", "url_password": "{{ harbor_password }}",
                "force_basic_auth": True, "validate_certs": False, "return_content": False}


def uri(label, **args):
    """An ansible.builtin.uri task; the ``loop``/``when``/``register`` keys go beside the module's arguments."""
    task = {"name": label}
    for key in ("loop", "when", "register", "loop_control"):
        if key in args:
            task[key] = args.pop(key)
    task["ansible.builtin.uri"] = args
    return task


def expr(text):
    """A whole-value Jinja expression (native types in the JSON body on every ansible-core version)."""
    return "{{ " + " ".join(text.split()) + " }}"


def uri_play():
    api = "{{ harbor_url }}/api/v2.0"
    rule_body = """{'name': %(i)s.name, 'description': %(i)s.description, 'enabled': true, 'override': true,
                    'dest_registry': {'id': %(id)s}, 'filters': [{'type': 'name', 'value': %(i)s.source}],
                    'trigger': {'type': 'manual'}}"""
    tasks = [
        # endpoints: GET by exact name, POST when missing, PUT when a compared field differs
        uri("read endpoints", url=api + "/registries?q=name%3D{{ item.name }}", loop="{{ endpoints }}", register="ep"),
        uri("create endpoints", url=api + "/registries", method="POST", status_code=201, body_format="json",
            body=expr("""{'name': item.item.name, 'type': 'docker-registry', 'url': item.item.url,
                          'description': item.item.description, 'insecure': not item.item.verify}"""),
            loop="{{ ep.results }}", when="item.json | length == 0", loop_control={"label": "{{ item.item.name }}"}),
        uri("update endpoints", url=api + "/registries/{{ item.json[0].id }}", method="PUT", body_format="json",
            body=expr("{'description': item.item.description, 'url': item.item.url, 'insecure': not item.item.verify}"),
            loop="{{ ep.results }}", loop_control={"label": "{{ item.item.name }}"},
            when="item.json | length > 0 and (item.json[0].description | default('') != item.item.description"
                 " or item.json[0].url != item.item.url or item.json[0].insecure | default(false) == item.item.verify)"),
        # projects: GET by name (404 when missing); the endpoint id only for a missing proxy cache
        uri("read projects", url=api + "/projects/{{ item.name }}", status_code=[200, 404],
            headers={"X-Is-Resource-Name": "true"}, loop="{{ projects }}", register="pr"),
        uri("find the endpoint of new proxy caches", url=api + "/registries?q=name%3D{{ item.item.proxy }}",
            loop="{{ pr.results }}", when="item.status == 404 and item.item.proxy is defined", register="pr_ep",
            loop_control={"label": "{{ item.item.name }}"}),
        uri("create projects", url=api + "/projects", method="POST", status_code=201, body_format="json",
            body=expr("""{'project_name': item.0.item.name, 'metadata': {'public': item.0.item.public | string | lower},
                          'storage_limit': item.0.item.quota_bytes | default(-1)}
                         | combine({'registry_id': item.1.json[0].id} if item.1.json is defined else {})"""),
            loop="{{ pr.results | zip(pr_ep.results) | list }}", when="item.0.status == 404",
            loop_control={"label": "{{ item.0.item.name }}"}),
        uri("update projects", url=api + "/projects/{{ item.item.name }}", method="PUT", body_format="json",
            headers={"X-Is-Resource-Name": "true"},
            body=expr("{'metadata': {'public': item.item.public | string | lower}}"),
            loop="{{ pr.results }}", loop_control={"label": "{{ item.item.name }}"},
            when="item.status == 200 and item.json.metadata.public != (item.item.public | string | lower)"),
        # rules: GET by exact name; the endpoint id for a missing rule; PUT the whole rule when the description differs
        uri("read rules", url=api + "/replication/policies?q=name%3D{{ item.name }}", loop="{{ rules }}", register="ru"),
        uri("find the endpoint of new rules", url=api + "/registries?q=name%3D{{ item.item.registry }}",
            loop="{{ ru.results }}", when="item.json | length == 0", register="ru_ep",
            loop_control={"label": "{{ item.item.name }}"}),
        uri("create rules", url=api + "/replication/policies", method="POST", status_code=201, body_format="json",
            body=expr(rule_body % {"i": "item.0.item", "id": "item.1.json[0].id"}),
            loop="{{ ru.results | zip(ru_ep.results) | list }}", when="item.0.json | length == 0",
            loop_control={"label": "{{ item.0.item.name }}"}),
        uri("update rules", url=api + "/replication/policies/{{ item.json[0].id }}", method="PUT", body_format="json",
            body=expr(rule_body % {"i": "item.item", "id": "item.json[0].dest_registry.id"}),
            loop="{{ ru.results }}", loop_control={"label": "{{ item.item.name }}"},
            when="item.json | length > 0 and item.json[0].description | default('') != item.item.description"),
    ]
    return play(tasks, module_defaults={"ansible.builtin.uri": URI_DEFAULTS})


def peer_play(peer):
    """swisstxt.harbor: harbor_registry and harbor_project (no replication rule module)."""
    connection = {"api_url": "{{ harbor_url }}/api/v2.0", "api_username": "{{ harbor_username }}",
                  "api_password": "{{ harbor_password }}"}
    tasks = [
        {"name": "endpoints", peer + ".harbor_registry": dict(
            connection, name="{{ item.name }}", type="docker-registry", endpoint_url="{{ item.url }}",
            insecure="{{ not item.verify }}"), "loop": "{{ endpoints }}"},
        {"name": "projects", peer + ".harbor_project": dict(
            connection, name="{{ item.name }}", public="{{ item.public }}",
            cache_registry="{{ item.proxy | default(omit) }}", quota_gb="{{ item.quota_gb | default(omit) }}"),
         "loop": "{{ projects }}"},
    ]
    return play(tasks)


PEER_KINDS = ("endpoints", "projects")
ROLES = ("proxy_cache", "replication")


def role_vars(data):
    """The variables of the two roles for the neutral objects (``objects()``): even endpoints and projects are the
    proxy caches (proxy_cache role), the others the replication role's; every rule is the replication role's."""
    endpoints = dict((e["name"], e) for e in data["endpoints"])
    upstreams, others, projects = [], [], []
    proxied = set()
    for project in data["projects"]:
        if project.get("proxy"):
            endpoint = endpoints[project["proxy"]]
            proxied.add(endpoint["name"])
            upstreams.append({"name": endpoint["name"], "preset": "generic", "provider": "docker-registry", "url": endpoint["url"],
                              "description": endpoint["description"], "verify_remote_cert": endpoint["verify"],
                              "project": project["name"], "public": project["public"]})
        else:
            projects.append({"name": project["name"], "public": project["public"], "storage_quota": project["quota"]})
    for endpoint in data["endpoints"]:
        if endpoint["name"] not in proxied:
            others.append({"name": endpoint["name"], "provider": "docker-registry", "url": endpoint["url"],
                           "description": endpoint["description"], "verify_remote_cert": endpoint["verify"]})
    rules = [{"name": r["name"], "endpoint": r["registry"], "mode": "push", "filters": {"name": r["source"]},
              "trigger": "manual", "description": r["description"]} for r in data["rules"]]
    return {"proxy_cache_upstreams": upstreams, "proxy_cache_check_references": False, "replication_endpoints": others,
            "replication_projects": projects, "replication_rules": rules, "replication_sync": False}


def roles_play():
    return play([{"name": role, "ansible.builtin.include_role": {"name": "%s.%s" % (COLLECTION, role)}} for role in ROLES])


def dump(playbook):
    return yaml.safe_dump(playbook, sort_keys=False, width=200)
