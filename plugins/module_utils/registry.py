# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Registry endpoints (Harbor's "registries"). FOR INTERNAL COLLECTION USE ONLY.

Harbor's behaviour behind this code is in docs/harbor-api.md section 2: the URL is stored in a normalised
form, the secret comes back as ``*****``, every POST/PUT makes Harbor test the remote (400 "the registry is unhealthy"),
PUT takes the flat ``RegistryUpdate`` body, the type never changes, and a referenced endpoint cannot be deleted (412).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
from urllib.parse import urlsplit

from ansible_collections.registryops.harbor.plugins.module_utils.client import check_url
from ansible_collections.registryops.harbor.plugins.module_utils.endpoints import (
    POLICIES, REGISTRIES, Endpoints as _Endpoints, check_endpoint_name,
)
from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborError, HarborRefused, HarborValidationError
from ansible_collections.registryops.harbor.plugins.module_utils.reconcile import Plan, Resource, run, to_yaml, version_gate
from ansible_collections.registryops.harbor.plugins.module_utils.validation import (
    ACCESS_KEY_MAX_CHARS, ACCESS_SECRET_MAX_BYTES, REGISTRY_NAME_MAX_BYTES, REGISTRY_URL_MAX_CHARS, check_length, check_pem,
)

_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S)
MASK = "*****"
Endpoints = _Endpoints          # the lookups live in endpoints.py; registry.Endpoints stays importable
NAME_MAX_LEN = REGISTRY_NAME_MAX_BYTES

# Harbor's registry types (exact spelling) -> the first Harbor version with the adapter.
PROVIDERS = {
    "docker-hub": "2.0.0", "docker-registry": "2.0.0", "harbor": "2.0.0", "aws-ecr": "2.0.0", "azure-acr": "2.0.0",
    "ali-acr": "2.0.0", "google-gcr": "2.0.0", "huawei-SWR": "2.0.0", "jfrog-artifactory": "2.0.0", "quay": "2.0.0",
    "gitlab": "2.0.0", "github-ghcr": "2.2.0", "tencent-tcr": "2.2.0", "dtr": "2.2.0", "volcengine-cr": "2.11.0",
}
ALIASES = {
    "dockerhub": "docker-hub", "docker": "docker-hub", "registry": "docker-registry", "distribution": "docker-registry",
    "ghcr": "github-ghcr", "github": "github-ghcr", "ecr": "aws-ecr", "gcr": "google-gcr", "artifact-registry": "google-gcr",
    "acr": "azure-acr", "alibaba-acr": "ali-acr", "artifactory": "jfrog-artifactory", "jfrog": "jfrog-artifactory",
    "swr": "huawei-SWR", "tcr": "tencent-tcr", "volcengine": "volcengine-cr", "gar": "google-gcr",
    "google-artifact-registry": "google-gcr", "huawei-swr": "huawei-SWR",
}
# harbor_registry's choices for provider (ansible-core checks them): Harbor's types, then the aliases
PROVIDER_CHOICES = sorted(PROVIDERS) + sorted(ALIASES)
FIXED_URLS = {"docker-hub": "https://hub.docker.com", "github-ghcr": "https://ghcr.io"}
# Providers whose Access ID is a fixed word and whose secret is a JSON document (a file path is read).
JSON_SECRETS = {"google-gcr": "_json_key", "quay": "json_file"}
# Providers whose adapter contacts the remote while it is built: a failure there is an opaque 500, not a 400.
CONTACT_ON_BUILD = ("harbor", "docker-hub", "gitlab", "ali-acr", "tencent-tcr", "volcengine-cr")
CREDENTIAL_TYPES = ("basic", "oauth")
REGISTRY_OPTIONS = ("provider", "url", "description", "access_key", "credential_type", "verify_remote_cert", "ca_certificate")
# Options that RegistryUpdate (the flat PUT body) takes under the same name.
UPDATE_FIELDS = ("description", "url", "access_key", "credential_type", "ca_certificate")
CA_CERTIFICATE_SINCE = "2.15.0"
# After v2.15.2, a PUT that changes the URL without access_secret clears the stored secret (docs/harbor-api.md section 7).
URL_CHANGE_CLEARS_SECRET = "2.15.3"


def check_name(name):
    """An endpoint name Harbor takes (1 to 64 bytes: Go's ``len`` of the UTF-8 string) and a user can read."""
    return check_endpoint_name(name, "name")


# -- option normalisation -------------------------------------------------------------------------------------------
def normalize_provider(value):
    """A provider (Harbor's type or an alias of PROVIDER_CHOICES) -> Harbor's type."""
    found = value if value in PROVIDERS else ALIASES.get(value)
    if not found:
        raise HarborValidationError("provider: %r is not a Harbor registry type; use one of %s (aliases: %s)"
                                    % (value, ", ".join(sorted(PROVIDERS)), ", ".join(sorted(ALIASES))))
    return found


def check_access_key(value):
    """An access key Harbor can store (255 characters: the limits in validation.py)."""
    return check_length(value, "access_key", max_chars=ACCESS_KEY_MAX_CHARS)


def check_access_secret(value):
    """An access secret Harbor can store (3050 bytes: the limits in validation.py); the message
    gives lengths only."""
    return check_length(value, "access_secret", max_bytes=ACCESS_SECRET_MAX_BYTES)


def normalize_url(value, option="url", strict=True):
    """Harbor's lib.ValidateHTTPURL (src/lib/endpoint.go, goharbor/harbor v2.15.2): trim, keep only
    scheme://host[:port]/path.

    ``strict`` (the user's input): checked by the collection's one URL check, ``client.check_url`` (no scheme and user
    info are refused: Harbor would silently use http:// and send the credentials in clear); Harbor's stored URLs are
    read with ``strict=False``, as Harbor normalised them."""
    text = str(value).strip(" ").rstrip("/")
    if not text:
        raise HarborValidationError("%s: must not be empty; give the remote registry's address, for example https://nvcr.io" % option)
    if strict:
        try:
            check_url(text, option, example="https://nvcr.io (credentials go in access_key/access_secret)")
        except ValueError as exc:
            raise HarborValidationError(str(exc))
    parts = urlsplit(text if "://" in text else "http://" + text)
    url = "%s://%s%s" % (parts.scheme.lower(), parts.netloc.rpartition("@")[2], parts.path)
    if strict:
        check_length(url, option, max_chars=REGISTRY_URL_MAX_CHARS)    # registry.url varchar(256): see validation.py
    return url


def normalize_pem(text):
    """The PEM text with clean line ends and one final newline ('' stays '')."""
    lines = [line.rstrip() for line in str(text).strip().splitlines()]
    return "\n".join(lines) + "\n" if lines else ""


def content_or_file(value):
    """``value`` itself, or the content of the file it names when it is the path of an existing file."""
    text = str(value)
    if "\n" in text or text.lstrip().startswith(("{", "-----")):
        return text
    path = os.path.expanduser(text.strip())
    if path and os.path.isfile(path):
        with open(path) as handle:
            return handle.read()
    return text


def references(client, registry_id):
    """``(rule names, proxy-cache project names)`` that use the endpoint; Harbor refuses to delete it while any exist."""
    rules = [p for p in client.list(POLICIES) if registry_id in ((p.get("src_registry") or {}).get("id"),
                                                                 (p.get("dest_registry") or {}).get("id"))]
    projects = [p for p in client.list("/projects", params={"q": "registry_id=%s" % registry_id})
                if p.get("registry_id") == registry_id]
    return sorted(p.get("name") for p in rules), sorted(p.get("name") for p in projects)


def describe_references(name, rules, projects):
    used = []
    if rules:
        used.append("replication rule(s) %s" % ", ".join(rules))
    if projects:
        used.append("proxy-cache project(s) %s" % ", ".join(projects))
    return "registry endpoint %s is used by %s" % (name, " and ".join(used))


# -- the resource ---------------------------------------------------------------------------------------------------
class Registry(Resource):
    kind = "registry endpoint"
    result_key = "registry"
    options = REGISTRY_OPTIONS
    secret_options = ("access_secret",)
    control_options = ("update_password", "test_connection", "recreate")
    normalizers = dict(provider=normalize_provider, url=normalize_url, ca_certificate="_normalize_ca_certificate")

    # -- validation (no request but the login for version checks) -------------------------------------------------
    def check_key(self, name):
        check_name(name or "")

    def validate(self, item, options):
        if options.get("access_key"):
            check_access_key(options["access_key"])
        if item.get("access_secret") == MASK:
            raise HarborValidationError("access_secret: %r is how Harbor hides a stored secret, not a secret; give the real one"
                                        " or leave access_secret out to keep the stored one" % MASK)
        if "provider" in options:
            version_gate(self.client, PROVIDERS[options["provider"]], "provider %s" % options["provider"])
            self._credentials(item, options["provider"], before_read=True)
        if "ca_certificate" in options:
            version_gate(self.client, CA_CERTIFICATE_SINCE, "ca_certificate")

    def _normalize_ca_certificate(self, value):
        pem = normalize_pem(self._pem_without_key(value))
        check_pem(pem, "ca_certificate")
        return pem

    def _pem_without_key(self, value):
        """The PEM text of ``ca_certificate`` (or of the file it names); refused when it holds a private key, which
        Harbor would store and return on every GET."""
        text = str(value)
        if "\n" not in text and not text.lstrip().startswith("-----") and ("/" in text or text.lower().endswith((".pem", ".crt", ".cer"))):
            if not os.path.isfile(os.path.expanduser(text.strip())):
                raise HarborValidationError("ca_certificate: file %s does not exist; give the path of a PEM file with the remote's"
                                            " CA certificate, or its PEM text" % text.strip())
        text = content_or_file(text)
        keys = _PRIVATE_KEY.findall(text)
        if keys:
            for key in keys:
                self._hide(key)
            raise HarborValidationError("ca_certificate: the PEM given holds a private key; Harbor would store it and show it to"
                                        " every administrator. Give only the CA certificate (the -----BEGIN CERTIFICATE-----"
                                        " blocks), for example a file made with: openssl x509 -in FILE -out ca.pem")
        return text

    def _credentials(self, item, provider, stored_key="", before_read=False):
        """The secret to send (file content for JSON-key providers), checked; None when not given.

        Without ``access_key`` the secret is allowed only for an endpoint that has a stored access key (``stored_key``),
        which the update sends with it; ``before_read`` (the endpoint is not known yet) leaves that check to ``desired``.
        """
        secret = item.get("access_secret")
        if secret is None:
            return None
        if isinstance(secret, (bool, float)):
            raise HarborValidationError("access_secret: expected text, got a %s; quote the secret in YAML (an unquoted true, yes or"
                                        " 1.10 is read as another type and would be sent changed)" % type(secret).__name__)
        keeps_stored_key = item.get("access_key") is None and (before_read or bool(stored_key))
        if not item.get("access_key") and provider not in JSON_SECRETS and not keeps_stored_key:
            raise HarborValidationError("access_secret: needs access_key (the Access ID: a user name, $oauthtoken for NGC, an AWS"
                                        " access key id...); Harbor drops a secret that comes without one")
        if isinstance(secret, (dict, list)):
            # A JSON key read with lookup('file') arrives as a dict on older ansible-core: send it back as JSON.
            if provider not in JSON_SECRETS:
                raise HarborValidationError("access_secret: provider %s takes a password, token or key as text, not a %s"
                                            % (provider, type(secret).__name__))
            content = json.dumps(secret)
        elif provider not in JSON_SECRETS:
            return check_access_secret(str(secret))
        else:
            content = content_or_file(str(secret))
        self._hide(content)
        try:
            parsed = json.loads(content)
        except ValueError:
            parsed = None
        expected = ("a service-account JSON key (its content, or the path of its file)" if provider == "google-gcr"
                    else 'a JSON document {"account_name": ..., "docker_cli_password": ..., "oauth2_token": ...} (or the path of its file)')
        if not isinstance(parsed, dict):
            raise HarborValidationError("access_secret: provider %s takes %s; the value given is neither JSON nor a readable file"
                                        % (provider, expected))
        for key, value in parsed.items():
            if isinstance(value, str) and any(word in str(key).lower() for word in ("private", "secret", "password", "token")):
                self._hide(value)
        if provider == "google-gcr" and not (parsed.get("client_email") and parsed.get("private_key")):
            raise HarborValidationError("access_secret: the JSON given for google-gcr has no client_email/private_key; expected %s"
                                        % expected)
        return check_access_secret(content)

    def _hide(self, text):
        """Never show ``text`` (a key file's content, or a part of it) in any output of the module."""
        if text and text.strip():
            self.module.no_log_values.add(text)

    # -- read and compare -----------------------------------------------------------------------------------------
    def read(self, names, wanted):
        return self.client.list_named(REGISTRIES, names)

    def to_options(self, raw):
        credential = raw.get("credential") or {}
        return dict(
            name=raw.get("name"),
            provider=raw.get("type"),
            url=normalize_url(raw["url"], strict=False) if raw.get("url") else "",
            description=raw.get("description") or "",
            access_key=credential.get("access_key") or "",
            credential_type=(credential.get("type") or "basic") if credential.get("access_key") else None,
            verify_remote_cert=not raw.get("insecure"),
            ca_certificate=normalize_pem(raw.get("ca_certificate") or ""),
        )

    def desired(self, item, options, raw):
        """The options to reach, after the checks that need the current endpoint; plans the write and pings if asked."""
        name = item["name"]
        provider = options.get("provider") or (raw or {}).get("type")
        if raw is None:
            if not provider:
                raise HarborValidationError("provider: required to create registry endpoint %s (one of %s)" % (name, ", ".join(sorted(PROVIDERS))))
            options["provider"] = provider
            if "url" not in options:
                if provider not in FIXED_URLS:
                    raise HarborValidationError("url: required to create registry endpoint %s of provider %s" % (name, provider))
                options["url"] = FIXED_URLS[provider]
        current_key = self.to_options(raw)["access_key"] if raw is not None else ""
        secret = self._credentials(item, provider, stored_key=current_key)
        if secret is not None and provider in JSON_SECRETS:
            options.setdefault("access_key", JSON_SECRETS[provider])
        if options.get("credential_type") and not options.get("access_key", current_key):
            raise HarborValidationError("credential_type: Harbor stores a credential only with access_key; set access_key too")
        plan = self._plan(item, options, raw, secret)
        if item.get("test_connection"):
            self._ping(item, options, raw, plan)
        return plan

    def _plan(self, item, options, raw, secret):
        """What the write will do: ``recreate`` (provider change), the ``secret`` and whether it is sent (``send_secret``)."""
        plan = Plan(options, recreate=False, secret=secret, send_secret=secret is not None)
        if raw is None:
            return plan
        current = self.to_options(raw)
        changed = self.differs(options, current)
        stored_secret = bool((raw.get("credential") or {}).get("access_secret"))
        name = item["name"]
        if "provider" in changed:
            self._check_recreate(item, raw, current, options, secret, stored_secret)
            plan.recreate = True
            return plan
        key_changed = "access_key" in changed and options.get("access_key")
        if secret is None and key_changed:
            raise HarborValidationError("access_secret: required when access_key changes (registry endpoint %s: %r -> %r)"
                                        % (name, current["access_key"], options["access_key"]))
        url_change_without_secret = secret is None and "url" in changed and stored_secret
        if url_change_without_secret and self.client.version_at_least(URL_CHANGE_CLEARS_SECRET):
            raise HarborValidationError("access_secret: required when url changes on registry endpoint %s: this Harbor clears the"
                                        " stored secret on a URL change without one" % name)
        plan.send_secret = secret is not None and (item.get("update_password") == "always" or "url" in changed or "access_key" in changed)
        return plan

    def _check_recreate(self, item, raw, current, options, secret, stored_secret):
        name = item["name"]
        change = "registry endpoint %s is of provider %s and Harbor cannot change the provider of an endpoint (%s wanted)" % (
            name, current["provider"], options["provider"])
        if not item.get("recreate"):
            raise HarborValidationError("provider: %s. Set recreate: true to delete and recreate it (possible only while no"
                                        " replication rule or proxy-cache project uses it)" % change)
        rules, projects = references(self.client, raw["id"])
        if rules or projects:
            raise HarborValidationError("provider: %s, and it cannot be recreated: %s" % (change, describe_references(name, rules, projects)))
        if stored_secret and secret is None:
            raise HarborValidationError("access_secret: required to recreate registry endpoint %s with provider %s (Harbor never"
                                        " returns the stored secret)" % (name, options["provider"]))

    def must_write(self, item, plan, raw):
        return plan.send_secret

    # -- connection test ------------------------------------------------------------------------------------------
    def _ping(self, item, options, raw, plan):
        """POST /registries/ping with the settings the endpoint will have (changes nothing, so also in check mode)."""
        merged = dict(self.to_options(raw) if raw is not None else {}, **options)
        body = dict(type=merged["provider"], url=merged["url"], insecure=not merged.get("verify_remote_cert", True))
        if merged.get("access_key"):
            body.update(access_key=merged["access_key"], credential_type=merged.get("credential_type") or "basic")
        elif raw is not None and "access_key" in options:
            # access_key "" drops the stored credential: test anonymous access, not the stored one that ``id`` would bring.
            body.update(access_key="", access_secret="")
        if "ca_certificate" in options:
            body["ca_certificate"] = options["ca_certificate"]
        if plan.secret is not None or plan.recreate:
            # the secret given is the one tested, also when update_password=on_create keeps the stored one
            body["access_secret"] = plan.secret or ""
        elif raw is not None:
            body["id"] = raw["id"]
        try:
            self.client.post_safe(REGISTRIES + "/ping", body=body)
        except HarborError as exc:
            raise self._unreachable(exc, item["name"], merged)
        plan.report["connection"] = "healthy"

    def _unreachable(self, exc, name, options):
        """A remote that Harbor could not check -> an error naming the URL, the provider and what to check."""
        unhealthy = exc.status == 400 and "unhealthy" in (exc.message or "")
        if not unhealthy and exc.status != 500:
            return exc                  # 502/503/504 come from Harbor (or its proxy) itself, not from the remote
        provider, url = options.get("provider"), options.get("url")
        if unhealthy:
            what = "Harbor could not reach or log in to %s as a %s registry (HTTP 400: the registry is unhealthy)" % (url, provider)
        else:
            what = ("Harbor failed while contacting %s as a %s registry (HTTP %s; Harbor hides the cause in its core log%s)"
                    % (url, provider, exc.status, "; for this provider it usually means the remote could not be reached or"
                       " refused the login" if provider in CONTACT_ON_BUILD else ""))
        return HarborError("registry endpoint %s: %s. Check that Harbor's own host can resolve and reach that address"
                           " (DNS, firewall, HTTP proxy), that the remote accepts access_key/access_secret, and that its TLS"
                           " certificate is trusted (verify_remote_cert, ca_certificate). Nothing was changed."
                           % (name, what), status=exc.status, code=exc.code, method=exc.method, path=exc.path,
                           request_id=exc.request_id, hint="")

    # -- writes ---------------------------------------------------------------------------------------------------
    def create(self, item, plan):
        self._post(item, plan.options, plan)

    def _post(self, item, options, plan):
        body = dict(name=item["name"], type=options["provider"], url=options["url"], description=options.get("description", ""),
                    insecure=not options.get("verify_remote_cert", True))
        if options.get("ca_certificate"):
            body["ca_certificate"] = options["ca_certificate"]
        if options.get("access_key"):
            body["credential"] = dict(type=options.get("credential_type") or "basic", access_key=options["access_key"],
                                      access_secret=plan.secret or "")
        self._write(item["name"], options, lambda: self.client.post(REGISTRIES, body))
        self._report_secret(item, plan, bool(plan.secret))

    def update(self, item, plan, raw, changed):
        desired = plan.options
        if plan.recreate:
            # Harbor tests the remote only when the new endpoint is created: test first so that a failure deletes nothing.
            self._ping(item, desired, raw, plan)
            self.client.delete("%s/%s" % (REGISTRIES, raw["id"]))
            try:
                self._post(item, dict(self.to_options(raw), **desired), plan)
            except (HarborError, HarborValidationError) as exc:
                self._recreate_failed(item, raw, exc)
            plan.report["recreated"] = True
            return None
        body = dict((k, desired[k]) for k in changed if k in UPDATE_FIELDS)
        if "verify_remote_cert" in changed:
            body["insecure"] = not desired["verify_remote_cert"]
        if plan.send_secret:
            current = self.to_options(raw)
            body.update(access_secret=plan.secret, access_key=desired.get("access_key", current["access_key"]),
                        credential_type=desired.get("credential_type") or current["credential_type"] or "basic")
        self._write(item["name"], dict(self.to_options(raw), **desired),
                    lambda: self.client.put("%s/%s" % (REGISTRIES, raw["id"]), body))
        self._report_secret(item, plan, plan.send_secret)
        return None

    def _recreate_failed(self, item, raw, exc):
        """The old endpoint is deleted and the new one was not created: say so, with the former settings to restore."""
        former = self.to_options(raw)
        former["provider"] = raw.get("type")
        cause = str(exc).replace(" Nothing was changed.", "")     # the delete did change something
        raise HarborError("recreate: registry endpoint %s was deleted, but creating it again with provider %s failed, so it"
                          " does not exist now: %s. Its former settings (access_secret is never shown) were:\n%s\nFix the"
                          " cause and re-run the task, or restore it with these options." % (
                              item["name"], item.get("provider"), cause, to_yaml(former)),
                          status=getattr(exc, "status", None), code=getattr(exc, "code", None), hint="")

    def _write(self, name, options, send):
        try:
            send()
        except HarborError as exc:
            raise self._unreachable(exc, name, options)

    def _report_secret(self, item, plan, sent):
        if sent:
            plan.report["secret_sent"] = _why_secret_sent(item)

    def predict(self, item, plan, before):
        """Check mode: also ``secret_sent`` as the real run would report it."""
        after, keys = super(Registry, self).predict(item, plan, before)
        if not plan.deletes and (bool(plan.secret) if before is None or plan.recreate else plan.send_secret):
            keys["secret_sent"] = _why_secret_sent(item)
        return after, keys

    def delete(self, item, plan, raw):
        try:
            self.client.delete("%s/%s" % (REGISTRIES, raw["id"]))
        except HarborError as exc:
            if exc.status != 412:
                raise
            rules, projects = references(self.client, raw["id"])
            detail = describe_references(item["name"], rules, projects) if rules or projects else exc.message
            raise HarborRefused("cannot delete %s; Harbor keeps an endpoint while anything uses it. Delete or re-point"
                                " those first (registryops.harbor.harbor_replication_rule, registryops.harbor.harbor_project),"
                                " then delete the endpoint." % detail, cause=exc)

    def public(self, raw):
        registry = dict(raw)
        credential = dict(raw.get("credential") or {})
        if credential.get("access_secret"):
            credential["access_secret"] = MASK
        if raw.get("credential") is not None:
            registry["credential"] = credential
        return registry

    def info(self, raw):
        """One endpoint as harbor_registry_info returns it: the option shape plus id and health status."""
        shown = self.to_options(raw)
        shown.update(id=raw.get("id"), status=raw.get("status") or "unknown", has_secret=bool((raw.get("credential") or {}).get("access_secret")),
                     creation_time=raw.get("creation_time"), update_time=raw.get("update_time"))
        return shown


def _why_secret_sent(item):
    return "update_password=always" if item.get("update_password") == "always" else "new endpoint or changed url/access_key"


# -- module entry points --------------------------------------------------------------------------------------------
def run_registry(module):
    """harbor_registry: one endpoint (or the list ``registries``) to its desired state."""
    return run(Registry(module), "registries")


def registry_info(module):
    """harbor_registry_info: one endpoint by name, or all of them, never with a secret."""
    resource = Registry(module)
    raws = module.client.find_all(REGISTRIES, module.params["name"])
    found = sorted((resource.info(raw) for raw in raws), key=lambda r: r["name"] or "")
    return dict(changed=False, registries=module.select(found))
