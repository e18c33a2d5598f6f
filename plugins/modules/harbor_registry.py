#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_registry
short_description: Manage Harbor registry endpoints (the remote registries of replication and proxy cache)
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - Creates, updates and deletes a registry endpoint (Harbor UI C(Administration > Registries)), the remote side of
    replication rules and the upstream of proxy-cache projects, for example NVIDIA NGC (V(https://nvcr.io)), SUSE
    Application Collection (V(https://dp.apps.rancher.io)), Docker Hub, another Harbor, AWS ECR or Google GCR.
  - The endpoint is found by O(name). Only the options that are set are compared, after Harbor's own normalisation
    (URL form, provider spelling), so a second run with the same options changes nothing and sends no write.
  - Harbor tests the remote on every create and update and refuses an endpoint it cannot reach; this module then fails
    with the URL, the provider and what to check, and nothing is created.
  - Harbor never returns the secret. It is sent when the endpoint is created, when O(url) or O(access_key) change, or
    on every run with O(update_password=always).
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes
options:
  name:
    description:
      - Name of the endpoint (at most 64 bytes in UTF-8, as Harbor counts; fewer characters when some are not ASCII), unique in Harbor.
        Blank names and names with control, bidi or invisible characters (a newline, NUL, U+202E) are refused.
      - Required unless O(registries) is given.
    type: str
  state: &state
    description:
      - V(present) creates or updates the endpoint, V(absent) deletes it.
      - Harbor refuses to delete an endpoint that a replication rule or a proxy-cache project uses; the module then fails
        and names them.
    type: str
    choices: [present, absent]
    default: present
  provider: &provider
    description:
      - Harbor's registry type (the UI's C(Provider)), with Harbor's exact spelling, or an alias. Required to create an
        endpoint.
      - 'Aliases: V(dockerhub), V(docker) -> V(docker-hub); V(registry), V(distribution) -> V(docker-registry); V(ghcr),
        V(github) -> V(github-ghcr); V(ecr) -> V(aws-ecr); V(gcr), V(artifact-registry), V(google-artifact-registry),
        V(gar) -> V(google-gcr); V(acr) -> V(azure-acr); V(alibaba-acr) -> V(ali-acr); V(artifactory), V(jfrog) ->
        V(jfrog-artifactory); V(swr), V(huawei-swr) -> V(huawei-SWR); V(tcr) -> V(tencent-tcr); V(volcengine) -> V(volcengine-cr).'
      - Use V(docker-registry) for any registry that speaks the OCI distribution API, such as NGC (V(https://nvcr.io)) and
        SUSE Application Collection.
      - Harbor cannot change the provider of an endpoint; see O(recreate). A provider newer than the Harbor is refused
        before anything is written.
    type: str
    choices: [ali-acr, aws-ecr, azure-acr, docker-hub, docker-registry, dtr, github-ghcr, gitlab, google-gcr, harbor, huawei-SWR,
              jfrog-artifactory, quay, tencent-tcr, volcengine-cr, acr, alibaba-acr, artifact-registry, artifactory, distribution,
              docker, dockerhub, ecr, gar, gcr, ghcr, github, google-artifact-registry, huawei-swr, jfrog, registry, swr, tcr,
              volcengine]
  url: &url
    description:
      - URL of the remote registry, for example V(https://nvcr.io).
      - Compared in Harbor's stored form (spaces and a trailing V(/) removed, V(http://) added when there is no scheme,
        user, query and fragment dropped).
      - Required to create an endpoint, except for V(docker-hub) (V(https://hub.docker.com)) and V(github-ghcr)
        (V(https://ghcr.io)), whose fixed URL is the default.
      - At most 256 characters in that stored form (Harbor's database column).
    type: str
  description: &description
    description: Description of the endpoint.
    type: str
  access_key: &access_key
    description:
      - The Access ID, that is a user name, V($oauthtoken) for NVIDIA NGC, an AWS access key id for ECR.
      - Defaults to V(_json_key) for V(google-gcr) and V(json_file) for V(quay) when O(access_secret) is set.
      - V("") removes the stored credential (anonymous access).
      - Left out, an existing endpoint keeps its stored access key, and O(access_secret) alone is sent with it (for
        example to rotate an NGC API key with O(update_password=always)); this needs an endpoint that has a stored access key.
      - At most 255 characters (Harbor's database column).
    type: str
  access_secret: &access_secret
    description:
      - The Access Secret, that is a password, an NGC API key, an access token, an AWS secret access key.
      - 'For V(google-gcr) the service-account JSON key, and for V(quay) the JSON document
        C({"account_name": ..., "docker_cli_password": ..., "oauth2_token": ...}); either as the JSON text or as the path
        of a file on the controller that holds it.'
      - For those two providers the JSON may also come as a dictionary, as C(lookup('file', 'key.json')) gives on older
        ansible-core versions; it is sent as JSON. Other providers take text only.
      - Never returned, logged or shown in a diff, nor is the content of a key file or its private key. See
        O(update_password) for when it is sent.
      - At most 3050 bytes (what Harbor's database column holds once Harbor has encrypted it).
    type: raw
  credential_type: &credential_type
    description:
      - V(basic) (Harbor's default) or V(oauth). Only stored together with O(access_key).
    type: str
    choices: [basic, oauth]
  verify_remote_cert: &verify_remote_cert
    description:
      - Verify the remote's TLS certificate (the UI's C(Verify Remote Cert); Harbor stores the inverse, C(insecure)).
      - Harbor's default for a new endpoint is V(true). Set V(false) for a remote with a self-signed certificate, or
        prefer O(ca_certificate).
    type: bool
  ca_certificate: &ca_certificate
    description:
      - PEM text (or the path of a PEM file on the controller) of the CA that signed the remote's certificate.
        V("") removes it. Checked before anything is sent.
      - Needs Harbor 2.15.0 or later.
    type: str
  update_password: &update_password
    description:
      - V(on_create) sends O(access_secret) only when the endpoint is created, or when O(url) or O(access_key) change.
      - V(always) sends it on every run; since Harbor cannot tell whether it changed, the task then reports C(changed).
    type: str
    choices: [on_create, always]
    default: on_create
  test_connection: &test_connection
    description:
      - Ask Harbor to connect to the remote with the settings the endpoint will have (the UI's C(Test Connection)) before
        anything is written, also in check mode and when nothing changes. This changes nothing.
      - A failed test fails the task with the URL, the provider and what to check; without this option Harbor still
        tests the remote on every write.
    type: bool
    default: false
  recreate: &recreate
    description:
      - Delete the endpoint and create it again when O(provider) differs from the existing endpoint's, which Harbor cannot
        change in place.
      - Only done when no replication rule and no proxy-cache project uses the endpoint, and with O(access_secret) when the
        endpoint has a stored secret. Without this option a provider change fails.
    type: bool
    default: false
  registries:
    description:
      - Several endpoints in one call, each element with the options of a single registry endpoint (O(name), O(state)
        and the others, with the same checks and defaults), instead of those options at the top level; the two forms are
        mutually exclusive.
      - One module run, one connection and one listing of the existing endpoints for all elements; every element is
        checked before the first write, and an error names the element (V(registries[3].url), counted from 0) and, after
        a write, the elements done before it.
      - The results, one per element in the order given, are in RV(results).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the endpoint (at most 64 bytes in UTF-8, no control, bidi or invisible characters), unique in Harbor.
        type: str
        required: true
      state: *state
      provider: *provider
      url: *url
      description: *description
      access_key: *access_key
      access_secret: *access_secret
      credential_type: *credential_type
      verify_remote_cert: *verify_remote_cert
      ca_certificate: *ca_certificate
      update_password: *update_password
      test_connection: *test_connection
      recreate: *recreate
notes:
  - Managing endpoints needs a Harbor system administrator or a system robot account with registry permissions.
  - Each create and update makes Harbor connect to the remote, so Harbor (not the Ansible controller) must reach it.
seealso:
  - module: registryops.harbor.harbor_registry_info
  - module: registryops.harbor.harbor_project
  - module: registryops.harbor.harbor_replication_rule
'''

EXAMPLES = r'''
- name: NVIDIA NGC endpoint (API key from the vault)
  registryops.harbor.harbor_registry:
    name: NVIDIA
    description: NVIDIA Global Catalog Endpoint
    provider: docker-registry
    url: https://nvcr.io
    access_key: $oauthtoken
    access_secret: "{{ vault_ngc_api_key }}"
    verify_remote_cert: true
    test_connection: true

- name: SUSE Application Collection endpoint
  registryops.harbor.harbor_registry:
    name: application-collection
    provider: docker-registry
    url: https://dp.apps.rancher.io
    access_key: "{{ application_collection_user }}"
    access_secret: "{{ vault_application_collection_token }}"

- name: The disconnected Harbor of an air gap, with a self-signed certificate
  registryops.harbor.harbor_registry:
    name: disconnected-harbor
    provider: harbor
    url: https://harbor.airgap.example.local
    access_key: robot$replicator
    access_secret: "{{ vault_airgap_robot_secret }}"
    verify_remote_cert: false

- name: Docker Hub (the fixed URL is the default)
  registryops.harbor.harbor_registry:
    name: docker-hub
    provider: dockerhub
    access_key: "{{ dockerhub_user }}"
    access_secret: "{{ vault_dockerhub_token }}"

- name: Google Artifact Registry with a service-account key file on the controller
  registryops.harbor.harbor_registry:
    name: gcp-artifacts
    provider: artifact-registry
    url: https://europe-docker.pkg.dev
    access_secret: /etc/harbor/keys/gcp-replicator.json

- name: AWS ECR with an access key
  registryops.harbor.harbor_registry:
    name: ecr-eu-west-1
    provider: ecr
    url: https://api.ecr.eu-west-1.amazonaws.com
    access_key: "{{ aws_access_key_id }}"
    access_secret: "{{ vault_aws_secret_access_key }}"

- name: Rotate the NGC API key (sent on every run)
  registryops.harbor.harbor_registry:
    name: NVIDIA
    provider: docker-registry
    url: https://nvcr.io
    access_key: $oauthtoken
    access_secret: "{{ vault_ngc_api_key }}"
    update_password: always

- name: Remove an endpoint that nothing uses any more
  registryops.harbor.harbor_registry:
    name: old-mirror
    state: absent
- name: Several endpoints in one call (one module run, one listing; results in the same order)
  registryops.harbor.harbor_registry:
    registries:
      - name: NVIDIA
        provider: docker-registry
        url: https://nvcr.io
        access_key: $oauthtoken
        access_secret: "{{ vault_ngc_api_key }}"
      - name: application-collection
        provider: docker-registry
        url: https://dp.apps.rancher.io
        access_key: "{{ application_collection_user }}"
        access_secret: "{{ vault_application_collection_token }}"
      - name: old-mirror
        state: absent
  register: endpoints
'''

RETURN = r'''
registry:
  description: The endpoint as Harbor shows it after the task (the secret only as C(*****)); V(null) after a delete.
  returned: when one object is managed (without O(registries))
  type: dict
  sample:
    id: 3
    name: NVIDIA
    description: NVIDIA Global Catalog Endpoint
    type: docker-registry
    url: https://nvcr.io
    insecure: false
    credential: {type: basic, access_key: $oauthtoken, access_secret: "*****"}
    status: healthy
    creation_time: "2026-01-05T10:00:00.000Z"
    update_time: "2026-01-05T10:00:00.000Z"
  contains:
    id:
      description: Harbor's id of the endpoint.
      type: int
    name:
      description: Name.
      type: str
    description:
      description: Description.
      type: str
    type:
      description: Harbor's registry type (the provider).
      type: str
    url:
      description: URL in Harbor's stored form.
      type: str
    insecure:
      description: V(true) when the remote's certificate is not verified.
      type: bool
    ca_certificate:
      description: The CA certificate (PEM), when one is set.
      type: str
      returned: when set
    credential:
      description: C(type), C(access_key) and C(access_secret) (V(*****) when a secret is stored).
      type: dict
    status:
      description: Harbor's last health check result, V(healthy) or V(unhealthy).
      type: str
    creation_time:
      description: When the endpoint was created.
      type: str
    update_time:
      description: When the endpoint was last changed.
      type: str
before:
  description: The endpoint's options before the task (V(null) if it did not exist); never a secret.
  returned: when one object is managed (without O(registries))
  type: dict
  sample: {name: NVIDIA, provider: docker-registry, url: https://nvcr.io, description: "", access_key: $oauthtoken,
           credential_type: basic, verify_remote_cert: true, ca_certificate: ""}
after:
  description: The endpoint's options after the task (predicted in check mode; V(null) after a delete); never a secret.
  returned: when one object is managed (without O(registries))
  type: dict
  sample: {name: NVIDIA, provider: docker-registry, url: https://nvcr.io, description: NVIDIA Global Catalog Endpoint,
           access_key: $oauthtoken, credential_type: basic, verify_remote_cert: true, ca_certificate: ""}
diff:
  description:
    - RV(before) and RV(after), in diff mode.
    - With O(registries), a list instead, with one entry per changed element, with C(before_header) and C(after_header)
      naming it (C(registries[2] name)).
  returned: when diff mode is on
  type: raw
connection:
  description: V(healthy) when O(test_connection) succeeded (a failed test fails the task).
  returned: when O(test_connection=true) and O(state=present)
  type: str
  sample: healthy
secret_sent:
  description:
    - Why O(access_secret) was sent to Harbor in this run (it is never shown).
    - In check mode, why it would be sent.
  returned: when the secret was sent (in check mode, when it would be sent)
  type: str
  sample: update_password=always
recreated:
  description: V(true) when the endpoint was deleted and created again for a provider change (O(recreate)).
  returned: when it happened
  type: bool
results:
  description:
    - With O(registries), one result per element in the order given, each with the keys that a single-object call returns
      (C(name), C(state), C(changed), C(registry), C(before), C(after), C(diff) in diff mode, and the other keys above
      when they apply); never a secret.
    - When the call fails after some elements were done, the results of those elements.
  returned: when O(registries) is given
  type: list
  elements: dict
  sample:
    - {name: NVIDIA, state: present, changed: true, registry: {id: 3, name: NVIDIA}, before: null, after: {name: NVIDIA}}
'''

from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule, object_or_list
from ansible_collections.registryops.harbor.plugins.module_utils.specs import RESOURCE_SPEC
from ansible_collections.registryops.harbor.plugins.module_utils.registry import PROVIDER_CHOICES, run_registry


SPEC = dict(
    RESOURCE_SPEC,
    provider=dict(type="str", choices=PROVIDER_CHOICES),
    url=dict(type="str"),
    description=dict(type="str"),
    access_key=dict(type="str", no_log=False),
    access_secret=dict(type="raw", no_log=True),
    credential_type=dict(type="str", choices=["basic", "oauth"]),
    verify_remote_cert=dict(type="bool"),
    ca_certificate=dict(type="str"),
    update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
    test_connection=dict(type="bool", default=False),
    recreate=dict(type="bool", default=False),
)


def main():
    module = HarborModule(**object_or_list(SPEC, "registries"))
    module.run(lambda: run_registry(module))


if __name__ == "__main__":
    main()
