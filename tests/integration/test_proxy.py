"""The modules reach Harbor through the proxy the environment names (http_proxy / https_proxy / all_proxy, no_proxy),
as requests does: plain HTTP in absolute form, https through a CONNECT tunnel, an https:// proxy with TLS, the proxy's
credentials sent as Proxy-Authorization and never shown. The proxy is tests/support/proxy.py on 127.0.0.1."""
import pytest

from tests.support.proxy import Proxy

INFO = "registryops.harbor.harbor_project_info"
PROXY_USER = ("squid", "proxy-Secret-4711")


def proxy_var(target):
    return "https_proxy" if target.url.startswith("https:") else "http_proxy"


def with_userinfo(url, user):
    return url.replace("http://", "http://%s:%s@" % user, 1)


def test_requests_go_through_the_proxy_with_its_credentials(harbor, run_play):
    with Proxy(auth=PROXY_USER) as proxy:
        result = run_play([{"name": "read", INFO: {"name": "library"}}], verbosity=3,
                          env={proxy_var(harbor): with_userinfo(proxy.url, PROXY_USER), "no_proxy": "example.com"})
    assert result.rc == 0, result.output[-3000:]
    assert result.result("read")["projects"][0]["name"] == "library"
    assert proxy.log and all(authorised for _method, _target, authorised in proxy.log), proxy.log
    if harbor.url.startswith("https:"):
        assert proxy.log[0][0] == "CONNECT"
    else:
        assert all(target.startswith(harbor.url + "/api/v2.0/") for _method, target, _ok in proxy.log), proxy.log
    assert PROXY_USER[1] not in result.output


@pytest.mark.emulator_only("an emulator serving HTTPS with a CA of its own")
def test_https_goes_through_a_connect_tunnel(emulator_factory, run_play):
    secure = emulator_factory(tls=True)
    with Proxy() as proxy:
        result = run_play([{"name": "read", INFO: {"name": "library"}}], target=secure, env={"HTTPS_PROXY": proxy.url})
    assert result.rc == 0, result.output[-3000:]
    host_port = secure.url.split("//", 1)[1]
    # one tunnel per connection: the emulator (werkzeug) closes each one after its answer, a real Harbor keeps it open
    assert proxy.log and all((method, target) == ("CONNECT", host_port) for method, target, _ok in proxy.log), proxy.log


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "*", "127.0.0.0/8", ".0.0.1"])
def test_no_proxy_names_the_hosts_reached_directly(harbor, run_play, no_proxy):
    with Proxy() as proxy:
        result = run_play([{"name": "read", INFO: {"name": "library"}}], target=harbor,
                          env={"http_proxy": proxy.url, "all_proxy": proxy.url, "no_proxy": no_proxy})
    assert result.rc == 0, result.output[-3000:]
    assert proxy.log == []


def test_a_proxy_that_refuses_the_connection_is_named_as_the_proxy_not_harbor(harbor, run_play):
    """Issue 20: a proxy that does not listen was reported as "nothing listens" at Harbor's address."""
    result = run_play([{"name": "read", INFO: {"name": "library", "request_retries": 0}}],
                      env={proxy_var(harbor): "http://127.0.0.1:9", "no_proxy": ""})
    msg = result.result("read")["msg"]
    assert result.rc != 0 and "Traceback" not in msg
    assert "through the proxy http://127.0.0.1:9 (Connection refused)" in msg and "no_proxy" in msg, msg
    assert "check harbor_url" not in msg, msg


def test_a_proxy_refusing_the_credentials_is_a_clear_error(harbor, run_play):
    with Proxy(auth=PROXY_USER) as proxy:
        result = run_play([{"name": "read", INFO: {"name": "library", "request_retries": 0}}],
                          env={proxy_var(harbor): with_userinfo(proxy.url, ("squid", "wrong-Secret-0815"))})
    msg = result.result("read")["msg"]
    assert result.rc != 0 and "Traceback" not in msg
    assert ("407" in msg or "Tunnel connection failed" in msg) and "wrong-Secret-0815" not in result.output, msg


def test_an_https_proxy_is_spoken_to_with_tls_and_verified(emulator_factory, run_play, tmp_path):
    """An https:// proxy URL, as requests takes it: TLS to the proxy, then the CONNECT tunnel to Harbor; the proxy's
    certificate is verified like Harbor's (ca_path here holds both CAs; without the proxy's CA the task fails, naming the
    proxy)."""
    secure = emulator_factory(tls=True)
    with Proxy(tls=True) as proxy:
        bundle = tmp_path / "bundle.pem"
        bundle.write_text(open(proxy.ca_path).read() + open(secure.ca_path).read())
        result = run_play([{"name": "read", INFO: {"name": "library", "ca_path": str(bundle)}},
                           {"name": "unverified proxy", INFO: {"name": "library", "request_retries": 0},
                            "ignore_errors": True}],
                          target=secure, env={"https_proxy": proxy.url, "no_proxy": ""})
    assert result.result("read")["projects"][0]["name"] == "library", result.output[-3000:]
    assert proxy.log and proxy.log[0][:2] == ("CONNECT", secure.url.split("//", 1)[1]), proxy.log
    msg = result.result("unverified proxy")["msg"]
    assert "through the proxy %s (certificate verify failed" % proxy.url in msg and "Traceback" not in msg, msg
