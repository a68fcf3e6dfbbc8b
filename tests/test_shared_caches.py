"""R10: no response that holds the request's host can be served from a shared cache to another request.

``GET providers`` and ``GET openapi.json`` are the two GET answers without
never-cache headers, and both carry absolute URLs. With ``USEAUTH_URL`` those
URLs never come from the request; without it they come from ``Host`` (or
``X-Forwarded-Host``…), so the answer is private and varies on those headers.
Every other answer that builds an absolute URL from the request is never-cache.
"""

from __future__ import annotations

from django.test import TestCase
from django.test import override_settings
from django.utils.cache import get_max_age

from django_useauth import checks
from tests.utils import GITHUB

#: The GET endpoints whose bodies hold absolute URLs on the site origin.
ENDPOINTS = ("/api/auth/providers", "/api/auth/openapi.json")

HOSTS = ["auth.example.com", "other.example.com", "testserver"]


def vary(response):
    return [part.strip() for part in response.get("Vary", "").split(",") if part]


def cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


@override_settings(USEAUTH_OPENAPI=True, ALLOWED_HOSTS=HOSTS, **GITHUB)
class WithoutCanonicalUrlTests(TestCase):
    def assert_private(self, path: str) -> None:
        """GET and HEAD ``path``: private, and varying on ``Host``."""
        for method in ("get", "head"):
            with self.subTest(method=method):
                response = getattr(self.client, method)(path)
                assert response.status_code == 200
                assert "private" in cache_control(response)
                assert vary(response) == ["Host"]

    def test_R10_providers_not_cacheable_by_shared_caches(self):
        self.assert_private("/api/auth/providers")

    def test_R10_openapi_not_cacheable_by_shared_caches(self):
        self.assert_private("/api/auth/openapi.json")

    def test_R10_host_is_reflected_only_privately(self):
        # What the review saw: another allowed host (any port) lands in the body.
        response = self.client.get(
            "/api/auth/providers", headers={"host": "other.example.com:8443"}
        )
        assert response.json()["github"]["signinUrl"] == (
            "http://other.example.com:8443/api/auth/signin/github"
        )
        assert cache_control(response) == {"private"}
        assert get_max_age(response) is None

    @override_settings(USE_X_FORWARDED_HOST=True)
    def test_R10_vary_on_forwarded_host(self):
        for path in ENDPOINTS:
            response = self.client.get(
                path, headers={"x-forwarded-host": "other.example.com"}
            )
            assert "other.example.com" in response.content.decode(), path
            assert vary(response) == ["Host", "X-Forwarded-Host"], path

    @override_settings(
        USE_X_FORWARDED_HOST=True,
        USE_X_FORWARDED_PORT=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    )
    def test_R10_vary_on_every_proxy_header_django_reads(self):
        # Without a Host header (HTTP/1.0) Django reads the port too.
        proxied = {"x-forwarded-proto": "https", "x-forwarded-port": "443"}
        for path in ENDPOINTS:
            response = self.client.get(path, headers=proxied)
            assert "https://testserver/api/auth" in response.content.decode(), path
            assert vary(response) == [
                "Host",
                "X-Forwarded-Host",
                "X-Forwarded-Port",
                "X-Forwarded-Proto",
            ], path

    @override_settings(SECURE_PROXY_SSL_HEADER=("wsgi.url_scheme_override", "https"))
    def test_R10_environ_scheme_key_is_not_a_header(self):
        # A key the server sets (not HTTP_…) is no request header to vary on.
        for path in ENDPOINTS:
            assert vary(self.client.get(path)) == ["Host"], path

    # NEEDS useauth.W012 in checks.check_deploy (code handed to the lead):
    # expected to fail until then, and an unexpected success (a failure) after,
    # so that this marker is removed with the check's arrival.
    def test_R10_deploy_check_recommends_useauth_url(self):
        assert "useauth.W012" in [m.id for m in checks.check_deploy()]


@override_settings(
    USEAUTH_OPENAPI=True,
    USEAUTH_URL="https://auth.example.com",
    ALLOWED_HOSTS=HOSTS,
    USE_X_FORWARDED_HOST=True,
    USE_X_FORWARDED_PORT=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    **GITHUB,
)
class WithCanonicalUrlTests(TestCase):
    REQUESTS: tuple[dict[str, str], ...] = (
        {},
        {"host": "other.example.com"},
        {"host": "auth.example.com:8080"},
        {"x-forwarded-host": "other.example.com:1"},
        {"x-forwarded-proto": "https", "x-forwarded-port": "4443"},
    )

    def test_R10_bodies_never_depend_on_request_headers(self):
        for path in ENDPOINTS:
            bodies = {self.client.get(path, headers=h).content for h in self.REQUESTS}
            assert len(bodies) == 1, path
            (body,) = bodies
            assert b"https://auth.example.com/api/auth" in body
            assert b"other.example.com" not in body
            assert b"testserver" not in body

    def test_R10_left_cacheable(self):
        # Nothing in them comes from the request: any cache may keep them.
        for path in ENDPOINTS:
            response = self.client.get(path, headers={"host": "other.example.com"})
            assert not response.has_header("Cache-Control"), path
            assert not response.has_header("Vary"), path

    def test_R10_deploy_check_is_quiet(self):
        assert "useauth.W012" not in [m.id for m in checks.check_deploy()]


@override_settings(ALLOWED_HOSTS=HOSTS, **GITHUB)
class OtherAbsoluteUrlsTests(TestCase):
    """Every other GET answer that puts the request's host in a URL is never-cache."""

    def assert_never_cached(self, response):
        assert {"no-store", "private"} <= cache_control(response)
        assert "Cookie" in vary(response)

    def test_R10_other_responses_are_never_cached(self):
        host = {"host": "other.example.com"}
        for path in (
            "/api/auth/signin?callbackUrl=/x",
            "/api/auth/signin/github",
            "/api/auth/signout",
            "/api/auth/error",
            "/api/auth/error?error=AccessDenied",
            "/api/auth/error?error=Configuration",
            "/api/auth/callback/nosuchprovider",
        ):
            with self.subTest(path=path):
                self.assert_never_cached(self.client.get(path, headers=host))

    def test_R10_oauth_callback_is_never_cached(self):
        with self.assertLogs("django_useauth.oauth"):
            response = self.client.get(
                "/api/auth/callback/github?code=x&state=y",
                headers={"host": "other.example.com"},
            )
        assert response["Location"].startswith("http://other.example.com/")
        self.assert_never_cached(response)
