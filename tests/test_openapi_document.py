"""django_useauth/openapi.json: a valid OpenAPI 3.1 document that documents every route and method, and the view that serves it.

The document is loaded with schemathesis, which validates it. The requests
checked against it are in the other test_openapi_*.py files; the live fuzzing
is in test_fuzz.py.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from pathlib import Path
from typing import Any
from typing import get_args

import jsonschema_rs
import schemathesis
from django.test import Client
from django.test import SimpleTestCase
from django.test import TestCase
from django.test import override_settings
from django.urls import resolve

from django_useauth import urls
from django_useauth.internal.error_codes import SIGN_IN_ERRORS
from django_useauth.internal.error_codes import error_page
from django_useauth.internal.providers import EMAIL_ID
from django_useauth.internal.providers import PROVIDER_ID_RE
from django_useauth.internal.providers import ProviderType
from tests import schema
from tests.utils import BASE
from tests.utils import GITHUB

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
#: Operations in the document.
OPERATIONS = 30
#: The email provider's routes, described on paths of their own (a concrete
#: path is matched before a templated one), and the routes they are.
EMAIL_PATHS = {
    f"/signin/{EMAIL_ID}": "signin_provider",
    f"/callback/{EMAIL_ID}": "callback",
}


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


class DocumentTests(SimpleTestCase):
    def test_valid_openapi_3_1(self):
        document = schema.load().raw_schema
        assert document["openapi"] == "3.1.0"
        # schemathesis validates the document but not the JSON Schemas in it.
        for name, value in document["components"]["schemas"].items():
            assert jsonschema_rs.meta.is_valid(value), name
        assert len(schema.operations(schema.load())) == OPERATIONS

    def test_agrees_with_the_package(self):
        document = schema.load().raw_schema
        pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
        assert document["info"]["version"] == pyproject["project"]["version"]
        schemas = document["components"]["schemas"]
        assert schemas["Provider"]["properties"]["id"]["pattern"] == (
            f"^{PROVIDER_ID_RE.pattern}$"
        )
        types = schemas["Provider"]["properties"]["type"]["enum"]
        assert types == sorted(get_args(ProviderType))
        # The generic provider paths leave out the id that has paths of its own.
        provider = document["components"]["parameters"]["provider"]["schema"]
        assert provider["not"] == {"const": EMAIL_ID}
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
        assert len(ids) == len(set(ids)) == OPERATIONS

    def test_every_route_is_documented_and_nothing_else(self):
        routes = {
            route_path(pattern.pattern.regex.pattern): pattern.name
            for pattern in urls.urlpatterns
        }
        assert set(routes) | set(EMAIL_PATHS) == set(documented_paths())
        # The conversion names the routes the paths resolve to.
        for path, name in {**routes, **EMAIL_PATHS}.items():
            url = "/api/auth" + path.replace("{provider}", "credentials")
            assert resolve(url).url_name == name, path

    def test_route_path(self):
        assert route_path(r"^csrf\Z") == "/csrf"
        assert route_path(r"^openapi\.json\Z") == "/openapi.json"
        assert route_path(r"^callback/(?P<provider>[^/]+)/?\Z") == (
            "/callback/{provider}"
        )


@override_settings(**GITHUB, USEAUTH_EMAIL_ENABLED=True)
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

    def test_email_paths_with_the_provider_off(self):
        # The same methods: the routes answer as for an unknown provider.
        with self.settings(USEAUTH_EMAIL_ENABLED=False):
            for path in EMAIL_PATHS:
                with self.subTest(path=path):
                    allowed, _ = self.allowed(path)
                    assert allowed == documented_paths()[path]


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
