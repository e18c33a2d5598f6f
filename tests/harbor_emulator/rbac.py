"""Harbor's permission model: who may do what on the API and on ``/v2/``.

Mirrors src/common/rbac/const.go (the resources and actions a robot may be given: ``PoliciesMap`` plus the
``NolimitProvider`` extras), src/pkg/permission/evaluator/rbac (casbin: a policy is ``(resource pattern, action,
effect)``, ``keyMatch2`` patterns where ``/*`` matches anything below, action ``*`` any action, allowed when some
``allow`` matches and no ``deny`` does), src/common/rbac/project/rbac_util.go (what anyone may do in a public project)
and src/common/security/robot/context.go (a robot's policies):

- a system-level robot has a system evaluator for its ``/system/...`` policies and a project evaluator for its
  ``/project/*/...`` and ``/project/<id>/...`` ones (each only when it has such policies);
- a project-level robot keeps only the policies of its own project (``filterRobotPolicies``), where ``push`` also
  grants ``pull``;
- both get the public-project policies in a public project (``rbacUser.GetPolicies``) through their project evaluator;
- a project that does not exist grants nothing (the evaluator cannot load it) but to a system administrator.

Users keep the emulator's simpler model (a system administrator may do anything, a project member anything in that
project); a ``/v2/`` bearer token carries the pull/push/delete actions the token service granted per project
(src/common/security/v2token/context.go).
"""
import re

SYSTEM_SCOPE = "/system"
ALL_PROJECTS_SCOPE = "/project/*"
PROJECT_SCOPE = "/project/%d"

# src/common/rbac/const.go PoliciesMap[ScopeSystem] + NolimitProvider.GetPermissions(ScopeSystem)
SYSTEM_POLICIES = frozenset(
    [("audit-log", "list")]
    + [("preheat-instance", a) for a in ("read", "create", "delete", "list", "update")]
    + [("project", "list"), ("project", "create")]
    + [("replication-policy", a) for a in ("read", "create", "delete", "list", "update")]
    + [("replication", a) for a in ("read", "create", "list")]
    + [("replication-adapter", "list")]
    + [("registry", a) for a in ("read", "create", "delete", "list", "update")]
    + [("scan-all", a) for a in ("read", "update", "stop", "create")]
    + [("system-volumes", "read")]
    + [("garbage-collection", a) for a in ("read", "create", "list", "update", "stop")]
    + [("purge-audit", a) for a in ("read", "create", "list", "update", "stop")]
    + [("jobservice-monitor", "list"), ("jobservice-monitor", "stop")]
    + [("scanner", a) for a in ("read", "create", "delete", "list", "update")]
    + [("label", a) for a in ("read", "create", "delete", "update")]
    + [("security-hub", "read"), ("security-hub", "list"), ("catalog", "read"), ("quota", "read"), ("quota", "list")]
    + [("robot", a) for a in ("create", "read", "list", "delete")]
    + [("user", a) for a in ("create", "read", "update", "list", "delete")]
    + [("ldap-user", "create"), ("ldap-user", "list"), ("quota", "update")]
    + [("user-group", a) for a in ("create", "read", "update", "list", "delete")])

# src/common/rbac/const.go PoliciesMap[ScopeProject] + NolimitProvider.GetPermissions(ScopeProject)
PROJECT_POLICIES = frozenset(
    [("log", "list"), ("project", "read"), ("project", "delete"), ("project", "update")]
    + [("metadata", a) for a in ("read", "create", "delete", "list", "update")]
    + [("repository", a) for a in ("read", "update", "delete", "list", "pull", "push")]
    + [("artifact", a) for a in ("read", "create", "list", "delete")]
    + [("scan", a) for a in ("create", "read", "stop")]
    + [("sbom", a) for a in ("create", "stop", "read")]
    + [("tag", a) for a in ("create", "list", "delete")]
    + [("accessory", "list"), ("artifact-addition", "read"), ("artifact-label", "create"), ("artifact-label", "delete")]
    + [("scanner", "create"), ("scanner", "read")]
    + [("preheat-policy", a) for a in ("read", "create", "delete", "list", "update")]
    + [("immutable-tag", a) for a in ("create", "delete", "list", "update")]
    + [("notification-policy", a) for a in ("read", "create", "delete", "list", "update")]
    + [("tag-retention", a) for a in ("read", "create", "delete", "list", "update")]
    + [("label", a) for a in ("read", "create", "delete", "list", "update")]
    + [("quota", "read")]
    + [("robot", a) for a in ("create", "read", "list", "delete")]
    + [("export-cve", "create"), ("export-cve", "read")]
    + [("member", a) for a in ("create", "read", "update", "list", "delete")])

# src/common/rbac/project/rbac_util.go publicProjectPolicies ("project" is the namespace itself, ResourceSelf)
PUBLIC_PROJECT_POLICIES = frozenset([
    ("project", "read"), ("label", "read"), ("label", "list"), ("repository", "list"), ("repository", "pull"),
    ("scan", "read"), ("scanner", "read"), ("tag", "list"), ("artifact", "read"), ("artifact", "list"),
    ("artifact-addition", "read"), ("accessory", "list"),
])

# src/core/service/token/creator.go actionScopeMap: the actions a /v2/ token can carry
TOKEN_ACTIONS = ("pull", "push", "delete", "scanner-pull")

_PROJECT_NAMESPACE = re.compile(r"^/project/([^/]*)/?")
_PATTERNS = {}


def key_match2(key, pattern):
    """casbin_match.go keyMatch2: ``/*`` matches anything below, ``/:name`` one path element, the rest literally."""
    regex = _PATTERNS.get(pattern)
    if regex is None:
        text = pattern.replace("/*", "/.*")
        while "/:" in text:
            text = re.sub(r"(.*):[^/]+(.*)", r"\1[^/]+\2", text)
        regex = _PATTERNS[pattern] = re.compile("^" + text + "$")
    return bool(regex.match(key))


def allows(policies, resource, action):
    """The casbin effect ``some(allow) && !some(deny)`` over ``(resource pattern, action, effect)`` policies."""
    matched = [effect or "allow" for pattern, act, effect in policies
               if key_match2(resource, pattern) and (act == action or act == "*")]
    return "allow" in matched and "deny" not in matched


def system_resource(resource):
    return "%s/%s" % (SYSTEM_SCOPE, resource)


def project_resource(project_id, resource):
    """rbac_project.NewNamespace(id).Resource(resource): the project itself for ``project`` (and ResourceSelf)."""
    return PROJECT_SCOPE % project_id if resource in ("project", "") else "%s/%s" % (PROJECT_SCOPE % project_id, resource)


def namespace_project_id(resource):
    """rbac_project.NamespaceParse: the project id of ``/project/<id>[/...]``, None for ``/project/*`` and the rest."""
    match = _PROJECT_NAMESPACE.match(resource)
    if not match or not re.fullmatch(r"[+-]?\d+", match.group(1)):
        return None
    return int(match.group(1))


def robot_policies(robot):
    """The robot's accesses as casbin policies (getPolicyResource: ``project`` in a project scope is the scope itself)."""
    policies = []
    for row in robot["policies"]:
        scope, resource = row["scope"], row["resource"]
        path = scope if scope.startswith("/project") and resource == "project" else "%s/%s" % (scope, resource)
        policies.append((path, row["action"], row["effect"]))
    return policies


def is_system_level(robot):
    return not robot["project_id"]


def public_policies(project):
    return [(project_resource(project["project_id"], resource), action, "") for resource, action in PUBLIC_PROJECT_POLICIES]


def robot_can_system(robot, action, resource):
    """A robot's system evaluator: only a system-level robot has one, and only with ``/system`` policies."""
    if not is_system_level(robot):
        return False
    policies = [p for p in robot_policies(robot) if p[0].startswith(SYSTEM_SCOPE)]
    return bool(policies) and allows(policies, system_resource(resource), action)


def robot_project_policies(robot, project):
    """The policies a robot's project evaluator uses for ``project`` (None: the robot has no project evaluator)."""
    policies = robot_policies(robot)
    if is_system_level(robot):
        chosen = [p for p in policies if p[0].startswith("/project")]
        if not chosen:
            return None
    else:
        chosen = []
        for pattern, action, effect in policies:                 # filterRobotPolicies
            if namespace_project_id(pattern) == project["project_id"]:
                chosen.append((pattern, action, effect))
                if action == "push":
                    chosen.append((pattern, "pull", ""))
    if project["metadata"].get("public") == "true":
        chosen = chosen + public_policies(project)
    return chosen


def robot_can_project(robot, project, action, resource):
    if project is None:
        return False
    policies = robot_project_policies(robot, project)
    return bool(policies) and allows(policies, project_resource(project["project_id"], resource), action)


def valid_access(kind, resource, action):
    """handler/robot.go validate + containsAccess: the (resource, action) pairs a robot of that kind may be given."""
    return (resource, action) in (SYSTEM_POLICIES if kind == "system" else PROJECT_POLICIES)
