"""The callbackUrl policy at unit level: ``is_allowed_callback_url``, ``resolve_callback_url`` and their settings.

Every corpus value on its own request, ``USEAUTH_URL``,
``USEAUTH_ALLOWED_REDIRECT_ORIGINS`` (ATTACKS I5) and ``absolute_url``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.test import RequestFactory
from django.test import SimpleTestCase
from django.test import override_settings

from django_useauth.internal.redirects import absolute_url
from django_useauth.internal.redirects import resolve_callback_url
from django_useauth.internal.redirects import site_origin
from django_useauth.redirects import is_allowed_callback_url
from tests.redirect_corpus import CORPUS
from tests.redirect_utils import case_request
from tests.redirect_utils import expected_url
from tests.redirect_utils import label

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIRequest


class PolicyTests(SimpleTestCase):
    def test_is_allowed_callback_url(self):
        for case in CORPUS:
            with self.subTest(**label(case)):
                assert (
                    is_allowed_callback_url(case_request(case), case.value)
                    is case.allowed
                )

    def test_resolve_callback_url(self):
        for case in CORPUS:
            with self.subTest(**label(case)):
                assert resolve_callback_url(
                    case_request(case), case.value
                ) == expected_url(case)

    @override_settings(USEAUTH_DEFAULT_CALLBACK_URL="/after-auth/")
    def test_resolve_callback_url_default_setting(self):
        for case in CORPUS:
            with self.subTest(**label(case)):
                assert resolve_callback_url(
                    case_request(case), case.value
                ) == expected_url(case, "/after-auth/")

    def test_resolve_callback_url_default_argument(self):
        for case in CORPUS:
            with self.subTest(**label(case)):
                result = resolve_callback_url(
                    case_request(case), case.value, default="/home/"
                )
                assert result == expected_url(case, "/home/")

    def test_non_str_values_are_refused(self):
        request = RequestFactory().get("/")
        values: list[object] = [
            None,
            [],
            ["/x"],
            {},
            {"foo": "bar"},
            b"/x",
            bytearray(b"/x"),
            0,
            1,
            True,
            1.5,
            ("/x",),
        ]
        for value in values:
            with self.subTest(value=value):
                assert is_allowed_callback_url(request, value) is False
                assert resolve_callback_url(request, value) == "http://testserver/"

    def test_site_origin(self):
        factory = RequestFactory()
        assert site_origin(factory.get("/")) == "http://testserver"
        assert site_origin(factory.get("/", secure=True)) == "https://testserver"
        request = factory.get("/", headers={"host": "localhost:8000"})
        assert site_origin(request) == "http://localhost:8000"


@override_settings(USEAUTH_URL="https://app.example.com")
class SiteUrlTests(SimpleTestCase):
    """``USEAUTH_URL`` replaces the request's scheme and host in the policy."""

    fallback = "https://app.example.com/"
    cases = (
        ("/x", "https://app.example.com/x"),
        ("https://app.example.com/x", "https://app.example.com/x"),
        ("HTTPS://app.example.com/x", "HTTPS://app.example.com/x"),
        ("http://app.example.com/x", fallback),
        ("//app.example.com/x", fallback),
        ("https://APP.example.com/x", fallback),
        ("http://testserver/x", fallback),
        ("https://testserver/x", fallback),
        ("//testserver/x", fallback),
        ("/.//evil.example", fallback),
        ("//evil.example", fallback),
    )

    def test_site_origin(self):
        assert site_origin(RequestFactory().get("/")) == "https://app.example.com"

    @override_settings(USEAUTH_URL="https://app.example.com/")
    def test_site_origin_trailing_slash(self):
        assert site_origin(RequestFactory().get("/")) == "https://app.example.com"

    def test_resolve(self):
        request = RequestFactory().get("/")
        for value, expected in self.cases:
            with self.subTest(value=value):
                assert is_allowed_callback_url(request, value) is (
                    expected != self.fallback
                )
                assert resolve_callback_url(request, value) == expected

    @override_settings(USEAUTH_URL="http://localhost:8000")
    def test_http_site_url(self):
        request = RequestFactory().get("/", secure=True)
        assert resolve_callback_url(request, "/x") == "http://localhost:8000/x"
        assert (
            resolve_callback_url(request, "//localhost:8000/x")
            == "http://localhost:8000/x"
        )
        assert (
            resolve_callback_url(request, "https://testserver/x")
            == "http://localhost:8000/"
        )


class AllowedRedirectOriginsTests(SimpleTestCase):
    """I5: a Nuxt front end on ``http://localhost:3000``, the API on ``localhost:8000``."""

    front_end = "http://localhost:3000/x"
    fallback = "http://localhost:8000/"
    still_refused = (
        "https://localhost:3000/x",
        "http://localhost:3001/x",
        "http://LOCALHOST:3000/x",
        "http://localhost:3000@evil.example/",
        "http://localhost:3000\\@evil.example/",
        "http://user@localhost:3000/x",
        "http://evil.example/",
        "//localhost:3000/x",
        "//evil.example",
        "http://localhost:3000//evil.example",
        "http://localhost:3000/..//evil.example",
        "http://localhost:3000/x\r\n",
        "http://localhost/x",
    )

    def _request(self) -> WSGIRequest:
        return RequestFactory().get("/", headers={"host": "localhost:8000"})

    def test_refused_by_default(self):
        request = self._request()
        assert is_allowed_callback_url(request, self.front_end) is False
        assert resolve_callback_url(request, self.front_end) == self.fallback

    @override_settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3000"])
    def test_accepted_when_configured(self):
        request = self._request()
        for value in (self.front_end, "http://localhost:3000/x?y=1#z"):
            with self.subTest(value=value):
                assert is_allowed_callback_url(request, value) is True
                assert resolve_callback_url(request, value) == value

    @override_settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3000"])
    def test_site_still_accepted_when_configured(self):
        request = self._request()
        assert resolve_callback_url(request, "/x") == "http://localhost:8000/x"
        assert (
            resolve_callback_url(request, "http://localhost:8000/x")
            == "http://localhost:8000/x"
        )

    @override_settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3000"])
    def test_others_refused_when_configured(self):
        request = self._request()
        for value in self.still_refused:
            with self.subTest(value=value):
                assert is_allowed_callback_url(request, value) is False
                assert resolve_callback_url(request, value) == self.fallback

    @override_settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3001"])
    def test_other_origin_configured(self):
        assert is_allowed_callback_url(self._request(), self.front_end) is False


class AbsoluteUrlTests(SimpleTestCase):
    def test_bare_relative_path_from_configuration(self):
        # A custom page given as a bare path resolves against the site root.
        request = RequestFactory().get("/")
        assert absolute_url(request, "login") == "http://testserver/login"

    def test_dot_segments(self):
        request = RequestFactory().get("/")
        for value, allowed in (
            ("/a/b/..", True),
            ("/a/./b/.", True),
            ("/a/../..//evil.example/..", False),
            ("/..//evil.example", False),
        ):
            assert is_allowed_callback_url(request, value) is allowed, value
