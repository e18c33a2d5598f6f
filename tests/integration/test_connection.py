"""Connection options shared by every module, through real ansible-playbook runs against the emulator."""
import pytest

from tests.conftest import Target

INFO = "registryops.harbor.harbor_project_info"


def test_robot_account_as_username(run_play, harbor):
    harbor.need_emulator()
    robot = Target(harbor.url, "robot$automation", "Robot12345", emulator=harbor.emulator)
    play = run_play([{"name": "as robot", INFO: {"name": "library"}}], target=robot)
    assert play.rc == 0, play.output
    assert play.result("as robot")["projects"][0]["name"] == "library"


@pytest.mark.core_matrix
def test_bad_credentials_fail_clearly_without_leaking_the_password(run_play, harbor):
    harbor.need_emulator()
    wrong = Target(harbor.url, "admin", "wrong-password-123", emulator=harbor.emulator)
    play = run_play([{"name": "bad creds", INFO: {}}], target=wrong, verbosity=3)
    assert play.rc != 0
    result = play.result("bad creds")
    assert "harbor_username/harbor_password" in result["msg"]
    assert "wrong-password-123" not in play.output


def test_url_with_api_suffix_and_module_defaults(run_play, harbor):
    harbor.need_emulator()
    tasks = [{"name": "suffix", "module_defaults": {"group/registryops.harbor.harbor": {
        "harbor_url": harbor.url + "/api/v2.0/", "harbor_username": harbor.username, "harbor_password": harbor.password}},
        INFO: {"name": "library"}}]
    play = run_play(tasks, env={"HARBOR_URL": "http://127.0.0.1:9"})
    assert play.rc == 0, play.output
    assert play.result("suffix")["projects"][0]["name"] == "library"


def test_unreachable_harbor_names_the_url(run_play, harbor):
    play = run_play([{"name": "down", INFO: {"request_retries": 0}}], env={"HARBOR_URL": "http://127.0.0.1:9"})
    assert play.rc != 0
    assert "http://127.0.0.1:9" in play.result("down")["msg"]


def test_tls_with_ca_path_and_failure_without(run_play, emulator_factory):
    secure = emulator_factory(tls=True)
    ok = run_play([{"name": "with ca", INFO: {"name": "library"}}], target=secure)
    assert ok.rc == 0, ok.output
    no_ca = Target(secure.url, secure.username, secure.password, emulator=secure.emulator)
    bad = run_play([{"name": "without ca", INFO: {"request_retries": 0}}], target=no_ca)
    assert bad.rc != 0
    assert "ca_path" in bad.result("without ca")["msg"]
    insecure = run_play([{"name": "unverified", INFO: {"name": "library", "validate_certs": False}}], target=no_ca)
    assert insecure.rc == 0, insecure.output
