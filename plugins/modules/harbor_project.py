#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_project
short_description: Manage Harbor projects, including proxy-cache projects
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - Creates, updates and deletes a Harbor project (access level, storage quota, security settings, CVE allowlist), and
    for a proxy-cache project its upstream endpoint and proxy settings (for example an C(nvidiaio) project that caches
    NVIDIA NGC, or an C(application-collection) project for SUSE Application Collection).
  - Only the options that are set are compared, after normalisation (sizes in bytes, booleans, severity), so a second
    run with the same options changes nothing and sends no write. Metadata that Harbor adds itself (such as the
    retention policy id of a proxy-cache project) is never compared or sent.
  - Options that the Harbor server's version does not know fail before anything is sent.
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes
options:
  name:
    description:
      - Name of the project. Harbor's rule, checked before anything is sent, is 1 to 255 characters, lower-case letters and
        digits separated by single V(.), V(_) or V(-). A project cannot be renamed.
      - Required unless O(projects) is given.
    type: str
  state: &state
    description:
      - V(present) creates or updates the project, V(absent) deletes it.
      - Harbor deletes only projects without repositories; see O(purge).
    type: str
    choices: [present, absent]
    default: present
  public: &public
    description:
      - Access level. V(true) lets anyone pull without logging in (the UI's C(Access Level Public)); a new project is
        private unless this is set.
    type: bool
  proxy_cache_registry: &proxy_cache_registry
    description:
      - Name (not id) of the registry endpoint a proxy-cache project pulls from, see M(registryops.harbor.harbor_registry).
        Setting it creates a proxy-cache project; V("") means a normal project.
      - Only set when the project is created. Harbor cannot re-point a proxy-cache project nor turn a normal project into
        one or back; the task fails unless O(recreate=true).
      - The endpoint's provider must be one that the server's Harbor version permits for proxy cache (in 2.15
        V(docker-hub), V(harbor), V(azure-acr), V(ali-acr), V(aws-ecr), V(google-gcr), V(docker-registry),
        V(github-ghcr), V(jfrog-artifactory)); another provider fails before anything is created.
      - Creating a proxy-cache project needs a Harbor system administrator (or a system robot account).
      - In check mode, an endpoint that does not exist yet (because the task that creates it ran in check mode too) gives a
        warning instead of a failure.
    type: str
  storage_quota: &storage_quota
    description:
      - Storage limit of the project. A number of bytes, or a size with a unit, V(10GiB), V(500 MB), V(1TB), V(2Ti),
        where K, M, G, T, P are powers of 1000 and Ki, Mi, Gi, Ti, Pi powers of 1024 (a trailing V(B) is optional);
        V(-1) or V(unlimited) for no limit. At most 1024 TiB. This is the collection's one unit rule, also for the
        bandwidth of registryops.harbor.harbor_replication_rule. Diffs show the size in these units (V(10 GiB)).
      - On an existing project the quota is changed through Harbor's quota API (a system administrator is needed).
    type: raw
  proxy_speed_kb: &proxy_speed_kb
    description:
      - Proxy-cache projects only. Bandwidth limit towards the upstream in Kbps; V(-1) (or any value <= 0) for no limit.
      - Needs Harbor 2.12.0 or later.
    type: int
  max_upstream_connections: &max_upstream_connections
    description:
      - Proxy-cache projects only. Maximum number of connections to the upstream; V(-1) (or any value <= 0) for no limit.
      - Needs Harbor 2.14.1 or later.
    type: int
  proxy_cache_local_on_not_found: &proxy_cache_local_on_not_found
    description:
      - Proxy-cache projects only. Serve an image from the local cache when the upstream says it does not exist.
      - Needs Harbor 2.15.1 or later.
    type: bool
  auto_scan: &auto_scan
    description: Scan images for vulnerabilities automatically when they are pushed.
    type: bool
  prevent_vulnerable_images: &prevent_vulnerable_images
    description: Refuse pulls of images with vulnerabilities of O(severity) or higher.
    type: bool
  severity: &severity
    description:
      - The lowest vulnerability severity that O(prevent_vulnerable_images) blocks. V(negligible) is Harbor's other name
        for V(none).
    type: str
    choices: [none, low, medium, high, critical, negligible]
  content_trust: &content_trust
    description:
      - Allow only signed images to be pulled. Not possible for a proxy-cache project (Harbor ignores it there; the task fails).
    type: bool
  auto_sbom_generation: &auto_sbom_generation
    description:
      - Generate an SBOM automatically when an image is pushed.
      - Needs Harbor 2.11.0 or later.
    type: bool
  reuse_system_cve_allowlist: &reuse_system_cve_allowlist
    description: Use the system CVE allowlist instead of the project's own O(cve_allowlist).
    type: bool
  cve_allowlist: &cve_allowlist
    description: The project's own CVE allowlist (applies when O(reuse_system_cve_allowlist=false)).
    type: dict
    suboptions:
      cves:
        description: CVE ids to allow, for example V(CVE-2024-3094). The order does not matter; V([]) empties the list.
        type: list
        elements: str
        default: []
      expires_at:
        description: When the allowlist expires, in seconds since the epoch; unset means never.
        type: int
  purge: &purge
    description:
      - With O(state=absent), delete the project's repositories (and all their images) first, and report them in
        RV(removed_repositories). Without it, deleting a project that holds repositories fails and names them.
    type: bool
    default: false
  recreate: &recreate
    description:
      - Delete the project and create it again when O(proxy_cache_registry) differs from the project's binding, which Harbor
        cannot change in place. Only done while the project holds no repositories; the access level, quota, security
        settings and allowlist are kept unless set otherwise.
      - If Harbor refuses to create the project again after the delete, the task fails with C(changed) and a message
        that says project O(name) was deleted and not created again, with the options it had, so that it can be restored.
    type: bool
    default: false
  projects:
    description:
      - Several projects in one call, each element with the options of a single project (O(name), O(state) and the
        others, with the same checks and defaults), instead of those options at the top level; the two forms are
        mutually exclusive.
      - One module run, one connection and one listing of the existing projects for all elements; every element is
        checked before the first write, and an error names the element (V(projects[3].storage_quota), counted from 0)
        and, after a write, the elements done before it.
      - The results, one per element in the order given, are in RV(results).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the project. Harbor's rule, checked before anything is sent, is 1 to 255 characters, lower-case letters and
            digits separated by single V(.), V(_) or V(-). A project cannot be renamed.
        type: str
        required: true
      state: *state
      public: *public
      proxy_cache_registry: *proxy_cache_registry
      storage_quota: *storage_quota
      proxy_speed_kb: *proxy_speed_kb
      max_upstream_connections: *max_upstream_connections
      proxy_cache_local_on_not_found: *proxy_cache_local_on_not_found
      auto_scan: *auto_scan
      prevent_vulnerable_images: *prevent_vulnerable_images
      severity: *severity
      content_trust: *content_trust
      auto_sbom_generation: *auto_sbom_generation
      reuse_system_cve_allowlist: *reuse_system_cve_allowlist
      cve_allowlist: *cve_allowlist
      purge: *purge
      recreate: *recreate
notes:
  - Project metadata values are sent as the lower-case strings Harbor expects (V("true"), V("false"), V("high")).
seealso:
  - module: registryops.harbor.harbor_project_info
  - module: registryops.harbor.harbor_registry
'''

EXAMPLES = r'''
- name: Public proxy-cache project for NVIDIA NGC, without a quota
  registryops.harbor.harbor_project:
    name: nvidiaio
    public: true
    proxy_cache_registry: NVIDIA
    storage_quota: -1

- name: Proxy cache for SUSE Application Collection, with upstream limits
  registryops.harbor.harbor_project:
    name: application-collection
    proxy_cache_registry: application-collection
    storage_quota: 500GiB
    proxy_speed_kb: 102400
    max_upstream_connections: 10

- name: Private project on the disconnected Harbor that receives the replicated images
  registryops.harbor.harbor_project:
    harbor_url: https://harbor.airgap.example.local
    name: mirror
    public: false
    storage_quota: 2TiB
    auto_scan: true
    prevent_vulnerable_images: true
    severity: critical
    cve_allowlist:
      cves: [CVE-2024-3094]
      expires_at: 1798761600

- name: Point an empty proxy-cache project at another endpoint (Harbor needs a delete and create for that)
  registryops.harbor.harbor_project:
    name: dockerhub-cache
    proxy_cache_registry: docker-hub-mirror
    recreate: true

- name: Delete a project and every repository in it
  registryops.harbor.harbor_project:
    name: scratch
    state: absent
    purge: true
  register: removed
- name: Several projects in one call (one module run, one listing; results in the same order)
  registryops.harbor.harbor_project:
    projects:
      - name: nvidiaio
        public: true
        proxy_cache_registry: NVIDIA
      - name: application-collection
        proxy_cache_registry: application-collection
        storage_quota: 50GiB
      - name: scratch
        state: absent
  register: projects
'''

RETURN = r'''
project:
  description: The project after the task (predicted options in check mode), in the option shape plus read-only facts;
    V(null) after a delete.
  returned: when one object is managed (without O(projects))
  type: dict
  sample:
    name: nvidiaio
    project_id: 4
    public: true
    proxy_cache_registry: NVIDIA
    storage_quota: -1
    quota: {hard: -1, used: 0}
    repo_count: 0
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
      description:
        - Storage limit in bytes; V(-1) is unlimited.
        - V(null) when the task does not set O(storage_quota) (Harbor's quota is then not read; see
          M(registryops.harbor.harbor_project_info)). The same holds for C(storage_quota) in RV(before) and RV(after).
      type: int
    quota:
      description:
        - The storage quota, C(hard) (limit) and C(used), in bytes.
        - V(null) when the task does not set O(storage_quota).
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
before:
  description: The project's options before the task (V(null) if it did not exist).
  returned: when one object is managed (without O(projects))
  type: dict
after:
  description: The project's options after the task (predicted in check mode; V(null) after a delete).
  returned: when one object is managed (without O(projects))
  type: dict
diff:
  description:
    - RV(before) and RV(after), in diff mode.
    - With O(projects), a list instead, with one entry per changed element, with C(before_header) and C(after_header)
      naming it (C(projects[2] name)).
  returned: when diff mode is on
  type: raw
removed_repositories:
  description: Repositories (without the project prefix) deleted by O(purge), or that would be deleted in check mode.
  returned: when O(purge=true) and the project was (or would be) deleted
  type: list
  elements: str
  sample: [nvaie/vllm, nvidia/cuda]
recreated:
  description: V(true) when the project was (or in check mode would be) deleted and created again for O(recreate).
  returned: when it happened
  type: bool
results:
  description:
    - With O(projects), one result per element in the order given, each with the keys that a single-object call returns
      (C(name), C(state), C(changed), C(project), C(before), C(after), C(diff) in diff mode, and the other keys above
      when they apply); never a secret.
    - When the call fails after some elements were done, the results of those elements.
  returned: when O(projects) is given
  type: list
  elements: dict
  sample:
    - {name: nvidiaio, state: present, changed: false, project: {name: nvidiaio, public: true}, before: {}, after: {}}
'''

from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule, object_or_list
from ansible_collections.registryops.harbor.plugins.module_utils.specs import RESOURCE_SPEC
from ansible_collections.registryops.harbor.plugins.module_utils.project import SEVERITY_CHOICES, run_project


SPEC = dict(
    RESOURCE_SPEC,
    public=dict(type="bool"),
    proxy_cache_registry=dict(type="str"),
    storage_quota=dict(type="raw"),
    proxy_speed_kb=dict(type="int"),
    max_upstream_connections=dict(type="int"),
    proxy_cache_local_on_not_found=dict(type="bool"),
    auto_scan=dict(type="bool"),
    prevent_vulnerable_images=dict(type="bool"),
    severity=dict(type="str", choices=SEVERITY_CHOICES),
    content_trust=dict(type="bool"),
    auto_sbom_generation=dict(type="bool"),
    reuse_system_cve_allowlist=dict(type="bool"),
    cve_allowlist=dict(type="dict", options=dict(
        cves=dict(type="list", elements="str", default=[]),
        expires_at=dict(type="int"),
    )),
    purge=dict(type="bool", default=False),
    recreate=dict(type="bool", default=False),
)


def main():
    module = HarborModule(**object_or_list(SPEC, "projects"))
    module.run(lambda: run_project(module))


if __name__ == "__main__":
    main()
