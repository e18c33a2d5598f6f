# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's one unit rule for sizes and rates, read and written here only. FOR INTERNAL COLLECTION USE ONLY.

k, M, G, T, P are powers of 1000 and Ki, Mi, Gi, Ti, Pi powers of 1024, in any case; B is a byte, bit (or bps) a bit.
``storage_quota`` (project.py: ``parse_size``) and ``bandwidth`` (replication_rule.py: ``parse_bandwidth``) read their
values with ``quantity``, each with its own units and messages; diffs show both with ``human_bytes``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

# ASCII digits only (Harbor's parsers read no others; \d would also take "١"), to the end of the text (not before a final newline)
_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)[ \t]*([kmgtp]?)(i?)([a-z/]*)\Z", re.I)
_POWERS = dict(zip("kmgtp", range(1, 6)))
SI_UNITS = ("kB", "MB", "GB", "TB", "PB")
IEC_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB")


def quantity(text):
    """``'10 MiB/s'`` -> ``(10485760.0, 'b/s', True)``: the number times its prefix, the unit after the prefix (lower
    case, '' when none) and whether there was a prefix; None when ``text`` is not a number followed by an optional
    prefix and unit letters. ``ValueError`` for an ``i`` without a prefix (``1iB``)."""
    match = _QUANTITY.match(str(text).strip())
    if not match:
        return None
    number, prefix, binary, unit = match.groups()
    if binary and not prefix:
        raise ValueError("no unit prefix before 'i'")
    factor = (1024 if binary else 1000) ** _POWERS[prefix.lower()] if prefix else 1
    return float(number) * factor, unit.lower(), bool(prefix)


def human_bytes(size):
    """``10737418240`` -> ``10 GiB``, ``500000000`` -> ``500 MB``, ``536870912000`` -> ``500 GiB``: the exact unit (SI or
    IEC) with the smallest number, which is the family the user wrote (500GiB is also 536870912 kB, 2GB also 1953125
    KiB); an SI unit on a tie; else about (``~1.2 GB``); below 1000 in bytes."""
    exact = [(size // base ** power, rank, units[power - 1])
             for rank, (base, units) in enumerate(((1000, SI_UNITS), (1024, IEC_UNITS)))
             for power in range(1, len(units) + 1) if size >= base ** power and size % (base ** power) == 0]
    if exact:
        number, _rank, unit = min(exact)
        return "%d %s" % (number, unit)
    for power in range(len(SI_UNITS), 0, -1):
        if size >= 1000 ** power:
            return "~%.1f %s" % (float(size) / 1000 ** power, SI_UNITS[power - 1])
    return "%d B" % size
