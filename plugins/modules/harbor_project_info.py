#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_project_info
short_description: List Harbor projects with their quota, proxy-cache endpoint and settings
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - Returns one project by name, or all projects the user can see, in the option shape of
    M(registryops.harbor.harbor_project) (proxy-cache endpoint by name, quota in bytes, settings as booleans) plus
    Harbor's id, the repository count and the storage quota's limit and usage.
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes.info
  - registryops.harbor.query
options:
  name:
    description: Name of one project. Without it, all projects are returned.
    type: str
seealso:
  - module: registryops.harbor.harbor_project
'''

EXAMPLES = r'''
- name: Read the NGC proxy-cache project
  registryops.harbor.harbor_project_info:
    name: nvidiaio
  register: nvidiaio

- name: Proxy-cache projects and their upstream endpoints
  registryops.harbor.harbor_project_info:
    query: "[?proxy_cache_registry].{project: name, endpoint: proxy_cache_registry}"
  register: caches

- name: Projects that use more than 90% of their quota
  registryops.harbor.harbor_project_info:
    query: "[?quota.hard > `0` && quota.used * `10` > quota.hard * `9`].name"
  register: nearly_full
'''

RETURN = r'''
projects:
  description: The projects, sorted by name; or the result of O(query).
  returned: always
  type: list
  elements: dict
  sample:
    - name: nvidiaio
      project_id: 4
      public: true
      proxy_cache_registry: NVIDIA
      storage_quota: -1
      quota: {hard: -1, used: 1073741824}
      repo_count: 3
      owner_name: admin
      auto_scan: false
      prevent_vulnerable_images: false
      severity: null
      content_trust: false
      auto_sbom_generation: false
      reuse_system_cve_allowlist: false
      proxy_speed_kb: -1
      max_upstream_connections: -1
      proxy_cache_local_on_not_found: false
      cve_allowlist: {cves: [], expires_at: null}
      creation_time: "2026-01-05T10:00:00.000Z"
      update_time: "2026-01-05T10:00:00.000Z"
  contains:
    name:
      description: Name of the project.
      type: str
    project_id:
      description: Harbor's id of the project.
      type: int
    public:
      description: Whether anyone may pull.
      type: bool
    proxy_cache_registry:
      description: Name of the upstream endpoint of a proxy-cache project; V(null) for a normal project.
      type: str
    storage_quota:
      description: Storage limit in bytes (V(-1) unlimited); V(null) when the quota cannot be read.
      type: int
    quota:
      description: The storage quota, C(hard) (limit) and C(used), in bytes; V(null) when it cannot be read.
      type: dict
    repo_count:
      description: Number of repositories.
      type: int
    owner_name:
      description: User who owns the project.
      type: str
    auto_scan:
      description: Scan on push.
      type: bool
    prevent_vulnerable_images:
      description: Block pulls of vulnerable images.
      type: bool
    severity:
      description: Lowest blocked severity, or V(null) when not set.
      type: str
    content_trust:
      description: Only signed images may be pulled.
      type: bool
    auto_sbom_generation:
      description: SBOM generation on push.
      type: bool
    reuse_system_cve_allowlist:
      description: Whether the system CVE allowlist is used.
      type: bool
    proxy_speed_kb:
      description: Upstream bandwidth limit in Kbps; V(-1) is none.
      type: int
    max_upstream_connections:
      description: Upstream connection limit; V(-1) is none.
      type: int
    proxy_cache_local_on_not_found:
      description: Serve from the cache when the upstream has no such image.
      type: bool
    cve_allowlist:
      description: C(cves) (sorted ids) and C(expires_at) (epoch seconds or V(null)).
      type: dict
    creation_time:
      description: When the project was created.
      type: str
    update_time:
      description: When the project was last changed.
      type: str
'''

from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule
from ansible_collections.registryops.harbor.plugins.module_utils.specs import INFO_SPEC
from ansible_collections.registryops.harbor.plugins.module_utils.project import project_info


def main():
    module = HarborModule(argument_spec=dict(INFO_SPEC))
    module.run(lambda: project_info(module))


if __name__ == "__main__":
    main()
