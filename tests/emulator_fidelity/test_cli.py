"""``python -m tests.harbor_emulator`` as scripts and the demo start it: the address (and CA) on the first lines, TLS,
options, several instances side by side, a clean exit on SIGTERM."""
import subprocess
import sys
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_cli():
    started = []

    def start(*args):
        proc = subprocess.Popen([sys.executable, "-m", "tests.harbor_emulator", "--port", "0"] + list(args), cwd=str(REPO),
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        started.append(proc)
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on "), line
        return proc, line[len("listening on "):]

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_prints_its_address_first_and_serves(start_cli):
    proc, url = start_cli()
    assert url.startswith("http://127.0.0.1:") and int(url.rsplit(":", 1)[1]) > 0
    assert requests.get(url + "/api/v2.0/ping", timeout=10).text == "Pong"


def test_options_version_admin_password_and_users(start_cli):
    proc, url = start_cli("--version", "2.13.0", "--admin-password", "Other123", "--user", "$oauthtoken:k3y")
    info = requests.get(url + "/api/v2.0/systeminfo", auth=("admin", "Other123"), timeout=10).json()
    assert info["harbor_version"] == "v2.13.0-080b0220"
    assert "harbor_version" in requests.get(url + "/api/v2.0/systeminfo", auth=("$oauthtoken", "k3y"), timeout=10).json()


def test_several_instances_side_by_side(start_cli):
    (_, first), (_, second) = start_cli(), start_cli()
    assert first != second
    requests.post(first + "/api/v2.0/projects", json={"project_name": "only-here"}, auth=("admin", "Harbor12345"), timeout=10)
    names = [p["name"] for p in requests.get(second + "/api/v2.0/projects", timeout=10).json()]
    assert "only-here" not in names


def test_tls_prints_the_ca_and_needs_it(start_cli):
    proc, url = start_cli("--tls")
    ca_line = proc.stdout.readline().strip()
    assert url.startswith("https://127.0.0.1:") and ca_line.startswith("ca ")
    ca = ca_line[len("ca "):]
    assert Path(ca).read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert requests.get(url + "/api/v2.0/ping", verify=ca, timeout=10).text == "Pong"
    assert requests.get(url.replace("127.0.0.1", "localhost") + "/api/v2.0/ping", verify=ca, timeout=10).text == "Pong"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(url + "/api/v2.0/ping", timeout=10)
    proc.terminate()
    assert proc.wait(timeout=10) == 0
    assert not Path(ca).exists()                                         # the generated CA goes with the server


def test_sigterm_stops_it_cleanly(start_cli):
    proc, url = start_cli()
    proc.terminate()
    assert proc.wait(timeout=10) == 0
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/api/v2.0/ping", timeout=2)


def test_storage_registry_serves_real_content_and_stops_its_registry_on_sigterm(start_cli):
    from tools.dataplane import oci
    from tools.dataplane.distribution import DistributionClient
    from tools.dataplane.registry import missing_binaries
    if missing_binaries():
        pytest.skip("needs %s (scripts/lib.sh installs them)" % ", ".join(missing_binaries()))
    proc, url = start_cli("--storage", "registry")
    line = proc.stdout.readline().strip()
    assert line.startswith("storage http://127.0.0.1:"), line
    registry_url = line[len("storage "):]
    image = oci.image("app", "1.0")
    assert DistributionClient(url, auth=("admin", "Harbor12345")).push("library/app", "1.0", image) == image.digest
    assert DistributionClient(registry_url).get_manifest("library/app", "1.0")[2] == image.digest   # in the registry
    proc.terminate()
    assert proc.wait(timeout=20) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(registry_url + "/v2/", timeout=5)


def test_an_emulator_killed_hard_leaves_no_registry_behind(start_cli):
    import time
    from tools.dataplane.registry import missing_binaries
    if missing_binaries():
        pytest.skip("needs %s (scripts/lib.sh installs them)" % ", ".join(missing_binaries()))
    proc, url = start_cli("--storage", "registry")
    registry_url = proc.stdout.readline().strip()[len("storage "):]
    assert requests.get(registry_url + "/v2/", timeout=5).status_code == 200
    proc.kill()
    proc.wait(timeout=10)
    for _ in range(100):
        try:
            requests.get(registry_url + "/v2/", timeout=1)
        except requests.ConnectionError:
            return
        time.sleep(0.1)
    raise AssertionError("the registry of a killed emulator still answers at %s" % registry_url)
