# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the roles' filter plugins share (controller side): the role's argument spec as the one place of defaults,
problems named by role variable, the mark of objects a role manages, and the connection of a Harbor of the inventory.
FOR INTERNAL COLLECTION USE ONLY.

The values are checked with the modules' own parsers (plugins/module_utils): a role never has a second unit, cron or
name parser. A module parser's message starts with the module option (``storage_quota: ...``); ``Problems.check``
puts the role variable in front of it (``proxy_cache_upstreams[2].storage_quota (name NVIDIA): ...``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import os
import re

import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.registryops.harbor.plugins.module_utils import registry as registry_utils
from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborValidationError
from ansible_collections.registryops.harbor.plugins.module_utils.reconcile import ROLE_MARK
from ansible_collections.registryops.harbor.plugins.module_utils.validation import defuse, given_problem

ROLES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "roles")
_SPECS = {}
_OPTION = re.compile(r"^([a-z_]+(?:\.[a-z_]+)*): ")

# The mark a role adds to the description of the Harbor objects it writes (endpoints, rules): prune removes only
# objects that carry its own role's mark, never one the user made elsewhere (docs/docsite/rst/guide_day2.rst "Prune").
MARK = ROLE_MARK


def role_spec(role):
    """The ``main`` options of ``roles/<role>/meta/argument_specs.yml`` (read once per process): the defaults of the role's
    list entries live there and nowhere else (``ansible-doc -t role`` shows them)."""
    if role not in _SPECS:
        path = os.path.join(ROLES_DIR, role, "meta", "argument_specs.yml")
        with open(path) as handle:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            _SPECS[role] = yaml.load(handle, Loader=loader)["argument_specs"]["main"]["options"]
    return _SPECS[role]


def with_defaults(role, values):
    """``values`` (the role variables given, None for unset) through the role's argument spec: ``(params, errors)`` with
    every default of the spec filled in, list entries and their sub-dictionaries included, aliases resolved. Ansible
    validated the types before the role's first task; the errors are those it would report, and those of the values as
    given (``given_problem``). With errors, every variable of ``params`` is None: nothing more is checked."""
    given = dict((k, plain(v)) for k, v in (values or {}).items() if v is not None)
    spec = role_spec(role)
    # what ansible-core's validation converts without a word (a list given to a text variable becomes "['x']", "١٢"
    # the number 12) or cannot store (NUL): the modules' own check of the values as given, naming the variable
    problem = given_problem(spec, given)
    if problem:
        given = copy.deepcopy(given)
        defuse(spec, given)             # what ansible-core's validator would crash on (a number given to a dict variable)
    result = ArgumentSpecValidator(spec).validate(given)
    # the problem of the values as given says it better than ansible-core's message about the same value (which may
    # show a NUL or a bidi character as it is)
    errors = [problem] if problem else list(result.error_messages)
    if errors:
        # values of the wrong type stay as given (a text where a list of entries belongs): the plan reads none of them
        return dict.fromkeys(spec), errors
    params = result.validated_parameters
    for name in spec:
        params.setdefault(name, None)
    return params, errors


def input_problem(role, values):
    """The problem of the role variables ``values`` (name -> value as given) that ansible-core's own argument validation
    would crash on instead of refusing: a number or a boolean given to a dictionary (a dict variable, or a dict option of
    a list entry). ansible-core's ``set_fallbacks`` then tests ``'key' in 5`` and the role fails with "argument of type
    'int' is not iterable", naming no variable (ansible/ansible#81631). Then the message is the first problem of the
    values as given (``given_problem``: what the role's plan would say), naming the variable; else None. The role
    registryops.harbor.role_input runs this before that validation, as a dependency of the roles."""
    spec = role_spec(role)
    # unset: None, or the empty text of the vars lookup's default (an empty text is nothing ansible-core crashes on)
    given = dict((k, plain(v)) for k, v in (values or {}).items() if v is not None and v != "" and k in spec)
    defused = copy.deepcopy(given)
    defuse(spec, defused)
    if defused == given:
        return None
    return given_problem(spec, given)


def plain(value):
    """``value`` with plain dicts and lists, each element templated once. ansible-core 2.19 hands a filter lazy
    containers that template an element each time it is read, and deep-copy it with every copy: the argument spec
    validation (which copies its parameters per list entry) took a minute for 50 replication rules on them."""
    if isinstance(value, dict):
        return dict((key, plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def entry_name(entry):
    """The entry's name as a problem shows it: none when blank, quoted when it holds a control or bidi character, cut
    when long."""
    name = entry.get("name") if isinstance(entry, dict) else None
    text = "" if name is None else str(name)
    if not text.strip():
        return ""
    if not text.isprintable():
        text = repr(text)
    return text if len(text) <= 64 else text[:61] + "..."


class Problems(object):
    """The problems found in the role's variables, each naming the variable, the entry and the fix."""

    def __init__(self):
        self.messages = []

    def add(self, where, entry, option, message):
        """``where`` = ``replication_rules[2]``, ``entry`` = the entry (for its name) or None, ``option`` = the entry's key."""
        path = "%s.%s" % (where, option) if option else where
        name = entry_name(entry) if entry is not None else ""
        self.messages.append("%s%s: %s" % (path, " (name %s)" % name if name else "", message))

    def check(self, where, entry, parse, value, options=None):
        """``parse(value)`` (a module_utils parser); its error is added with the role's names (``options`` maps the
        module option the parser names to the entry's key, when they differ). The parsed value, or None after an error."""
        try:
            return parse(value)
        except HarborValidationError as exc:
            text = str(exc)
            match = _OPTION.match(text)
            option = match.group(1) if match else None
            if option:
                text = text[match.end():]
                option = (options or {}).get(option, option)
            self.add(where, entry, option, text)
            return None

    def duplicates(self, variable, entries, key, what):
        """Each ``key`` value may appear once in ``entries`` (the entries' indexes named)."""
        seen = {}
        for index, entry in enumerate(entries):
            value = entry.get(key)
            if value is None or value == "":
                continue
            if value in seen:
                self.add("%s[%d]" % (variable, index), entry, key, "%r is also %s[%d]; each %s may appear once. Fix: remove one of"
                         " the two entries, or give this one another %s" % (value, variable, seen[value], what, key))
            else:
                seen[value] = index

    def __bool__(self):
        return bool(self.messages)

    __nonzero__ = __bool__


def check_endpoint(problems, where, entry, resolved, side):
    """What harbor_registry checks of an endpoint to be present (``resolved``: the entry with its preset or its host's
    values): URL, provider, CA certificate, a secret without an access key. ``side`` names the account for the message.
    The provider normalised (None when refused or not given)."""
    if resolved.get("url"):
        problems.check(where, entry, registry_utils.normalize_url, resolved["url"])
    provider = problems.check(where, entry, registry_utils.normalize_provider, resolved["provider"]) if resolved.get("provider") else None
    if resolved.get("ca_certificate"):
        problems.check(where, entry, _ca_certificate, resolved["ca_certificate"])
    # what Harbor's database columns hold (validation.py): the module refuses longer ones too, but names its own option
    if isinstance(resolved.get("access_key"), str):
        problems.check(where, entry, registry_utils.check_access_key, resolved["access_key"])
    if isinstance(resolved.get("access_secret"), str) and provider not in registry_utils.JSON_SECRETS:
        problems.check(where, entry, registry_utils.check_access_secret, resolved["access_secret"])
    if resolved.get("access_secret") and not resolved.get("access_key") and provider not in registry_utils.JSON_SECRETS:
        problems.add(where, entry, "access_key", "access_secret is given without access_key (%s); Harbor drops a secret that"
                     " comes without one. Fix: add access_key" % side)
    return provider


def _ca_certificate(value):
    pem = registry_utils.normalize_pem(registry_utils.content_or_file(value))
    registry_utils.check_pem(pem, "ca_certificate")
    return pem


def refused(problems, what):
    """The fail message of a role's check: every problem, and that nothing was written."""
    return ["%s: %d problem(s) in the role's variables; nothing was written to Harbor. Fix each one and run again:" % (
        what, len(problems))] + ["- " + message for message in problems]


def mark(description, role):
    """``description`` with the role's mark at its end (once): ``NGC images [managed by registryops.harbor.proxy_cache]``."""
    tag = MARK % role
    text = (description or "").strip()
    if tag in text:
        return text
    return ("%s %s" % (text, tag)).strip()


def marked(description, role):
    return (MARK % role) in (description or "")


def proxy_destination(project, harbor):
    """Why a rule into proxy-cache project ``project`` of inventory host ``harbor`` is refused, and the fix."""
    return ("the destination project %r on %s is a proxy-cache project; Harbor refuses pushes into proxy-cache projects, so every"
            " task of the rule would fail. Fix: give the rule a normal project as destination (dest_namespace, e.g. %r), or use"
            " the proxy cache instead of the rule" % (project, harbor, project + "-mirror"))


def connection(hostvars, host):
    """The connection variables of the inventory host ``host`` (a Harbor), or None when it has no ``harbor_url``."""
    if host not in hostvars:
        return None
    found = hostvars[host]
    url = _get(found, "harbor_url")
    if url in (None, ""):
        return None
    return dict(url=str(url).rstrip("/"), username=_get(found, "harbor_username"), password=_get(found, "harbor_password"),
                validate_certs=_get(found, "harbor_validate_certs"), ca_path=_get(found, "harbor_ca_path"))


def robot_login(hostvars, host, name):
    """The login name of robot account ``name`` on inventory host ``host``: its ``harbor_robot_name_prefix`` (Harbor's
    robot_name_prefix setting, ``robot$`` by default) and the name."""
    prefix = _get(hostvars[host], "harbor_robot_name_prefix") if host in hostvars else None
    return "%s%s" % ("robot$" if prefix in (None, "") else prefix, name)


def _get(variables, name):
    try:
        return variables[name] if name in variables else None
    except KeyError:
        return None


def as_bool(value, default=False):
    """A boolean that may come as a string (values templated from several variables on ansible-core 2.16)."""
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y", "t")
    return bool(value)


def compact(entry, keys):
    """The keys of ``entry`` that are set (not None), in ``keys``' order."""
    return dict((key, entry[key]) for key in keys if entry.get(key) is not None)
