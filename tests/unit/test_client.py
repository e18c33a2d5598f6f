"""HarborClient against a real loopback HTTP server (tests/unit/conftest.py)."""
import time
import uuid

import pytest

from tests.unit.client_import import HarborClient, HarborError, base_url, parse_version, quote_repository  # noqa: F401


def client_for(server, **kwargs):
    kwargs.setdefault("backoff_factor", 0)
    return HarborClient(server.url, "admin", "Harbor12345", ca_path=getattr(server, "ca_path", None), **kwargs)


@pytest.mark.parametrize("url", ["https://h.example", "https://h.example/", "https://h.example/api/v2.0", "https://h.example/api/v2.0/"])
def test_base_url_accepts_api_suffix_and_slash(url):
    assert base_url(url) == "https://h.example"


def test_version_parsing():
    assert parse_version("v2.15.2-080b0220") == (2, 15, 2)
    assert parse_version("v2.14") == (2, 14, 0)
    assert parse_version("") is None


def test_repository_names_are_quoted_twice():
    assert quote_repository("charts/etcd") == "charts%252Fetcd"


def test_pagination_follows_relative_link_over_250_items(server):
    items = [{"id": i, "name": "r%03d" % i} for i in range(250)]

    def page(req):
        number, size = int(req.args.get("page", 1)), int(req.args.get("page_size", 10))
        chunk = items[(number - 1) * size:number * size]
        headers = {"X-Total-Count": str(len(items))}
        if number * size < len(items):
            # Harbor's Link: relative, query unescaped, several links joined by " , "
            headers["Link"] = '</api/v2.0/registries?page=%d&page_size=%d>; rel="prev" , </api/v2.0/registries?page=%d&page_size=%d>; rel="next"' % (
                max(number - 1, 1), size, number + 1, size)
        return 200, chunk, headers

    server.on("GET", "/api/v2.0/registries", page)
    result = client_for(server).list("/registries")
    assert [i["id"] for i in result] == list(range(250))
    calls = server.requests("GET", "/api/v2.0/registries")
    assert [c["args"]["page"] for c in calls] == ["1", "2", "3"]
    assert all(c["args"]["page_size"] == "100" for c in calls)


def test_pagination_by_total_count_when_there_is_no_link(server):
    items = [{"id": i} for i in range(250)]

    def page(req):
        number, size = int(req.args.get("page", 1)), int(req.args.get("page_size", 10))
        return 200, items[(number - 1) * size:number * size], {"X-Total-Count": str(len(items))}

    server.on("GET", "/api/v2.0/replication/executions", page)
    result = client_for(server).list("/replication/executions", params={"policy_id": 7})
    assert [i["id"] for i in result] == list(range(250))
    calls = server.requests("GET", "/api/v2.0/replication/executions")
    assert [(c["args"]["page"], c["args"]["policy_id"]) for c in calls] == [("1", "7"), ("2", "7"), ("3", "7")]


def test_pagination_stops_on_an_empty_page_whatever_the_count_says(server):
    server.on("GET", "/api/v2.0/projects", lambda req: (200, [{"id": 1}] if req.args.get("page") == "1" else [],
                                                        {"X-Total-Count": "500"}))
    assert client_for(server).list("/projects") == [{"id": 1}]
    assert len(server.requests("GET", "/api/v2.0/projects")) == 2


def test_find_rejects_fuzzy_matches(server):
    # Harbor answers q=name=nginx fuzzily here (as an old server or a typo'd key would): the client re-checks.
    server.json("GET", "/api/v2.0/registries", [{"id": 1, "name": "nginx-mirror"}, {"id": 2, "name": "my-nginx"}])
    client = client_for(server)
    assert client.find("/registries", "nginx") is None
    assert server.requests("GET", "/api/v2.0/registries")[0]["args"]["q"] == "name=nginx"
    server.json("GET", "/api/v2.0/registries", [{"id": 1, "name": "nginx-mirror"}, {"id": 3, "name": "nginx"}])
    assert client.find("/registries", "nginx")["id"] == 3


def test_list_named_reads_once_for_several_names(server):
    server.json("GET", "/api/v2.0/projects", [{"name": "a"}, {"name": "b"}, {"name": "c"}])
    found = client_for(server).list_named("/projects", ["a", "c", "zz"])
    assert sorted(found) == ["a", "c"]
    assert len(server.requests("GET", "/api/v2.0/projects")) == 1


def test_create_returns_id_from_location(server):
    server.json("POST", "/api/v2.0/registries", None, status=201, headers={"Location": "/api/v2.0/registries/17"})
    server.json("POST", "/api/v2.0/projects", None, status=201, headers={"Location": "/api/v2.0/projects/nvidiaio"})
    client = client_for(server)
    assert client.post("/registries", {"name": "x"}) == 17
    assert client.post("/projects", {"project_name": "nvidiaio"}) == "nvidiaio"


def test_writes_counts_the_accepted_writes_only(server):
    """HarborModule.run reports changed=true for a failure that comes after an accepted write."""
    server.json("POST", "/api/v2.0/registries", None, status=201, headers={"Location": "/api/v2.0/registries/3"})
    server.json("PUT", "/api/v2.0/registries/3", None)
    server.json("POST", "/api/v2.0/registries/ping", None)
    server.json("DELETE", "/api/v2.0/projects/gone", {"errors": [{"code": "NOT_FOUND", "message": "gone"}]}, status=404)
    server.json("GET", "/api/v2.0/registries/3", {"id": 3})
    client = client_for(server)
    client.get("/registries/3")
    client.request("POST", "/registries/ping", body={"id": 3})       # a ping changes nothing
    with pytest.raises(HarborError):
        client.delete("/projects/gone")
    assert client.writes == 0
    client.post("/registries", {"name": "x"})
    client.put("/registries/3", {"description": "y"})
    assert client.writes == 2


def test_retries_get_on_503_then_succeeds(server):
    answers = [(503, {"errors": [{"code": "UNKNOWN", "message": "internal server error"}]}, {}), (200, [{"name": "ok"}], {})]
    server.on("GET", "/api/v2.0/projects", lambda req: answers.pop(0) if len(answers) > 1 else answers[0])
    assert client_for(server).get("/projects") == [{"name": "ok"}]
    assert len(server.requests("GET", "/api/v2.0/projects")) == 2


def test_retries_get_on_429_honouring_retry_after(server):
    answers = [(429, {"errors": [{"code": "TOO_MANY_REQUEST", "message": "slow down"}]}, {"Retry-After": "1"}), (200, [], {})]
    server.on("GET", "/api/v2.0/projects", lambda req: answers.pop(0) if len(answers) > 1 else answers[0])
    started = time.monotonic()
    assert client_for(server).get("/projects") == []
    assert time.monotonic() - started >= 0.9   # waited for Retry-After (behaviour, not a performance assertion)
    assert len(server.requests("GET", "/api/v2.0/projects")) == 2


def test_post_is_never_retried(server):
    server.json("POST", "/api/v2.0/registries", {"errors": [{"code": "UNKNOWN", "message": "internal server error"}]}, status=503)
    with pytest.raises(HarborError) as err:
        client_for(server).post("/registries", {"name": "x"})
    assert err.value.status == 503
    assert len(server.requests("POST", "/api/v2.0/registries")) == 1


def test_retries_stop_after_the_limit(server):
    server.json("GET", "/api/v2.0/projects", {"errors": [{"code": "UNKNOWN", "message": "internal server error"}]}, status=502)
    with pytest.raises(HarborError) as err:
        client_for(server, retries=2).get("/projects")
    assert err.value.status == 502
    assert len(server.requests("GET", "/api/v2.0/projects")) == 3


@pytest.mark.parametrize("status,code,message,hint", [
    (400, "BAD_REQUEST", "the registry is unhealthy", None),
    (401, "UNAUTHORIZED", "unauthorized", "check harbor_username/harbor_password"),
    (403, "FORBIDDEN", "forbidden", "system administrator"),
    (404, "NOT_FOUND", "registry 9 not found", "no such object"),
    (409, "CONFLICT", "registry x already exists", "already exists"),
    (412, "PRECONDITION", "the registry 1 is referenced by replication policies, cannot delete it", "still in use"),
    (500, "UNKNOWN", "internal server error", "hides the cause"),
])
def test_error_mapping(server, status, code, message, hint):
    server.json("DELETE", "/api/v2.0/registries/9", {"errors": [{"code": code, "message": message}]}, status=status,
                headers={"X-Request-Id": "req-123"})
    with pytest.raises(HarborError) as err:
        client_for(server).delete("/registries/9")
    exc = err.value
    assert (exc.status, exc.code, exc.message, exc.request_id) == (status, code, message, "req-123")
    text = str(exc)
    assert "DELETE /api/v2.0/registries/9" in text and message in text and "req-123" in text
    if hint:
        assert hint in text


def test_get_or_none_maps_404_to_none(server):
    assert client_for(server).get_or_none("/registries/1") is None


def test_bad_credentials_detected_through_systeminfo(server):
    # Harbor lets bad credentials through as anonymous: /systeminfo answers 200 without harbor_version.
    server.json("GET", "/api/v2.0/systeminfo", {"auth_mode": "db_auth", "primary_auth_mode": False})
    with pytest.raises(HarborError) as err:
        client_for(server).systeminfo()
    assert err.value.status == 401
    assert "harbor_username/harbor_password" in str(err.value)


def test_systeminfo_read_once_and_version(server):
    client = client_for(server)
    assert client.version == (2, 15, 2)
    assert client.version_at_least("2.14.0") and not client.version_at_least("2.16.0")
    assert len(server.requests("GET", "/api/v2.0/systeminfo")) == 1


def test_basic_auth_no_cookies_user_agent_and_request_id(server):
    server.json("GET", "/api/v2.0/projects", [], headers={"Set-Cookie": "sid=abc; Path=/"})
    client = client_for(server)
    client.get("/projects")
    client.get("/projects")
    second = server.requests("GET", "/api/v2.0/projects")[1]["headers"]
    assert second["Authorization"].startswith("Basic ")
    assert "Cookie" not in second
    assert second["User-Agent"].startswith("registryops.harbor/")
    ids = [uuid.UUID(r["headers"]["X-Request-Id"]) for r in server.requests("GET", "/api/v2.0/projects")]
    assert [i.version for i in ids] == [4, 4] and ids[0] != ids[1]       # a random UUID per request


def test_tls_with_ca_path(tls_server):
    assert client_for(tls_server).systeminfo()["harbor_version"].startswith("v2.15")


def test_tls_fails_without_ca_and_says_what_to_do(tls_server):
    client = HarborClient(tls_server.url, "admin", "x", retries=0)
    with pytest.raises(HarborError) as err:
        client.systeminfo()
    assert "ca_path" in str(err.value) and "validate_certs" in str(err.value)


def test_tls_without_verification(tls_server):
    client = HarborClient(tls_server.url, "admin", "x", validate_certs=False, retries=0)
    assert client.systeminfo()["harbor_version"]


def test_connection_refused_names_the_url():
    client = HarborClient("http://127.0.0.1:9", "admin", "x", retries=0)
    with pytest.raises(HarborError) as err:
        client.get("/ping")
    assert "http://127.0.0.1:9" in str(err.value) and "harbor_url" in str(err.value)


def test_rejects_url_without_scheme():
    with pytest.raises(HarborError) as err:
        HarborClient("harbor.example.com", "admin", "x")
    assert "harbor_url" in str(err.value)


def test_find_all_one_by_name_or_everything(server):
    server.json("GET", "/api/v2.0/registries", [{"id": 1, "name": "a"}, {"id": 2, "name": "ab"}])
    client = client_for(server)
    assert client.find_all("/registries", "a") == [{"id": 1, "name": "a"}]
    assert client.find_all("/registries", "zz") == []
    assert len(client.find_all("/registries")) == 2


NAMES_HARBOR_READS_AS_OPERATORS = ["a+b", "50%off", "~tilde", "[range]", "{or}", "(and)", "\\back", "with space", "x,y", "mirror"]


def test_find_by_exact_name_whatever_the_characters(harbor):
    """Harbor unescapes ``q`` a second time and parses operators in it; the lookup must still be exact (emulator or
    a real Harbor given by HARBOR_URL)."""
    client = HarborClient(harbor.url, harbor.username, harbor.password, ca_path=harbor.ca_path)
    created = []
    try:
        for name in NAMES_HARBOR_READS_AS_OPERATORS:
            created.append(client.post("/registries", {"name": name, "type": "harbor", "url": harbor.url, "insecure": True}))
        for name, registry_id in zip(NAMES_HARBOR_READS_AS_OPERATORS, created):
            found = client.find("/registries", name)
            assert found is not None and found["id"] == registry_id, name
        assert client.find("/registries", "a b") is None                    # "+" is not a space
        assert client.find("/registries", "~") is None
        assert set(client.list_named("/registries", ["a+b", "x,y"])) == {"a+b", "x,y"}
    finally:
        for registry_id in created:
            client.delete("/registries/%s" % registry_id)


# -- bounded waits (issue 10, defect 10) ----------------------------------------------------------------------------
BUSY = {"errors": [{"code": "UNKNOWN", "message": "internal server error"}]}


def test_retry_after_is_capped_per_wait(server):
    answers = [(503, BUSY, {"Retry-After": "21600"}), (200, [], {})]
    server.on("GET", "/api/v2.0/projects", lambda req: answers.pop(0) if len(answers) > 1 else answers[0])
    started = time.monotonic()
    assert client_for(server, retry_after_max=0.2).get("/projects") == []
    assert time.monotonic() - started < 30          # not the 6 hours asked (a bound, not a performance figure)
    assert len(server.requests("GET", "/api/v2.0/projects")) == 2


def test_invalid_retry_after_falls_back_to_backoff(server):
    answers = [(429, BUSY, {"Retry-After": "soon, please"}), (200, [{"id": 1}], {})]
    server.on("GET", "/api/v2.0/projects", lambda req: answers.pop(0) if len(answers) > 1 else answers[0])
    assert client_for(server).get("/projects") == [{"id": 1}]
    assert len(server.requests("GET", "/api/v2.0/projects")) == 2


def test_total_wait_budget_stops_retries_and_counts_attempts(server):
    server.json("GET", "/api/v2.0/projects", BUSY, status=503, headers={"Retry-After": "1"})
    client = client_for(server, retries=10, retry_after_max=0.3, retry_budget=0.5)
    with pytest.raises(HarborError) as err:
        client.get("/projects")
    sent = len(server.requests("GET", "/api/v2.0/projects"))
    assert 2 <= sent < 11                            # the budget ended the retries before the 10 allowed
    assert err.value.attempts == sent
    assert "after %d attempts" % sent in str(err.value)
    assert "overloaded or restarting" in str(err.value) and "remote registry" not in str(err.value)


def test_poll_deadline_bounds_a_slow_answer(server):
    def slow(req):
        time.sleep(3)
        return 200, [], {}
    server.on("GET", "/api/v2.0/slow", slow)
    client = client_for(server, retries=0, timeout=30)
    client.deadline = time.monotonic() + 0.5
    with pytest.raises(HarborError) as err:
        client.get("/slow")
    assert "no answer from Harbor" in str(err.value)


# -- messages (issue 10, defect 9) ----------------------------------------------------------------------------------
def test_html_error_page_is_summarised(server):
    page = "<html><head><title>502 Bad Gateway</title></head><body>" + "<p>nginx</p>" * 500 + "</body></html>"
    server.on("GET", "/api/v2.0/projects", lambda req: (502, page, {"Content-Type": "text/html"}))
    with pytest.raises(HarborError) as err:
        client_for(server, retries=0).get("/projects")
    text = str(err.value)
    assert "an HTML page: 502 Bad Gateway" in text and "<p>" not in text and len(text) < 600


def test_403_names_the_user_instead_of_gluing_it(server):
    server.json("GET", "/api/v2.0/registries", {"errors": [{"code": "FORBIDDEN", "message": "admin"}]}, status=403)
    with pytest.raises(HarborError) as err:
        client_for(server).get("/registries")
    assert "user 'admin' is not allowed to do this" in str(err.value)


def test_wrong_password_message_says_it_once(server):
    server.json("GET", "/api/v2.0/systeminfo", {"auth_mode": "db_auth", "primary_auth_mode": False})
    with pytest.raises(HarborError) as err:
        client_for(server).systeminfo()
    assert str(err.value).count("did not accept the credentials") == 1
    assert "Nothing was changed" in str(err.value)


def test_404_without_harbor_error_body_points_at_the_base_url(server):
    server.on("GET", "/api/v2.0/projects", lambda req: (404, "404 page not found", {}))
    with pytest.raises(HarborError) as err:
        client_for(server).get("/projects")
    assert "harbor_url is Harbor's base URL" in str(err.value)


def test_dropped_post_says_it_may_have_been_applied(server):
    import socket

    def drop(req):
        sock = req.environ.get("werkzeug.socket")
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        return 500, "", {}
    server.on("POST", "/api/v2.0/registries", drop)
    with pytest.raises(HarborError) as err:
        client_for(server).post("/registries", {"name": "x"})
    text = str(err.value)
    assert "closed the connection" in text and "may have received and applied this POST" in text
    assert "DNS" not in text
    assert len(server.requests("POST", "/api/v2.0/registries")) == 1


def test_a_bad_harbor_url_is_refused_before_any_request():
    """The URL's check itself is a table in test_parsers.py (check_url); here the client turns it into a HarborError."""
    with pytest.raises(HarborError) as err:
        HarborClient("https://user:pw@h.example", "admin", "x")
    assert "harbor_url: must not carry a user name or password" in str(err.value) and "pw@" not in str(err.value)


def test_a_redirect_is_not_followed_and_names_the_url_to_use(server):
    """Harbor's API never redirects; a front proxy's http -> https redirect would resend the credentials, so the client
    stops and says which harbor_url to use."""
    server.on("GET", "/api/v2.0/registries", lambda req: (301, "", {"Location": "https://harbor.example.com/api/v2.0/registries"}))
    with pytest.raises(HarborError) as err:
        client_for(server).get("/registries")
    text = str(err.value)
    assert "HTTP 301" in text and "Use harbor_url: https://harbor.example.com" in text
    assert len(server.requests("GET", "/api/v2.0/registries")) == 1


def test_a_connection_that_cannot_be_opened_is_retried_and_counted():
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()                        # nothing listens there now
    with pytest.raises(HarborError) as err:
        HarborClient("http://127.0.0.1:%d" % port, "admin", "x", retries=2, backoff_factor=0).post("/registries", {})
    assert "connection was refused" in str(err.value) and "after 3 attempts" in str(err.value)
    assert "may have" not in str(err.value)


def test_without_requests_the_client_says_so_instead_of_a_traceback():
    """ansible-test's import sanity test imports module_utils without third-party packages: the import must work, and
    HarborModule fails with missing_required_lib("requests") (the client's own message here)."""
    import subprocess
    import sys
    from tests.support.ansible import collections_root
    code = ("import sys; sys.modules['requests'] = None; sys.path.insert(0, %r)\n"
            "from ansible_collections.registryops.harbor.plugins.module_utils import client, module\n"
            "from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborError\n"
            "assert not client.HAS_REQUESTS and 'requests' in client.REQUESTS_IMPORT_ERROR\n"
            "try:\n    client.HarborClient('https://h.example', 'a', 'b')\n"
            "except HarborError as exc:\n    print(exc)\n") % str(collections_root())
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "the Python library 'requests' is required" in result.stdout
