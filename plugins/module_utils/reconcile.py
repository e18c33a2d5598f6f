# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Desired vs current for any Harbor object kind, in one call. FOR INTERNAL COLLECTION USE ONLY.

A ``Resource`` says how one kind of Harbor object maps to module options and how to read and write it;
``reconcile()`` does the rest for a list of desired items: validation before any request, one read of every
object, comparison on the options the user set, check mode (no write, predicted ``after``), and ``diff``.

The hooks are stateless: what ``desired()`` decides for one item is a ``Plan``, which ``reconcile()`` keeps and passes
to ``must_write``/``predict``/``create``/``update``/``extra``; a resource instance holds only per-call caches (an
endpoint listing, quotas), never anything about one item. docs/developing.md has the hook table.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import re

from ansible_collections.registryops.harbor.plugins.module_utils.errors import (
    HarborError, HarborPartialError, HarborValidationError, element_message,
)

OMIT = object()     # a normaliser's answer for a value that means "not set" (e.g. an empty cron)


class Plan(object):
    """What ``reconcile`` will do for one item, decided by ``Resource.desired`` before any write.

    ``options``: the options to reach (normalised, set ones only; None for a delete); ``report``: the resource's own
    result keys, filled by the hooks that know them (``connection`` by a ping, ``secret_sent`` by a write...); any other
    keyword is the resource's own (``Plan(options, secret=..., recreate=True)`` -> ``plan.secret``, ``plan.recreate``)."""

    def __init__(self, options, **keys):
        self.options = options
        self.report = {}
        self.__dict__.update(keys)

    @property
    def deletes(self):
        return self.options is None

    def __repr__(self):
        # names only: a plan holds secrets (the access_secret to send), and a repr may end up in a message
        return "Plan(options=%s, keys=%s)" % (sorted(self.options) if self.options is not None else None, sorted(self.__dict__))


class Resource(object):
    """One Harbor object kind. Subclasses set ``kind``/``result_key``/``options`` and implement the hooks they need."""

    kind = "object"                 # for messages: "registry endpoint"
    result_key = "object"           # the key of the Harbor object in a module's result: "registry"
    key = "name"                    # the option that names an object
    options = ()                    # the options that describe the object (compared, shown in before/after)
    secret_options = ()             # options never shown in before/after/diff (the resource sends them from its Plan)
    control_options = ()            # options that steer the run, never compared (recreate, purge, update_password)
    # option -> function(value): the user's value in to_options' shape (OMIT: as if not set); a string names a method of
    # the resource (a normaliser that needs the module). Applied by normalize() to the options that are set.
    normalizers = {}

    def __init__(self, module):
        self.module = module

    @property
    def client(self):
        return self.module.client

    # -- hooks ------------------------------------------------------------------------------------------------------
    def check_key(self, name):
        """Raise HarborValidationError for a bad ``key`` (every item, also ``state: absent`` ones)."""
        if not name:
            raise HarborValidationError("%s: must not be empty" % self.key)

    def identity(self, item):
        """What tells this object from the others of its kind: its ``key`` (a name), unless the name is unique only
        within something else (a project robot's name within its project). ``read`` is keyed by it."""
        return item[self.key]

    def normalize(self, item):
        """The user's options that describe the object (set ones only), through ``normalizers``."""
        options = {}
        for option in self.options:
            value = item.get(option)
            if value is None:
                continue
            normalizer = self.normalizers.get(option)
            if normalizer is not None:
                value = (getattr(self, normalizer) if isinstance(normalizer, str) else normalizer)(value)
            if value is not OMIT:
                options[option] = value        # None from a normaliser is kept: an explicit "none" (no proxy cache)
        return options

    def validate(self, item, options):
        """Raise HarborValidationError for bad input of an item to be present (``options``: ``normalize(item)``);
        called for every item before any read of the objects."""

    def validate_delete(self, item):
        """Raise HarborValidationError for bad input of an item with ``state: absent`` (its key is checked already)."""

    def read(self, names, wanted):
        """``{name: raw}`` for the names asked, reading each object once (``wanted``: the normalised options of the
        items to be present, for a resource that reads more only when an option is set)."""
        raise NotImplementedError

    def to_options(self, raw):
        """The Harbor object in the module's option shape (never a secret)."""
        raise NotImplementedError

    def desired(self, item, options, raw):
        """The ``Plan`` of an item to be present (``raw``: its current object or None): the checks that need the
        current object, and what the write will send. Still before any write."""
        return Plan(options)

    def differs(self, options, current):
        """Names of the desired options whose value differs from the current object's."""
        return sorted(k for k, v in options.items() if k not in self.secret_options and current.get(k) != v)

    def must_write(self, item, plan, raw):
        """A reason to write although no compared option differs (e.g. ``update_password: always``)."""
        return False

    def predict(self, item, plan, before):
        """``(after, keys)``: the options the object will have (None after a delete) and, for check mode, the result
        keys a real run would report (``secret_sent``, ``removed_repositories``). No write."""
        if plan.deletes:
            return None, {}
        after = copy.deepcopy(before or {})
        after.update(copy.deepcopy(plan.options))
        return after, {}

    def create(self, item, plan):
        """Create the object; return the new raw object (or None to have it read)."""
        raise NotImplementedError

    def update(self, item, plan, raw, changed):
        """Change the object (``changed``: the option names that differ); return the new raw object (or None)."""
        raise NotImplementedError

    def delete(self, item, plan, raw):
        raise NotImplementedError

    def extra(self, item, plan, result):
        """Add the resource's own keys to one object's result; by default ``plan.report``."""
        result.update(plan.report)

    def humanize(self, options):
        """``options`` as shown in a diff: sizes and rates in human units (the result's before/after keep numbers)."""
        return options

    def public(self, raw):
        """The raw object as returned to the user (already redacted by Harbor; override to strip more)."""
        return raw

    def refresh(self, name):
        return self.read([name], ()).get(name)


def _deletes(item):
    return (item.get("state") or "present") == "absent"


def reconcile(resource, items, label=None):
    """Bring every item (a dict of module options with ``state``) to its desired state; one result per item.

    Every item is validated and planned (``desired``, which may read) before the first write. ``label`` is the list
    option of a module called with several objects (``registries``): errors then name the element
    (``registries[3].url: ...``) and a failure after a write is a ``HarborPartialError`` with the results of the objects
    done before it (what ``HarborModule.run`` reports)."""
    wanted = []
    for index, item in enumerate(items):
        with element(label, index, item.get(resource.key)):
            resource.check_key(item.get(resource.key))
            if _deletes(item):
                resource.validate_delete(item)
                wanted.append(None)
            else:
                options = resource.normalize(item)
                resource.validate(item, options)
                wanted.append(options)
    names = [resource.identity(item) for item in items]
    unique(names, resource.key, resource.kind, label, shown=[item[resource.key] for item in items])
    found = resource.read(names, [options for options in wanted if options is not None]) if names else {}
    plans = []
    for index, (item, options, name) in enumerate(zip(items, wanted, names)):
        with element(label, index, item.get(resource.key)):
            plans.append(Plan(None) if options is None else resource.desired(item, options, found.get(name)))

    def write(pair):
        item, plan = pair
        result = _reconcile_one(resource, item, found.get(resource.identity(item)), plan)
        resource.extra(item, plan, result)
        return result

    return in_order(list(zip(items, plans)), label, lambda pair: pair[0][resource.key], write)


# -- a list option's elements: where an error is, names given once, the writes in order (also the execution module's) --
class element(object):
    """Prefix an error raised for element ``index`` of list option ``label`` with where it is: ``registries[3]`` and
    the element's ``name`` (what ``errors.element_message`` shows); a no-op without ``label`` (a single object)."""

    def __init__(self, label, index, name):
        self.label, self.index, self.name = label, index, name

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if self.label is None or exc is None or not isinstance(exc, (HarborError, HarborValidationError)):
            return False
        if getattr(exc, "element", None) is None:
            exc.element = "%s[%d]" % (self.label, self.index)
            exc.element_name = self.name
        return False


def unique(names, key, kind, label, shown=None):
    """Refuse a name given twice in the list option ``label``, naming both elements (``shown``: the names as the user
    wrote them, when ``names`` are identities such as a project robot's ``<project>+<name>``)."""
    seen = {}
    for index, name in enumerate(names):
        if name in seen:
            given = shown[index] if shown else name
            with element(label, index, given):
                raise HarborValidationError("%s: %r is also element %d of %s; each %s may appear once"
                                            % (key, given, seen[name], label, kind))
        seen[name] = index


def in_order(elements, label, name_of, act, result_of=None):
    """``[act(e) for e in elements]``, in order, each error prefixed with its element. In a list call (``label``), an
    error after some elements is a ``HarborPartialError`` with the results of those done (``result_of(e, returned)``,
    by default what ``act`` returned) and the names of those not attempted: what ``HarborModule.run`` reports."""
    results = []
    for index, each in enumerate(elements):
        try:
            with element(label, index, name_of(each)):
                results.append(act(each))
        except (HarborError, HarborValidationError) as exc:
            if label is None:
                raise
            done = [result_of(e, r) for e, r in zip(elements, results)] if result_of else results
            raise partial_error(exc, done, [name_of(e) for e in elements[index + 1:]])
    return results


def partial_error(exc, results, pending):
    """The error of a list call after ``results``: which objects were done, which not attempted."""
    done = ", ".join("%s (%s)" % (r["name"], "changed" if r["changed"] else "unchanged") for r in results)
    msg = "%s Done before this error: %s. Not attempted: %s." % (element_message(exc), done or "none", ", ".join(pending) or "none")
    return HarborPartialError(msg, result=dict(results=results), cause=exc)


def _reconcile_one(resource, item, raw, plan):
    check_mode = resource.module.check_mode
    name = resource.identity(item)
    result = dict(changed=False, name=item[resource.key], state=item.get("state") or "present")
    before = resource.to_options(raw) if raw is not None else None

    if plan.deletes:
        after = None
        if raw is not None:
            result["changed"] = True
            if check_mode:
                result.update(resource.predict(item, plan, before)[1])
            else:
                try:
                    resource.delete(item, plan, raw)
                except HarborError as exc:
                    if exc.status != 404:
                        raise
                    # gone already: another run deleted it, or this run's first attempt did and its answer was lost
                    result["changed"] = exc.attempts > 1
        result[resource.result_key] = None if raw is None or result["changed"] else resource.public(raw)
    else:
        after, predicted = resource.predict(item, plan, before)
        if raw is None:
            result["changed"] = True
            if not check_mode:
                try:
                    raw = resource.create(item, plan) or resource.refresh(name)
                    after = resource.to_options(raw)
                except HarborError as exc:
                    raw = resource.refresh(name) if exc.status == 409 else None
                    if raw is None:
                        raise
                    # another run created it between the read and the create: reconcile with what it made
                    before = resource.to_options(raw)
                    changed = resource.differs(plan.options, before)
                    result["changed"] = bool(changed)
                    after = before
                    if changed:
                        raw = resource.update(item, plan, raw, changed) or resource.refresh(name)
                        after = resource.to_options(raw)
        else:
            changed = resource.differs(plan.options, before)
            result["changed"] = bool(changed) or bool(resource.must_write(item, plan, raw))
            if result["changed"] and not check_mode:
                raw = resource.update(item, plan, raw, changed) or resource.refresh(name)
                after = resource.to_options(raw)
        if check_mode and result["changed"]:
            result.update(predicted)
        result[resource.result_key] = resource.public(raw) if raw is not None else None

    result["before"] = _visible(resource, before)
    result["after"] = _visible(resource, after)
    if result["after"] is not None and result["after"] == result["before"]:
        result["after"] = result["before"]     # one dict, not two equal ones: a list call holds hundreds of results
    if resource.module._diff:
        shown = resource.humanize(copy.deepcopy(result["before"] or {}))
        result["diff"] = dict(before=shown, after=shown if result["after"] is result["before"]
                              else resource.humanize(copy.deepcopy(result["after"] or {})))
    return result


def _visible(resource, options):
    """``options`` without the secret ones (the same dict when it holds none: ``options`` is the result's own)."""
    if options is None:
        return None
    if not any(k in options for k in resource.secret_options):
        return options
    return dict((k, v) for k, v in options.items() if k not in resource.secret_options)


def single(resource, params):
    """The result of a module that manages one object: ``reconcile`` for ``[params]``."""
    return reconcile(resource, [dict(params)])[0]


def run(resource, list_option):
    """The result of a resource module: one object (its options at the top level), or the list ``list_option`` of
    objects in one call (``results`` in the order given, ``changed`` when any changed, and in diff mode ``diff``: the
    changed elements' diffs, each headed ``projects[2] name``)."""
    items = resource.module.params.get(list_option)
    if items is None:
        return single(resource, resource.module.params)
    results = reconcile(resource, [dict(item) for item in items], label=list_option)
    result = dict(changed=any(r["changed"] for r in results), results=results)
    if resource.module._diff:
        # a list of diffs, each headed by its element: what ansible-playbook --diff shows for the call
        result["diff"] = [dict(r["diff"], before_header="%s[%d] %s" % (list_option, index, r["name"]),
                               after_header="%s[%d] %s" % (list_option, index, r["name"]))
                          for index, r in enumerate(results) if r["changed"] and r.get("diff")]
    return result


__all__ = ["OMIT", "Plan", "Resource", "reconcile", "single", "run"]


# The mark a role adds at the end of the description of the Harbor objects it writes (endpoints, rules); the roles'
# prune removes only objects with its own role's mark (plugins/plugin_utils/role_plan.py), harbor_export leaves it out.
ROLE_MARK = "[managed by registryops.harbor.%s]"
_ROLE_MARKS = re.compile(r"\s*\[managed by registryops\.harbor\.[a-z_]+\]\s*$")


def unmarked(description):
    """``description`` without the roles' marks at its end (``NGC [managed by registryops.harbor.proxy_cache]`` -> ``NGC``)."""
    text = description or ""
    while _ROLE_MARKS.search(text):
        text = _ROLE_MARKS.sub("", text)
    return text


def version_gate(client, since, what):
    if not client.version_at_least(since):
        raise HarborValidationError("%s needs Harbor %s or later; this Harbor is %s"
                                    % (what, since, client.systeminfo().get("harbor_version")))


def to_yaml(options):
    """``options`` as block YAML a user can paste into a task (keys sorted); only a failure's message needs it."""
    import yaml                         # PyYAML comes with ansible-core; imported only on this failure path
    return yaml.safe_dump(options, default_flow_style=False, sort_keys=True, allow_unicode=True).rstrip("\n")
