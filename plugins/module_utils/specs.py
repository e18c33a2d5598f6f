# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Argument-spec groups that several modules share. FOR INTERNAL COLLECTION USE ONLY.

Each group is documented once: CONNECTION_SPEC (module.py) by plugins/doc_fragments/connection.py, QUERY_SPEC by
plugins/doc_fragments/query.py. RESOURCE_SPEC (``name``/``state`` of harbor_registry, harbor_project and
harbor_replication_rule) is documented in each module, because what ``state=absent`` may be refused for differs
per object kind and each module's list option (``registries``...) repeats that text by a YAML anchor.
ansible-test's validate-modules checks every module's documentation against its spec.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# A resource module: the object's name (its key) and whether it should exist.
RESOURCE_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)

# An _info module's JMESPath filter of its result (module.HarborModule.select applies it).
QUERY_SPEC = dict(query=dict(type="str"))

# An _info module that returns one object by name, or all of them.
INFO_SPEC = dict(name=dict(type="str"), **QUERY_SPEC)

# The replication rule that an execution module acts on.
RULE_NAME_SPEC = dict(rule=dict(type="str", required=True, aliases=["name"]))

# How a tag or label filter is applied (replication rule filters, repository selection).
DECORATIONS = ["matches", "excludes"]
