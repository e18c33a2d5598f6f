# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: replication_registries
short_description: The replication role's endpoints, with the new secrets of the robot accounts set in this run
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - The elements of M(registryops.harbor.harbor_registry)'s O(registryops.harbor.harbor_registry#module:registries) list
    from RV(registryops.harbor.preflight#filter:_value.registries) (the plan's
    RV(registryops.harbor.replication_plan#filter:_value.registries) with the descriptions of adopted endpoints), where an
    endpoint that logs in as a robot account
    of another Harbor of the inventory whose secret was set in this run (the robot was created, or its Vault secret
    changed) sends that secret (C(update_password=always)). Every other endpoint keeps its C(update_password), so a
    re-run sends no secret.
  - The result holds the endpoints' secrets; use it in a module argument, never in a loop item or a debug.
positional: _input
options:
  _input:
    description: The plan of P(registryops.harbor.replication_plan#filter).
    type: dict
    required: true
  preflight:
    description: The result of P(registryops.harbor.preflight#filter) for this plan, whose C(registries) are written.
      Without it, the plan's own.
    type: dict
  runs:
    description:
      - The registered result of the loop of M(registryops.harbor.harbor_robot_account) calls over the C(harbor) names of
        RV(registryops.harbor.replication_plan#filter:_value.robots) (its C(results), each with the Harbor's inventory name
        as C(item) and the robots' C(results)).
    type: dict
'''

EXAMPLES = r'''
- name: Registry endpoints of the other sides
  registryops.harbor.harbor_registry:
    registries: >-
      {{ replication_plan | registryops.harbor.replication_registries(preflight=replication_preflight, runs=replication_robot_runs) }}
'''

RETURN = r'''
_value:
  description: harbor_registry's C(registries) elements.
  type: list
  elements: dict
'''


def replication_registries(plan, runs=None, preflight=None):
    """The ``registries`` of ``preflight`` (else of the plan) for harbor_registry: an endpoint whose robot account got a
    new secret in this run (the results of the robots' task, ``runs``) sends it (``update_password: always``), so that
    the endpoint logs in with it."""
    renewed = set()
    for run in (runs or {}).get("results") or []:
        harbor = run.get("item")
        for result in run.get("results") or []:
            if result.get("secret_sent"):
                renewed.add((harbor, result.get("name")))
    registries = []
    for registry in (preflight or plan).get("registries") or []:
        robot = (plan.get("endpoint_robots") or {}).get(registry.get("name"))
        if robot and (robot["harbor"], robot["name"]) in renewed:
            registry = dict(registry, update_password="always")
        registries.append(registry)
    return registries


class FilterModule(object):
    def filters(self):
        return {"replication_registries": replication_registries}
