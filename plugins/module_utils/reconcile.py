# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Desired vs current for any Harbor object kind, in one call. FOR INTERNAL COLLECTION USE ONLY.

A ``Resource`` says how one kind of Harbor object maps to module options and how to read and write it;
``reconcile()`` does the rest for a list of desired items: validation before any request, one read of every
object, comparison on the options the user set, check mode (no write, predicted ``after``), and ``diff``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible_collections.registryops.harbor.plugins.module_utils.client import HarborError
from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborValidationError


class Resource(object):
    """One Harbor object kind. Subclasses set ``kind``/``result_key`` and implement the hooks they need."""

    kind = "object"                 # for messages: "registry endpoint"
    result_key = "object"           # the key of the Harbor object in a module's result: "registry"
    key = "name"                    # the option that names an object
    options = ()                    # the options that describe the object (compared, shown in before/after)
    secret_options = ()             # options never shown in before/after/diff

    def __init__(self, module):
        self.module = module

    @property
    def client(self):
        return self.module.client

    # -- hooks ------------------------------------------------------------------------------------------------------
    def validate(self, item):
        """Raise HarborValidationError for bad input; called for every item before any request."""

    def desired(self, item):
        """The user's options that describe the object (set ones only), normalised to the shape of ``to_options``."""
        return dict((k, item[k]) for k in self.options if item.get(k) is not None)

    def read(self, names):
        """``{name: raw}`` for the names asked, reading each object once."""
        raise NotImplementedError

    def to_options(self, raw):
        """The Harbor object in the module's option shape (never a secret)."""
        raise NotImplementedError

    def differs(self, desired, current):
        """Names of the desired options whose value differs from the current object's."""
        return sorted(k for k, v in desired.items() if k not in self.secret_options and current.get(k) != v)

    def must_write(self, item, desired, raw):
        """A reason to write although no compared option differs (e.g. ``update_password: always``)."""
        return False

    def create(self, item, desired):
        """Create the object; return the new raw object (or None to have it read)."""
        raise NotImplementedError

    def update(self, item, desired, raw, changed):
        """Change the object; return the new raw object (or None to have it read)."""
        raise NotImplementedError

    def delete(self, item, raw):
        raise NotImplementedError

    def extra(self, item, result):
        """Add the resource's own keys to one object's result (``secret_sent``, ``recreated``...)."""

    def humanize(self, options):
        """``options`` as shown in a diff: sizes and rates in human units (the result's before/after keep numbers)."""
        return options

    def public(self, raw):
        """The raw object as returned to the user (already redacted by Harbor; override to strip more)."""
        return raw

    def refresh(self, name):
        return self.read([name]).get(name)


def reconcile(resource, items, label=None):
    """Bring every item (a dict of module options with ``state``) to its desired state; one result per item.

    Every item is validated and its desired state worked out (``desired``, which may read) before the first write.
    ``label`` is the list option of a module called with several objects (``registries``): errors then name the element
    (``registries[3].url: ...``) and a failure after a write carries the results of the objects done before it
    (``partial``: what ``HarborModule.run`` reports)."""
    module = resource.module
    for index, item in enumerate(items):
        with _element(label, index, item):
            resource.validate(item)
    seen = {}
    for index, item in enumerate(items):
        name = item[resource.key]
        if name in seen:
            with _element(label, index, item):
                raise HarborValidationError("%s: %r is also element %d of %s; each %s may appear once"
                                            % (resource.key, name, seen[name], label, resource.kind))
        seen[name] = index
    names = [item[resource.key] for item in items]
    found = resource.read(names) if names else {}
    plans = []
    for index, item in enumerate(items):
        with _element(label, index, item):
            present = (item.get("state") or "present") != "absent"
            plans.append(resource.desired(item) if present else None)
    results = []
    for index, (item, desired) in enumerate(zip(items, plans)):
        try:
            with _element(label, index, item):
                result = _reconcile_one(resource, module, item, found.get(item[resource.key]), desired)
                resource.extra(item, result)
        except (HarborError, HarborValidationError) as exc:
            if label is not None:
                exc.partial = dict(results=results, pending=[i[resource.key] for i in items[index + 1:]])
            raise
        results.append(result)
    return results


class _element(object):
    """Prefix an error raised for element ``index`` of list option ``label`` with where it is (no-op without ``label``)."""

    def __init__(self, label, index, item):
        self.label, self.index, self.item = label, index, item

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if self.label is None or exc is None or not isinstance(exc, (HarborError, HarborValidationError)):
            return False
        if getattr(exc, "element", None) is None:
            exc.element = "%s[%d]" % (self.label, self.index)
            exc.element_name = self.item.get("name")
        return False


def _reconcile_one(resource, module, item, raw, desired):
    name = item[resource.key]
    state = item.get("state") or "present"
    result = dict(changed=False, name=name, state=state)
    before = resource.to_options(raw) if raw is not None else None

    if state == "absent":
        after = None
        if raw is not None:
            result["changed"] = True
            if not module.check_mode:
                try:
                    resource.delete(item, raw)
                except HarborError as exc:
                    if exc.status != 404:
                        raise
                    # gone already: another run deleted it, or this run's first attempt did and its answer was lost
                    result["changed"] = exc.attempts > 1
        result[resource.result_key] = None if raw is None or result["changed"] else resource.public(raw)
    else:
        if raw is None:
            result["changed"] = True
            after = _predict(resource, {}, desired)
            if not module.check_mode:
                try:
                    raw = resource.create(item, desired) or resource.refresh(name)
                    after = resource.to_options(raw)
                except HarborError as exc:
                    raw = resource.refresh(name) if exc.status == 409 else None
                    if raw is None:
                        raise
                    # another run created it between the read and the create: reconcile with what it made
                    before = resource.to_options(raw)
                    changed = resource.differs(desired, before)
                    result["changed"] = bool(changed)
                    after = before
                    if changed:
                        raw = resource.update(item, desired, raw, changed) or resource.refresh(name)
                        after = resource.to_options(raw)
        else:
            changed = resource.differs(desired, before)
            result["changed"] = bool(changed) or bool(resource.must_write(item, desired, raw))
            after = _predict(resource, before, desired)
            if result["changed"] and not module.check_mode:
                raw = resource.update(item, desired, raw, changed) or resource.refresh(name)
                after = resource.to_options(raw)
        result[resource.result_key] = resource.public(raw) if raw is not None else None

    result["before"] = _visible(resource, before)
    result["after"] = _visible(resource, after)
    if module._diff:
        result["diff"] = dict(before=resource.humanize(copy.deepcopy(result["before"] or {})),
                              after=resource.humanize(copy.deepcopy(result["after"] or {})))
    return result


def _predict(resource, current, desired):
    after = copy.deepcopy(current)
    after.update(copy.deepcopy(desired))
    return after


def _visible(resource, options):
    if options is None:
        return None
    return dict((k, v) for k, v in options.items() if k not in resource.secret_options)


SI_UNITS = ("kB", "MB", "GB", "TB", "PB")
IEC_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB")


def human_bytes(size):
    """``10737418240`` -> ``10 GiB``, ``500000000`` -> ``500 MB``: the largest exact SI unit, else IEC unit, else about
    (``~1.2 GB``); below 1000 in bytes."""
    for base, units in ((1000, SI_UNITS), (1024, IEC_UNITS)):
        for power in range(len(units), 0, -1):
            if size >= base ** power and size % (base ** power) == 0:
                return "%d %s" % (size // base ** power, units[power - 1])
    for power in range(len(SI_UNITS), 0, -1):
        if size >= 1000 ** power:
            return "~%.1f %s" % (float(size) / 1000 ** power, SI_UNITS[power - 1])
    return "%d B" % size


def single(resource, params):
    """The result of a module that manages one object: ``reconcile`` for ``[params]``."""
    return reconcile(resource, [dict(params)])[0]


def run(resource, list_option):
    """The result of a resource module: one object (its options at the top level), or the list ``list_option`` of
    objects in one call (``results`` in the order given, ``changed`` when any changed)."""
    items = resource.module.params.get(list_option)
    if items is None:
        return single(resource, resource.module.params)
    results = reconcile(resource, [dict(item) for item in items], label=list_option)
    return dict(changed=any(r["changed"] for r in results), results=results)


__all__ = ["Resource", "reconcile", "single", "run", "human_bytes", "HarborValidationError"]
