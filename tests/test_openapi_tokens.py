"""django_useauth/token_openapi.json: a valid OpenAPI 3.1 document of token mode's routes, the view that serves it, and real responses that conform to it.

The document is loaded with schemathesis, which validates it. Each response
below is a real one of the test client, checked by tests/token_openapi_utils.py
against the operation's case: no server error, and a documented status,
content type, headers and body. The live fuzzing is in test_fuzz_tokens.py.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import requests
import schemathesis
from django.contrib.auth.models import User
from django.test import Client
from django.test import SimpleTestCase
from django.test import TestCase
from django.test import override_settings
from django.urls import include
from django.urls import path
from django.urls import resolve
from schemathesis import Response
from schemathesis.core.failures import FailureGroup

from django_useauth import token_urls
from django_useauth.internal.callbacks import ERROR_CODE_RE
from django_useauth.internal.http import NEVER_CACHE
from tests.token_openapi_utils import JSON
from tests.token_openapi_utils import PATH
from tests.token_openapi_utils import TOKEN_BASE
from tests.token_openapi_utils import TokenConformanceTestCase
from tests.token_openapi_utils import bearer
from tests.token_openapi_utils import checks
from tests.token_openapi_utils import load
from tests.utils import FORM
from tests.utils import PASSWORD
from tests.utils import make_user

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
HTML = "text/html; charset=utf-8"
ADA = {"name": "Ada Lovelace", "email": "ada@example.com", "image": None}
CHALLENGE = 'Bearer realm="api"'
INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token"'

#: For OpenApiViewTests.test_servers_name_the_mount: token mode mounted elsewhere.
urlpatterns = [path("mobile/v1/", include("django_useauth.token_urls"))]


def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(PATH.read_text(encoding="utf-8"))
    return loaded


def documented_paths() -> dict[str, set[str]]:
    """The document's paths, each with its methods."""
    return {
        route: {method.upper() for method in item if method.upper() in METHODS}
        for route, item in document()["paths"].items()
    }


def media_types(raw: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every media type object of the operations (request bodies and responses, ``$ref`` responses resolved)."""
    responses = raw["components"]["responses"]
    for route, item in raw["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {route}"
            body = operation.get("requestBody", {})
            for name, media in body.get("content", {}).items():
                yield f"{where} request {name}", media
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = responses[response["$ref"].rsplit("/", 1)[1]]
                for name, media in response.get("content", {}).items():
                    yield f"{where} {status} {name}", media


def validator(raw: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A JSON Schema 2020-12 validator of ``schema``, whose ``#/components/…`` references resolve in ``raw``."""
    return jsonschema_rs.Draft202012Validator(
        {**schema, "components": raw["components"]}
    )


def table_row(operation: str) -> str:
    """The row of docs/tokens.md's Endpoints table whose request is ``operation`` (``"POST login"``)."""
    text = (ROOT / "docs" / "tokens.md").read_text(encoding="utf-8")
    section = text.split("\n## Endpoints\n", 1)[1].split("\n## ", 1)[0]
    [row] = [
        line for line in section.splitlines() if line.startswith(f"| `{operation}`")
    ]
    return row


def error_codes(raw: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    """The ``error`` codes an error body's schema allows (its ``const``, ``enum`` or examples)."""
    if "$ref" in schema:
        schema = raw["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        return set().union(*(error_codes(raw, each) for each in schema["anyOf"]))
    code = schema["properties"]["error"]
    if "const" in code:
        return {code["const"]}
    if "enum" in code:
        return set(code["enum"])
    return set(code["examples"])


class DocumentTests(SimpleTestCase):
    def test_valid_openapi_3_1(self):
        raw = load().raw_schema
        assert raw["openapi"] == "3.1.0"
        # schemathesis validates the document but not the JSON Schemas in it.
        for name, value in raw["components"]["schemas"].items():
            assert jsonschema_rs.meta.is_valid(value), name
        operations = [
            operation
            for item in raw["paths"].values()
            for method, operation in item.items()
            if method.upper() in METHODS
        ]
        assert len(operations) == 8
        ids = {operation["operationId"] for operation in operations}
        assert len(ids) == 8

    def test_an_invalid_document_is_refused(self):
        broken = copy.deepcopy(document())
        broken["paths"]["/login"]["post"]["responses"] = []
        with self.assertRaises(jsonschema_rs.ValidationError):
            schemathesis.openapi.from_dict(broken).validate()

    def test_every_route_is_documented_and_nothing_else(self):
        routes = {
            f"/{pattern.pattern}": pattern.name for pattern in token_urls.urlpatterns
        }
        assert set(routes) == set(documented_paths())
        for route, name in routes.items():
            assert resolve(f"/api/token{route}").url_name == name

    def test_agrees_with_the_package(self):
        raw = document()
        pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
        assert raw["info"]["version"] == pyproject["project"]["version"]
        schemas = raw["components"]["schemas"]
        # A sign-in callback's code.
        assert schemas["SignInRefusedError"]["properties"]["error"]["pattern"] == (
            f"^{ERROR_CODE_RE.pattern}$"
        )
        # A refresh token is secrets.token_urlsafe(32).
        refresh = re.compile(schemas["RefreshToken"]["pattern"])
        assert all(refresh.search(secrets.token_urlsafe(32)) for _ in range(20))
        assert not refresh.search(secrets.token_urlsafe(31))
        headers = raw["components"]["headers"]
        assert re.search(headers["NoStore"]["schema"]["pattern"], NEVER_CACHE)

    def test_examples_conform_to_their_schemas(self):
        raw = document()
        seen = 0
        for where, media in media_types(raw):
            check = validator(raw, media["schema"])
            for name, example in media.get("examples", {}).items():
                seen += 1
                errors = [
                    error.message for error in check.iter_errors(example["value"])
                ]
                assert not errors, (where, name, errors)
        assert seen >= 25
        for name, schema in raw["components"]["schemas"].items():
            check = validator(raw, schema)
            for example in schema.get("examples", []):
                assert check.is_valid(example), name

    def test_an_example_that_does_not_conform_is_seen(self):
        raw = document()
        schema = raw["paths"]["/login"]["post"]["responses"]["200"]["content"][JSON]
        example = {"token": "a.b.c", "expires": "2026-12-07T03:45:00.000Z"}
        # No refreshToken: SignInTokens requires one.
        assert not validator(raw, schema["schema"]).is_valid(example)

    def test_the_docs_error_codes_are_documented(self):
        # Every "<status> <code>" of docs/tokens.md's Endpoints table is in the
        # document, for the same operation and status.
        raw = document()
        found = 0
        for route, item in raw["paths"].items():
            for method, operation in item.items():
                if method == "head" or route == "/openapi.json":
                    continue
                row = table_row(f"{method.upper()} {route.lstrip('/')}")
                for status, code in re.findall(
                    r"`(\d{3}) \{?\"?(?:error\": \")?([A-Z]\w+)", row
                ):
                    found += 1
                    response = operation["responses"][status]
                    if "$ref" in response:
                        name = response["$ref"].rsplit("/", 1)[1]
                        response = raw["components"]["responses"][name]
                    codes = error_codes(raw, response["content"][JSON]["schema"])
                    assert code in codes, (route, status, code, codes)
        # login 4 (its 403 names no code), session 2, refresh 3, logout 1,
        # register 2.
        assert found == 12

    def test_every_error_code_is_in_the_docs(self):
        raw = document()
        text = (ROOT / "docs" / "tokens.md").read_text(encoding="utf-8")
        codes: set[str] = set()
        for name, schema in raw["components"]["schemas"].items():
            if name.endswith("Error"):
                codes |= error_codes(raw, schema)
        assert len(codes) == 10
        for code in codes:
            assert code in text, code


class MethodsTests(TestCase):
    """The methods each path answers (anything but a 405) are the documented ones."""

    @override_settings(USEAUTH_OPENAPI=True, USEAUTH_TOKEN_REGISTER=True)
    def test_documented_methods(self):
        client = Client(enforce_csrf_checks=True)
        for route, methods in documented_paths().items():
            for method in METHODS:
                with self.subTest(route=route, method=method):
                    response = client.generic(method, f"/api/token{route}")
                    if method in methods:
                        assert response.status_code != 405
                        continue
                    assert response.status_code == 405
                    assert set(response["Allow"].split(", ")) == methods
                    assert response.content == b""
                    # The 405 is never cached either.
                    assert response["Cache-Control"] == NEVER_CACHE


class OpenApiViewTests(SimpleTestCase):
    @override_settings(USEAUTH_OPENAPI=False, DEBUG=True)
    def test_off(self):
        response = self.client.get("/api/token/openapi.json")
        assert response.status_code == 404
        assert response.json() == {"error": "NotFound"}

    def test_off_by_default_without_debug(self):
        assert self.client.get("/api/token/openapi.json").status_code == 404

    @override_settings(USEAUTH_OPENAPI=True)
    def test_on(self):
        response = self.client.get("/api/token/openapi.json")
        assert response.status_code == 200
        assert response["Content-Type"] == JSON
        assert response.json() == {**document(), "servers": [{"url": TOKEN_BASE}]}
        # The body holds the request's host.
        assert set(response["Cache-Control"].split(", ")) == set(
            NEVER_CACHE.split(", ")
        )
        assert set(response["Vary"].split(", ")) == {"Host", "Cookie"}
        # What the site serves is itself a valid document.
        schemathesis.openapi.from_dict(response.json()).validate()

    @override_settings(DEBUG=True)
    def test_default_follows_debug(self):
        response = self.client.get("/api/token/openapi.json")
        assert response.json()["servers"] == [{"url": TOKEN_BASE}]

    @override_settings(USEAUTH_OPENAPI=True, USEAUTH_URL="https://auth.example.com")
    def test_servers_use_the_canonical_origin(self):
        response = self.client.get("/api/token/openapi.json")
        assert response.json()["servers"] == [
            {"url": "https://auth.example.com/api/token"}
        ]
        assert response["Vary"] == "Cookie"

    @override_settings(USEAUTH_OPENAPI=True, ROOT_URLCONF=__name__)
    def test_servers_name_the_mount(self):
        response = self.client.get("/mobile/v1/openapi.json", secure=True)
        assert response.json()["servers"] == [{"url": "https://testserver/mobile/v1"}]


class LoginTests(TokenConformanceTestCase):
    def setUp(self):
        super().setUp()
        make_user()

    def test_json(self):
        response = self.call(
            "POST", "/login", body={"username": "ada", "password": PASSWORD}
        )
        assert response.status_code == 200
        assert set(response.json()) == {"token", "expires", "refreshToken"}
        assert "set-cookie" not in response.headers

    def test_form(self):
        response = self.call(
            "POST",
            "/login",
            body={"username": "ada", "password": PASSWORD},
            media_type=FORM,
        )
        assert response.status_code == 200
        assert set(response.json()) == {"token", "expires", "refreshToken"}

    def test_bad_credentials(self):
        for body in (
            {"username": "ada", "password": "wrong"},
            {"username": "nobody", "password": PASSWORD},
            {"username": "ada", "password": 1},
            {"username": "ada"},
        ):
            with self.subTest(body=body):
                response = self.call("POST", "/login", body=body)
                assert response.status_code == 401
                assert response.json() == {"error": "CredentialsSignin"}

    def test_malformed(self):
        for content in (b"[1]", b"{", b'"ada"', b'{"username": "\\ud800"}'):
            with self.subTest(content=content):
                response = self.post_raw("/login", content)
                assert response.status_code == 400
                assert response.json() == {"error": "MalformedBody"}

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10)
    def test_too_big(self):
        with self.assertLogs("django.security", "ERROR"):
            response = self.call(
                "POST", "/login", body={"username": "ada", "password": PASSWORD}
            )
        assert response.status_code == 400
        assert response.headers["content-type"] == [HTML]

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse")
    def test_refused(self):
        response = self.call(
            "POST", "/login", body={"username": "ada", "password": PASSWORD}
        )
        assert response.status_code == 403
        assert response.json() == {"error": "AccessDenied"}

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse_with_code")
    def test_refused_with_a_code(self):
        response = self.call(
            "POST", "/login", body={"username": "ada", "password": PASSWORD}
        )
        assert response.status_code == 403
        assert response.json() == {"error": "EmailNotVerified"}

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=2)
    def test_throttled(self):
        for _ in range(2):
            self.call("POST", "/login", body={"username": "ada", "password": "x"})
        response = self.call(
            "POST", "/login", body={"username": "ada", "password": PASSWORD}
        )
        assert response.status_code == 429
        assert response.json() == {"error": "TooManyAttempts"}
        assert int(response.headers["retry-after"][0]) >= 1

    @override_settings(USEAUTH_CREDENTIALS_ENABLED=False)
    def test_off(self):
        response = self.call(
            "POST", "/login", body={"username": "ada", "password": PASSWORD}
        )
        assert response.status_code == 404
        assert response.json() == {"error": "NotFound"}


class SessionTests(TokenConformanceTestCase):
    def setUp(self):
        super().setUp()
        make_user()

    def test_signed_in(self):
        tokens = self.login()
        response = self.call("GET", "/session", headers=bearer(tokens["token"]))
        assert response.status_code == 200
        assert response.json() == {"user": ADA, "expires": tokens["expires"]}
        head = self.call("HEAD", "/session", headers=bearer(tokens["token"]))
        assert (head.status_code, head.content) == (200, b"")

    @override_settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.session_with_roles")
    def test_shaped_by_the_session_callback(self):
        tokens = self.login()
        response = self.call("GET", "/session", headers=bearer(tokens["token"]))
        assert response.json()["user"] == {**ADA, "roles": []}

    def test_without_a_token(self):
        for headers in (None, {"Authorization": "Basic YWRhOng="}, bearer("")):
            for method in ("GET", "HEAD"):
                with self.subTest(headers=headers, method=method):
                    response = self.call(method, "/session", headers=headers)
                    assert response.status_code == 401
                    assert response.headers["www-authenticate"] == [CHALLENGE]
                    if method == "GET":
                        assert response.json() == {"error": "SessionRequired"}

    def test_refused_tokens(self):
        tokens = self.login()
        self.call("POST", "/logout", headers=bearer(tokens["token"]))
        for token in ("junk", "a.b.c", tokens["token"]):
            with self.subTest(token=token):
                response = self.call("GET", "/session", headers=bearer(token))
                assert response.status_code == 401
                assert response.json() == {"error": "InvalidToken"}
                assert response.headers["www-authenticate"] == [INVALID_TOKEN_CHALLENGE]


class RefreshTests(TokenConformanceTestCase):
    def setUp(self):
        super().setUp()
        make_user()

    def refresh(self, value: Any) -> Response:
        return self.call("POST", "/refresh", body={"refreshToken": value})

    def test_rotation_and_reuse(self):
        first = self.login()["refreshToken"]
        response = self.refresh(first)
        assert response.status_code == 200
        second = response.json()["refreshToken"]
        assert second != first
        response = self.refresh(first)
        assert (response.status_code, response.json()) == (
            401,
            {"error": "RefreshTokenReused"},
        )
        # The whole family went with it.
        response = self.refresh(second)
        assert (response.status_code, response.json()) == (
            401,
            {"error": "InvalidRefreshToken"},
        )

    @override_settings(USEAUTH_TOKEN_ROTATE_REFRESH=False)
    def test_without_rotation(self):
        response = self.refresh(self.login()["refreshToken"])
        assert response.status_code == 200
        assert set(response.json()) == {"token", "expires"}

    def test_unknown(self):
        response = self.refresh("x" * 43)
        assert (response.status_code, response.json()) == (
            401,
            {"error": "InvalidRefreshToken"},
        )

    def test_malformed(self):
        for body in ({}, {"refreshToken": ""}, {"refreshToken": 1}):
            with self.subTest(body=body):
                response = self.call("POST", "/refresh", body=body)
                assert (response.status_code, response.json()) == (
                    400,
                    {"error": "MalformedBody"},
                )
        response = self.post_raw("/refresh", b"refreshToken")
        assert response.json() == {"error": "MalformedBody"}

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10)
    def test_too_big(self):
        with self.assertLogs("django.security", "ERROR"):
            response = self.refresh("x" * 43)
        assert response.status_code == 400
        assert response.headers["content-type"] == [HTML]


class LogoutTests(TokenConformanceTestCase):
    def setUp(self):
        super().setUp()
        make_user()

    def test_with_the_refresh_token(self):
        tokens = self.login()
        response = self.call(
            "POST", "/logout", body={"refreshToken": tokens["refreshToken"]}
        )
        assert (response.status_code, response.json()) == (200, {})
        refused = self.call(
            "POST", "/refresh", body={"refreshToken": tokens["refreshToken"]}
        )
        assert refused.json() == {"error": "InvalidRefreshToken"}

    def test_with_the_access_token(self):
        tokens = self.login()
        response = self.call("POST", "/logout", headers=bearer(tokens["token"]))
        assert (response.status_code, response.json()) == (200, {})
        refused = self.call("GET", "/session", headers=bearer(tokens["token"]))
        assert refused.json() == {"error": "InvalidToken"}

    def test_with_both_as_nuxt_auth_sends_them(self):
        tokens = self.login()
        response = self.call(
            "POST",
            "/logout",
            body={"refreshToken": tokens["refreshToken"]},
            headers=bearer(tokens["token"]),
        )
        assert (response.status_code, response.json()) == (200, {})

    def test_with_neither(self):
        cases: list[dict[str, Any]] = [
            {},
            {"body": {"refreshToken": "x" * 43}},
            {"headers": bearer("junk")},
            {"body": {"refreshToken": 1}, "headers": {"Authorization": "Basic x"}},
        ]
        for kwargs in cases:
            with self.subTest(**kwargs):
                response = self.call("POST", "/logout", **kwargs)
                assert response.status_code == 401
                assert response.json() == {"error": "InvalidToken"}
                assert response.headers["www-authenticate"] == [INVALID_TOKEN_CHALLENGE]
        response = self.post_raw("/logout", b"{")
        assert response.status_code == 401

    def test_a_malformed_body_is_ignored(self):
        tokens = self.login()
        response = self.post_raw("/logout", b"{", headers=bearer(tokens["token"]))
        assert (response.status_code, response.json()) == (200, {})

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10)
    def test_too_big(self):
        with self.assertLogs("django.security", "ERROR"):
            response = self.call("POST", "/logout", body={"refreshToken": "x" * 43})
        assert response.status_code == 400
        assert response.headers["content-type"] == [HTML]


@override_settings(USEAUTH_TOKEN_REGISTER=True)
class RegisterTests(TokenConformanceTestCase):
    GRACE = {
        "username": "grace",
        "email": "grace@example.com",
        "password": "a long and unusual phrase",
    }

    def test_created(self):
        response = self.call("POST", "/register", body=self.GRACE)
        assert response.status_code == 201
        assert response.json() == {
            "user": {"name": "grace", "email": "grace@example.com", "image": None}
        }
        assert User.objects.get().username == "grace"

    @override_settings(
        AUTH_PASSWORD_VALIDATORS=[
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}
        ]
    )
    def test_invalid(self):
        make_user("grace")
        response = self.call(
            "POST", "/register", body={**self.GRACE, "password": "short"}
        )
        assert response.status_code == 400
        body = response.json()
        assert body["error"] == "InvalidRegistration"
        assert {
            field: [error["code"] for error in errors]
            for field, errors in body["fields"].items()
        } == {"username": ["unique"], "password": ["password_too_short"]}
        response = self.call("POST", "/register", body={"username": 1})
        assert set(response.json()["fields"]) == {"username", "password"}

    def test_malformed(self):
        response = self.post_raw("/register", b"[]")
        assert (response.status_code, response.json()) == (
            400,
            {"error": "MalformedBody"},
        )

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10)
    def test_too_big(self):
        with self.assertLogs("django.security", "ERROR"):
            response = self.call("POST", "/register", body=self.GRACE)
        assert response.status_code == 400
        assert response.headers["content-type"] == [HTML]

    @override_settings(USEAUTH_TOKEN_REGISTER=False)
    def test_off(self):
        response = self.call("POST", "/register", body=self.GRACE)
        assert (response.status_code, response.json()) == (404, {"error": "NotFound"})
        assert not User.objects.exists()


class OpenApiTests(TokenConformanceTestCase):
    @override_settings(USEAUTH_OPENAPI=True)
    def test_on(self):
        response = self.call("GET", "/openapi.json")
        assert response.json()["servers"] == [{"url": TOKEN_BASE}]
        head = self.call("HEAD", "/openapi.json")
        assert (head.status_code, head.content) == (200, b"")

    def test_off(self):
        response = self.call("GET", "/openapi.json")
        assert (response.status_code, response.json()) == (404, {"error": "NotFound"})
        assert self.call("HEAD", "/openapi.json").status_code == 404


class ChecksTests(SimpleTestCase):
    """The checks refuse what the document does not allow: they can fail."""

    def failures(
        self,
        method: str,
        route: str,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> str:
        case = load()[route][method].Case()
        prepared = requests.Request(
            **case.as_transport_kwargs(base_url=TOKEN_BASE)
        ).prepare()
        all_headers = {
            "content-type": JSON,
            "cache-control": NEVER_CACHE,
            "vary": "Cookie",
            "x-content-type-options": "nosniff",
            **(headers or {}),
        }
        response = Response(
            status_code=status,
            headers={name: [value] for name, value in all_headers.items()},
            content=json.dumps(body).encode(),
            request=prepared,
            elapsed=0.0,
            verify=True,
        )
        try:
            case.validate_response(response, checks=checks())
        except FailureGroup as failure:
            return str(failure)
        return ""

    def test_a_conforming_response_passes(self):
        assert self.failures("POST", "/logout", 200, {}) == ""

    def test_nonconforming_responses_fail(self):
        login = {"token": "a.b.c", "expires": "2026-12-07T03:45:00.000Z"}
        invalid = {"error": "InvalidToken"}
        cases: list[tuple[str, str, int, Any, dict[str, str] | None, str]] = [
            ("POST", "/login", 500, {}, None, "Server error"),
            # No refreshToken.
            ("POST", "/login", 200, login, None, "Response violates schema"),
            ("POST", "/login", 418, {}, None, "Undocumented status code"),
            ("POST", "/refresh", 401, invalid, None, "Response violates schema"),
            # No WWW-Authenticate.
            ("GET", "/session", 401, invalid, None, "Missing required response"),
            (
                "GET",
                "/session",
                401,
                invalid,
                {"www-authenticate": "Basic"},
                '"Basic" is not one of',
            ),
            (
                "POST",
                "/logout",
                200,
                {},
                {"cache-control": "max-age=60"},
                '"max-age=60" does not match',
            ),
            (
                "POST",
                "/logout",
                200,
                {},
                {"content-type": "text/plain"},
                "Undocumented Content-Type",
            ),
        ]
        for method, route, status, body, headers, message in cases:
            with self.subTest(method=method, route=route, status=status, body=body):
                failure = self.failures(method, route, status, body, headers)
                assert message in failure, failure
