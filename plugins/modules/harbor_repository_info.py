#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_repository_info
short_description: List the repositories of a Harbor project with their artifacts (digest, tags, type, size, push time)
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - Returns the repositories of one project, each with its artifacts, as Harbor's UI shows them under
    C(Projects > Repositories), with digest, tags, type, size and push time.
  - Repositories are selected by exact names or doublestar patterns, artifacts by a tag pattern and labels, with the
    same pattern rules as replication filters (see M(registryops.harbor.harbor_replication_rule)), so a rule's filters
    select here what the rule copies.
  - RV(references) lists every selected tag as C(<project>/<repository>:<tag>@<digest>), ready to compare two Harbors
    (for example after a replication) or to pull by digest.
  - Every list is read page by page, whatever its size.
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes.info
  - registryops.harbor.query
options:
  project:
    description: Name of the project. A project that does not exist gives empty lists and RV(project_exists=false).
    type: str
    required: true
  repository:
    description:
      - Names of repositories inside the project (without the project), exact (V(nvidia/cuda)) or doublestar patterns
        (V(nvidia/*), V(charts/**), V({containers,charts}/etcd)), where V(*) stays inside one path level and V(**)
        crosses levels. Without it, every repository of the project.
      - Exact names are read one by one; a pattern reads the whole list.
    type: list
    elements: str
  tag:
    description:
      - Tag pattern (V(v1.*), V({2*,1*}), V(**)). Only the matching tags are returned, and artifacts without one are
        left out, as are repositories left without artifacts.
      - An untagged artifact is kept when the pattern matches the empty string (V(**), V(*)), as Harbor's replication
        does.
    type: str
  tag_decoration:
    description: Whether O(tag) selects (V(matches)) or leaves out (V(excludes)) the tags it matches.
    type: str
    choices: [matches, excludes]
    default: matches
  labels:
    description: Label names an artifact must all carry (O(label_decoration=matches)) or must not all carry (V(excludes)).
    type: list
    elements: str
  label_decoration:
    description: Whether O(labels) selects or leaves out the labelled artifacts.
    type: str
    choices: [matches, excludes]
    default: matches
  artifacts:
    description: Read the artifacts of each repository. V(false) returns the repositories only (one request per page).
    type: bool
    default: true
notes:
  - Harbor lets project members read repositories; a robot account needs the C(repository) and C(artifact) list
    permissions of the project.
seealso:
  - module: registryops.harbor.harbor_project_info
  - module: registryops.harbor.harbor_replication_rule
'''

EXAMPLES = r'''
- name: All repositories and artifacts of a project
  registryops.harbor.harbor_repository_info:
    project: nvaie
  register: nvaie

- name: CUDA images tagged 12.*, by exact repository name
  registryops.harbor.harbor_repository_info:
    project: nvaie
    repository: nvidia/cuda
    tag: "12.*"
  register: cuda

- name: What a push rule with filters nvaie/nvidia/** and tag {2*,1*} selects
  registryops.harbor.harbor_repository_info:
    project: nvaie
    repository: nvidia/**
    tag: "{2*,1*}"
  register: selected

- name: Compare with the disconnected Harbor (another connection)
  registryops.harbor.harbor_repository_info:
    project: nvaie
    repository: nvidia/**
    harbor_url: https://harbor.airgap.example.com
    harbor_password: "{{ vault_airgap_password }}"
  register: replicated

- name: Fail naming what did not arrive
  ansible.builtin.assert:
    that: missing | length == 0
    fail_msg: "missing on the disconnected Harbor: {{ missing | join(', ') }}"
  vars:
    missing: "{{ selected.references | difference(replicated.references) }}"

- name: Names and tags only, biggest artifacts first
  registryops.harbor.harbor_repository_info:
    project: application-collection
    repository: "charts/*"
    query: "[].{name: name, tags: artifacts[].tags[], size: max(artifacts[].size)}"
  register: charts
'''

RETURN = r'''
project_exists:
  description: Whether the project exists (all lists are empty when it does not).
  returned: always
  type: bool
  sample: true
repositories:
  description: The selected repositories, sorted by name; or the result of O(query).
  returned: always
  type: list
  elements: dict
  sample:
    - name: nvidia/cuda
      full_name: nvaie/nvidia/cuda
      id: 12
      artifact_count: 2
      pull_count: 40
      description: ""
      creation_time: "2026-01-05T10:00:00.000Z"
      update_time: "2026-01-06T08:00:00.000Z"
      artifacts:
        - digest: sha256:5d2e0c9b6f0b4b7c1e4b2f3a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d
          tags: [12.4.1-base]
          type: image
          media_type: application/vnd.docker.container.image.v1+json
          size: 104857600
          push_time: "2026-01-06T08:00:00.000Z"
          pull_time: "0001-01-01T00:00:00.000Z"
          labels: []
  contains:
    name:
      description: Name inside the project.
      type: str
    full_name:
      description: Harbor's name, C(<project>/<name>), the path users pull from.
      type: str
    id:
      description: Harbor's id of the repository.
      type: int
    artifact_count:
      description: Number of artifacts in the repository (all of them, whatever O(tag) selects).
      type: int
    pull_count:
      description: Number of pulls.
      type: int
    description:
      description: Description of the repository.
      type: str
    creation_time:
      description: When the repository was created.
      type: str
    update_time:
      description: When the repository last changed.
      type: str
    artifacts:
      description: The selected artifacts, newest push first (absent with O(artifacts=false)).
      type: list
      elements: dict
      contains:
        digest:
          description: Digest of the manifest, C(sha256:...).
          type: str
        tags:
          description: Tag names (the matching ones with O(tag)), sorted; V([]) for an untagged artifact.
          type: list
          elements: str
        type:
          description: Artifact type in lower case, V(image), V(chart), or another OCI artifact type.
          type: str
        media_type:
          description: Media type of the artifact's config.
          type: str
        size:
          description: Size in bytes.
          type: int
        push_time:
          description: When the artifact was pushed (replicated, or cached by a proxy-cache project).
          type: str
        pull_time:
          description: When it was last pulled (Harbor's zero time when never).
          type: str
        labels:
          description: Label names, read only when O(labels) is given (else V([])).
          type: list
          elements: str
references:
  description:
    - Every selected tag as C(<project>/<repository>:<tag>@<digest>), and every selected untagged artifact as
      C(<project>/<repository>@<digest>), sorted. Not affected by O(query).
  returned: always
  type: list
  elements: str
  sample:
    - nvaie/nvidia/cuda:12.4.1-base@sha256:5d2e0c9b6f0b4b7c1e4b2f3a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d
'''

from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule
from ansible_collections.registryops.harbor.plugins.module_utils.specs import DECORATIONS, QUERY_SPEC
from ansible_collections.registryops.harbor.plugins.module_utils.repository import repository_info


def main():
    module = HarborModule(argument_spec=dict(
        project=dict(type="str", required=True),
        repository=dict(type="list", elements="str"),
        tag=dict(type="str"),
        tag_decoration=dict(type="str", choices=DECORATIONS, default="matches"),
        labels=dict(type="list", elements="str"),
        label_decoration=dict(type="str", choices=DECORATIONS, default="matches"),
        artifacts=dict(type="bool", default=True),
        **QUERY_SPEC
    ))
    module.run(lambda: repository_info(module))


if __name__ == "__main__":
    main()
