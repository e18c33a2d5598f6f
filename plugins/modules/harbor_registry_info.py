#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_registry_info
short_description: List Harbor registry endpoints with their health status
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - Returns one registry endpoint by name, or all of them, in the option shape of M(registryops.harbor.harbor_registry)
    plus Harbor's id and last health check status.
  - Secrets are never returned; RV(registries[].has_secret) only says whether one is stored.
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes.info
  - registryops.harbor.query
options:
  name:
    description: Name of one endpoint. Without it, all endpoints are returned.
    type: str
seealso:
  - module: registryops.harbor.harbor_registry
'''

EXAMPLES = r'''
- name: Read the NGC endpoint
  registryops.harbor.harbor_registry_info:
    name: NVIDIA
  register: ngc

- name: Fail when an endpoint Harbor depends on is unhealthy
  registryops.harbor.harbor_registry_info:
    query: "[?status!='healthy'].name"
  register: unhealthy
  failed_when: unhealthy.registries | length > 0

- name: Endpoints of the air-gap set-up, by provider
  registryops.harbor.harbor_registry_info:
    query: "[?provider=='harbor' || provider=='docker-registry'].{name: name, url: url}"
  register: airgap
'''

RETURN = r'''
registries:
  description: The endpoints, sorted by name; or the result of O(query).
  returned: always
  type: list
  elements: dict
  sample:
    - name: NVIDIA
      provider: docker-registry
      url: https://nvcr.io
      description: NVIDIA Global Catalog Endpoint
      access_key: $oauthtoken
      credential_type: basic
      verify_remote_cert: true
      ca_certificate: ""
      id: 3
      status: healthy
      has_secret: true
      creation_time: "2026-01-05T10:00:00.000Z"
      update_time: "2026-01-05T10:00:00.000Z"
  contains:
    name:
      description: Name of the endpoint.
      type: str
    provider:
      description: Harbor's registry type.
      type: str
    url:
      description: URL in Harbor's stored form.
      type: str
    description:
      description: Description.
      type: str
    access_key:
      description: The Access ID (V("") without a credential).
      type: str
    credential_type:
      description: V(basic) or V(oauth); V(null) without a credential.
      type: str
    verify_remote_cert:
      description: Whether Harbor verifies the remote's certificate.
      type: bool
    ca_certificate:
      description: CA certificate (PEM) or V("").
      type: str
    id:
      description: Harbor's id of the endpoint.
      type: int
    status:
      description: Harbor's last health check of the remote, V(healthy) or V(unhealthy) (refreshed by Harbor every 5 minutes).
      type: str
    has_secret:
      description: Whether a secret is stored (it is never returned).
      type: bool
    creation_time:
      description: When the endpoint was created.
      type: str
    update_time:
      description: When the endpoint was last changed.
      type: str
'''

from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule
from ansible_collections.registryops.harbor.plugins.module_utils.specs import INFO_SPEC
from ansible_collections.registryops.harbor.plugins.module_utils.registry import registry_info


def main():
    module = HarborModule(argument_spec=dict(INFO_SPEC))
    module.run(lambda: registry_info(module))


if __name__ == "__main__":
    main()
