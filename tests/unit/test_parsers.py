"""The option parsers of plugins/module_utils refuse what Harbor would refuse, with a message naming the option."""
import sys

import pytest

from tests.support.ansible import collections_root

sys.path.insert(0, str(collections_root()))

from ansible_collections.registryops.harbor.plugins.module_utils import project, registry, replication_rule  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.module import (  # noqa: E402
    HarborValidationError, dict_text_problem,
)


@pytest.mark.parametrize("text", ["9" * 400 + "GB", "9" * 400, "1025TiB"])
def test_a_size_beyond_harbors_maximum_is_refused(text):
    with pytest.raises(HarborValidationError, match=r"^storage_quota: .*maximum of 1024 TiB"):
        project.parse_size(text)


def test_the_largest_size_is_accepted():
    assert project.parse_size("1024TiB") == project.MAX_QUOTA


@pytest.mark.parametrize("text", ["9" * 400 + "KB/s", "9" * 400, "275GB/s", str(2 ** 31)])
def test_a_bandwidth_beyond_harbors_int32_is_refused(text):
    with pytest.raises(HarborValidationError, match=r"^bandwidth: .*maximum of 2147483647 Kbps"):
        replication_rule.parse_bandwidth(text)


def test_the_largest_bandwidth_is_accepted():
    assert replication_rule.parse_bandwidth(str(2 ** 31 - 1)) == 2 ** 31 - 1
    assert replication_rule.parse_bandwidth("250GB/s") == 1953125000


@pytest.mark.parametrize("cron,field", [("0 61 * * * *", "minutes"), ("0 0 24 * * *", "hours"), ("0 0 2 0 * *", "day-of-month"),
                                        ("0 0 2 * 13 *", "month"), ("0 0 2 * * 7", "day-of-week"), ("0 0 2 L * *", "day-of-month"),
                                        ("0 0 2 * * MON#1", "day-of-week"), ("0 */0 * * * *", "minutes"), ("0 5-2 * * * *", "minutes")])
def test_a_cron_field_harbor_refuses_is_named(cron, field):
    with pytest.raises(HarborValidationError, match=r"^cron: the %s field " % field):
        replication_rule.normalize_cron(cron)


@pytest.mark.parametrize("cron", ["0 */15 1-5 * JAN-JUN MON,FRI", "0 30 3 * * 1", "0 0 2 ? * ?", "0 59 23 31 12 6", "0 5/10 * * * sun"])
def test_a_cron_harbor_takes_is_accepted(cron):
    assert replication_rule.normalize_cron(cron) == cron


def test_a_registry_name_is_counted_in_bytes():
    assert registry.check_name("\u00e9" * 32) == "\u00e9" * 32
    with pytest.raises(HarborValidationError, match=r"^name: must be 1 to 64 bytes"):
        registry.check_name("\u00e9" * 33)
    assert registry.check_name("x" * 64) == "x" * 64


def test_text_for_a_dict_option_is_refused_naming_it():
    spec = dict(cve_allowlist=dict(type="dict", options=dict(cves=dict(type="list"), expires_at=dict(type="int"))),
                name=dict(type="str"))
    option, message = dict_text_problem(spec, {"cve_allowlist": "CVE-2024-3094", "name": "p"})
    assert option == "cve_allowlist"
    assert message.startswith("cve_allowlist: expected a dictionary with the keys cves, expires_at")
    assert dict_text_problem(spec, {"cve_allowlist": "cves=CVE-1", "name": "p"}) is None      # key=value text is ansible's
    assert dict_text_problem(spec, {"cve_allowlist": {"cves": []}}) is None
