"""Divergences between the emulator and Harbor v2.15.2 itself that ``python -m tests.differential`` found (the emulator
now answers as Harbor does); each test names the Harbor file that decides the answer (goharbor/harbor v2.15.2).
Others are in test_fidelity.py (zero counts sent) and test_quota.py (quota reference and single-quota update time)."""
import requests

from tests.emulator_fidelity.test_project import create, errors
from tests.support.harbor import push_seed


def test_an_answer_without_a_body_has_no_content_type(harbor):
    """go-openapi's responders write no body for 201 (Location only) and the 200 of a PUT or DELETE, and Go's net/http
    sends no Content-Type then (it sniffs one from a body): src/server/v2.0/handler/project.go CreateProject,
    UpdateProject, DeleteProject (NewCreateProjectCreated().WithLocation(...))."""
    created = create(harbor, "bodiless")
    assert created.text == "" and "Content-Type" not in created.headers
    for method, path, body in (("PUT", "/projects/bodiless", {"metadata": {"public": "true"}}),
                               ("HEAD", "/projects?project_name=bodiless", None),
                               ("DELETE", "/projects/bodiless", None)):
        resp = harbor.api(method, path, json=body, headers={"X-Is-Resource-Name": "true"})
        assert resp.status_code == 200 and "Content-Type" not in resp.headers, (method, resp.headers)
    error = harbor.api("GET", "/projects/bodiless", headers={"X-Is-Resource-Name": "true"})
    assert error.headers["Content-Type"] == "application/json"


def test_a_name_over_255_characters_gets_two_validation_prefixes(harbor):
    """models.ProjectReq.Validate returns its maxLength failure as a composite error, which the body binding wraps in a
    composite of its own (the binding go-swagger generates from api/v2.0/swagger.yaml into
    src/server/v2.0/restapi/operations/project at build time): "validation failure list:" twice."""
    resp = harbor.api("POST", "/projects", json={"project_name": "p" * 256})
    assert (resp.status_code, resp.json()) == (422, errors(
        "UNPROCESSABLE_ENTITY", "validation failure list:\nvalidation failure list:\nproject_name in body should be at most 255 chars long"))


def test_v2_refusals_name_the_reason_twice(harbor):
    """src/server/middleware/v2auth/auth.go reqChecker.check + Middleware: ``errors.UnauthorizedError(err)
    .WithMessage(err.Error())`` renders "<reason>: <reason>"; a repository GET or HEAD without an Authorization header is
    refused as "authorize header needed to send HEAD to repository" (#11271, also for GET and public projects), a
    push without permission as "unauthorized to access repository: <repo>, action: push"; /v2/ itself as
    "unauthorized"."""
    push_seed(harbor, "v2refusal", "app", tags=["1.0"])
    manifest = requests.get(harbor.url + "/v2/v2refusal/app/manifests/1.0", timeout=10)
    assert (manifest.status_code, manifest.json()) == (401, errors(
        "UNAUTHORIZED", "authorize header needed to send HEAD to repository: authorize header needed to send HEAD to repository"))
    upload = requests.post(harbor.url + "/v2/v2refusal/mine/blobs/uploads/", timeout=10)
    reason = "unauthorized to access repository: v2refusal/mine, action: push"
    assert (upload.status_code, upload.json()) == (401, errors("UNAUTHORIZED", "%s: %s" % (reason, reason)))
    assert 'scope="repository:v2refusal/mine:pull,push"' in upload.headers["Www-Authenticate"]
    root = requests.get(harbor.url + "/v2/", timeout=10)
    assert root.json() == errors("UNAUTHORIZED", "unauthorized: unauthorized")


def post_registry(harbor, body, content_type="application/json", auth="admin"):
    headers = {"Content-Type": content_type} if content_type else {}
    return requests.post(harbor.url + "/api/v2.0/registries", data=body, headers=headers,
                         auth=harbor.auth if auth == "admin" else auth, timeout=30)


BAD_BODIES = [
    ("{name", "invalid character 'n' looking for beginning of object key string"),
    ('{"name" 1}', "invalid character '1' after object key"),
    ('{"name": 1 2}', "invalid character '2' after object key:value pair"),
    ("[1 2]", "invalid character '2' after array element"),
    ('{"name": "a', "unexpected EOF"),
    ('{"name": ', "unexpected EOF"),
    ("x", "invalid character 'x' looking for beginning of value"),
    ('{"a": "b\\q"}', "invalid character 'q' in string escape code"),
    ('{"a": "\\u12g4"}', "invalid character 'g' in \\u hexadecimal character escape"),
    ('{"a": "b\nc"}', "invalid character '\\n' in string literal"),
    ("{'a': 1}", "invalid character '\\'' looking for beginning of object key string"),
]


def test_a_body_that_is_not_json_gets_go_decoders_syntax_error(harbor):
    """go-openapi's JSON consumer decodes the body with a json.Decoder (the body binding generated into
    src/server/v2.0/restapi/operations at build time from api/v2.0/swagger.yaml): its SyntaxError texts come from Go's
    encoding/json scanner, a body that ends inside a value is "unexpected EOF", a body of white space only is missing, and
    what follows the first value is never read. Texts as Harbor v2.15.2 answered them on POST /registries."""
    for body, reason in BAD_BODIES:
        resp = post_registry(harbor, body.encode())
        assert (resp.status_code, resp.json()) == (422, errors(
            "UNPROCESSABLE_ENTITY", 'validation failure list:\nparsing registry body from "" failed, because ' + reason)), body
    for blank in (b"", b"  \n"):
        resp = post_registry(harbor, blank)
        assert resp.json() == errors("UNPROCESSABLE_ENTITY", "validation failure list:\nregistry in body is required")
    trailing = post_registry(harbor, b'{"name": ""} x')
    assert (trailing.status_code, trailing.json()) == (400, errors("BAD_REQUEST", "name cannot be empty"))


def test_a_body_of_another_media_type_is_refused_before_the_credentials_are_checked(harbor):
    """go-openapi's validateContentType (the request binding): only the operation's ``consumes`` media types, without
    Content-Type ``application/octet-stream``; anonymous callers get the same 422 (binding runs before Harbor's handler
    checks the security context: src/server/v2.0/handler/registry.go CreateRegistry)."""
    for content_type, auth in (("text/plain", "admin"), (None, "admin"), ("text/plain", None)):
        resp = post_registry(harbor, b'{"name": ""}', content_type, auth)
        assert (resp.status_code, resp.json()) == (422, errors("UNPROCESSABLE_ENTITY", (
            'validation failure list:\nunsupported media type "%s", only [application/json] are allowed'
            % (content_type or "application/octet-stream")))), (content_type, auth)
    charset = post_registry(harbor, b'{"name": ""}', "application/json; charset=utf-8")
    assert (charset.status_code, charset.json()) == (400, errors("BAD_REQUEST", "name cannot be empty"))
