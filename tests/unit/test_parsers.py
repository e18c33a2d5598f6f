"""The option parsers of plugins/module_utils, table-driven: for each parser, one table of (input, expected) and one of
(bad input, a fragment of the error), whose message must start with the option's name. The parsers refuse what Harbor
would refuse (NOTES.md), before any request."""
import sys
from types import SimpleNamespace

import pytest

from tests.support.ansible import collections_root

sys.path.insert(0, str(collections_root()))

from ansible_collections.registryops.harbor.plugins.module_utils import export, project, registry, robot  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.client import check_url  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborValidationError  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.validation import defuse, given_problem, secret_values  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils import validation  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.units import human_bytes  # noqa: E402

from ansible_collections.registryops.harbor.plugins.module_utils import replication_rule as rule  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.replication_execution import Executions, failure_cause, parse_time  # noqa: E402

GiB, TiB = 1024 ** 3, 1024 ** 4
MAX_SPEED = 2 ** 31 - 1


def refused(parse, value, option, fragment, error=HarborValidationError):
    with pytest.raises(error) as err:
        parse(value)
    text = str(err.value)
    assert text.startswith(option + ": "), text
    assert fragment in text, text
    return text


# -- sizes (storage_quota) ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, size", [
    ("10GiB", 10 * GiB), ("500 MB", 500 * 10 ** 6), ("1TB", 10 ** 12), ("1.5GiB", int(1.5 * GiB)), ("2kb", 2000),
    ("3 kib", 3072), ("1024", 1024), (1024, 1024), ("-1", -1), (-1, -1), ("unlimited", -1), (" Unlimited ", -1),
    ("1024TiB", 1024 * TiB),
])
def test_parse_size(value, size):
    assert project.parse_size(value) == size


@pytest.mark.parametrize("value, fragment", [
    ("ten", "expected a size such as 10GiB"), ("10 GB/s", "expected a size"), ("", "expected a size"),
    ("1iB", "no unit prefix before 'i'"), ("0", "is 0 bytes"), ("0.0001kB", "is 0 bytes"),
    ("9" * 400 + "GB", "maximum of 1024 TiB"), ("9" * 400, "maximum of 1024 TiB"), ("1025TiB", "maximum of 1024 TiB"),
    ("\u0661GB", "expected a size"), ("\u00b2GB", "expected a size"), ("10\nGB", "expected a size"),
])
def test_parse_size_refuses(value, fragment):
    refused(project.parse_size, value, "storage_quota", fragment)


# -- bandwidth ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, speed", [
    ("unlimited", 0), ("-1", 0), ("0", 0), ("-5", 0), ("1024", 1024), (2048, 2048),
    ("10MB/s", 78125), ("10MiB/s", 81920), ("10 MiB/s", 81920), ("512kB/s", 4000), ("100Mbit/s", 97656), ("1Gbps", 976562),
    ("1B/s", 1), ("250GB/s", 1953125000), (str(MAX_SPEED), MAX_SPEED), ("0.0", 0), ("1.4", 1), ("0.51", 1),
])
def test_parse_bandwidth(value, speed):
    assert rule.parse_bandwidth(value) == speed


@pytest.mark.parametrize("value, fragment", [
    ("fast", "expected a rate with a unit"), ("10M", "expected a rate with a unit"), ("10 parsecs", "expected a rate"),
    ("275GB/s", "maximum of 2147483647 Kbps"), ("9" * 400 + "KB/s", "maximum of 2147483647 Kbps"),
    ("9" * 400, "maximum of 2147483647 Kbps"), (str(2 ** 31), "maximum of 2147483647 Kbps"),
    # issue 20: digits str.isdigit() accepts and int() refuses or reads; fractions that round to 0 (= unlimited)
    ("\u00b2", "expected a rate"), ("-\u00b2", "expected a rate"), ("\u0661\u0662", "expected a rate"), ("1\u00b2MB/s", "expected a rate"),
    ("0.4", "rounds to 0, which Harbor reads as unlimited"), ("0.5", "rounds to 0"),
])
def test_parse_bandwidth_refuses(value, fragment):
    refused(rule.parse_bandwidth, value, "bandwidth", fragment)


@pytest.mark.parametrize("speed, text", [
    (0, "unlimited"), (-1, "unlimited"), (None, "unlimited"), (81920, "10 MiB/s"), (78125, "10 MB/s"), (1, "128 B/s"),
    (409600, "50 MiB/s"), (8388608, "1 GiB/s"),
])
def test_human_rate(speed, text):
    assert rule.human_rate(speed) == text


@pytest.mark.parametrize("size, text", [
    (0, "0 B"), (999, "999 B"), (1000, "1 kB"), (1024, "1 KiB"), (500 * 10 ** 6, "500 MB"), (10 * GiB, "10 GiB"),
    (10 ** 12, "1 TB"), (1234567, "~1.2 MB"), (1024 * TiB, "1 PiB"),
    # the family the user wrote: 500GiB is also 536870912 kB, 2GB also 1953125 KiB, 1TiB/s also 1073741824 kB/s
    (500 * GiB, "500 GiB"), (2 * TiB, "2 TiB"), (2 * 10 ** 9, "2 GB"), (1500 * 10 ** 6, "1500 MB"), (125 * GiB, "125 GiB"),
])
def test_human_bytes(size, text):
    assert human_bytes(size) == text


# -- cron -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cron, normal", [
    ("0 */15 1-5 * JAN-JUN MON,FRI", "0 */15 1-5 * JAN-JUN MON,FRI"), ("0 30 3 * * 1", "0 30 3 * * 1"),
    ("0 0 2 ? * ?", "0 0 2 ? * ?"), ("0 59 23 31 12 6", "0 59 23 31 12 6"), ("0 5/10 * * * sun", "0 5/10 * * * sun"),
    ("  0  0   2 * * *  ", "0 0 2 * * *"),
])
def test_normalize_cron(cron, normal):
    assert rule.normalize_cron(cron) == normal


@pytest.mark.parametrize("cron, fragment", [
    ("0 0 2 * *", "Harbor needs 6 fields"), ("0 0 0 2 * * *", "Harbor needs 6 fields"), ("", "got 0 in"),
    ("5 0 2 * * *", "the first field (seconds) must be 0"), ("0 * 2 * * *", "the minutes field must not be *"),
    ("0 61 * * * *", "the minutes field "), ("0 0 24 * * *", "the hours field "), ("0 0 2 0 * *", "the day-of-month field "),
    ("0 0 2 * 13 *", "the month field "), ("0 0 2 * * 7", "the day-of-week field "), ("0 0 2 L * *", "the day-of-month field "),
    ("0 0 2 * * MON#1", "the day-of-week field "), ("0 */0 * * * *", "the minutes field "), ("0 5-2 * * * *", "the minutes field "),
    # issue 20: other digit systems (Harbor's cron parser reads ASCII digits only)
    ("0 \u00b2 * * * *", "the minutes field "), ("0 \u0661 * * * *", "the minutes field "), ("0 */\u00b2 * * * *", "bad step"),
    ("0 0 2 * * 1," + ",".join(["1"] * 110), "at most"),
])
def test_normalize_cron_refuses(cron, fragment):
    refused(rule.normalize_cron, cron, "cron", fragment)


MINUTES, MONTH = ("minutes", 0, 59, None), rule._CRON_FIELDS[4]


@pytest.mark.parametrize("field, spec, problem", [
    ("*", MINUTES, None), ("?", MINUTES, None), ("*/5", MINUTES, None), ("0-59", MINUTES, None), ("1,2,3", MINUTES, None),
    ("JAN-DEC", MONTH, None), ("jun", MONTH, None),
    ("60", MINUTES, "is out of range"), ("5-2", MINUTES, "is out of range"), ("0", MONTH, "is out of range"),
    ("*/0", MINUTES, "has a bad step '0'"), ("*/x", MINUTES, "has a bad step 'x'"), ("L", MINUTES, "is not a cron expression"),
    ("MON", MONTH, "is not a cron expression"),
])
def test_cron_field_problem(field, spec, problem):
    found = rule.cron_field_problem(field, *spec)
    if problem is None:
        assert found is None
    else:
        assert problem in found and "takes * or ?" in found, found


# -- URLs -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, strict, normal", [
    ("https://nvcr.io", True, "https://nvcr.io"), ("https://nvcr.io/", True, "https://nvcr.io"),
    (" HTTPS://registry.example.com:5000/v2/ ", True, "https://registry.example.com:5000/v2"),
    ("http://10.0.0.5", True, "http://10.0.0.5"), ("https://nvcr.io?x=1#y", True, "https://nvcr.io"),
    ("nvcr.io", False, "http://nvcr.io"), ("https://user@nvcr.io", False, "https://nvcr.io"),
])
def test_normalize_url(value, strict, normal):
    assert registry.normalize_url(value, strict=strict) == normal


@pytest.mark.parametrize("value, option, fragment", [
    ("", "url", "must not be empty"), ("  /", "url", "must not be empty"), ("nvcr.io", "url", "has no scheme"),
    ("https://user:S3cr3tPw@nvcr.io", "url", "must not carry a user name or password"), ("ftp://nvcr.io", "url", "is not an http://"),
    ("https://", "url", "'https:' has no scheme"), ("http://[::1", "url", "is not a valid URL"),
    ("nvcr.io", "endpoint_url", "endpoint_url: 'nvcr.io' has no scheme"),
    ("https://regi stry.example.com", "url", "its host holds a space or a control character"),
    ("https://registry.exa\u200bmple.com", "url", "its host holds a space or a control character"),
])
def test_normalize_url_refuses(value, option, fragment):
    text = refused(lambda v: registry.normalize_url(v, option=option), value, option, fragment)
    assert "S3cr3tPw" not in text


@pytest.mark.parametrize("value, base", [
    ("https://harbor.example.com", True), ("https://harbor.example.com/", True), ("https://harbor.example.com/api/v2.0/", True),
    ("http://127.0.0.1:8080", True), ("https://harbor.example.com/sub/path", False),
])
def test_check_url(value, base):
    assert check_url(value, "harbor_url", base=base) == value


@pytest.mark.parametrize("value, fragment", [
    ("https://user:pw@h.example", "must not carry a user name or password"),
    ("https://h.example/harbor/projects", "give Harbor's base URL only, here https://h.example"),
    ("https://h.example/?x=1", "has a path, query or fragment"),
    ("http://", "with a host name"), ("http://[::1", "is not a valid URL"), ("h.example", "has no scheme"),
    ("ftp://h.example", "is not an http:// or https:// URL"), ("", "has no scheme"),
])
def test_check_url_refuses(value, fragment):
    text = refused(lambda v: check_url(v, "harbor_url", base=True), value, "harbor_url", fragment, error=ValueError)
    assert "pw@" not in text


# -- flattening -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, name, count", [
    ("none", "none", 0), ("0", "none", 0), (0, "none", 0), ("1", "1", 1), (2, "2", 2), ("03", "3", 3), ("all", "all", -1),
    (" ALL ", "all", -1),
])
def test_flattening(value, name, count):
    assert rule.parse_flattening(value) == name
    assert rule.flattening_count(name) == count
    assert rule.flattening_name(count) == name


@pytest.mark.parametrize("value", ["some", "-1", "1.5", "", "\u00b2", "\u0661", "128", "999", True])
def test_flattening_refuses(value):
    refused(rule.parse_flattening, value, "flattening", "expected none (0), 1, 2, 3")


def test_flattening_goes_up_to_harbors_int8():
    assert rule.parse_flattening("127") == "127"


def test_flattening_name_of_harbors_values():
    assert [rule.flattening_name(count) for count in (None, -1, -7, 0, 1)] == ["all", "all", "all", "none", "1"]


# -- other option checks --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, ok", [("x" * 64, True), ("\u00e9" * 32, True), ("\u00e9" * 33, False), ("x" * 65, False)])
def test_a_registry_name_is_counted_in_bytes(name, ok):
    if ok:
        assert registry.check_name(name) == name
    else:
        refused(registry.check_name, name, "name", "must be 1 to 64 bytes")


SPEC = dict(
    name=dict(type="str"), count=dict(type="int"), timeout=dict(type="float"), secret=dict(type="str", no_log=True),
    query=dict(type="str"), tags=dict(type="list", elements="str"),
    cve_allowlist=dict(type="dict", options=dict(cves=dict(type="list", elements="str"), expires_at=dict(type="int"))),
    items=dict(type="list", elements="dict", options=dict(
        name=dict(type="str"), token=dict(type="str", no_log=True),
        filters=dict(type="dict", options=dict(name=dict(type="raw"), tag=dict(type="raw"))))),
)


@pytest.mark.parametrize("params, fragment", [
    ({"cve_allowlist": "CVE-2024-3094"}, "cve_allowlist: expected a dictionary with the keys cves, expires_at"),
    ({"cve_allowlist": 0}, "cve_allowlist: expected a dictionary with the keys cves, expires_at (YAML mapping, JSON or key=value text), got a number"),
    ({"items": [{"name": "a"}, "not a mapping"]}, "items[1]: expected a dictionary with the keys filters, name, token"),
    ({"items": [{"name": "a", "filters": "library/**"}]}, "items[0].filters: expected a dictionary with the keys name, tag"),
    ({"items": "a,b"}, "items: expected a list of dictionaries"),
    ({"items": [{"name": ["x"]}]}, "items[0].name: expected text, got a list"),
    ({"name": ["x"]}, "name: expected text, got a list (['x'])"),
    ({"name": {"a": 1}}, "name: expected text, got a dictionary"),
    ({"tags": ["a", ["b"]]}, "tags[1]: expected text, got a list"),
    ({"count": True}, "count: expected a whole number, got a boolean"),
    ({"count": "\u0661\u0662"}, "count: expected a whole number written with ASCII digits"),
    ({"count": [1]}, "count: expected a whole number, got a list"),
    ({"timeout": "\u00b2"}, "timeout: expected a number written with ASCII digits"),
    ({"name": "a\x00b"}, "name: must not hold U+0000"),
    ({"items": [{"name": "a", "filters": {"tag": ["v1", "v\x002"]}}]}, "items[0].filters.tag: must not hold U+0000"),
    ({"name": "\ud800"}, "name: must not hold U+D800"),
])
def test_given_problem_names_the_option_and_element(params, fragment):
    found = given_problem(SPEC, params)
    assert found is not None and fragment in found, found


@pytest.mark.parametrize("params", [
    {"cve_allowlist": "cves=CVE-1"}, {"cve_allowlist": {"cves": []}}, {"items": [{"name": "a", "filters": {"name": ["x", "y"]}}]},
    {"count": "12"}, {"count": 12}, {"timeout": "1.5"}, {"name": 12}, {"query": "[?name=='x']"}, {"tags": ["a", "b"]},
    {"name": "caf\u00e9"},
])
def test_given_problem_accepts_what_ansible_core_reads_as_it_is(params):
    assert given_problem(SPEC, params) is None


def test_secret_texts_are_never_shown_in_a_problem():
    found = given_problem(SPEC, {"secret": "S3cret\x00", "items": [{"token": "T0ken"}, "T0ken-too"]})
    assert found.startswith("secret: must not hold U+0000") and "S3cret" not in found
    found = given_problem(SPEC, {"items": [{"token": "T0ken"}, "T0ken-too"]})
    assert found.startswith("items[1]: expected a dictionary") and "T0ken" not in found


def test_what_ansible_core_would_crash_on_is_dropped_once_refused():
    """ansible-core's set_fallbacks tests ``'key' in 5`` for a number given to a dict option: a TypeError, not a message."""
    params = {"cve_allowlist": 5, "items": [{"filters": True}, {"filters": {"name": "x"}}], "name": "n"}
    defuse(SPEC, params)
    assert params == {"cve_allowlist": None, "items": [{"filters": None}, {"filters": {"name": "x"}}], "name": "n"}


def test_no_module_calls_ansible_cores_private_load_params():
    """Issue 21: the parameters as given are read when ansible-core sets ``params``, not with ``_load_params()``."""
    from tests.support.ansible import REPO
    users = [str(path.relative_to(REPO)) for path in (REPO / "plugins").rglob("*.py") if "_load_params" in path.read_text()]
    assert users == [], users


def test_secret_values_are_found_in_every_element_whatever_else_is_wrong():
    found = secret_values(SPEC, {"secret": "S1", "items": [{"token": "T1"}, "not a mapping", 'token=T2', {"token": ["T3"]}]})
    assert found == {"S1", "T1", "T2", "T3"}


@pytest.mark.parametrize("name, fragment", [
    ("", "must not be empty or blank"), ("   ", "must not be empty or blank"), ("a\nb", "U+000A"), ("a\x00b", "U+0000"),
    ("evil\u202etxt", "U+202E (RIGHT-TO-LEFT OVERRIDE)"), ("zero\u200bwidth", "U+200B"), (["x"], "must not be empty"),
    ("x" * 257, "must be 1 to 256 characters"),
])
def test_rule_names_harbor_cannot_store_or_a_user_cannot_read_are_refused(name, fragment):
    refused(validation.check_rule_name, name, "name", fragment)


def test_rule_names_count_characters_not_bytes():
    assert validation.check_rule_name("\u00e9" * 256) == "\u00e9" * 256


@pytest.mark.parametrize("name", ["a\nb", "a\x00b", "a\u202eb", "   "])
def test_registry_names_with_control_or_bidi_characters_are_refused(name):
    with pytest.raises(HarborValidationError) as err:
        registry.check_name(name)
    assert str(err.value).startswith("name: ")


def test_harbor_storage_limits_of_registry_options():
    assert registry.normalize_url("https://r.example/" + "a" * 200) == "https://r.example/" + "a" * 200
    refused(registry.normalize_url, "https://r.example/" + "a" * 300, "url", "at most 256 characters")
    refused(lambda v: validation.check_length(v, "access_secret", max_bytes=validation.ACCESS_SECRET_MAX_BYTES),
            "\u00e9" * 1526, "access_secret", "at most 3050 bytes")


def test_the_access_secret_limit_is_what_harbors_encrypted_column_holds():
    """8 + 4 * ceil((16 + n) / 3) <= 4096 (``<enc-v1>`` + base64 of the IV and the text: src/common/utils/encrypt.go)."""
    def stored(n):
        return 8 + 4 * -(-(16 + n) // 3)

    assert stored(validation.ACCESS_SECRET_MAX_BYTES) <= 4096 < stored(validation.ACCESS_SECRET_MAX_BYTES + 1)


def test_replication_rule_limits_from_harbors_columns():
    rule.check_stored_lengths(dict(filters=dict(name="a" * 900), dest_namespace="m" * 256))
    refused(rule.check_stored_lengths, dict(filters=dict(name="a" * 1000)), "filters", "at most 1024 characters")
    refused(rule.check_stored_lengths, dict(filters=dict(name="<" * 200)), "filters", "at most 1024 characters")   # Go escapes <
    refused(rule.check_stored_lengths, dict(dest_namespace="m" * 257), "dest_namespace", "at most 256 characters")


# -- robot accounts and harbor_export (found by the bad-input sweep, tests/reliability/test_sweep.py) ---------------------
@pytest.mark.parametrize("value, days", [("never", -1), (-1, -1), ("-1", -1), (1, 1), ("30", 30), (2 ** 31 - 2, 2 ** 31 - 2)])
def test_robot_duration(value, days):
    assert robot.parse_duration(value) == days


@pytest.mark.parametrize("value", ["\u0661\u0662", "\uff16\uff14", "\u00b2", 0, -2, 2 ** 31 - 1, "1.5", True, "30d"])
def test_robot_duration_refuses(value):
    refused(robot.parse_duration, value, "duration", "a number of days (1 to 2147483646, written with the digits 0-9)")


@pytest.mark.parametrize("name", ["ci\n", "ci\u202e", "Ci", "robot$ci", ""])
def test_robot_names_harbor_refuses_are_refused(name):
    refused(robot.check_name, name, "name", "is not a Harbor robot name")


def robot_resource():
    return robot.Robot(SimpleNamespace(no_log=False, check_mode=False))


@pytest.mark.parametrize("item, option, fragment", [
    (dict(name="n" * 256), "name", "in at most 255 characters, got 256"),
    (dict(name="n" * 239, project="existing-project"), "name", "shorten the name to at most 238 characters"),
    (dict(name="n", description="d" * 1025), "description", "at most 1024 characters"),
    (dict(name="n", project=""), "project", "must not be empty or blank"),
    (dict(name="n", project="   "), "project", "must not be empty or blank"),
])
def test_robot_limits_from_harbors_columns(item, option, fragment):
    """robot.name varchar(255) holds <project>+<name>; robot.description varchar(1024) (goharbor/harbor v2.15.2,
    make/migrations/postgresql/0004_1.8.0_schema.up.sql)."""
    resource = robot_resource()
    refused(lambda i: resource.validate(i, resource.normalize(i)), item, option, fragment)


def test_robot_info_refuses_a_blank_project():
    module = SimpleNamespace(params=dict(project=" ", level=None, name=None, robot_name_prefix=None), client=None)
    refused(robot.robot_info, module, "project", "must not be empty or blank")


@pytest.mark.parametrize("prefix", ["vault_\n", "", "1vault", "vault-", "vault\u00e9", "v\u202e"])
def test_export_vault_prefix_refuses_what_is_no_variable_name(prefix):
    module = SimpleNamespace(client=None, params=dict(vault_prefix=prefix))
    refused(export.Export, module, "vault_prefix", "the start of a variable name")


def test_ascii_integers_end_at_the_last_digit():
    assert validation.is_ascii_int("12") and not validation.is_ascii_int("12\n") and not validation.is_ascii_int("\u0661")


@pytest.mark.parametrize("names, text", [
    ([], "none"), (["a", "b"], "a, b"),
    (["r%04d" % i for i in range(1000)], "r0000, r0001, r0002, r0003, r0004, r0005, r0006, r0007, r0008, r0009 and 990 more"),
])
def test_long_lists_of_names_are_cut(names, text):
    assert validation.some(names) == text


# -- the cause of a failed replication task, from its log excerpt (harbor_replication_execution's msg) --------------

REFUSED = 'Get "http://127.0.0.1:33951/v2/": dial tcp 127.0.0.1:33951: connect: connection refused'
# The end of a real Harbor v2.15.2 task log (the source location is the build's path; official builds show another).
TRANSFER_GO = "[/harbor/src/controller/replication/transfer/image/transfer.go:%d]:"
REAL_LOG = "".join("2026-12-07T10:07:54Z [%s] %s %s\n" % (level, TRANSFER_GO % line, text) for level, line, text in (
    ("INFO", 471, "the manifest of artifact p/app:1.0 pulled"),
    ("ERROR", 479, "failed to check the existence of the manifest of artifact p/app:1.0 on the destination registry: " + REFUSED),
    ("ERROR", 195, REFUSED),
    ("ERROR", 201, "got error during the whole transfer period, mark the job failure")))


@pytest.mark.parametrize("excerpt, cause", [
    (REAL_LOG, "failed to check the existence of the manifest of artifact p/app:1.0 on the destination registry: " + REFUSED),
    ("2026-12-07T10:07:54.123Z [ERROR] pull failed: unauthorized\n2026-12-07T10:07:54.123Z [ERROR] got error during the whole"
     " transfer period, mark the job failure\n", "pull failed: unauthorized"),
    ("2026-12-07T10:07:54Z [INFO] [x.go:1]: copying\n2026-12-07T10:07:54Z [INFO] [x.go:2]: the job is stopped\n", "the job is stopped"),
    ("2026-12-07T10:07:54Z [ERROR] [x.go:201]: got error during the whole transfer period, mark the job failure\n",
     "got error during the whole transfer period, mark the job failure"),
    ("not a log line\n", "not a log line"),
    ("", ""),
])
def test_failure_cause(excerpt, cause):
    assert failure_cause(excerpt) == cause


# -- which execution counts as the rule's latest for a caller that compared at ``since`` (the replication role) -------

RULE = {"creation_time": "2026-12-07T10:00:00.000Z", "update_time": "2026-12-07T10:00:00.000Z"}
SINCE = "2026-12-07T10:05:00.000Z"


def run(status, start, end=None):
    return {"id": start[-6:], "status": status, "start_time": "2026-12-07T%sZ" % start,
            "end_time": "2026-12-07T%sZ" % end if end else "0001-01-01T00:00:00.000Z"}


@pytest.mark.parametrize("executions, expected", [
    ([run("Succeed", "10:04:58.100", "10:05:02.000")], "58.100"),       # copying while the caller compared: counts
    ([run("InProgress", "10:04:00.000")], "00.000"),                      # still running
    ([run("Succeed", "10:05:01.000", "10:05:03.000")], "01.000"),       # started after the comparison
    ([run("Succeed", "10:04:00.000", "10:04:59.000")], None),            # done before the comparison: the caller saw it
    ([run("Succeed", "09:59:00.000", "10:06:00.000")], None),            # started before the rule changed
])
def test_an_execution_at_work_when_the_caller_compared_counts(executions, expected):
    found = Executions(SimpleNamespace(client=None)).latest_since_change(RULE, executions, since=parse_time(SINCE))
    assert (found or {}).get("id") == expected
