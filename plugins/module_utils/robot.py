# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Robot accounts (Harbor's "robots", API v2 since Harbor 2.2). FOR INTERNAL COLLECTION USE ONLY.

What Harbor does that this code relies on (src/server/v2.0/handler/robot.go and src/controller/robot/controller.go,
goharbor/harbor v2.15.2):

- A robot's name is 1+ lower-case letters and digits separated by single ``.``, ``_`` or ``-``. Harbor stores a system
  robot as ``<name>`` and a project robot as ``<project>+<name>``; every answer adds the robot name prefix (the
  ``robot_name_prefix`` system setting, ``robot$`` by default), and that full name is the robot's login name. ``q=name=``
  matches the stored name (without prefix), so lookups do not need the prefix; the prefix is learnt from the answers.
- ``POST /robots`` ignores ``secret`` and ``disable``: it creates an enabled robot with a generated secret, returned
  once in the answer. A chosen secret is set with ``PATCH /robots/{id}`` ``{"secret": ...}`` (8 to 128 characters with an
  upper-case letter, a lower-case letter and a digit, else 400); GET never returns a secret.
- ``PUT /robots/{id}`` replaces description, disable, duration and permissions (unset fields become empty), and must
  repeat the full name and level; the project of a project robot cannot change. ``expires_at`` counts ``duration`` days
  from the creation time (-1: never).
- Permissions are ``[{kind, namespace, access: [{resource, action, effect}]}]``: kind ``system`` with namespace ``/``, or
  kind ``project`` with a project name or ``*`` (every project); a project robot has exactly one permission, of its
  own project. Harbor refuses a (resource, action) it does not offer for that kind (400 ``bad request permission: r:a``);
  the lists of v2.15.2 are below (src/common/rbac/const.go), so a mistake fails before anything is sent.
- Only administrators (and project administrators for project robots) may update a robot or refresh its secret: no
  robot can be given the ``robot`` ``update`` permission. A robot may create robots with permissions it has itself.
- A disabled or expired robot, and a wrong secret, make Harbor run the request as anonymous: ``GET /systeminfo`` then
  lacks ``harbor_version``. That read is how ``update_password: always`` checks a secret without writing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import time

from ansible_collections.registryops.harbor.plugins.module_utils.client import quote
from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborError, HarborValidationError
from ansible_collections.registryops.harbor.plugins.module_utils.reconcile import Plan, Resource, run, version_gate
from ansible_collections.registryops.harbor.plugins.module_utils.validation import check_length, is_ascii_int

ROBOTS = "/robots"
PROJECTS = "/projects"
ROBOTS_SINCE = "2.2.0"
DEFAULT_PREFIX = "robot$"
NAME = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*\Z")
NEVER = -1
MAX_DURATION = 2 ** 31 - 2          # days: Harbor takes 1 to MaxInt32 - 1
# Harbor stores a robot's name as <name> or <project>+<name> in robot.name varchar(255) and its description in
# robot.description varchar(1024) (make/migrations/postgresql/0004_1.8.0_schema.up.sql and
# src/controller/robot/controller.go, goharbor/harbor v2.15.2); longer ones fail in its database with an opaque 500.
STORED_NAME_MAX_CHARS = 255
DESCRIPTION_MAX_CHARS = 1024
ROBOT_OPTIONS = ("level", "project", "description", "duration", "disabled", "permissions")
LEVELS = ("system", "project")

# (resource, action) pairs Harbor v2.15.2 offers to robots (src/common/rbac/const.go: PoliciesMap + NolimitProvider)
_SYSTEM = {
    "audit-log": "list", "preheat-instance": "create delete list read update", "project": "create list",
    "replication-policy": "create delete list read update", "replication": "create list read",
    "replication-adapter": "list", "registry": "create delete list read update", "scan-all": "create read stop update",
    "system-volumes": "read", "garbage-collection": "create list read stop update",
    "purge-audit": "create list read stop update", "jobservice-monitor": "list stop",
    "scanner": "create delete list read update", "label": "create delete read update", "security-hub": "list read",
    "catalog": "read", "quota": "list read update", "robot": "create delete list read",
    "user": "create delete list read update", "ldap-user": "create list", "user-group": "create delete list read update",
}
_PROJECT = {
    "log": "list", "project": "delete read update", "metadata": "create delete list read update",
    "repository": "delete list pull push read update", "artifact": "create delete list read", "scan": "create read stop",
    "sbom": "create read stop", "tag": "create delete list", "accessory": "list", "artifact-addition": "read",
    "artifact-label": "create delete", "scanner": "create read", "preheat-policy": "create delete list read update",
    "immutable-tag": "create delete list update", "notification-policy": "create delete list read update",
    "tag-retention": "create delete list read update", "label": "create delete list read update", "quota": "read",
    "robot": "create delete list read", "export-cve": "create read", "member": "create delete list read update",
}
ACCESS = {"system": dict((k, tuple(v.split())) for k, v in _SYSTEM.items()),
          "project": dict((k, tuple(v.split())) for k, v in _PROJECT.items())}
SECRET_RULE = "8 to 128 characters with at least one upper-case letter, one lower-case letter and one digit"


def valid_secret(secret):
    """Harbor's rule for a robot secret (controller/robot IsValidSec)."""
    classes = (r"[a-z]", r"[A-Z]", r"[0-9]")
    return 8 <= len(secret) <= 128 and all(re.search(pattern, secret) is not None for pattern in classes)


def check_name(name):
    """Harbor's rule for a robot's own name (handler/robot.go validateName) and the length it stores for a system robot
    (a project robot's ``<project>+<name>`` is checked by ``Robot.validate``); the error names ``name``."""
    name = name or ""
    if len(name) > STORED_NAME_MAX_CHARS:
        raise HarborValidationError("name: Harbor stores a robot's name in at most %d characters, got %d"
                                    % (STORED_NAME_MAX_CHARS, len(name)))
    if not NAME.match(name):
        hint = ""
        if "$" in name or "+" in name:
            hint = (" Give the robot's own name: Harbor adds the prefix (robot$) and, for a project robot, <project>+"
                    " (set project for that)")
        raise HarborValidationError("name: %r is not a Harbor robot name: lower-case letters and digits, separated by single"
                                    " '.', '_' or '-' (for example ci-puller).%s" % (name, hint))
    return name


def robot_name_of(text):
    """A valid robot name made of ``text``: lower-cased, other characters than letters, digits, '.', '_' and '-' as '-'."""
    name = re.sub(r"[^a-z0-9._-]+", "-", str(text).lower())
    name = re.sub(r"[._-]*([._-])[._-]*", r"\1", name).strip("._-")
    return name or "robot"


def parse_duration(value):
    """``never`` (or -1) -> -1; a number of days (1 to 2147483646) -> that number."""
    text = str(value).strip().lower()
    if text in ("never", "-1", "unlimited"):
        return NEVER
    # ASCII digits only: Python's int() also reads "١٢" (Arabic-Indic digits), which Harbor's JSON number cannot be
    if isinstance(value, bool) or not is_ascii_int(text) or not 1 <= int(text) <= MAX_DURATION:
        raise HarborValidationError("duration: a number of days (1 to %d, written with the digits 0-9) or never, got %r"
                                    % (MAX_DURATION, value))
    return int(text)


def human_duration(days):
    return "never expires" if days == NEVER else "%d day%s" % (days, "" if days == 1 else "s")


def canonical(permissions):
    """Harbor's permissions (``[{kind, namespace, access: [{resource, action, effect}]}]``) in the option shape: one
    entry per kind and namespace, sorted, ``access`` as ``{resource: [actions]}``; denials (effect ``deny``, which
    Harbor's UI never sets) apart under ``deny``."""
    merged = {}
    for perm in permissions or []:
        entry = merged.setdefault((perm.get("kind") or "", perm.get("namespace") or ""), ({}, {}))
        for access in perm.get("access") or []:
            target = entry[1] if (access.get("effect") or "allow") == "deny" else entry[0]
            target.setdefault(access.get("resource") or "", set()).add(access.get("action") or "")
    out = []
    for (kind, namespace), (allowed, denied) in sorted(merged.items(), key=lambda kv: (kv[0][0] != "system", kv[0][1])):
        shown = dict(kind=kind, namespace=namespace, access=dict((r, sorted(a)) for r, a in sorted(allowed.items())))
        if denied:
            shown["deny"] = dict((r, sorted(a)) for r, a in sorted(denied.items()))
        out.append(shown)
    return out


def api_permissions(permissions):
    """The option shape back into Harbor's permissions (effect ``allow``)."""
    out = []
    for perm in permissions:
        access = [dict(resource=r, action=a, effect="allow") for r, actions in sorted(perm["access"].items()) for a in actions]
        access += [dict(resource=r, action=a, effect="deny") for r, actions in sorted((perm.get("deny") or {}).items()) for a in actions]
        out.append(dict(kind=perm["kind"], namespace=perm["namespace"], access=access))
    return out


def _actions(value, where):
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(a, str) and a for a in value):
        raise HarborValidationError("%s: a list of actions (for example [pull, push]), got %r" % (where, value))
    return sorted(set(a.strip().lower() for a in value))


def normalize_permissions(value, level, project):
    """The user's ``permissions`` in the option shape, checked against what Harbor offers; ``namespace`` defaults to the
    robot's project for a project robot, ``kind`` to ``system`` for namespace ``/`` and ``project`` otherwise."""
    if not isinstance(value, list) or not value:
        raise HarborValidationError("permissions: a list of {namespace, access} entries with at least one entry, got %r" % (value,))
    entries = []
    for index, perm in enumerate(value):
        where = "permissions[%d]" % index
        if not isinstance(perm, dict):
            raise HarborValidationError("%s: expected a dictionary with namespace, kind and access, got %r" % (where, perm))
        namespace = perm.get("namespace")
        kind = perm.get("kind") or ("system" if namespace == "/" else "project")
        if kind not in LEVELS:
            raise HarborValidationError("%s.kind: system or project, got %r" % (where, kind))
        if kind == "system":
            if namespace not in (None, "/"):
                raise HarborValidationError("%s.namespace: a system permission has namespace / (or none), got %r" % (where, namespace))
            namespace = "/"
        elif level == "project":
            if namespace not in (None, project):
                raise HarborValidationError("%s.namespace: a project robot has permissions in its own project %s only, got %r"
                                            % (where, project, namespace))
            namespace = project
        elif not namespace or not isinstance(namespace, str):
            raise HarborValidationError("%s.namespace: a project name, or * for every project, is required for a project"
                                        " permission of a system robot" % where)
        if level == "project" and kind == "system":
            raise HarborValidationError("%s.kind: a project robot cannot have system permissions; make it a system robot"
                                        " (level: system) instead" % where)
        access = perm.get("access")
        if not isinstance(access, dict) or not access:
            raise HarborValidationError("%s.access: a dictionary of resource: [actions], for example {repository: [pull]},"
                                        " got %r" % (where, access))
        offered = ACCESS[kind]
        checked = {}
        for resource, actions in access.items():
            if resource not in offered:
                raise HarborValidationError("%s.access: %r is not a %s resource Harbor offers to robots; use one of %s"
                                            % (where, resource, kind, ", ".join(sorted(offered))))
            actions = _actions(actions, "%s.access.%s" % (where, resource))
            wrong = [a for a in actions if a not in offered[resource]]
            if wrong:
                raise HarborValidationError("%s.access.%s: %s not allowed on %s for %s permissions; allowed: %s"
                                            % (where, resource, ", ".join(wrong), resource, kind, ", ".join(offered[resource])))
            checked[resource] = actions
        entries.append(dict(kind=kind, namespace=namespace, access=[dict(resource=r, action=a) for r, acts in checked.items() for a in acts]))
    if level == "project" and len(canonical(entries)) > 1:
        raise HarborValidationError("permissions: a project robot has one permission entry (its project's)")
    return canonical(entries)


def full_name(prefix, stored):
    return (prefix or DEFAULT_PREFIX) + stored


def derive_prefix(full, stored):
    """The robot name prefix of one answer whose stored name is known, or None."""
    return full[:-len(stored)] if stored and full.endswith(stored) and len(full) > len(stored) else None


def split_stored(stored):
    """``<project>+<name>`` -> (project, name); ``<name>`` -> (None, name)."""
    if "+" in stored:
        project, name = stored.rsplit("+", 1)
        return project, name
    return None, stored


class Robot(Resource):
    kind = "robot account"
    result_key = "robot"
    options = ROBOT_OPTIONS
    secret_options = ("secret",)
    control_options = ("update_password", "return_generated_secret")
    normalizers = dict(duration=parse_duration)

    def __init__(self, module):
        super(Robot, self).__init__(module)
        self.prefix = None               # the robot name prefix, learnt from Harbor's answers (per call)
        self._projects = {}              # project name -> project (per call)
        self._stored = {}                # robot id -> stored name (per call)

    # -- validation -----------------------------------------------------------------------------------------------
    def check_key(self, name):
        check_name(name)

    def identity(self, item):
        """Harbor's stored name: ``<project>+<name>`` for a project robot, ``<name>`` for a system robot."""
        project = item.get("project")
        return "%s+%s" % (project, item["name"]) if project else item["name"]

    def level_of(self, item):
        if item.get("project") is not None and not item["project"].strip():
            raise HarborValidationError("project: must not be empty or blank, got %r; leave project out for a system robot"
                                        % item["project"])
        level = item.get("level") or ("project" if item.get("project") else "system")
        if level == "project" and not item.get("project"):
            raise HarborValidationError("project: required for a project robot (level: project); give the project's name")
        if level == "system" and item.get("project"):
            raise HarborValidationError("project: a system robot (level: system) belongs to no project; leave project out, or"
                                        " use level: project")
        return level

    def validate_delete(self, item):
        self.level_of(item)

    def normalize(self, item):
        options = super(Robot, self).normalize(item)
        level = self.level_of(item)
        options["level"] = level
        if level == "project":
            options["project"] = item["project"]
        if item.get("permissions") is not None:
            options["permissions"] = normalize_permissions(item["permissions"], level, item.get("project"))
        return options

    def validate(self, item, options):
        stored = self.identity(item)
        if len(stored) > STORED_NAME_MAX_CHARS:
            raise HarborValidationError("name: Harbor stores a robot's name%s in at most %d characters, got %d%s" % (
                " with its project (<project>+<name>)" if item.get("project") else "", STORED_NAME_MAX_CHARS, len(stored),
                "" if not item.get("project") else ": shorten the name to at most %d characters"
                % max(STORED_NAME_MAX_CHARS - len(item["project"]) - 1, 0)))
        check_length(options.get("description", ""), "description", max_chars=DESCRIPTION_MAX_CHARS)
        secret = item.get("secret")
        if secret is not None and not valid_secret(str(secret)):
            raise HarborValidationError("secret: Harbor takes a robot secret of %s; the value given is not (it is never shown)"
                                        % SECRET_RULE)
        if item.get("update_password") == "always" and secret is None:
            raise HarborValidationError("update_password: always needs secret (the secret to keep the robot at)")
        if item.get("return_generated_secret") and not self.module.no_log:
            raise HarborValidationError("return_generated_secret: set no_log: true on the task, so that the generated secret"
                                        " in the result never reaches the output or a log; then store it (for example in a"
                                        " vault) from the registered result")
        version_gate(self.client, ROBOTS_SINCE, "robot accounts (the /robots API)")

    # -- read and compare -----------------------------------------------------------------------------------------
    def read(self, names, wanted):
        """One listing per level and project: ``q=name={...}`` of the stored names (Harbor lists system robots, or one
        project's robots with ``Level=project,ProjectID=<id>``)."""
        by_project = {}
        for name in names:
            project = split_stored(name)[0]
            by_project.setdefault(project, []).append(name)
        named = [perm["namespace"] for options in wanted for perm in options.get("permissions") or []
                 if perm["kind"] == "project" and perm["namespace"] != "*"]
        projects = self.projects([p for p in by_project if p] + named)
        found = {}
        for project, stored in sorted(by_project.items(), key=lambda kv: kv[0] or ""):
            query = "name={%s}" % " ".join(quote(s) for s in stored)
            if project:
                if project not in projects:
                    continue                # no project, no robot: desired() says so for an item to be present
                query = "Level=project,ProjectID=%s,%s" % (projects[project]["project_id"], query)
            found.update(self._match(self.client.list(ROBOTS, params=dict(q=query)), stored))
        return found

    def _match(self, items, stored):
        """{stored name: robot} for the listed robots, learning the prefix from the names (Harbor adds it to each)."""
        wanted = set(stored)
        items = [item for item in items if isinstance(item, dict) and item.get("name")]
        for item in items:
            candidates = [s for s in wanted if derive_prefix(item["name"], s) is not None]
            if len(candidates) == 1 and self.prefix is None:
                self.prefix = derive_prefix(item["name"], candidates[0])
        found = {}
        for item in items:
            name = item["name"]
            if self.prefix is not None and name.startswith(self.prefix):
                key = name[len(self.prefix):]
            else:
                key = max((s for s in wanted if derive_prefix(name, s) is not None), key=len, default=None)
            if key in wanted:
                found[key] = item
                self._stored[item.get("id")] = key
        return found

    def projects(self, names):
        """{name: project} for the projects named (one lookup; cached for the call)."""
        missing = [n for n in dict.fromkeys(names) if n and n not in self._projects]
        if missing:
            self._projects.update(self.client.list_named(PROJECTS, missing))
        return dict((n, self._projects[n]) for n in names if n in self._projects)

    def stored_name(self, raw):
        stored = self._stored.get(raw.get("id"))
        if stored is None:
            prefix = self.prefix if self.prefix is not None else DEFAULT_PREFIX
            name = raw.get("name") or ""
            stored = name[len(prefix):] if name.startswith(prefix) else name
        return stored

    def to_options(self, raw):
        project, name = split_stored(self.stored_name(raw))
        level = raw.get("level") or ("project" if project else "system")
        options = dict(name=name, level=level, description=raw.get("description") or "",
                       duration=NEVER if raw.get("duration") is None else raw["duration"], disabled=bool(raw.get("disable")),
                       permissions=canonical(raw.get("permissions")))
        if level == "project":
            options["project"] = project
        return options

    def desired(self, item, options, raw):
        """Checks that need Harbor's state (the projects exist, what a create needs) and the secret plan."""
        name = item["name"]
        if options["level"] == "project" and options["project"] not in self._projects:
            self._missing("project: no project named %r in Harbor; create it first (registryops.harbor.harbor_project)"
                          % options["project"])
        for index, perm in enumerate(options.get("permissions") or []):
            if perm["kind"] == "project" and perm["namespace"] != "*" and perm["namespace"] not in self._projects:
                self._missing("permissions[%d].namespace: no project named %r in Harbor (robot %s); create it first, or use *"
                              " for every project" % (index, perm["namespace"], name))
        secret = item.get("secret")
        plan = Plan(options, secret=secret, send_secret=False, generated=None)
        if raw is None:
            if not options.get("permissions"):
                raise HarborValidationError("permissions: required to create robot account %s (Harbor needs at least one"
                                            " permission)" % name)
            plan.send_secret = secret is not None
            return plan
        if secret is not None and item.get("update_password") == "always":
            plan.send_secret = self._secret_differs(item, options, raw, secret)
        return plan

    def _missing(self, message):
        """A project the robot needs does not exist: an error; in check mode a warning, since an earlier task of the same
        run (a role creating the project) would have made it."""
        if not self.module.check_mode:
            raise HarborValidationError(message)
        self.module.warn("%s (check mode: a real run fails here unless an earlier task creates it)" % message)

    def _secret_differs(self, item, options, raw, secret):
        """``update_password: always``: is Harbor's secret another one? Asked by logging in as the robot (a GET of
        /systeminfo, no write). A robot that is disabled or expired cannot log in: its secret is sent when this run
        enables it, and left alone (with a warning) while it stays disabled."""
        disabled = bool(raw.get("disable"))
        expires_at = raw.get("expires_at")
        expired = expires_at not in (None, 0, NEVER) and expires_at <= time.time()
        if disabled or expired:
            if disabled and options.get("disabled") is False and not expired:
                self.module.warn("robot account %s is disabled, so its secret cannot be checked: it is set now, as this task"
                                 " enables the robot" % raw.get("name"))
                return True
            self.module.warn("robot account %s is %s, so its secret cannot be checked by a login; it is not sent (a re-run"
                             " after enabling the robot checks it)" % (raw.get("name"), "expired" if expired else "disabled"))
            return False
        try:
            return not self.module.client_as(raw["name"], secret).accepts_login()
        except HarborError as exc:
            raise HarborError("robot account %s: checking its secret by a login failed: %s" % (raw.get("name"), exc),
                              status=exc.status, code=exc.code, method=exc.method, path=exc.path, request_id=exc.request_id, hint="")

    def must_write(self, item, plan, raw):
        return plan.send_secret

    def predict(self, item, plan, before):
        after, keys = super(Robot, self).predict(item, plan, before)
        if plan.send_secret:
            keys["secret_sent"] = _why_secret_sent(item, before)
        return after, keys

    # -- writes ---------------------------------------------------------------------------------------------------
    def create(self, item, plan):
        options = plan.options
        body = dict(name=item["name"], description=options.get("description", ""), level=options["level"],
                    duration=options.get("duration", NEVER), permissions=api_permissions(options["permissions"]))
        created = self.client.post_answer(ROBOTS, body) or {}
        stored = self.identity(item)
        self.prefix = derive_prefix(created.get("name") or "", stored) or self.prefix
        self._stored[created.get("id")] = stored
        try:
            if plan.send_secret:
                self._refresh(created["id"], plan.secret)
                plan.report["secret_sent"] = _why_secret_sent(item, None)
            elif item.get("return_generated_secret"):
                plan.report["secret"] = created.get("secret")
                self.module.warn("robot account %s was created with a secret Harbor generated; it is in this task's result"
                                 " (key secret) and nowhere else: store it now (for example in a vault), Harbor never"
                                 " shows it again" % created.get("name"))
            if options.get("disabled"):
                raw = self.client.get("%s/%s" % (ROBOTS, quote(created["id"])))
                self.client.put("%s/%s" % (ROBOTS, quote(created["id"])), self._put_body(raw, dict(disabled=True)))
        except HarborError as exc:
            raise HarborError("robot account %s was created, but setting it up failed: %s. Re-run the task with"
                              " update_password: always to set its secret" % (created.get("name"), exc), status=exc.status,
                              code=exc.code, method=exc.method, path=exc.path, request_id=exc.request_id, hint="")
        return None

    def update(self, item, plan, raw, changed):
        path = "%s/%s" % (ROBOTS, quote(raw["id"]))
        if changed:
            self.client.put(path, self._put_body(raw, plan.options))
        if plan.send_secret:
            self._refresh(raw["id"], plan.secret)
            plan.report["secret_sent"] = _why_secret_sent(item, raw)
        return None

    def _put_body(self, raw, options):
        """The whole robot as PUT takes it: the options given, the current values for the others."""
        body = dict(name=raw["name"], level=raw.get("level"), description=options.get("description", raw.get("description") or ""),
                    disable=options.get("disabled", bool(raw.get("disable"))),
                    duration=options.get("duration", raw.get("duration")))
        body["permissions"] = api_permissions(options["permissions"]) if "permissions" in options else raw.get("permissions") or []
        return body

    def _refresh(self, robot_id, secret):
        self.client.patch("%s/%s" % (ROBOTS, quote(robot_id)), dict(secret=secret))

    def delete(self, item, plan, raw):
        self.client.delete("%s/%s" % (ROBOTS, quote(raw["id"])))

    def humanize(self, options):
        if "duration" in options:
            options["duration"] = human_duration(options["duration"])
        return options

    def public(self, raw):
        robot = dict(raw)
        robot.pop("secret", None)
        return robot

    def info(self, raw):
        """One robot as harbor_robot_account_info returns it: the option shape, its login name and Harbor's fields."""
        shown = self.to_options(raw)
        shown.update(id=raw.get("id"), full_name=raw.get("name"), expires_at=raw.get("expires_at"), editable=raw.get("editable"),
                     creator_type=raw.get("creator_type"), creator_ref=raw.get("creator_ref"),
                     creation_time=raw.get("creation_time"), update_time=raw.get("update_time"))
        return shown

    def listing(self, level="all", project=None, name=None, prefix=None):
        """Every robot account of the levels asked as ``[raw]`` (system robots: one listing; project robots: one listing per
        project), learning the robot name prefix from the project robots' names (``<prefix><project>+<name>``) or, without
        any, from the system robots' (``_guess_prefix``); ``prefix`` (the robot_name_prefix option) overrides both."""
        client = self.client
        self.prefix = prefix
        project_raws, system_raws = [], []
        if level in ("all", "project"):
            names = [project] if project else [p["name"] for p in client.list(PROJECTS, params=dict(with_detail="false"))]
            found = self.projects(names)
            if project and project not in found:
                raise HarborValidationError("project: no project named %r in Harbor" % project)
            for project_name in [n for n in names if n in found]:
                query = "Level=project,ProjectID=%s" % found[project_name]["project_id"]
                if name:
                    query += ",name=%s" % quote("%s+%s" % (project_name, name))
                for raw in client.list(ROBOTS, params=dict(q=query)):
                    full = raw.get("name") or ""
                    at = full.rfind(project_name + "+")
                    if at >= 0:
                        self.prefix = full[:at] if self.prefix is None else self.prefix
                        self._stored[raw.get("id")] = full[at:]
                    project_raws.append(raw)
        if level in ("all", "system"):
            system_raws = client.list(ROBOTS, params=dict(q="name=%s" % quote(name)) if name else None)
            if self.prefix is None:
                self.prefix = _guess_prefix([raw.get("name") or "" for raw in system_raws])
            for raw in system_raws:
                full = raw.get("name") or ""
                self._stored[raw.get("id")] = full[len(self.prefix):] if full.startswith(self.prefix) else full
        if self.prefix is None:
            self.prefix = DEFAULT_PREFIX
        return system_raws + project_raws


def _why_secret_sent(item, before):
    if before is None:
        return "new robot account"
    return "update_password=always and the robot's login with the secret given failed"


# -- module entry points --------------------------------------------------------------------------------------------
def run_robot(module):
    """harbor_robot_account: one robot account (or the list ``robots``) to its desired state."""
    return run(Robot(module), "robots")


def _guess_prefix(names):
    """The prefix of system robots' names when no project robot showed it: what comes before the robot name proper (the
    longest ending that is a valid robot name after a character no robot name has), the most common one; ``robot$``
    without any. A prefix that ends with a letter, a digit, '.', '_' or '-' cannot be told from a name: give it."""
    guesses = {}
    for name in names:
        match = re.match(r"^(.*[^a-z0-9._-])([a-z0-9]+(?:[._-][a-z0-9]+)*)$", name)
        if match:
            guesses[match.group(1)] = guesses.get(match.group(1), 0) + 1
    if guesses:
        return max(sorted(guesses), key=lambda g: guesses[g])
    return DEFAULT_PREFIX if not names or all(n.startswith(DEFAULT_PREFIX) for n in names) else ""


def robot_info(module):
    """harbor_robot_account_info: robot accounts by name, level and project, never with a secret."""
    resource = Robot(module)
    params = module.params
    if params.get("project") is not None and not params["project"].strip():
        raise HarborValidationError("project: must not be empty or blank, got %r; leave project out for the robots of every"
                                    " project" % params["project"])
    version_gate(module.client, ROBOTS_SINCE, "robot accounts (the /robots API)")
    level = params.get("level") or ("project" if params.get("project") else "all")
    raws = resource.listing(level=level, project=params.get("project"), name=params.get("name"),
                            prefix=params.get("robot_name_prefix"))
    shown = [resource.info(raw) for raw in raws]
    if params.get("name"):
        shown = [r for r in shown if r["name"] == params["name"]]
    shown.sort(key=lambda r: (r["level"] != "system", r.get("project") or "", r["name"]))
    return dict(changed=False, robot_name_prefix=resource.prefix, robots=module.select(shown))
