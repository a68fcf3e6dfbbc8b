from __future__ import annotations

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import RequestFactory
from django.test import TestCase
from django.test import override_settings

from django_useauth.middleware import AuthMiddleware
from tests import views
from tests.utils import make_user
from tests.utils import sign_in


class AuthRequiredTests(TestCase):
    def test_anonymous_redirect(self):
        response = self.client.get("/protected/?x=1")
        assert response.status_code == 302
        assert (
            response["Location"]
            == "/api/auth/signin?callbackUrl=%2Fprotected%2F%3Fx%3D1"
        )
        assert "no-store" in response["Cache-Control"]

    def test_anonymous_json(self):
        response = self.client.get(
            "/protected/", headers={"Accept": "application/json"}
        )
        assert response.status_code == 401
        assert response.json() == {
            "error": "SessionRequired",
            "url": "http://testserver/api/auth/signin?callbackUrl=%2Fprotected%2F",
        }

    def test_browser_accept_header_redirects(self):
        accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        response = self.client.get("/protected/", headers={"Accept": accept})
        assert response.status_code == 302

    def test_anonymous_htmx(self):
        response = self.client.get("/protected/?x=1", headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert response.content == b""
        assert (
            response["HX-Redirect"]
            == "/api/auth/signin?callbackUrl=%2Fprotected%2F%3Fx%3D1"
        )

    def test_custom_callback_url(self):
        response = self.client.get("/custom-callback/")
        assert response["Location"] == "/api/auth/signin?callbackUrl=%2Fafter%2F"

    def test_hostile_path_dropped(self):
        # I4: a request path starting with "//" (Django CVE-2018-14574's shape)
        # is not carried as callbackUrl.
        request = RequestFactory().get("/")
        request.path = request.path_info = "//evil.example/protected/"
        SessionMiddleware(lambda r: HttpResponse()).process_request(request)
        AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
        response = AuthMiddleware(views.protected)(request)
        assert isinstance(response, HttpResponseBase)
        assert response.status_code == 302
        assert response["Location"] == "/api/auth/signin"

    @override_settings(USEAUTH_PAGES_SIGN_IN="/login/")
    def test_custom_sign_in_page(self):
        response = self.client.get("/protected/")
        assert response["Location"] == "/login/?callbackUrl=%2Fprotected%2F"

    def test_signed_in(self):
        make_user()
        sign_in(self.client)
        assert self.client.get("/protected/").content == b"protected"
        assert self.client.get("/custom-callback/").content == b"custom"

    async def test_async_anonymous(self):
        response = await self.async_client.get("/aprotected/?y=2")
        assert (
            response["Location"]
            == "/api/auth/signin?callbackUrl=%2Faprotected%2F%3Fy%3D2"
        )

    async def test_async_signed_in(self):
        from asgiref.sync import sync_to_async

        await sync_to_async(make_user)()
        await sync_to_async(sign_in)(self.client)
        self.async_client.cookies = self.client.cookies
        response = await self.async_client.get("/aprotected/")
        assert response.content == b"async protected"

    def test_without_middleware(self):
        with self.assertRaisesMessage(ImproperlyConfigured, "AuthMiddleware"):
            views.protected(RequestFactory().get("/"))

    def test_marks_login_not_required(self):
        assert views.protected.login_required is False  # type: ignore[attr-defined]
        assert views.protected.__name__ == "protected"


class UnauthenticatedOnlyTests(TestCase):
    def test_anonymous(self):
        assert self.client.get("/guest/").content == b"guest"

    def test_signed_in(self):
        make_user()
        sign_in(self.client)
        response = self.client.get("/guest/")
        assert response.status_code == 302
        assert response["Location"] == "/"

    def test_signed_in_url_name(self):
        make_user()
        sign_in(self.client)
        assert self.client.get("/guest-to/")["Location"] == "/protected/"

    def test_signed_in_htmx(self):
        make_user()
        sign_in(self.client)
        response = self.client.get("/guest/", headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert response["HX-Redirect"] == "/"

    async def test_async(self):
        from asgiref.sync import sync_to_async

        assert (await self.async_client.get("/aguest/")).content == b"async guest"
        await sync_to_async(make_user)()
        await sync_to_async(sign_in)(self.client)
        self.async_client.cookies = self.client.cookies
        response = await self.async_client.get("/aguest/")
        assert response["Location"] == "/protected/"

    def test_called_bare_and_with_arguments(self):
        assert views.guest.login_required is False  # type: ignore[attr-defined]
        assert views.async_guest.login_required is False  # type: ignore[attr-defined]
        assert self.client.get("/guest-to/").content == b"guest"


class MixinTests(TestCase):
    def test_auth_required(self):
        assert (
            self.client.get("/cbv/?a=1")["Location"]
            == "/api/auth/signin?callbackUrl=%2Fcbv%2F%3Fa%3D1"
        )
        make_user()
        sign_in(self.client)
        assert self.client.get("/cbv/").content == b"cbv"

    async def test_async_auth_required(self):
        from asgiref.sync import sync_to_async

        response = await self.async_client.get("/acbv/")
        assert response["Location"] == "/api/auth/signin?callbackUrl=%2Fafter%2F"
        await sync_to_async(make_user)()
        await sync_to_async(sign_in)(self.client)
        self.async_client.cookies = self.client.cookies
        assert (await self.async_client.get("/acbv/")).content == b"async cbv"

    def test_guest(self):
        assert self.client.get("/cbv-guest/").content == b"cbv guest"
        make_user()
        sign_in(self.client)
        assert self.client.get("/cbv-guest/")["Location"] == "/"

    async def test_async_guest(self):
        from asgiref.sync import sync_to_async

        assert (
            await self.async_client.get("/acbv-guest/")
        ).content == b"async cbv guest"
        await sync_to_async(make_user)()
        await sync_to_async(sign_in)(self.client)
        self.async_client.cookies = self.client.cookies
        assert (await self.async_client.get("/acbv-guest/"))[
            "Location"
        ] == "/protected/"

    def test_json(self):
        response = self.client.get("/cbv/", headers={"Accept": "application/json"})
        assert response.status_code == 401
