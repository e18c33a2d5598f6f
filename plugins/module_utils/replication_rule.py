# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Replication rules (policies): option parsers (bandwidth, flattening, cron, filters), check_rule, the ReplicationRule
resource and harbor_replication_rule_info. FOR INTERNAL COLLECTION USE ONLY. Executions are in replication_execution.py.

Harbor's behaviour behind this code is in docs/harbor-api.md section 4: PUT replaces the whole policy,
``deletion`` is the field Harbor reads for "replicate deletion", a negative ``speed`` means unlimited (0) and the local
side of a rule is registry id 0.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.registryops.harbor.plugins.module_utils.client import HarborClient, quote
from ansible_collections.registryops.harbor.plugins.module_utils.endpoints import POLICIES, Endpoints, check_endpoint_name
from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborError, HarborRefused, HarborValidationError
from ansible_collections.registryops.harbor.plugins.module_utils.reconcile import OMIT, Plan, Resource
from ansible_collections.registryops.harbor.plugins.module_utils.units import human_bytes, quantity
from ansible_collections.registryops.harbor.plugins.module_utils.validation import (
    DEST_NAMESPACE_MAX_CHARS, FILTERS_JSON_MAX_CHARS, INT8_MAX, INT32_MAX, TRIGGER_JSON_MAX_CHARS,
    check_length, check_rule_name, go_json_length, is_ascii_int,
)

TRIGGERS = ("manual", "scheduled", "event_based")
MODES = ("push", "pull")
FLATTENING_NAMES = {"none": 0, "all": -1}

RULE_OPTIONS = ("description", "enabled", "mode", "registry", "filters", "dest_namespace", "flattening", "trigger", "cron",
                "bandwidth", "override", "replicate_deletion", "copy_by_chunk", "single_active_replication")

# What a new rule gets for the options the user left out: the choices of Harbor's UI (the API's own defaults differ:
# enabled=false and flattening of all levels).
CREATE_DEFAULTS = dict(description="", enabled=True, filters={}, dest_namespace="", flattening="1", trigger="manual",
                       cron=None, bandwidth=0, override=True, replicate_deletion=False, copy_by_chunk=False,
                       single_active_replication=False)

# option -> (first Harbor version with it, is the value one that needs the feature)
VERSION_GATES = dict(
    flattening=("2.3.0", lambda v: v != "all"),
    bandwidth=("2.4.0", lambda v: v > 0),
    copy_by_chunk=("2.7.0", bool),
    single_active_replication=("2.14.0", bool),
)

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_NAMESPACE = re.compile(r"^(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?%s(?:/%s)*\Z" % (_COMPONENT, _COMPONENT))
# Harbor's cron parser (robfig/cron with seconds): field name, lowest, highest, names allowed for the values
_CRON_FIELDS = (("seconds", 0, 59, None), ("minutes", 0, 59, None), ("hours", 0, 23, None), ("day-of-month", 1, 31, None),
                ("month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
                ("day-of-week", 0, 6, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")))
_RATE_UNITS = ("", "b", "b/s", "byte", "bytes", "byte/s", "bytes/s", "bit", "bits", "bit/s", "bits/s", "bps")
HARBOR_RATE_BYTES = 128          # Harbor throttles 1 unit of ``speed`` as 1024 bits = 128 bytes per second (src/lib/iothrottler.go)
_UNLIMITED = ("unlimited", "-1", "0")
MAX_SPEED = INT32_MAX            # Harbor stores ``speed`` as an int32 (src/pkg/replication/model/model.go)
MAX_FLATTENING = INT8_MAX        # dest_namespace_replace_count is an int8 (src/pkg/replication/model/model.go)


# -- option normalisation -------------------------------------------------------------------------------------------
def parse_bandwidth(value):
    """A bandwidth -> Harbor's ``speed`` (Kbit/s: 1 = 1024 bit/s = 128 bytes/s); -1, 0 and ``unlimited`` -> 0.

    The collection's one unit rule (units.py, also for storage_quota); B/s is bytes and bit/s (or bps) bits per second.
    A bare number is Harbor's own unit."""
    text = str(value).strip().replace(" ", "")
    if text.lower() in _UNLIMITED or (text.startswith("-") and is_ascii_int(text[1:])):
        return 0
    try:
        found = quantity(text)
    except ValueError:
        found = None
    if not found or found[1] not in _RATE_UNITS or (found[2] and not found[1]):
        raise HarborValidationError("bandwidth: expected a rate with a unit such as 512kB/s, 10MB/s, 10MiB/s, 100Mbit/s or"
                                    " 1Gbps (k, M, G = 1000^n; Ki, Mi, Gi = 1024^n; B = byte), a number in Harbor's unit"
                                    " (Kbps: 1024 bit/s), or unlimited (also -1 or 0); got %r" % (value,))
    scaled, unit, _prefixed = found
    if not unit:
        rate = scaled
    else:
        bits = unit.startswith("bit") or unit == "bps"
        rate = scaled / (1024 if bits else HARBOR_RATE_BYTES)
    if rate > MAX_SPEED:                 # also a number too long for a float (inf)
        raise HarborValidationError("bandwidth: %r is more than Harbor's maximum of %d Kbps (about 256 GiB/s); use unlimited"
                                    " for no limit" % (value, MAX_SPEED))
    if not unit and rate > 0 and int(round(rate)) == 0:
        raise HarborValidationError("bandwidth: %r Kbps rounds to 0, which Harbor reads as unlimited; give at least 1"
                                    " (1 Kbps = 1024 bit/s = 128 B/s), a rate with a unit (e.g. 64B/s), or unlimited" % (value,))
    return int(round(rate)) if not unit else max(int(round(rate)), 1)


def human_rate(speed):
    """Harbor's ``speed`` for a diff: ``81920`` -> ``10 MiB/s``, ``0`` -> ``unlimited``."""
    if not speed or speed <= 0:
        return "unlimited"
    return human_bytes(speed * HARBOR_RATE_BYTES) + "/s"


def parse_flattening(value):
    """``none``/0, 1, 2, 3 (any level count up to Harbor's int8, 127), ``all`` -> the option's string form."""
    text = str(value).strip().lower()
    if text in FLATTENING_NAMES:
        return text
    if is_ascii_int(text) and int(text) <= MAX_FLATTENING:
        return "none" if int(text) == 0 else str(int(text))
    raise HarborValidationError("flattening: expected none (0), 1, 2, 3... (the number of leading path levels to remove, at"
                                " most %d: Harbor stores an int8) or all; got %r" % (MAX_FLATTENING, value))


def flattening_count(name):
    return FLATTENING_NAMES[name] if name in FLATTENING_NAMES else int(name)


def flattening_name(count):
    if count is None or count < 0:
        return "all"
    return "none" if count == 0 else str(count)


def normalize_cron(value):
    fields = str(value).split()
    check_length(" ".join(fields), "cron", max_chars=TRIGGER_JSON_MAX_CHARS - go_json_length(_trigger("")))
    if len(fields) != 6:
        raise HarborValidationError("cron: Harbor needs 6 fields (seconds minutes hours day-of-month month day-of-week),"
                                    " got %d in %r, for example '0 0 2 * * *' for 02:00 every day" % (len(fields), value))
    if fields[0] != "0":
        raise HarborValidationError("cron: the first field (seconds) must be 0 in %r" % value)
    if fields[1] == "*":
        raise HarborValidationError("cron: the minutes field must not be * (Harbor refuses a replication every minute) in %r" % value)
    for field, spec in zip(fields, _CRON_FIELDS):
        problem = cron_field_problem(field, *spec)
        if problem:
            raise HarborValidationError("cron: the %s field %r of %r %s" % (spec[0], field, value, problem))
    return " ".join(fields)


def cron_field_problem(field, name, low, high, names):
    """Why Harbor's cron parser refuses this field (a list of ``*``, ``?``, values or ranges, each with an optional
    ``/step``), or None."""
    allowed = "takes * or ?, values %d-%d%s, ranges a-b and steps /n, separated by commas" % (
        low, high, " or %s-%s" % (names[0], names[-1]) if names else "")

    def number(text):
        if names and text.upper() in names:
            return names.index(text.upper()) + low
        return int(text) if is_ascii_int(text) else None

    for part in field.split(","):
        span, slash, step = part.partition("/")
        if slash and (not is_ascii_int(step) or int(step) == 0):
            return "has a bad step %r: %s" % (step, allowed)
        if span in ("*", "?"):
            continue
        first, dash, last = span.partition("-")
        start, end = number(first), number(last) if dash else number(first)
        if start is None or end is None:
            return "is not a cron expression: it %s" % allowed
        if not low <= start <= end <= high:
            return "is out of range: it %s" % allowed
    return None


def normalize_filters(filters):
    """The ``filters`` option without unset keys, decorations defaulted, labels as a sorted list."""
    result = {}
    for key in ("name", "tag"):
        pattern = filter_pattern(filters.get(key), key)
        if pattern:
            result[key] = pattern
    if filters.get("resource") not in (None, ""):
        result["resource"] = str(filters["resource"])
    if "tag" in result:
        result["tag_decoration"] = filters.get("tag_decoration") or "matches"
    labels = filters.get("labels")
    if labels is not None:
        if not isinstance(labels, (list, tuple)) or not all(isinstance(x, str) and x for x in labels):
            raise HarborValidationError("filters.labels: must be a list of label names, for example [release, approved];"
                                        " got %r" % (labels,))
        if labels:
            result["labels"] = sorted(set(labels))
            result["label_decoration"] = filters.get("label_decoration") or "matches"
    return result


def filter_pattern(value, key):
    """A name or tag pattern: a string as it is, a list as Harbor's doublestar alternative ``{a,b}``; None when unset."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, (list, tuple)):
        if not all(isinstance(x, str) and x.strip() for x in value):
            raise HarborValidationError("filters.%s: a list must hold non-empty patterns (strings), for example [\"v1*\", \"v2*\"];"
                                        " got %r" % (key, value))
        patterns = list(dict.fromkeys(x.strip() for x in value))
        if any("," in x or "{" in x or "}" in x for x in patterns):
            raise HarborValidationError("filters.%s: a pattern in a list cannot hold ',', '{' or '}' (the list is sent as Harbor's"
                                        " {a,b} pattern); give one string pattern instead, got %r" % (key, value))
        return patterns[0] if len(patterns) == 1 else "{%s}" % ",".join(patterns)
    if isinstance(value, (dict, bool)):
        raise HarborValidationError("filters.%s: expected a pattern (string) or a list of patterns, got %r" % (key, value))
    return str(value)


def _trigger(cron):
    """The trigger of a scheduled rule as Harbor stores it (its ``trigger`` column holds this as JSON)."""
    return dict(type="scheduled", trigger_settings=dict(cron=cron))


def check_stored_lengths(options):
    """What Harbor stores in columns of a fixed length: the filters as JSON (1024 characters), dest_namespace (256
    characters); longer values fail in Harbor's database with an opaque 500 (goharbor/harbor v2.15.2:
    make/migrations/postgresql/0001_initial_schema.up.sql ``filters varchar(1024)``, 0004_1.8.0_schema.up.sql
    ``dest_namespace varchar(256)``)."""
    if options.get("filters"):
        length = go_json_length(filters_to_api(options["filters"]))
        if length > FILTERS_JSON_MAX_CHARS:
            raise HarborValidationError("filters: Harbor stores a rule's filters as JSON in at most %d characters; these take %d"
                                        " (shorten the patterns or labels)" % (FILTERS_JSON_MAX_CHARS, length))
    if options.get("dest_namespace"):
        check_length(options["dest_namespace"], "dest_namespace", max_chars=DEST_NAMESPACE_MAX_CHARS)


def filters_to_options(raw_filters):
    """Harbor's filter list -> the ``filters`` option (order does not matter)."""
    options = {}
    for item in raw_filters or []:
        kind, value, decoration = item.get("type"), item.get("value"), item.get("decoration") or "matches"
        if kind in ("name", "resource") and value:
            options[kind] = value
        elif kind == "tag" and value:
            options.update(tag=value, tag_decoration=decoration)
        elif kind == "label" and value:
            options.update(labels=sorted(set(value)), label_decoration=decoration)
    return options


def filters_to_api(filters):
    api = []
    for kind in ("name", "resource"):
        if filters.get(kind):
            api.append(dict(type=kind, value=filters[kind]))
    if filters.get("tag"):
        api.append(dict(type="tag", value=filters["tag"], decoration=filters.get("tag_decoration") or "matches"))
    if filters.get("labels"):
        api.append(dict(type="label", value=list(filters["labels"]), decoration=filters.get("label_decoration") or "matches"))
    return api


def check_rule(options, name):
    """Combination rules on the (possibly partial) rule options; raise HarborValidationError naming the option."""
    trigger, mode = options.get("trigger"), options.get("mode")
    if trigger == "event_based" and mode == "pull":
        raise HarborValidationError("trigger: event_based works only for mode=push (Harbor replicates local pushes and"
                                    " deletions); a pull rule takes manual or scheduled")
    if trigger == "event_based" and options.get("single_active_replication"):
        raise HarborValidationError("single_active_replication: cannot be true with trigger=event_based (Harbor refuses it)")
    if trigger == "scheduled" and not options.get("cron"):
        raise HarborValidationError("cron: required with trigger=scheduled, for example '0 0 2 * * *'")
    if options.get("cron") and trigger not in (None, "scheduled"):
        raise HarborValidationError("cron: only used with trigger=scheduled (replication rule %s has trigger=%s)" % (name, trigger))
    _check_flattening_depth(options)


def check_namespace(namespace):
    """A destination path Harbor accepts (src/lib/patterns.go RepositoryNameRe, goharbor/harbor v2.15.2); '' is none."""
    if namespace and not _NAMESPACE.match(namespace):
        raise HarborValidationError("dest_namespace: %r is not a repository path (lower-case letters, digits, '.', '_', '-',"
                                    " levels separated by '/')" % namespace)
    return namespace


def _check_flattening_depth(options):
    """A name filter without ``**`` fixes how many levels a repository has; flattening cannot remove more."""
    flattening, pattern = options.get("flattening"), (options.get("filters") or {}).get("name")
    if not options.get("dest_namespace") or not pattern or "**" in pattern or flattening in (None, "none", "all"):
        return
    levels = len(pattern.strip("/").split("/")) - 1
    if int(flattening) > levels:
        raise HarborValidationError("flattening: %s levels is deeper than the repositories matched by filters.name %r, which have"
                                    " %d level(s) before the image name; use at most %d, none or all"
                                    % (flattening, pattern, levels, levels))


# -- the rule resource ----------------------------------------------------------------------------------------------
class ReplicationRule(Resource):
    kind = "replication rule"
    result_key = "rule"
    options = RULE_OPTIONS
    control_options = ("stop_running", "stop_timeout")
    normalizers = dict(filters=normalize_filters, flattening=parse_flattening, cron="_cron", bandwidth=parse_bandwidth)

    def __init__(self, module):
        super(ReplicationRule, self).__init__(module)
        # per-call caches, never about one item
        self.endpoints = Endpoints.of(module)
        self._projects = {}

    @staticmethod
    def _cron(value):
        # an empty cron is no cron (a null one renders as "" in ansible-core < 2.19, e.g. fed back from the _info module)
        return OMIT if value == "" else normalize_cron(value)

    def check_key(self, name):
        check_rule_name(name)

    def validate_delete(self, item):
        if (item.get("stop_timeout") or 0) < 0:
            raise HarborValidationError("stop_timeout: must be 0 or more seconds, got %s" % item["stop_timeout"])

    def validate(self, item, options):
        check_rule(options, item["name"])
        check_stored_lengths(options)
        if options.get("registry") is not None:
            check_endpoint_name(options["registry"], "registry")
        check_namespace(options.get("dest_namespace"))
        for option, (version, needs) in VERSION_GATES.items():
            if option in options and needs(options[option]) and not self.client.version_at_least(version):
                raise HarborValidationError("%s: needs Harbor %s or later; this Harbor is %s"
                                            % (option, version, self.client.systeminfo().get("harbor_version")))

    def read(self, names, wanted):
        return self.client.list_named(POLICIES, names)

    def desired(self, item, options, raw):
        if raw is None:
            missing = [k for k in ("mode", "registry") if k not in options]
            if missing:
                raise HarborValidationError("%s: required to create replication rule %s" % (" and ".join(missing), item["name"]))
            defaults = dict(CREATE_DEFAULTS, name=item["name"])
            if not self.client.version_at_least("2.3.0"):
                defaults["flattening"] = "all"          # the only flattening before dest_namespace_replace_count
            merged = dict(defaults, **options)
        else:
            current = self.to_options(raw)
            merged = dict(current, **options)
        if merged.get("trigger") != "scheduled" and "cron" not in options:
            merged["cron"] = None
        check_rule(merged, item["name"])
        if options.get("trigger", "scheduled") != "scheduled":
            options["cron"] = None
        # An unchanged rule costs no lookup: its endpoint exists (Harbor keeps an endpoint a rule uses) and its
        # destination was checked when it was set (a project never turns into a proxy cache).
        moved = raw is None or any(merged.get(k) != current.get(k) for k in ("mode", "registry", "dest_namespace", "filters"))
        if "registry" in options and (raw is None or options["registry"] != current["registry"]):
            self._check_registry(options["registry"])
        if merged.get("mode") == "pull" and moved:
            self._check_destination(item["name"], merged)
        # a new rule: every option, so that check mode and diff predict the rule that create() makes
        return Plan(merged if raw is None else options)

    def _check_registry(self, name):
        """The endpoint must exist; in check mode a missing one is predicted (an earlier task of the run creates it)."""
        if self.module.check_mode and self.endpoints.find(name) is None:
            self.module.warn("registry: no registry endpoint named %r exists yet; check mode goes on as if an earlier task"
                             " created it, but a real run fails unless it exists by then" % name)
            return
        self.endpoints.by_name(name, "registry")

    def _check_destination(self, name, options):
        """A pull rule writes into a local project: Harbor refuses every push into a proxy-cache project (docs/harbor-api.md
        section 3), so every task of such a rule would fail. Refuse it before any write."""
        namespace = (options.get("dest_namespace") or "").strip("/")
        if namespace:
            project, why = namespace.split("/", 1)[0], "dest_namespace %r" % namespace
        else:
            pattern = ((options.get("filters") or {}).get("name") or "").strip("/")
            project = pattern.split("/", 1)[0] if "/" in pattern else ""
            why = "filters.name %r (no dest_namespace: the source path is kept)" % pattern
            if not project or any(c in project for c in "*?[]{},"):
                return
        if project not in self._projects:      # read once per call, however many rules pull into it
            self._projects[project] = self.client.get_or_none("/projects/%s" % quote(project), headers=HarborClient.BY_NAME)
        found = self._projects[project]
        if not found or not found.get("registry_id"):
            return
        option = "dest_namespace" if namespace else "filters.name"
        raise HarborValidationError(
            "%s: replication rule %s would pull into project %s (from %s), which is a proxy-cache project on this Harbor; Harbor"
            " refuses every push into a proxy-cache project, so every task would fail. Pull into a normal project instead: set"
            " dest_namespace to another project (for example %s-mirror, created with registryops.harbor.harbor_project without"
            " proxy_cache_registry). Nothing was changed." % (option, name, project, why, project))

    def to_options(self, raw):
        src = raw.get("src_registry") or {}
        dest = raw.get("dest_registry") or {}
        remote = src if src.get("id") else dest
        trigger = raw.get("trigger") or {}
        trigger_type = trigger.get("type") or "manual"
        cron = (trigger.get("trigger_settings") or {}).get("cron") or None
        return dict(
            name=raw.get("name"),
            description=raw.get("description") or "",
            enabled=bool(raw.get("enabled")),
            mode="pull" if src.get("id") else "push",
            registry=remote.get("name") or (self.endpoints.name_of(remote["id"]) if remote.get("id") else None),
            filters=filters_to_options(raw.get("filters")),
            dest_namespace=raw.get("dest_namespace") or "",
            flattening=flattening_name(raw.get("dest_namespace_replace_count")),
            trigger=trigger_type,
            cron=" ".join(cron.split()) if cron and trigger_type == "scheduled" else None,
            bandwidth=max(raw.get("speed") or 0, 0),
            override=bool(raw.get("override")),
            replicate_deletion=bool(raw.get("replicate_deletion") or raw.get("deletion")),
            copy_by_chunk=bool(raw.get("copy_by_chunk")),
            single_active_replication=bool(raw.get("single_active_replication")),
        )

    def create(self, item, plan):
        self.client.post(POLICIES, self._body(item["name"], plan.options, self.endpoints.by_name(plan.options["registry"], "registry")["id"]))

    def update(self, item, plan, raw, changed):
        desired = plan.options
        options = dict(self.to_options(raw), **desired)
        if options["trigger"] != "scheduled":
            options["cron"] = None
        if "registry" in desired:
            remote_id = self.endpoints.by_name(desired["registry"], "registry")["id"]
        else:
            remote_id = (raw.get("src_registry") or {}).get("id") or (raw.get("dest_registry") or {}).get("id")
        self.client.put("%s/%s" % (POLICIES, raw["id"]), self._body(item["name"], options, remote_id))

    @staticmethod
    def _body(name, options, remote_id):
        """The complete policy: Harbor's PUT resets every field that is left out."""
        body = dict(
            name=name,
            description=options["description"],
            enabled=options["enabled"],
            filters=filters_to_api(options["filters"]),
            dest_namespace=options["dest_namespace"],
            dest_namespace_replace_count=flattening_count(options["flattening"]),
            trigger=dict(type=options["trigger"], trigger_settings=dict(cron=options.get("cron") or "")),
            speed=options["bandwidth"],
            override=options["override"],
            deletion=options["replicate_deletion"],
            replicate_deletion=options["replicate_deletion"],
            copy_by_chunk=options["copy_by_chunk"],
            single_active_replication=options["single_active_replication"],
        )
        body["dest_registry" if options["mode"] == "push" else "src_registry"] = dict(id=remote_id)
        return body

    def delete(self, item, plan, raw):
        stop_timeout = 300 if item.get("stop_timeout") is None else item["stop_timeout"]
        if item.get("stop_running"):
            # imported here: only a delete with stop_running needs the executions' code (a smaller module start)
            from ansible_collections.registryops.harbor.plugins.module_utils.replication_execution import Executions
            Executions(self.module, wait_timeout=stop_timeout).stop_all(raw)
        try:
            self.client.delete("%s/%s" % (POLICIES, raw["id"]))
        except HarborError as exc:
            if exc.status != 412:
                raise
            if item.get("stop_running"):
                raise HarborRefused("replication rule %s still has an execution that is not finished after its running"
                                    " executions were asked to stop and waited for up to %s seconds (stop_timeout); Harbor"
                                    " does not delete a rule before they end. (%s)" % (item["name"], stop_timeout, exc.message), cause=exc)
            raise HarborRefused("replication rule %s has an execution in progress, and Harbor does not delete a rule"
                                " while it runs. Stop it first (registryops.harbor.harbor_replication_execution with"
                                " state=stopped) or set stop_running=true. (%s)" % (item["name"], exc.message), cause=exc)

    def humanize(self, options):
        if "bandwidth" in options and isinstance(options["bandwidth"], int):
            options["bandwidth"] = human_rate(options["bandwidth"])
        return options

    def public(self, raw):
        rule = dict(raw)
        for side in ("src_registry", "dest_registry"):
            registry = raw.get(side) or {}
            rule[side] = dict((k, registry.get(k)) for k in ("id", "name", "type", "url"))
        return rule


def rule_info(module):
    """harbor_replication_rule_info: rules in the option shape of harbor_replication_rule (registry by name)."""
    resource = ReplicationRule(module)
    raws = module.client.find_all(POLICIES, module.params["name"])
    rules = sorted((resource.to_options(raw) for raw in raws), key=lambda r: r["name"])
    return dict(changed=False, rules=module.select(rules))
