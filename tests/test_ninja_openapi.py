"""``useauth`` in django-ninja's OpenAPI document: an ``apiKey`` in the session cookie, named ``UseAuth``."""

from __future__ import annotations

from django.http import HttpRequest
from django.test import TestCase
from django.test import override_settings
from ninja import NinjaAPI

from django_useauth.ninja import UseAuth
from django_useauth.ninja import useauth
from tests.ninja_api import operations
from tests.ninja_api import router_api
from tests.ninja_api import whole_api
from tests.ninja_utils import NINJA_URLS

SCHEME = {"type": "apiKey", "in": "cookie", "name": "sessionid"}

USEAUTH: list[dict[str, list[str]]] = [{"UseAuth": []}]


def security(schema, path, method="get"):
    return schema["paths"][path][method].get("security")


@NINJA_URLS
class OpenApiTests(TestCase):
    def test_scheme(self):
        schemes = operations.get_openapi_schema()["components"]["securitySchemes"]
        assert schemes["UseAuth"] == SCHEME
        # Ninja names a scheme after its class: a subclass is its own scheme.
        assert schemes["EditorAuth"] == SCHEME
        # The same cookie as Ninja's own django_auth describes.
        assert schemes["SessionAuth"] == SCHEME
        assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"}

    def test_operations_reference_it(self):
        schema = operations.get_openapi_schema()
        assert security(schema, "/ninja/ops/me") == USEAUTH
        assert security(schema, "/ninja/ops/ame") == USEAUTH
        assert security(schema, "/ninja/ops/rename", "post") == USEAUTH
        assert security(schema, "/ninja/ops/exempt-rename", "post") == USEAUTH
        assert security(schema, "/ninja/ops/editor") == [{"EditorAuth": []}]
        # Either scheme: OpenAPI's list of alternatives, in the auth= order.
        assert security(schema, "/ninja/ops/either", "post") == [
            {"UseAuth": []},
            {"BearerToken": []},
        ]
        assert security(schema, "/ninja/ops/public") is None

    def test_router(self):
        schema = router_api.get_openapi_schema()
        assert schema["components"]["securitySchemes"] == {"UseAuth": SCHEME}
        assert security(schema, "/ninja/router/session/me") == USEAUTH
        assert security(schema, "/ninja/router/session/ame") == USEAUTH
        assert security(schema, "/ninja/router/session/rename", "post") == USEAUTH
        assert security(schema, "/ninja/router/public/hello") is None

    def test_api(self):
        schema = whole_api.get_openapi_schema()
        assert schema["components"]["securitySchemes"] == {"UseAuth": SCHEME}
        for path, methods in schema["paths"].items():
            for method, operation in methods.items():
                with self.subTest(f"{method} {path}"):
                    assert operation["security"] == USEAUTH

    def test_served_document(self):
        # The document itself is public (Ninja's docs views take no auth=).
        response = self.client.get("/ninja/api/openapi.json")
        assert response.status_code == 200
        document = response.json()
        assert document["components"]["securitySchemes"] == {"UseAuth": SCHEME}
        assert document["paths"]["/ninja/api/me"]["get"]["security"] == USEAUTH


class SchemeNameTests(TestCase):
    def test_the_instance(self):
        assert useauth.openapi_security_schema == SCHEME

    @override_settings(SESSION_COOKIE_NAME="custom_session")
    def test_renamed_session_cookie(self):
        # The cookie's name is read when the instance is made.
        renamed = UseAuth()
        assert renamed.param_name == "custom_session"
        api = NinjaAPI(urls_namespace="useauth-ninja-renamed-cookie")

        @api.get("/renamed", auth=renamed)
        def renamed_operation(request: HttpRequest) -> dict[str, str]:
            return {}  # pragma: no cover - described, never called

        schema = api.get_openapi_schema(path_prefix="/")
        assert schema["components"]["securitySchemes"]["UseAuth"] == {
            "type": "apiKey",
            "in": "cookie",
            "name": "custom_session",
        }
        assert schema["paths"]["/renamed"]["get"]["security"] == USEAUTH
