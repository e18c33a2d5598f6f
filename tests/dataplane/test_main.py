"""``python -m tools.dataplane``: the three seeded upstreams for manual work and the demo, gone when it ends."""
import json
import os
import subprocess
import sys

import pytest
import requests

from tools.dataplane import upstreams
from .conftest import need_binaries

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_once_prints_each_upstream_with_the_seeded_digests_and_stops_them():
    need_binaries()
    result = subprocess.run([sys.executable, "-m", "tools.dataplane", "--once", "--json"], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for flavour, seeds in upstreams.SEEDS.items():
        assert report[flavour]["artifacts"] == {"%s:%s" % (repo, tag): build().digest for repo, tag, build in seeds}
    assert report["ngc"]["username"] == "$oauthtoken" and report["docker_hub"]["username"] is None
    assert report["application_collection"]["url"].startswith("https://") and report["application_collection"]["ca_path"]
    assert set(report["seconds"]) == {"start", "seed"}
    for flavour in upstreams.SEEDS:
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(report[flavour]["url"] + "/v2/", verify=False, timeout=5)
        assert not os.path.exists(os.path.dirname(report["application_collection"]["ca_path"]))
