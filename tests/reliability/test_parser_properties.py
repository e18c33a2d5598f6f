"""Property-based tests (Hypothesis) for the parsers in plugins/module_utils: sizes, bandwidth, cron, URLs, names.

Two kinds of properties: the parser's own (never an exception other than HarborValidationError, round trips,
idempotency, monotony), and agreement with Harbor (what the module accepts, the emulator, which follows Harbor's Go
code, accepts too; so that bad input is refused before any write). Examples are derandomized: CI sees the same cases
on every run; the @example lines pin the cases that once failed.
"""
import math
import sys
from urllib.parse import unquote

import pytest

hypothesis = pytest.importorskip("hypothesis")     # the ansible-core 2.16 leg collects this file without it
from hypothesis import example, given, settings, strategies as st  # noqa: E402

from tests.harbor_emulator.handler import project as emulated_project  # noqa: E402
from tests.harbor_emulator.handler import registry as emulated_registry  # noqa: E402
from tests.harbor_emulator.handler import replication as emulated_replication  # noqa: E402
from tests.harbor_emulator.errors import HarborAPIError  # noqa: E402
from tests.support.ansible import collections_root  # noqa: E402
from tests.reliability.harness import FULL  # noqa: E402

sys.path.insert(0, str(collections_root()))
from ansible_collections.registryops.harbor.plugins.module_utils import client, project, registry, replication_rule, validation  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborValidationError  # noqa: E402

EXAMPLES = 1000 if FULL else 100
PROPERTIES = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)

UNITS = ["", "B", "K", "KB", "KiB", "M", "MB", "MiB", "G", "GB", "GiB", "T", "TB", "TiB", "P", "PB", "PiB"]
size_text = st.one_of(st.text(max_size=30),
                      st.builds(lambda n, u, sp: "%s%s%s" % (n, " " if sp else "", u),
                                st.one_of(st.integers(min_value=-10, max_value=10 ** 20),
                                          st.floats(allow_nan=True, allow_infinity=True).map(repr),
                                          st.text("0123456789.", min_size=1, max_size=400)),
                                st.sampled_from(UNITS), st.booleans()))


def outcome(fn, value):
    """``("ok", result)`` or ``("refused", message)``; any other exception propagates (the property fails)."""
    try:
        return ("ok", fn(value))
    except HarborValidationError as exc:
        return ("refused", str(exc))


# -- sizes (storage_quota) -------------------------------------------------------------------------------------------
@PROPERTIES
@given(size_text)
@example("9" * 400 + "GB")
def test_parse_size_answers_bytes_or_a_clear_refusal(text):
    kind, value = outcome(project.parse_size, text)
    if kind == "ok":
        assert value == -1 or 1 <= value <= project.MAX_QUOTA
    else:
        assert value.startswith("storage_quota:")


@PROPERTIES
@given(st.integers(min_value=1, max_value=project.MAX_QUOTA))
def test_parse_size_takes_a_byte_count_as_is(number):
    assert project.parse_size(number) == number
    assert project.parse_size(str(number)) == number


@PROPERTIES
@given(st.integers(min_value=1, max_value=1023), st.sampled_from([("KiB", 1), ("MiB", 2), ("GiB", 3), ("TiB", 4)]))
def test_parse_size_binary_units_are_powers_of_1024_and_monotonic(number, unit):
    name, power = unit
    assert project.parse_size("%d%s" % (number, name)) == number * 1024 ** power
    assert project.parse_size("%d %s" % (number, name)) == number * 1024 ** power
    if number < 1023:
        assert project.parse_size("%d%s" % (number, name)) < project.parse_size("%d%s" % (number + 1, name))


@PROPERTIES
@given(st.integers(min_value=100, max_value=250), st.sampled_from(["M", "G"]))     # 250GB/s: below Harbor's int32 speed
@example(100, "M")
def test_one_unit_rule_for_sizes_and_bandwidth(number, prefix):
    """``MB`` is the same multiple of ``KB`` in storage_quota as in bandwidth (issue 10, defect 11), whatever unit
    Harbor stores (bytes for a quota; its own unit, rounded to whole ones, for a bandwidth: hence numbers >= 100)."""
    size_ratio = project.parse_size("%d%sB" % (number, prefix)) / project.parse_size("%dKB" % number)
    speed_ratio = replication_rule.parse_bandwidth("%d%sB/s" % (number, prefix)) / replication_rule.parse_bandwidth("%dKB/s" % number)
    assert math.isclose(size_ratio, speed_ratio, rel_tol=1e-2), "%d%sB: x%s as a quota, x%s as a bandwidth" % (
        number, prefix, size_ratio, speed_ratio)


# -- bandwidth ---------------------------------------------------------------------------------------------------------
@PROPERTIES
@given(st.one_of(st.text(max_size=30), size_text.map(lambda s: s + "/s")))
@example("9" * 400 + "KB/s")
def test_parse_bandwidth_answers_kbps_or_a_clear_refusal(text):
    kind, value = outcome(replication_rule.parse_bandwidth, text)
    if kind == "ok":
        assert isinstance(value, int) and value >= 0
    else:
        assert value.startswith("bandwidth:")


@PROPERTIES
@given(st.integers(min_value=-10 ** 6, max_value=10 ** 9))
def test_parse_bandwidth_numbers_are_kbps_and_negative_is_unlimited(number):
    assert replication_rule.parse_bandwidth(number) == max(number, 0)
    assert replication_rule.parse_bandwidth(str(number)) == max(number, 0)


# -- cron --------------------------------------------------------------------------------------------------------------
def cron_field(low, high):
    value = st.integers(min_value=low, max_value=high).map(str)
    ranged = st.tuples(st.integers(low, high), st.integers(low, high)).map(lambda ab: "%d-%d" % (min(ab), max(ab)))
    step = st.tuples(st.sampled_from(["*"]) | ranged, st.integers(1, high - low + 1)).map(lambda ps: "%s/%d" % ps)
    return st.one_of(st.just("*"), value, ranged, step, st.lists(value, min_size=2, max_size=3).map(",".join))


valid_cron = st.builds(lambda m, h, dom, mon, dow, spaces: spaces.join(["0", m, h, dom, mon, dow]),
                       st.integers(0, 59).map(str) | st.integers(1, 30).map(lambda n: "*/%d" % n),
                       cron_field(0, 23), cron_field(1, 31) | st.just("?"), cron_field(1, 12), cron_field(0, 6) | st.just("?"),
                       st.sampled_from([" ", "  ", "\t"]))


@PROPERTIES
@given(valid_cron)
def test_a_valid_cron_is_accepted_normalised_and_stable(cron):
    normal = replication_rule.normalize_cron(cron)
    assert normal == " ".join(cron.split())
    assert replication_rule.normalize_cron(normal) == normal
    assert emulated_replication.valid_cron(normal)


@PROPERTIES
@given(st.text(alphabet="0123456789*/,-? ", max_size=30))
@example("0 61 * * * *")
def test_what_the_module_accepts_as_cron_harbor_accepts(text):
    kind, value = outcome(replication_rule.normalize_cron, text)
    if kind == "ok":
        assert emulated_replication.valid_cron(value), "accepted %r, which Harbor refuses" % value
    else:
        assert value.startswith("cron:")


# -- URLs --------------------------------------------------------------------------------------------------------------
hosts = st.from_regex(r"\A[a-z][a-z0-9-]{0,10}(\.[a-z]{2,5}){0,2}\Z").filter(lambda h: not h.endswith("-"))
url_text = st.builds(lambda scheme, host, port, path: "%s%s%s%s" % (scheme, host, port, path),
                     st.sampled_from(["http://", "https://", "HTTPS://"]), hosts,
                     st.sampled_from(["", ":5000", ":443"]), st.sampled_from(["", "/", "/v2", "/a/b/"]))


@PROPERTIES
@given(url_text)
def test_registry_url_normalisation_is_harbors_and_stable(url):
    normal = registry.normalize_url(url)
    assert registry.normalize_url(normal) == normal
    assert normal == emulated_registry.normalize_url(url).replace("HTTPS://", "https://")


@PROPERTIES
@given(st.text(alphabet="htps:/[]@.:%1a", max_size=25))
@example("https://[::1")
def test_normalize_url_answers_or_refuses_clearly(text):
    kind, value = outcome(registry.normalize_url, text)
    if kind == "ok":
        assert "@" not in value.split("//", 1)[1].split("/", 1)[0]
    else:
        assert value.startswith("url:")


@PROPERTIES
@given(hosts)
def test_a_url_without_a_scheme_is_refused(host):
    with pytest.raises(HarborValidationError, match="https://"):
        registry.normalize_url(host)


@PROPERTIES
@given(url_text, st.sampled_from(["", "/", "/api/v2.0", "/api/v2.0/", "//"]))
def test_harbor_url_suffixes_are_dropped(url, suffix):
    base = client.base_url(url.rstrip("/"))
    assert client.base_url(url.rstrip("/") + suffix) == base
    assert client.base_url(base) == base


# -- names -------------------------------------------------------------------------------------------------------------
project_names = st.from_regex(r"\A[a-z0-9]{1,8}([._-][a-z0-9]{1,8}){0,3}\Z")


@PROPERTIES
@given(project_names)
def test_project_names_from_harbors_grammar_are_accepted(name):
    assert validation.PROJECT_NAME.match(name) and emulated_project.NAME_PATTERN.match(name)


@PROPERTIES
@given(st.text(alphabet="aZ09._-/ \u00e9\n", min_size=0, max_size=12))
def test_project_name_check_agrees_with_harbor(name):
    assert bool(validation.PROJECT_NAME.match(name)) == bool(emulated_project.NAME_PATTERN.match(name))


@PROPERTIES
@given(st.text(min_size=1, max_size=70))
@example("\u00e9" * 40)
def test_registry_names_the_module_accepts_fit_harbors_limit(name):
    kind, value = outcome(registry.check_name, name)
    if kind == "refused":
        assert value.startswith("name:")
    else:
        assert len(name.encode("utf-8")) <= emulated_registry.MAX_NAME, "accepted %r (%d bytes)" % (name, len(name.encode("utf-8")))


@PROPERTIES
@given(st.text(max_size=40))
def test_quoted_path_segments_round_trip(name):
    quoted = client.quote(name)
    assert "/" not in quoted and unquote(quoted) == name
    assert unquote(unquote(client.quote_repository(name))) == name


@PROPERTIES
@given(st.text(max_size=40))
def test_q_values_are_exact_matches_or_none(name):
    value = client.q_value(name)
    if "," in name:
        assert value is None
    else:
        decoded = unquote(value)
        assert decoded in (name, "\\" + name)


# -- limits and flattening ---------------------------------------------------------------------------------------------
@PROPERTIES
@given(st.integers(min_value=-10 ** 12, max_value=10 ** 12))
def test_upstream_limits(number):
    kind, value = outcome(lambda v: project.parse_limit(v, "proxy_speed_kb"), number)
    if number > 2 ** 31 - 1:
        assert kind == "refused" and value.startswith("proxy_speed_kb:")
    else:
        assert value == (number if number > 0 else -1)


@PROPERTIES
@given(st.one_of(st.integers(min_value=0, max_value=50), st.sampled_from(["none", "all", "NONE", " 2 "])))
def test_flattening_round_trips(value):
    name = replication_rule.parse_flattening(value)
    assert replication_rule.parse_flattening(name) == name
    assert replication_rule.flattening_name(replication_rule.flattening_count(name)) == name


# -- numbers are ASCII digits only (issue 20: str.isdigit() said yes to "²", which int() refuses) ----------------------
non_ascii_digits = st.characters(categories=["Nd", "No"]).filter(lambda c: not c.isascii())
PARSERS = [("bandwidth", replication_rule.parse_bandwidth, "{}"), ("bandwidth", replication_rule.parse_bandwidth, "{}MB/s"),
           ("flattening", replication_rule.parse_flattening, "{}"), ("storage_quota", project.parse_size, "{}GiB"),
           ("cron", replication_rule.normalize_cron, "0 {} * * * *"), ("cron", replication_rule.normalize_cron, "0 0 2 * * {}"),
           ("proxy_speed_kb", lambda v: project.parse_limit(v, "proxy_speed_kb"), "{}")]


@PROPERTIES
@given(st.sampled_from(PARSERS), st.text("0123456789", max_size=2), non_ascii_digits, st.text("0123456789", max_size=2))
def test_a_number_with_any_other_digit_is_refused_clearly(parser, before, digit, after):
    option, parse, form = parser
    kind, value = outcome(parse, form.format(before + digit + after))
    assert kind == "refused" and value.startswith(option + ":"), value


def test_the_emulator_refuses_what_harbor_refuses():
    """The oracle itself: the emulator's checks refuse the obvious cases (else the agreement properties prove nothing)."""
    assert not emulated_replication.valid_cron("0 61 * * * *")
    assert not emulated_project.NAME_PATTERN.match("Upper")
    with pytest.raises(HarborAPIError):
        emulated_registry.normalize_url("ftp://x")
