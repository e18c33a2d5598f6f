"""Registry processes: the three upstream flavours start on a free loopback port, accept the right credentials and
refuse others, serve TLS with their own CA (and fail without it), and stop for good."""
import os

import pytest
import requests

from tools.dataplane import upstreams
from .conftest import need_binaries
from tools.dataplane.registry import Registry, RegistryError


def v2(registry, auth=None, verify="registry"):
    return requests.get(registry.url + "/v2/", auth=auth, timeout=10,
                        verify=registry.verify if verify == "registry" else verify)


def test_an_anonymous_registry_answers_everyone_on_the_port_it_was_given(registry_factory):
    hub = registry_factory("hub")
    other = registry_factory("other")
    assert hub.port and other.port and hub.port != other.port
    assert hub.url == "http://127.0.0.1:%d" % hub.port and hub.auth is None and hub.verify is True
    resp = v2(hub)
    assert resp.status_code == 200 and resp.headers["Docker-Distribution-Api-Version"] == "registry/2.0"
    assert hub.skopeo_args("src") == ["--src-tls-verify=false"]


def test_an_ngc_like_registry_wants_oauthtoken_and_the_key(registry_factory):
    ngc = registry_factory("ngc", users={"$oauthtoken": "nvapi-good"})
    anonymous = v2(ngc)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Basic realm="ngc"'
    assert v2(ngc, auth=("$oauthtoken", "nvapi-good")).status_code == 200
    assert v2(ngc, auth=("$oauthtoken", "nvapi-wrong")).status_code == 401
    assert v2(ngc, auth=("oauthtoken", "nvapi-good")).status_code == 401
    assert "$2y$" in open(os.path.join(ngc.workdir, "htpasswd")).read()  # bcrypt, the only kind it accepts
    assert ngc.skopeo_args("dest") == ["--dest-tls-verify=false", "--dest-creds=$oauthtoken:nvapi-good"]


def test_a_user_added_while_running_is_accepted_at_once(registry_factory):
    ngc = registry_factory("ngc", users={"$oauthtoken": "first"})
    ngc.add_user("robot", "second")
    assert v2(ngc, auth=("robot", "second")).status_code == 200
    assert v2(ngc, auth=("$oauthtoken", "first")).status_code == 200


def test_a_tls_registry_is_trusted_with_its_ca_only(registry_factory):
    appco = registry_factory("appco", tls=True)
    assert appco.url.startswith("https://127.0.0.1:")
    assert v2(appco).status_code == 200
    with pytest.raises(requests.exceptions.SSLError) as error:
        v2(appco, verify=True)  # the system's CA bundle does not know this CA
    assert "CERTIFICATE_VERIFY_FAILED" in str(error.value)
    plain = requests.get("http://%s/v2/" % appco.host, timeout=10)  # no plain HTTP on a TLS port
    assert plain.status_code == 400 and "HTTPS" in plain.text
    assert os.path.exists(os.path.join(appco.cert_dir, "ca.crt"))
    assert appco.skopeo_args() == ["--cert-dir=" + appco.cert_dir]


def test_a_tls_registry_with_users_refuses_anonymous_callers(registry_factory):
    appco = registry_factory("appco", tls=True, users={"collector": "token-1"})
    assert v2(appco).status_code == 401
    assert v2(appco, auth=("collector", "token-1")).status_code == 200
    assert v2(appco, auth=("collector", "token-2")).status_code == 401


def test_the_flavours_are_configured_as_the_upstreams_they_stand_for(tmp_path):
    need_binaries()
    flavours = [upstreams.docker_hub_like(workdir=str(tmp_path / "hub")),
                upstreams.ngc_like(key="k", workdir=str(tmp_path / "ngc")),
                upstreams.application_collection_like(users={"u": "p"}, workdir=str(tmp_path / "appco"))]
    try:
        hub, ngc, appco = (registry.start() for registry in flavours)
        assert (hub.scheme, hub.auth) == ("http", None)
        assert (ngc.scheme, ngc.auth) == ("http", ("$oauthtoken", "k"))
        assert (appco.scheme, appco.auth) == ("https", ("u", "p"))
        assert [v2(r).status_code for r in (hub, ngc, appco)] == [200, 401, 401]
    finally:
        for registry in flavours:
            registry.close()


def test_stop_closes_the_port_and_start_serves_the_same_storage_on_the_same_port(registry_factory):
    from tools.dataplane.distribution import DistributionClient
    from tools.dataplane.oci import image
    hub = registry_factory("hub")
    built = image("busybox", "1.36")
    DistributionClient(hub.url).push("library/busybox", "1.36", built)
    port, pid = hub.port, hub.process.pid
    hub.stop()
    assert not hub.running
    with pytest.raises(requests.exceptions.ConnectionError):
        v2(hub)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    hub.start()
    assert hub.port == port and hub.process.pid != pid
    assert DistributionClient(hub.url).get_manifest("library/busybox", "1.36")[2] == built.digest


def test_close_removes_the_working_directory_it_created():
    need_binaries()
    registry = Registry("temporary").start()
    workdir = registry.workdir
    assert os.path.isfile(os.path.join(workdir, "config.yml"))
    registry.close()
    assert not os.path.exists(workdir) and not registry.running


def test_a_registry_that_cannot_start_says_why_with_its_log(registry_factory, tmp_path):
    taken = registry_factory("first")
    second = Registry("second", workdir=str(tmp_path / "second"))
    second.port = taken.port  # as after a stop() whose port another process took meanwhile
    with pytest.raises(RegistryError, match="(?s)registry second exited with .*address already in use"):
        second.start()
    assert not second.running
    second.close()


def test_a_missing_package_is_named_before_anything_starts(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RegistryError, match="docker-registry.*scripts/lib.sh installs them"):
        Registry("nothing", workdir=str(tmp_path / "r")).start()
