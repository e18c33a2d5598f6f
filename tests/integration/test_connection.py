"""Connection options shared by every module, through real ansible-playbook runs against the emulator."""
import pytest

from tests.support.harbor import Target

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


# -- URLs (issue 10, defects 2 and 9) -------------------------------------------------------------------------------
URL_SECRET = "Url-Pass-5e1f"


@pytest.mark.parametrize("url_of, message", [
    (lambda h: h.url.replace("://", "://admin:%s@" % URL_SECRET), "harbor_url: must not carry a user name or password"),
    (lambda h: h.url.replace("http://", "").replace("https://", ""), "has no scheme; write it with https://"),
    (lambda h: h.url + "/harbor/projects", "give Harbor's base URL only, here "),
    (lambda h: h.url + "/?tab=1", "give Harbor's base URL only"),
    (lambda h: "http://", "is not an http:// or https:// URL with a host name"),
    (lambda h: "http://[::1", "is not a valid URL"),
], ids=["userinfo", "no-scheme", "path", "query", "no-host", "bad-ipv6"])
def test_bad_harbor_url_is_explained_and_never_shows_user_info(run_play, harbor, url_of, message):
    url = url_of(harbor)
    play = run_play([{"name": "bad url", INFO: {"harbor_url": url}}], verbosity=3)
    assert play.rc != 0
    msg = play.result("bad url")["msg"]
    assert message in msg, msg
    assert "Traceback" not in play.output
    assert URL_SECRET not in play.output          # not in the message, the invocation, nor -vvv


def test_request_retries_is_bounded(run_play, harbor):
    play = run_play([{"name": "many", INFO: {"request_retries": 1000}}])
    assert play.rc != 0
    assert "request_retries: must be 0 to 10, got 1000" in play.result("many")["msg"]


def test_missing_ca_path_file_is_named(run_play, harbor, tmp_path):
    missing = str(tmp_path / "no-such-ca.pem")
    play = run_play([{"name": "ca", INFO: {"ca_path": missing}}])
    assert play.rc != 0
    assert "ca_path: %s is not a file" % missing in play.result("ca")["msg"]
    assert "Traceback" not in play.output


def test_ca_path_ignored_without_verification_is_warned(run_play, harbor, tmp_path):
    harbor.need_emulator()
    play = run_play([{"name": "warn", INFO: {"name": "library", "validate_certs": False, "ca_path": str(tmp_path / "ca.pem")}}])
    assert play.rc == 0, play.output
    assert "ca_path is ignored because validate_certs is false" in play.output


def test_https_to_a_plain_http_harbor_says_so(run_play, harbor):
    harbor.need_emulator()
    if not harbor.url.startswith("http://"):
        pytest.skip("needs a plain-HTTP emulator")
    play = run_play([{"name": "tls", INFO: {"harbor_url": harbor.url.replace("http://", "https://"), "request_retries": 0}}])
    assert play.rc != 0
    msg = play.result("tls")["msg"]
    assert "does not answer with TLS" in msg and "use http://" in msg, msg


def test_http_to_a_tls_harbor_says_so(run_play, emulator_factory):
    secure = emulator_factory(tls=True)
    play = run_play([{"name": "plain", INFO: {"harbor_url": secure.url.replace("https://", "http://"), "request_retries": 0}}],
                    target=secure)
    assert play.rc != 0
    msg = play.result("plain")["msg"]
    assert "use https://" in msg, msg
    assert "urllib3" not in msg and "Connection aborted" not in msg.split("(")[0]


# -- client certificates (a front proxy that requires one) -----------------------------------------------------------
def test_client_certificate_options_and_their_environment_variables(run_play, emulator_factory, tmp_path):
    secure = emulator_factory(tls=True, client_auth=True)
    emulator, missing = secure.emulator, str(tmp_path / "no-such-client.pem")
    tasks = [
        {"name": "options", INFO: {"name": "library", "client_cert": emulator.client_cert, "client_key": emulator.client_key}},
        {"name": "environment", INFO: {"name": "library"},
         "environment": {"HARBOR_CLIENT_CERT": emulator.client_cert, "HARBOR_CLIENT_KEY": emulator.client_key}},
        {"name": "none", INFO: {"name": "library", "request_retries": 0}, "ignore_errors": True},
        {"name": "missing", INFO: {"name": "library", "client_cert": missing}, "ignore_errors": True},
        {"name": "key only", INFO: {"name": "library", "client_key": emulator.client_key}, "ignore_errors": True},
    ]
    play = run_play(tasks, target=secure, verbosity=3)
    assert play.result("options")["projects"][0]["name"] == "library", play.output[-3000:]
    assert play.result("environment")["projects"][0]["name"] == "library", play.output[-3000:]
    assert "set client_cert and client_key" in play.result("none")["msg"]
    assert "client_cert: %s is not a file" % missing in play.result("missing")["msg"]
    assert "client_key: given without client_cert" in play.result("key only")["msg"]
    assert "Traceback" not in play.output
