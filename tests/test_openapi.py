"""django_useauth/openapi.json: a valid OpenAPI 3.1 document that stays true to the endpoints.

The document is loaded with schemathesis, which validates it. Representative
requests go through Django's test client; each is described by a schemathesis
``Case`` of its operation, and the response must pass the conformance checks
of tests/schema.py (status, content type, headers, body schema). The live
fuzzing is in test_fuzz.py.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema_rs
import requests
import schemathesis
from django.test import Client
from django.test import SimpleTestCase
from django.test import TestCase
from django.test import override_settings
from django.urls import resolve
from schemathesis import Response
from schemathesis.core import NOT_SET
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.case import Case

from django_useauth import urls
from django_useauth.errors import SIGN_IN_ERRORS
from django_useauth.errors import error_page
from django_useauth.providers import PROVIDER_ID_RE
from tests import schema
from tests.utils import GITHUB
from tests.utils import PASSWORD
from tests.utils import make_user

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://testserver/api/auth"
HTML = "text/html; charset=utf-8"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def documented_paths() -> dict[str, set[str]]:
    """The document's paths, each with its methods."""
    paths: dict[str, dict[str, Any]] = schema.load().raw_schema["paths"]
    return {
        path: {method.upper() for method in item if method.upper() in METHODS}
        for path, item in paths.items()
    }


def route_path(regex: str) -> str:
    """The OpenAPI path of a URL pattern's regex: ``^signin/(?P<provider>[^/]+)/?\\Z`` is ``/signin/{provider}``."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", regex)
    path = path.removeprefix("^").removesuffix(r"\Z").removesuffix("/?")
    return "/" + re.sub(r"\\(.)", r"\1", path)


def send(
    client: Client,
    case: Case[Any],
    *,
    raw: tuple[str, bytes] | None = None,
) -> Response:
    """Send ``case`` through Django's test client; answer the response as schemathesis sees one.

    ``raw`` replaces the serialised body with ``(content type, bytes)``, for
    bodies no schema describes (malformed JSON).
    """
    kwargs = case.as_transport_kwargs(base_url=BASE)
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=kwargs["headers"],
        params=kwargs["params"],
        data=kwargs.get("data"),
        json=kwargs.get("json"),
    ).prepare()
    if raw is not None:
        prepared.headers["Content-Type"], prepared.body = raw
    assert prepared.method is not None and prepared.url is not None
    body = prepared.body or b""
    response = client.generic(
        prepared.method,
        prepared.url.removeprefix("http://testserver"),
        data=body,
        content_type=prepared.headers.get("Content-Type", ""),
        headers={
            name: value
            for name, value in prepared.headers.items()
            if name not in ("Content-Type", "Content-Length")
        },
    )
    headers: dict[str, list[str]] = {}
    for name, value in response.items():
        headers.setdefault(name.lower(), []).append(value)
    for morsel in response.cookies.values():
        headers.setdefault("set-cookie", []).append(morsel.OutputString())
    return Response(
        status_code=response.status_code,
        headers=headers,
        content=response.content,
        request=prepared,
        elapsed=0.0,
        verify=True,
        message=response.reason_phrase,
        encoding=response.charset,
    )


def header(response: Response, name: str) -> str:
    values = response.headers[name.lower()]
    assert len(values) == 1, values
    return values[0]


class DocumentTests(SimpleTestCase):
    def test_valid_openapi_3_1(self):
        document = schema.load().raw_schema
        assert document["openapi"] == "3.1.0"
        # schemathesis validates the document but not the JSON Schemas in it.
        for name, value in document["components"]["schemas"].items():
            assert jsonschema_rs.meta.is_valid(value), name
        assert len(schema.operations(schema.load())) == 22

    def test_agrees_with_the_package(self):
        document = schema.load().raw_schema
        pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
        assert document["info"]["version"] == pyproject["project"]["version"]
        schemas = document["components"]["schemas"]
        assert schemas["Provider"]["properties"]["id"]["pattern"] == (
            f"^{PROVIDER_ID_RE.pattern}$"
        )
        # The error codes: the sign-in errors and the error page's own.
        codes = set(schemas["ErrorCode"]["anyOf"][0]["enum"])
        assert codes >= SIGN_IN_ERRORS
        for code in codes - SIGN_IN_ERRORS:
            assert error_page(code).code == code
        assert {error_page(code).status for code in codes - SIGN_IN_ERRORS} == {
            200,
            403,
            404,
            500,
        }

    def test_an_invalid_document_is_refused(self):
        document = copy.deepcopy(schema.load().raw_schema)
        document["paths"]["/csrf"]["get"]["responses"] = []
        with self.assertRaises(jsonschema_rs.ValidationError):
            schemathesis.openapi.from_dict(document).validate()

    def test_operation_ids_are_unique(self):
        ids = [
            operation["operationId"]
            for item in schema.load().raw_schema["paths"].values()
            for method, operation in item.items()
            if method.upper() in METHODS
        ]
        assert len(ids) == len(set(ids)) == 22

    def test_every_route_is_documented_and_nothing_else(self):
        routes = {
            route_path(pattern.pattern.regex.pattern): pattern.name
            for pattern in urls.urlpatterns
        }
        assert set(routes) == set(documented_paths())
        # The conversion names the routes the paths resolve to.
        for path, name in routes.items():
            url = "/api/auth" + path.replace("{provider}", "credentials")
            assert resolve(url).url_name == name, path

    def test_route_path(self):
        assert route_path(r"^csrf\Z") == "/csrf"
        assert route_path(r"^openapi\.json\Z") == "/openapi.json"
        assert route_path(r"^callback/(?P<provider>[^/]+)/?\Z") == (
            "/callback/{provider}"
        )


@override_settings(**GITHUB)
class MethodsTests(TestCase):
    """The methods each path answers (anything but a 405) are the documented ones."""

    # A configured provider of each kind: credentials take no GET callback,
    # OAuth no HEAD.
    SAMPLES = {"/signin/{provider}": "credentials", "/callback/{provider}": "github"}

    def allowed(self, path: str) -> tuple[set[str], dict[str, str]]:
        client = Client(enforce_csrf_checks=True)
        allowed = set()
        allow_headers = {}
        for method in METHODS:
            response = client.generic(method, "/api/auth" + path)
            if response.status_code == 405:
                allow_headers[method] = response["Allow"]
            else:
                allowed.add(method)
        return allowed, allow_headers

    def test_documented_methods(self):
        for path, methods in documented_paths().items():
            with self.subTest(path=path):
                sample = path.replace("{provider}", self.SAMPLES.get(path, ""))
                allowed, allow_headers = self.allowed(sample)
                assert allowed == methods
                for allow in allow_headers.values():
                    # Every documented method is advertised. callback's decorator
                    # also lists HEAD, which the view answers 405 for a
                    # configured provider.
                    assert set(allow.split(", ")) >= methods, allow

    def test_callback_credentials_is_post_only(self):
        allowed, allow_headers = self.allowed("/callback/credentials")
        assert allowed == {"POST"}
        assert allow_headers["GET"] == "POST"
        assert allow_headers["HEAD"] == "POST"
        assert allow_headers["PUT"] == "GET, HEAD, POST"

    def test_unknown_provider_callback(self):
        # Any method the route takes answers the InvalidProvider page.
        allowed, _ = self.allowed("/callback/nope")
        assert allowed == {"GET", "HEAD", "POST"}


class ConformanceTestCase(TestCase):
    """Requests described by schemathesis cases; every response must conform to the document."""

    def setUp(self):
        self.client = Client(enforce_csrf_checks=True)

    def call(
        self,
        method: str,
        path: str,
        *,
        provider: str | None = None,
        query: dict[str, Any] | None = None,
        body: Any = NOT_SET,
        media_type: str | None = None,
        headers: dict[str, str] | None = None,
        raw: tuple[str, bytes] | None = None,
    ) -> Response:
        operation = schema.load()[path][method]
        case = operation.Case(
            path_parameters=None if provider is None else {"provider": provider},
            query=query,
            body=body,
            media_type=media_type if body is not NOT_SET else None,
            headers=headers,
        )
        response = send(self.client, case, raw=raw)
        case.validate_response(response, checks=schema.checks())
        return response

    def csrf(self) -> str:
        token: str = self.call("GET", "/csrf").json()["csrfToken"]
        return token

    def post(
        self,
        path: str,
        data: dict[str, Any],
        *,
        provider: str | None = None,
        media_type: str = FORM,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        return self.call(
            "POST",
            path,
            provider=provider,
            body=data,
            media_type=media_type,
            query=query,
            headers=headers,
        )

    def sign_in(self, **extra: Any) -> Response:
        data = {"csrfToken": self.csrf(), "username": "ada", "password": PASSWORD}
        return self.post(
            "/callback/{provider}", {**data, **extra}, provider="credentials"
        )

    def assert_url(self, response: Response, status: int, url: str) -> None:
        assert response.status_code == status
        assert response.json() == {"url": url}

    def assert_redirect(self, response: Response, url: str) -> None:
        assert response.status_code == 302
        assert header(response, "Location") == url

    def assert_page(self, response: Response, status: int, text: str) -> None:
        assert response.status_code == status
        assert header(response, "Content-Type") == HTML
        assert text in response.text


class JsonEndpointsTests(ConformanceTestCase):
    def test_csrf(self):
        response = self.call("GET", "/csrf")
        assert re.fullmatch(r"[A-Za-z0-9]{64}", response.json()["csrfToken"])
        assert "csrftoken=" in header(response, "Set-Cookie")
        assert self.call("HEAD", "/csrf").content == b""

    def test_providers(self):
        response = self.call("GET", "/providers")
        assert response.json() == {
            "credentials": {
                "id": "credentials",
                "name": "Credentials",
                "type": "credentials",
                "signinUrl": f"{BASE}/signin/credentials",
                "callbackUrl": f"{BASE}/callback/credentials",
            }
        }
        self.call("HEAD", "/providers")

    @override_settings(USEAUTH_CREDENTIALS_ENABLED=False)
    def test_no_providers(self):
        assert self.call("GET", "/providers").json() == {}

    @override_settings(**GITHUB)
    def test_providers_with_oauth(self):
        body = self.call("GET", "/providers").json()
        assert body["github"] == {
            "id": "github",
            "name": "GitHub",
            "type": "oauth",
            "signinUrl": f"{BASE}/signin/github",
            "callbackUrl": f"{BASE}/callback/github",
        }

    def test_session_signed_out(self):
        assert self.call("GET", "/session").json() == {}
        assert self.call("HEAD", "/session").status_code == 200

    def test_session_signed_in(self):
        make_user()
        self.sign_in(json="true")
        body = self.call("GET", "/session").json()
        assert body["user"] == {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "image": None,
        }

    def test_session_update(self):
        make_user()
        self.sign_in(json="true")
        data = {"csrfToken": self.csrf(), "data": {"theme": "dark"}}
        response = self.post("/session", data, media_type=JSON)
        assert response.json()["user"]["email"] == "ada@example.com"
        # And with the token in the header, as a form.
        response = self.post(
            "/session", {"data": "x"}, headers={"X-CSRFToken": self.csrf()}
        )
        assert response.status_code == 200

    @override_settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.session")
    def test_session_callback_adds_fields(self):
        make_user()
        self.sign_in(json="true")
        data = {"csrfToken": self.csrf(), "data": {"theme": "dark"}}
        body = self.post("/session", data, media_type=JSON).json()
        assert body["theme"] == "dark"
        assert set(body["user"]) == {"name", "email", "image", "id"}

    def test_session_update_signed_out(self):
        response = self.post("/session", {"csrfToken": self.csrf()}, media_type=JSON)
        assert response.status_code == 200
        assert response.json() == {}

    def test_session_update_failures(self):
        self.csrf()
        response = self.post("/session", {"csrfToken": "wrong"}, media_type=JSON)
        assert (response.status_code, response.json()) == (400, {})
        response = self.call(
            "POST", "/session", body={}, media_type=JSON, raw=(JSON, b"[1]")
        )
        assert (response.status_code, response.json()) == (400, {})

    @override_settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.broken_on_update")
    def test_session_update_callback_raises(self):
        make_user()
        self.sign_in(json="true")
        with self.assertLogs("django_useauth.views", "ERROR"):
            response = self.post(
                "/session", {"csrfToken": self.csrf()}, media_type=JSON
            )
        assert (response.status_code, response.json()) == (400, {})

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10)
    def test_session_update_too_big(self):
        with self.assertLogs("django.security", "ERROR"):
            response = self.post("/session", {"csrfToken": "x" * 64}, media_type=JSON)
        self.assert_page(response, 400, "Bad Request")

    def test_openapi_disabled(self):
        response = self.call("GET", "/openapi.json")
        self.assert_page(response, 404, "Not Found")

    @override_settings(USEAUTH_OPENAPI=True)
    def test_openapi(self):
        response = self.call("GET", "/openapi.json")
        assert response.json()["servers"] == [{"url": BASE}]
        assert self.call("HEAD", "/openapi.json").content == b""

    def test_log(self):
        response = self.post("/_log", {"level": "error", "code": "X"})
        assert (response.status_code, response.content) == (200, b"")


class SignInTests(ConformanceTestCase):
    def setUp(self):
        super().setUp()
        make_user()

    def test_success(self):
        response = self.sign_in(callbackUrl="/after")
        self.assert_redirect(response, "http://testserver/after")
        assert "sessionid=" in " ".join(response.headers["set-cookie"])

    def test_success_json(self):
        response = self.sign_in(json="true")
        self.assert_url(response, 200, "http://testserver/")

    def test_success_json_header(self):
        data = {"csrfToken": self.csrf(), "username": "ada", "password": PASSWORD}
        response = self.post(
            "/callback/{provider}",
            data,
            provider="credentials",
            media_type=JSON,
            headers={"X-Auth-Return-Redirect": "1"},
            query={"callbackUrl": "/q"},
        )
        self.assert_url(response, 200, "http://testserver/q")

    def test_bad_credentials(self):
        response = self.sign_in(password="wrong", json="true", callbackUrl="/after")
        self.assert_url(
            response,
            401,
            f"{BASE}/error?error=CredentialsSignin&provider=credentials"
            "&callbackUrl=%2Fafter",
        )
        response = self.sign_in(password="wrong")
        self.assert_redirect(
            response, f"{BASE}/error?error=CredentialsSignin&provider=credentials"
        )

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse")
    def test_refused(self):
        response = self.sign_in(json=True)
        self.assert_url(response, 403, f"{BASE}/error?error=AccessDenied")

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=1)
    def test_throttled(self):
        self.sign_in(password="wrong")
        response = self.sign_in(json="true")
        self.assert_url(
            response, 429, f"{BASE}/error?error=TooManyAttempts&provider=credentials"
        )
        assert 1 <= int(header(response, "Retry-After")) <= 900
        response = self.sign_in()
        self.assert_redirect(
            response, f"{BASE}/error?error=TooManyAttempts&provider=credentials"
        )
        assert int(header(response, "Retry-After")) >= 1

    def test_csrf_failure(self):
        self.csrf()
        response = self.post(
            "/callback/{provider}",
            {"csrfToken": "wrong", "json": "true"},
            provider="credentials",
        )
        self.assert_url(response, 200, f"{BASE}/signin?csrf=true")
        response = self.post(
            "/callback/{provider}", {"username": "ada"}, provider="credentials"
        )
        self.assert_redirect(response, f"{BASE}/signin?csrf=true")

    def test_malformed_body(self):
        response = self.call(
            "POST",
            "/callback/{provider}",
            provider="credentials",
            body={},
            media_type=JSON,
            raw=(JSON, b"{not json"),
        )
        assert response.status_code == 400
        assert header(response, "Content-Type") == "text/plain; charset=utf-8"
        assert response.text == "Malformed request body."

    @override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=2)
    def test_too_many_fields(self):
        data = {"a": "1", "b": "2", "c": "3"}
        with self.assertLogs("django.security", "ERROR"):
            response = self.post("/callback/{provider}", data, provider="credentials")
        self.assert_page(response, 400, "Bad Request")

    def test_get_credentials_callback(self):
        response = self.call("GET", "/callback/{provider}", provider="credentials")
        assert response.status_code == 405
        assert header(response, "Allow") == "POST"

    def test_unknown_provider(self):
        response = self.call("GET", "/callback/{provider}", provider="nope")
        self.assert_page(response, 404, "This sign-in method is not available.")
        self.csrf()
        response = self.post(
            "/callback/{provider}", {"json": "true"}, provider="nope", media_type=JSON
        )
        self.assert_url(response, 404, f"{BASE}/error?error=InvalidProvider")
        # A malformed body is no JSON mode: the page.
        response = self.call(
            "POST",
            "/callback/{provider}",
            provider="nope",
            body={},
            media_type=JSON,
            raw=(JSON, b"[]"),
        )
        self.assert_page(response, 404, "Unable to sign in")


class SignInProviderTests(ConformanceTestCase):
    def test_pages(self):
        self.assert_page(self.call("GET", "/signin"), 200, "Sign in")
        query = {"callbackUrl": "/after", "error": "CredentialsSignin", "csrf": "true"}
        response = self.call("GET", "/signin/{provider}", provider="x", query=query)
        self.assert_page(response, 200, "Check the details you provided are correct.")
        assert self.call("HEAD", "/signin").content == b""
        assert self.call("HEAD", "/signin/{provider}", provider="x").content == b""

    @override_settings(USEAUTH_PAGES_SIGN_IN="/login/", USEAUTH_PAGES_SIGN_OUT="/out/")
    def test_custom_pages(self):
        response = self.call("GET", "/signin", query={"next": "/after"})
        self.assert_redirect(response, "/login/?callbackUrl=%2Fafter")
        response = self.call("GET", "/signout", query={"csrf": "true"})
        self.assert_redirect(response, "/out/?csrf=true")

    def test_post_credentials(self):
        response = self.post(
            "/signin/{provider}",
            {"csrfToken": self.csrf(), "json": "true"},
            provider="credentials",
        )
        self.assert_url(response, 200, f"{BASE}/signin")
        response = self.post(
            "/signin/{provider}", {"csrfToken": self.csrf()}, provider="credentials"
        )
        self.assert_redirect(response, f"{BASE}/signin")

    def test_post_failures(self):
        response = self.post(
            "/signin/{provider}", {"json": "TRUE"}, provider="credentials"
        )
        self.assert_url(response, 200, f"{BASE}/signin?csrf=true")
        response = self.post(
            "/signin/{provider}", {"csrfToken": self.csrf()}, provider="nope"
        )
        self.assert_page(response, 404, "This sign-in method is not available.")
        response = self.post(
            "/signin/{provider}",
            {"csrfToken": self.csrf(), "json": True},
            provider="nope",
            media_type=JSON,
        )
        self.assert_url(response, 404, f"{BASE}/error?error=InvalidProvider")
        response = self.call(
            "POST",
            "/signin/{provider}",
            provider="credentials",
            body={},
            media_type=JSON,
            raw=(JSON, b'"a string"'),
        )
        assert (response.status_code, response.text) == (
            400,
            "Malformed request body.",
        )

    @override_settings(**GITHUB)
    def test_oauth(self):
        data = {"csrfToken": self.csrf(), "callbackUrl": "/after"}
        response = self.post("/signin/{provider}", data, provider="github")
        assert response.status_code == 302
        location = header(response, "Location")
        assert location.startswith("https://github.com/login/oauth/authorize?")
        response = self.post(
            "/signin/{provider}",
            {"csrfToken": self.csrf(), "json": "true"},
            provider="github",
            query={"login": "ada"},
        )
        assert response.status_code == 200
        assert response.json()["url"].startswith(
            "https://github.com/login/oauth/authorize?"
        )

    @override_settings(**GITHUB)
    def test_oauth_callback_failures(self):
        with self.assertLogs("django_useauth.oauth", "WARNING"):
            response = self.call(
                "GET",
                "/callback/{provider}",
                provider="github",
                query={"code": "c", "state": "s"},
            )
        self.assert_redirect(response, f"{BASE}/error?error=OAuthCallback")
        with self.assertLogs("django_useauth.oauth", "WARNING"):
            response = self.post(
                "/callback/{provider}", {"error": "access_denied"}, provider="github"
            )
        self.assert_redirect(response, f"{BASE}/error?error=AccessDenied")


class SignOutTests(ConformanceTestCase):
    def test_page(self):
        response = self.call("GET", "/signout", query={"callbackUrl": "/after"})
        self.assert_page(response, 200, "Sign out")
        assert self.call("HEAD", "/signout").content == b""

    def test_sign_out(self):
        make_user()
        self.sign_in()
        data = {"csrfToken": self.csrf(), "callbackUrl": "/bye", "json": "true"}
        response = self.post("/signout", data)
        self.assert_url(response, 200, "http://testserver/bye")
        assert self.call("GET", "/session").json() == {}
        response = self.post("/signout", {"csrfToken": self.csrf()}, media_type=JSON)
        self.assert_redirect(response, "http://testserver/")

    def test_failures(self):
        response = self.post("/signout", {"csrfToken": "nope"})
        self.assert_redirect(response, f"{BASE}/signout?csrf=true")
        response = self.call(
            "POST", "/signout", body={}, media_type=JSON, raw=(JSON, b"\xff")
        )
        assert (response.status_code, response.text) == (
            400,
            "Malformed request body.",
        )


class ErrorPageTests(ConformanceTestCase):
    def test_codes(self):
        pages = [
            (None, 200, "<h1>Error</h1>"),
            ("Default", 200, "<h1>Error</h1>"),
            ("<script>", 200, "<h1>Error</h1>"),
            ("AccessDenied", 403, "<h1>Access Denied</h1>"),
            ("verification", 403, "The sign in link is no longer valid."),
            ("InvalidProvider", 404, "This sign-in method is not available."),
            ("Configuration", 500, "<h1>Server error</h1>"),
            ("CONFIGURATION", 500, "<h1>Server error</h1>"),
        ]
        for code, status, text in pages:
            with self.subTest(code=code):
                query = {} if code is None else {"error": code}
                self.assert_page(self.call("GET", "/error", query=query), status, text)
                head = self.call("HEAD", "/error", query=query)
                assert (head.status_code, head.content) == (status, b"")

    def test_sign_in_errors(self):
        query = {"error": "CredentialsSignin", "callbackUrl": "/after"}
        response = self.call("GET", "/error", query=query)
        self.assert_redirect(
            response, "/api/auth/signin?error=CredentialsSignin&callbackUrl=%2Fafter"
        )

    @override_settings(USEAUTH_PAGES_ERROR="/oops/")
    def test_custom_page(self):
        response = self.call("GET", "/error", query={"error": "configuration"})
        self.assert_redirect(response, "/oops/?error=Configuration")


class ServerErrorCheckTests(SimpleTestCase):
    """The one 500 the checks accept is the documented error=Configuration page."""

    def response(self, case: Case[Any], status: int) -> Response:
        prepared = requests.Request(**case.as_transport_kwargs(base_url=BASE))
        return Response(
            status_code=status,
            headers={
                "content-type": [HTML],
                "cache-control": ["no-store"],
                "vary": ["Cookie"],
            },
            content=b"<h1>Server error</h1>",
            request=prepared.prepare(),
            elapsed=0.0,
            verify=True,
        )

    def test_configuration(self):
        for method in ("GET", "HEAD"):
            for query in (
                {"error": "configuration"},
                {"error": ["x", "Configuration"]},
            ):
                case = schema.load()["/error"][method].Case(query=query)
                case.validate_response(self.response(case, 500), checks=schema.checks())

    def test_other_server_errors(self):
        cases = [
            schema.load()["/error"]["GET"].Case(query={"error": "Default"}),
            schema.load()["/error"]["GET"].Case(
                query={"error": ["Configuration", "x"]}
            ),
            schema.load()["/error"]["GET"].Case(),
            schema.load()["/session"]["GET"].Case(query={"error": "Configuration"}),
        ]
        for case in cases:
            with self.subTest(case=case), self.assertRaises(FailureGroup) as raised:
                case.validate_response(
                    self.response(case, 500),
                    checks=[schema.no_undocumented_server_error],
                )
            assert "Undocumented server error: 500" in str(raised.exception)


class OpenApiViewTests(SimpleTestCase):
    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(schema.PATH.read_text(encoding="utf-8"))
        return loaded

    @override_settings(USEAUTH_OPENAPI=False, DEBUG=True)
    def test_off(self):
        assert self.client.get("/api/auth/openapi.json").status_code == 404

    @override_settings(USEAUTH_OPENAPI=True)
    def test_on(self):
        response = self.client.get("/api/auth/openapi.json")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response.json() == {**self.document(), "servers": [{"url": BASE}]}
        # What the site serves is itself a valid document.
        schemathesis.openapi.from_dict(response.json()).validate()

    @override_settings(DEBUG=True)
    def test_default_follows_debug(self):
        response = self.client.get("/api/auth/openapi.json")
        assert response.json()["servers"] == [{"url": BASE}]

    @override_settings(USEAUTH_OPENAPI=True, USEAUTH_URL="https://auth.example.com")
    def test_servers_use_the_canonical_origin(self):
        response = self.client.get("/api/auth/openapi.json")
        assert response.json()["servers"] == [
            {"url": "https://auth.example.com/api/auth"}
        ]
