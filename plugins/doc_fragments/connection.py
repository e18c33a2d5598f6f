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
      - Verify Harbor's TLS certificate, against O(ca_path) or else the system's CA store (or the file and directory
        that the environment variables E(SSL_CERT_FILE) and E(SSL_CERT_DIR) name). Set to V(false) only for test
        instances with self-signed certificates; prefer O(ca_path).
      - If not set, the environment variable E(HARBOR_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM file with the CA certificate(s) that signed Harbor's certificate. A path that is not a file, or a file
        without a PEM certificate OpenSSL can load (an empty file, a private key, a DER file), is refused before any
        request. Ignored, with a warning, when O(validate_certs=false).
      - If not set, the environment variable E(HARBOR_CA_PATH) is used.
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
  - Run the modules on the controller (C(hosts=localhost), C(connection=local)). They speak HTTP with Python's standard
    library (no C(requests) needed); only the O(ignore:query) option of the C(_info) modules needs C(jmespath).
  - A proxy is used as curl and requests use it, from the environment variables E(https_proxy) (for an https
    O(harbor_url)), E(http_proxy) (for an http one) or E(all_proxy), unless E(no_proxy) names Harbor's host (a name,
    a domain suffix such as V(.example.com), V(host:port), an IP network such as V(10.0.0.0/8), or V(*)); upper-case
    names are read too. The proxy must be an C(http://) URL; user and password in it are sent as C(Proxy-Authorization).
  - All modules belong to the action group C(registryops.harbor.harbor), so the connection options can be set once
    with C(module_defaults) for C(group/registryops.harbor.harbor).
requirements:
  - Python 3 standard library only (C(jmespath) for the O(ignore:query) option of the C(_info) modules)
'''
