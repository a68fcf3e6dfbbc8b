"""drf-spectacular: the ``useAuthSession`` security scheme of ``UseAuthAuthentication``.

drf-spectacular's own generator (``SchemaGenerator``) over tests/urls_drf.py
must describe the views that name ``UseAuthAuthentication`` (or a subclass)
with the ``useAuthSession`` scheme, a cookie ``apiKey`` named
``SESSION_COOKIE_NAME``, both in ``components.securitySchemes`` and in each
operation's ``security``; views left with DRF's defaults keep
drf-spectacular's own ``cookieAuth`` and ``basicAuth``. The schema is valid
OpenAPI, and the generator has nothing to warn about.
"""

from __future__ import annotations

from django.test import SimpleTestCase
from django.test import override_settings
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.authentication import SessionAuthentication

from django_useauth.internal.spectacular import UseAuthScheme
from django_useauth.rest_framework import UseAuthAuthentication
from tests.drf_views import TeamSession

SCHEME = "useAuthSession"
#: The scheme of an access token of token mode, the alternative to the session.
BEARER = "useAuthBearer"

#: Operations of views authenticated by UseAuthAuthentication (or a subclass) only,
#: behind IsSignedIn or IsAuthenticated: the session is required.
SESSION_ONLY = [
    ("/drf/me/", "get"),
    ("/drf/me/", "post"),
    ("/drf/me/", "put"),
    ("/drf/me/", "patch"),
    ("/drf/me/", "delete"),
    ("/drf/fn/me/", "get"),
    ("/drf/fn/me/", "post"),
    ("/drf/username/", "get"),
    ("/drf/is-authenticated/", "get"),
    ("/drf/editor/", "get"),
    ("/drf/team/", "get"),
    ("/drf/sign-out/", "post"),
    ("/drf/mixin-useauth/", "get"),
    ("/drf/mixin-useauth/", "post"),
    ("/drf/notes/", "get"),
    ("/drf/notes/", "post"),
    ("/drf/notes/{id}/", "get"),
]


def generate(**settings):
    """The schema of tests/urls_drf.py, as drf-spectacular generates it."""
    with override_settings(**settings):
        schema = SchemaGenerator(urlconf="tests.urls_drf").get_schema(
            request=None, public=True
        )
        # The generator keeps what it warned about until the next run.
        problems = list(GENERATOR_STATS._warn_cache) + list(
            GENERATOR_STATS._error_cache
        )
    return schema, problems


class SchemeTests(SimpleTestCase):
    def setUp(self):
        self.schema, self.problems = generate()

    def security(self, path, method):
        return self.schema["paths"][path][method]["security"]

    def test_security_scheme(self):
        schemes = self.schema["components"]["securitySchemes"]
        definition = schemes[SCHEME]
        assert {key: definition[key] for key in ("type", "in", "name")} == {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
        }
        assert "X-CSRFToken" in definition["description"]
        assert "/api/auth/csrf" in definition["description"]
        # drf-spectacular's own schemes stay for the views that use DRF's classes.
        assert set(schemes) == {SCHEME, BEARER, "cookieAuth", "basicAuth"}
        assert schemes[BEARER]["type"] == "http"
        assert schemes[BEARER]["scheme"] == "bearer"
        assert "/api/token/login" in schemes[BEARER]["description"]

    def test_operations_requiring_the_session(self):
        for path, method in SESSION_ONLY:
            with self.subTest(path=path, method=method):
                assert self.security(path, method) == [{SCHEME: []}, {BEARER: []}]

    def test_open_operations(self):
        # AllowAny: the session is optional ({} is "no authentication").
        either: list[dict[str, list[str]]] = [{SCHEME: []}, {BEARER: []}]
        assert self.security("/drf/optional/", "get") == [*either, {}]
        assert self.security("/drf/fn/api-then-required-useauth/", "get") == [
            *either,
            {},
        ]
        assert self.security("/drf/template/useauth/", "get") == [*either, {}]

    def test_beside_basic_authentication(self):
        assert self.security("/drf/with-basic/", "get") == [
            {SCHEME: []},
            {BEARER: []},
            {"basicAuth": []},
        ]

    def test_drf_s_own_classes_are_not_ours(self):
        for path in ("/drf/default/", "/drf/mixin/", "/drf/fn/api-then-required/"):
            with self.subTest(path=path):
                assert self.security(path, "get") == [
                    {"cookieAuth": []},
                    {"basicAuth": []},
                    {},
                ]
        assert self.security("/drf/session-auth-signed-in/", "get") == [
            {"cookieAuth": []}
        ]

    def test_every_operation_of_ours_is_described(self):
        described = {
            (path, method)
            for path, operations in self.schema["paths"].items()
            for method, operation in operations.items()
            if {SCHEME: []} in operation["security"]
        }
        assert set(SESSION_ONLY) <= described
        # And no operation of DRF's own classes.
        assert not any(path.startswith("/drf/default/") for path, _ in described)

    def test_valid_openapi(self):
        validate_schema(self.schema)

    def test_nothing_to_warn_about(self):
        # A subclass beside the class itself is the same scheme, not a
        # collision of two components named alike.
        assert self.problems == []


class ExtensionTests(SimpleTestCase):
    def test_matches_the_class_and_its_subclasses(self):
        for authenticator in (UseAuthAuthentication(), TeamSession()):
            with self.subTest(authenticator=type(authenticator).__name__):
                match = OpenApiAuthenticationExtension.get_match(authenticator)
                assert isinstance(match, UseAuthScheme)
                assert match.name == [SCHEME, BEARER]

    def test_leaves_drf_s_session_authentication_alone(self):
        match = OpenApiAuthenticationExtension.get_match(SessionAuthentication())
        assert match is not None
        assert not isinstance(match, UseAuthScheme)
        assert match.name == "cookieAuth"

    def test_session_cookie_name(self):
        schema, problems = generate(SESSION_COOKIE_NAME="__Host-session")
        definition = schema["components"]["securitySchemes"][SCHEME]
        assert definition["name"] == "__Host-session"
        assert problems == []
