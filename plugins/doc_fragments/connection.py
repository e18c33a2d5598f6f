# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The connection options of every module; kept in step with plugins/module_utils/module.py (CONNECTION_SPEC).
    DOCUMENTATION = r'''
options:
  harbor_url:
    description:
      - URL of the Harbor instance, for example V(https://harbor.example.com).
      - A trailing V(/) or V(/api/v2.0) is accepted and ignored. Any other path, a query, or user info
        (V(user:password@)) is refused before any request; user info is never shown in output.
      - If not set, the environment variable E(HARBOR_URL) is used.
    type: str
    required: true
  harbor_username:
    description:
      - User to log in with (HTTP basic auth). Managing registries, proxy-cache projects and replication needs a
        Harbor system administrator or a system robot account (V(robot$name)) with those permissions.
      - If not set, the environment variable E(HARBOR_USERNAME) is used.
    type: str
    required: true
  harbor_password:
    description:
      - Password of O(harbor_username), or the secret of a robot account.
      - If not set, the environment variable E(HARBOR_PASSWORD) is used.
    type: str
    required: true
  validate_certs:
    description:
      - Verify Harbor's TLS certificate (and an C(https://) proxy's). The CA certificates trusted are, first found first
        used, those of O(ca_path) (or E(HARBOR_CA_PATH)), the file named by E(REQUESTS_CA_BUNDLE), the file named by
        E(CURL_CA_BUNDLE), else the bundle of the C(certifi) package that C(requests) uses.
      - Set to V(false) only for test instances with self-signed certificates; prefer O(ca_path).
      - If not set, the environment variable E(HARBOR_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM file with the CA certificate(s) that signed Harbor's certificate. A path that is not a file, or a file
        without a PEM certificate OpenSSL can load (an empty file, a private key, a DER file), is refused before any
        request. It takes precedence over E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE). Ignored, with a warning, when
        O(validate_certs=false).
      - If not set, the environment variable E(HARBOR_CA_PATH) is used.
    type: path
  client_cert:
    description:
      - Path of a PEM file with the client certificate (chain) to present when Harbor, or a proxy in front of it,
        requires one (mutual TLS). When the file also holds the private key, O(client_key) is not needed.
      - A path that is not a file, or a certificate and key that do not load, is an error before any request.
      - If not set, the environment variable E(HARBOR_CLIENT_CERT) is used.
    type: path
  client_key:
    description:
      - Path of a PEM file with the private key of O(client_cert), unless O(client_cert) holds it. The key must not be
        protected by a passphrase. Needs O(client_cert).
      - If not set, the environment variable E(HARBOR_CLIENT_KEY) is used.
    type: path
  request_timeout:
    description:
      - Seconds to wait for each answer from Harbor, more than 0 and at most 86400.
    type: float
    default: 30
  request_retries:
    description:
      - How many times a failed request is retried, with exponential back-off, when the connection fails or Harbor
        answers 429, 502, 503 or 504. From 0 to 10.
      - Each wait honours a C(Retry-After) header up to 60 seconds (an invalid one falls back to back-off); the waits of
        one task add up to at most 120 seconds, after which the task fails with the last answer and the number of attempts.
      - Only GET, HEAD, PUT and DELETE are retried on an answer; a POST is retried only when the connection could not be
        opened, so that a create is never sent twice.
    type: int
    default: 3
notes:
  - Run the modules on the controller (C(hosts=localhost), C(connection=local)). They need the Python library
    C(requests) there (or in the execution environment); the O(ignore:query) option of the C(_info) modules also needs
    C(jmespath).
  - Proxies are used as C(requests) uses them, from the environment variables E(https_proxy) (for an https
    O(harbor_url)), E(http_proxy) (for an http one) or E(all_proxy), unless E(no_proxy) names Harbor's host (a name or
    domain such as V(.example.com), V(host:port), an IP address or network such as V(10.0.0.0/8), or V(*)); upper-case
    names are read too. A user and password in the proxy URL are sent as C(Proxy-Authorization) and never shown. An
    C(https://) proxy is spoken to with TLS; for an https O(harbor_url) its certificate is verified like Harbor's.
  - One connection is kept open for all requests of a task. A redirect is never followed (the task fails with the
    O(harbor_url) to use), so the credentials are never sent to another address.
  - All modules belong to the action group C(registryops.harbor.harbor), so the connection options can be set once
    with C(module_defaults) for C(group/registryops.harbor.harbor).
requirements:
  - requests >= 2.31
  - jmespath (only for the O(ignore:query) option of the C(_info) modules)
'''
