# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of the user's input that several options share, and Harbor's limits they enforce. FOR INTERNAL COLLECTION USE ONLY.

Every check raises ``HarborValidationError`` with a message that names the option and says what is allowed, before any
request. The limits are Harbor's own (goharbor/harbor v2.15.2), so that nothing Harbor would refuse (or store wrongly,
or fail on with an opaque 500 from its database) is ever sent:

- registry endpoint name: 1 to 64 bytes (Go's ``len``): src/controller/registry/controller.go (``validate``);
- registry endpoint url: 256 characters: make/migrations/postgresql/0004_1.8.0_schema.up.sql (``url TYPE varchar(256)``);
- registry endpoint access_key: 255 characters: make/migrations/postgresql/0001_initial_schema.up.sql (``username
  varchar(255)``, renamed ``access_key`` in 0004_1.8.0_schema.up.sql);
- registry endpoint access_secret: 3050 bytes: 0004_1.8.0_schema.up.sql (``access_secret TYPE varchar(4096)``), which
  holds it encrypted by src/common/utils/encrypt.go (``ReversibleEncrypt``: ``<enc-v1>`` and the base64 of a 16-byte IV
  and the text: 8 + 4 * ceil((16 + n) / 3) <= 4096);
- replication rule name: 256 characters: 0001_initial_schema.up.sql (``replication_policy.name varchar(256)``);
- replication rule dest_namespace: 256 characters: 0004_1.8.0_schema.up.sql (``dest_namespace varchar(256)``);
- replication rule filters: 1024 characters of JSON: 0001_initial_schema.up.sql (``filters varchar(1024)``), written by
  src/controller/replication/model/model.go (``Policy.To``: ``json.Marshal`` of the filters);
- replication rule trigger: 256 characters of JSON, so its cron: 0001_initial_schema.up.sql (``cron_str varchar(256)``,
  renamed ``trigger`` in 0004_1.8.0_schema.up.sql);
- replication rule flattening: an int8 and bandwidth: an int32: src/pkg/replication/model/model.go
  (``DestNamespaceReplaceCount int8``, ``Speed int32``).

Postgres' ``varchar(n)`` counts characters; Go's ``len`` counts bytes. A NUL character is refused everywhere:
Postgres cannot store it in text, so Harbor answers 500.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import ssl
import unicodedata

from ansible.module_utils.common.validation import check_type_dict

from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborValidationError

REGISTRY_NAME_MAX_BYTES = 64
REGISTRY_URL_MAX_CHARS = 256
ACCESS_KEY_MAX_CHARS = 255
ACCESS_SECRET_MAX_BYTES = 3050
RULE_NAME_MAX_CHARS = 256
DEST_NAMESPACE_MAX_CHARS = 256
FILTERS_JSON_MAX_CHARS = 1024
TRIGGER_JSON_MAX_CHARS = 256
PROJECT_NAME_MAX_CHARS = 255
PROJECT_NAME = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*\Z")
INT8_MAX = 127
INT32_MAX = 2 ** 31 - 1

# A whole number in ASCII digits: Harbor's Go parsers (strconv, robfig/cron) read no other digits, and Python's
# str.isdigit() also says True for "²" or "١", which int() then refuses or reads.
_ASCII_INT = re.compile(r"^[0-9]+\Z")
# Unicode categories never allowed in a name: controls (newline, NUL...), format characters (bidi overrides such as
# U+202E, zero-width characters), line and paragraph separators, surrogates, private use, unassigned.
_BAD_NAME_CATEGORIES = ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def is_ascii_int(text):
    """True for a non-empty string of ASCII digits only."""
    return isinstance(text, str) and bool(_ASCII_INT.match(text))


def describe_char(char):
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``: a character a message can name without printing it."""
    return "U+%04X (%s)" % (ord(char), unicodedata.name(char, unicodedata.category(char)))


def check_text(value, option, secret=False):
    """Raise for a NUL character or a lone surrogate in ``value`` (a string); ``secret``: never show the value."""
    if not isinstance(value, str):
        return value
    for char in value:
        if char == "\x00" or 0xD800 <= ord(char) <= 0xDFFF:
            raise HarborValidationError("%s: must not hold %s; Harbor cannot store it%s"
                                        % (option, describe_char(char), "" if secret else " (got %r)" % value))
    return value


def check_name(value, option, kind, max_chars=None, max_bytes=None):
    """A name Harbor can store and a user can read: not blank, no control, bidi or other invisible characters, within
    ``max_chars`` characters (Postgres) or ``max_bytes`` UTF-8 bytes (Go's ``len``). Returns ``value``."""
    if not isinstance(value, str) or not value.strip():
        raise HarborValidationError("%s: the name of a %s must not be empty or blank, got %r" % (option, kind, value))
    for char in value:
        if unicodedata.category(char) in _BAD_NAME_CATEGORIES:
            raise HarborValidationError("%s: the name of a %s must not hold %s (control, bidi or invisible characters make"
                                        " names that look alike), got %r" % (option, kind, describe_char(char), value))
    if max_bytes is not None and len(value.encode("utf-8")) > max_bytes:
        raise HarborValidationError("%s: must be 1 to %d bytes in UTF-8 (Harbor counts bytes, so fewer characters when some are"
                                    " not ASCII), got %d bytes: %r" % (option, max_bytes, len(value.encode("utf-8")), value))
    if max_chars is not None and len(value) > max_chars:
        raise HarborValidationError("%s: must be 1 to %d characters (what Harbor stores), got %d" % (option, max_chars, len(value)))
    return value


def check_project_name(name, option="name"):
    """A project name as Harbor takes it: 1 to 255 characters, lower-case letters and digits separated by single '.', '_'
    or '-' (src/server/v2.0/handler/project.go and the swagger's ``maxLength: 255``, goharbor/harbor v2.15.2)."""
    if not isinstance(name, str) or not PROJECT_NAME.match(name) or len(name) > PROJECT_NAME_MAX_CHARS:
        raise HarborValidationError("%s: %r is not a Harbor project name: 1 to %d characters, lower-case letters and digits,"
                                    " separated by single '.', '_' or '-' (for example nvidiaio or application-collection)"
                                    % (option, name, PROJECT_NAME_MAX_CHARS))
    return name


def check_rule_name(name, option="name"):
    """A replication rule's name (given, or a reference): not blank, no control or bidi characters, at most 256
    characters (``replication_policy.name varchar(256)``; longer names fail in Harbor's database with an opaque 500)."""
    return check_name(name, option, "replication rule", max_chars=RULE_NAME_MAX_CHARS)


def check_length(value, option, max_chars=None, max_bytes=None):
    """Raise when the text ``value`` is longer than Harbor stores (``max_chars`` characters or ``max_bytes`` bytes); the
    message gives lengths only (``value`` may be a secret)."""
    if max_chars is not None and len(value) > max_chars:
        raise HarborValidationError("%s: must be at most %d characters (what Harbor stores), got %d" % (option, max_chars, len(value)))
    if max_bytes is not None and len(value.encode("utf-8")) > max_bytes:
        raise HarborValidationError("%s: must be at most %d bytes in UTF-8 (what Harbor stores), got %d"
                                    % (option, max_bytes, len(value.encode("utf-8"))))
    return value


def go_json_length(value):
    """The length in characters of ``value`` as Go's ``encoding/json`` writes it (what Harbor stores in a text column):
    no spaces, non-ASCII kept, ``<``, ``>`` and ``&`` escaped as ``\\u003c``..."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return len(text) + 5 * sum(text.count(c) for c in "<>&")


def some(names, shown=10):
    """``a, b, c and 990 more``: the first ``shown`` names of a long list (``none`` when empty)."""
    names = list(names)
    more = len(names) - shown
    return (", ".join(names[:shown]) or "none") + (" and %d more" % more if more > 0 else "")


# -- the parameters as given (a module's, before ansible-core converts them; a role's variables) -----------------------
def _given(params, option, opts):
    """The value given for ``option`` (or one of its aliases), and whether it was given at all."""
    for name in [option] + list(opts.get("aliases") or []):
        if isinstance(params, dict) and params.get(name) is not None:
            return params[name], True
    return None, False


def _has_secret(spec):
    return any(opts.get("no_log") or _has_secret(opts.get("options") or {}) for opts in spec.values())


def _kind(value):
    # by isinstance: ansible-core 2.19 hands a role's plan its own subclasses (_AnsibleTaggedInt)
    for kind, name in ((bool, "a boolean"), (dict, "a dictionary"), (list, "a list"), ((int, float), "a number"), (str, "text")):
        if isinstance(value, kind):
            return name
    return "a %s" % type(value).__name__


def _as_dict(value):
    """``value`` as ansible-core reads a dict (a dict, or text in JSON or key=value form), or None."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            return check_type_dict(value)
        except TypeError:
            return None
    return None


def given_problem(spec, params, prefix=""):
    """What is wrong with the parameters as the task gave them (before ansible-core converts them), naming the option
    and the element (``rules[3].filters``), or None. ansible-core would accept some of it by conversion (a list given to
    a text option becomes the text ``['x']``; ``"١٢"`` becomes the number 12) and word the rest without naming the
    element ("dictionary requested, could not parse JSON or key=value"); a text that may hold a secret is never shown.

    - a dict option (with suboptions) or an element of a list of dicts that is not a dictionary;
    - a list or dictionary given to a text option (or to an element of a list of texts);
    - a boolean, a list or a dictionary given to a number option, or a number written with other than ASCII characters
      (Harbor's Go parsers read ASCII digits only: one rule for every number);
    - a NUL character or a lone surrogate in any text (Harbor cannot store them: its database refuses NUL).
    """
    for option, opts in spec.items():
        value, given = _given(params, option, opts)
        if not given:
            continue
        where = "%s%s" % (prefix, option)
        secret = bool(opts.get("no_log"))
        wanted = opts.get("type") or "str"
        problem = None
        if opts.get("options") and (wanted == "dict" or opts.get("elements") == "dict"):
            problem = _dicts_problem(opts, value, where)
        elif wanted == "list" and isinstance(value, list):
            problem = next((p for index, item in enumerate(value)
                            for p in [_scalar_problem(opts.get("elements") or "raw", item, "%s[%d]" % (where, index), secret)] if p),
                           None)
        else:
            problem = _scalar_problem(wanted, value, where, secret)
        if problem:
            return problem
    return None


def _dicts_problem(opts, value, where):
    sub = opts["options"]
    if opts.get("type") == "dict":
        items = [(where, value)]
    elif isinstance(value, list):
        items = [("%s[%d]" % (where, index), item) for index, item in enumerate(value)]
    else:
        return "%s: expected a list of dictionaries (each with the keys %s), got %s" % (
            where, ", ".join(sorted(sub)), "text" if isinstance(value, str) else _kind(value))
    for path, item in items:
        found = _as_dict(item)
        if found is None:
            # the text of something that should hold a secret (an element of registries) is not shown
            shown = "" if _has_secret(sub) else " %r" % (item,)
            got = ("the text%s" % shown if shown else "text (not shown: an element may hold a secret)") if isinstance(item, str) \
                else "%s%s" % (_kind(item), shown)
            return ("%s: expected a dictionary with the keys %s (YAML mapping, JSON or key=value text), got %s"
                    % (path, ", ".join(sorted(sub)), got))
        problem = given_problem(sub, found, path + ".")
        if problem:
            return problem
    return None


def _scalar_problem(wanted, value, where, secret):
    """The problem of one value for an option (or list element) of type ``wanted``, or None."""
    for text in _strings(value):
        try:
            check_text(text, where, secret=secret)
        except HarborValidationError as exc:
            return str(exc)
    shown = "" if secret else " (%r)" % (value,)
    if wanted in ("str", "path") and isinstance(value, (list, dict)):
        return "%s: expected text, got %s%s; give one value as text" % (where, _kind(value), shown)
    if wanted in ("int", "float"):
        number = "a whole number" if wanted == "int" else "a number"
        if isinstance(value, (bool, list, dict)):
            return "%s: expected %s, got %s%s" % (where, number, _kind(value), shown)
        if isinstance(value, str) and not value.isascii():
            return "%s: expected %s written with ASCII digits (0-9), got %r" % (where, number, value)
    return None


def defuse(spec, params):
    """Drop (set to None) what ansible-core's checks would crash on instead of refusing: a number or a boolean given to a
    dict option with suboptions (its ``set_fallbacks`` then tests ``'key' in 5``: a TypeError and a traceback, not a
    message), at the top level and inside dict elements. ``given_problem`` has refused the value already."""
    for option, opts in spec.items():
        if not opts.get("options") or not isinstance(params, dict):
            continue
        for name in [option] + list(opts.get("aliases") or []):
            value = params.get(name)
            if value is None:
                continue
            if opts.get("type") == "dict" and not isinstance(value, (dict, str, list)):
                params[name] = None
            for item in (value if isinstance(value, list) else [value]):
                if isinstance(item, dict):
                    defuse(opts["options"], item)


def _strings(value):
    """Every text in ``value`` (leaves of dicts and lists, as text), for the no_log values of a secret option."""
    if isinstance(value, dict):
        return set(s for v in value.values() for s in _strings(v))
    if isinstance(value, (list, tuple)):
        return set(s for v in value for s in _strings(v))
    if value is None or isinstance(value, bool) or value == "":
        return set()
    return {str(value)}


def secret_values(spec, params):
    """The values of every ``no_log`` option in ``params``, in suboptions and list elements too, whatever else is wrong
    with the parameters (ansible-core collects none of them when one element of a list of dicts is not a dict)."""
    found = set()
    for option, opts in spec.items():
        value, given = _given(params, option, opts)
        if not given:
            continue
        if opts.get("no_log"):
            found.update(_strings(value))
        if opts.get("options"):
            for item in (value if isinstance(value, list) else [value]):
                item = _as_dict(item)
                if item is not None:
                    found.update(secret_values(opts["options"], item))
    return found


# -- certificates ---------------------------------------------------------------------------------------------------
def check_pem(text, option):
    """Raise unless ``text`` holds at least one X.509 certificate (PEM) that OpenSSL can load; '' is no certificate."""
    if not text:
        return
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise HarborValidationError("%s: expected PEM text with -----BEGIN CERTIFICATE----- blocks (or the path of a PEM file)" % option)
    try:
        ssl.create_default_context(cadata=text)
    except (ssl.SSLError, ValueError) as exc:
        raise HarborValidationError("%s: the PEM text holds no valid certificate (%s)" % (option, exc))


def check_ca_file(path, option="ca_path"):
    """Raise unless ``path`` is a readable PEM file with at least one CA certificate that OpenSSL can load (what
    verifying Harbor's certificate needs), naming ``option`` and what is wrong with the file."""
    advice = ("give the path of a PEM file with the CA certificate(s) that signed Harbor's certificate (HARBOR_CA_PATH sets"
              " it too)")
    if not os.path.isfile(path):
        raise HarborValidationError("%s: %s is not a file; %s" % (option, path, advice))
    try:
        with open(path, "rb") as handle:
            data = handle.read(4 * 1024 * 1024)
    except (IOError, OSError) as exc:
        raise HarborValidationError("%s: %s cannot be read (%s); %s" % (option, path, exc.strerror or exc, advice))
    if not data.strip():
        raise HarborValidationError("%s: %s is empty; %s" % (option, path, advice))
    if b"-----BEGIN CERTIFICATE-----" not in data:
        if b"PRIVATE KEY-----" in data:
            found = "a private key, not a certificate"
        elif data[:1] == b"\x30":
            found = ("a DER (binary) file; convert it with: openssl x509 -inform der -in %s -out ca.pem" % path)
        else:
            found = "no -----BEGIN CERTIFICATE----- block"
        raise HarborValidationError("%s: %s holds %s; %s" % (option, path, found, advice))
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, ValueError, OSError) as exc:
        raise HarborValidationError("%s: %s holds no certificate OpenSSL can load (%s); %s" % (option, path, exc, advice))
    return path
