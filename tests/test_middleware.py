from __future__ import annotations

import logging
from datetime import datetime
from datetime import timedelta
from unittest import mock

from asgiref.sync import iscoroutinefunction
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import login
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import RequestFactory
from django.test import TestCase
from django.test import override_settings
from django.utils import timezone

from django_useauth.exceptions import SessionRequired
from django_useauth.internal.lifetime import REFRESHED_AT_KEY
from django_useauth.internal.lifetime import format_expires
from django_useauth.middleware import AuthDetails
from django_useauth.middleware import AuthMiddleware
from tests.expected import credentials_providers
from tests.utils import BASE
from tests.utils import PASSWORD
from tests.utils import make_user
from tests.utils import sign_in


def dummy_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


async def async_dummy_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


class AuthMiddlewareUnitTests(TestCase):
    factory = RequestFactory()

    def test_sync_mode(self):
        middleware = AuthMiddleware(dummy_view)
        assert not iscoroutinefunction(middleware)
        request = self.factory.get("/")
        response = middleware(request)
        assert isinstance(response, HttpResponse)
        assert isinstance(request.auth, AuthDetails)  # type: ignore[attr-defined]

    async def test_async_mode(self):
        middleware = AuthMiddleware(async_dummy_view)
        assert iscoroutinefunction(middleware)
        request = self.factory.get("/")
        response = middleware(request)
        assert not isinstance(response, HttpResponseBase)
        assert isinstance(await response, HttpResponse)
        assert isinstance(request.auth, AuthDetails)  # type: ignore[attr-defined]

    def test_lazy_until_read(self):
        # Attaching request.auth reads neither the session nor the user.
        request = self.factory.get("/")
        SessionMiddleware(dummy_view).process_request(request)
        with self.assertNumQueries(0):
            AuthMiddleware(dummy_view)(request)
        assert request.session.accessed is False

    def test_login_without_authentication_middleware_adds_no_auser(self):
        # request.auth reloads after login(), and request.auser() follows the
        # new user, only where AuthenticationMiddleware gave the request one.
        user = make_user()
        request = self.factory.get("/")
        SessionMiddleware(dummy_view).process_request(request)
        AuthMiddleware(dummy_view)(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        assert not hasattr(request, "auser")
        assert request.session[SESSION_KEY] == str(user.pk)

    def test_process_exception_ignores_other_exceptions(self):
        middleware = AuthMiddleware(dummy_view)
        assert middleware.process_exception(self.factory.get("/"), ValueError()) is None

    def test_process_exception_answers_session_required(self):
        middleware = AuthMiddleware(dummy_view)
        response = middleware.process_exception(
            self.factory.get("/page/?a=1"), SessionRequired()
        )
        assert response is not None
        assert response.status_code == 302
        assert response["Location"] == "/api/auth/signin?callbackUrl=%2Fpage%2F%3Fa%3D1"


class RequestAuthTests(TestCase):
    def test_signed_out(self):
        response = self.client.get("/status/")
        assert response.json() == {
            "status": "unauthenticated",
            "data": None,
            "lastRefreshedAt": None,
            "bool": False,
        }

    def test_signed_in(self):
        make_user()
        before = timezone.now()
        sign_in(self.client)
        body = self.client.get("/status/").json()
        assert body["status"] == "authenticated"
        assert body["bool"] is True
        assert body["data"]["user"] == {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "image": None,
        }
        refreshed = datetime.fromisoformat(body["lastRefreshedAt"])
        assert before <= refreshed <= timezone.now()

    def test_signed_out_costs_no_query_without_cookie(self):
        with self.assertNumQueries(0):
            response = self.client.get("/status/")
        assert response.status_code == 200

    def test_view_not_reading_auth_costs_no_query_signed_in(self):
        make_user()
        sign_in(self.client)
        with self.assertNumQueries(0):
            response = self.client.get("/untouched/")
        assert response.content == b"untouched"

    async def test_async_signed_out(self):
        response = await self.async_client.get("/astatus/")
        assert response.json() == {"status": "unauthenticated", "data": None}

    async def test_async_signed_in(self):
        from asgiref.sync import sync_to_async

        await sync_to_async(make_user)()
        await sync_to_async(sign_in)(self.client)
        self.async_client.cookies = self.client.cookies
        body = (await self.async_client.get("/astatus/")).json()
        assert body["status"] == "authenticated"
        assert body["data"]["user"]["email"] == "ada@example.com"

    def test_repr(self):
        request = RequestFactory().get("/")
        request.user = mock.Mock(is_authenticated=False)
        auth = AuthDetails(request)
        assert repr(auth) == "<AuthDetails (not loaded)>"
        assert auth.status == "unauthenticated"
        assert repr(auth) == "<AuthDetails status='unauthenticated'>"

    def test_get_session_required_redirects(self):
        response = self.client.get("/required/?q=1")
        assert response.status_code == 302
        assert (
            response["Location"]
            == "/api/auth/signin?callbackUrl=%2Frequired%2F%3Fq%3D1"
        )

    def test_get_session_required_signed_in(self):
        make_user()
        sign_in(self.client)
        response = self.client.get("/required/")
        assert response.status_code == 200
        assert response.json()["user"]["name"] == "Ada Lovelace"

    async def test_aget_session_required_with_callback_url(self):
        response = await self.async_client.get("/arequired/")
        assert response.status_code == 302
        assert response["Location"] == "/api/auth/signin?callbackUrl=%2Felsewhere%2F"

    async def test_aget_session_required_signed_in(self):
        from asgiref.sync import sync_to_async

        await sync_to_async(make_user)()
        await sync_to_async(sign_in)(self.client)
        self.async_client.cookies = self.client.cookies
        response = await self.async_client.get("/arequired/")
        assert response.json()["user"]["name"] == "Ada Lovelace"

    def test_get_session_required_json(self):
        response = self.client.get("/required/", headers={"Accept": "application/json"})
        assert response.status_code == 401
        assert response.json() == {
            "error": "SessionRequired",
            "url": "http://testserver/api/auth/signin?callbackUrl=%2Frequired%2F",
        }

    def test_fail_closed_on_broken_session_store(self):
        make_user()
        sign_in(self.client)
        with (
            mock.patch(
                "django.contrib.sessions.backends.db.SessionStore.load",
                side_effect=RuntimeError("store down"),
            ),
            self.assertLogs("django_useauth.middleware", logging.ERROR) as logs,
        ):
            response = self.client.get("/status/")
        assert response.json()["status"] == "unauthenticated"
        assert "treating the request as signed out" in logs.output[0]

    async def test_fail_closed_async(self):
        with (
            mock.patch(
                "django.contrib.auth.aget_user", side_effect=RuntimeError("store down")
            ),
            self.assertLogs("django_useauth.middleware", logging.ERROR),
        ):
            response = await self.async_client.get("/astatus/")
        assert response.json() == {"status": "unauthenticated", "data": None}

    def test_synchronous_only_operation_is_not_swallowed(self):
        from django.core.exceptions import SynchronousOnlyOperation

        request = RequestFactory().get("/")
        request.user = mock.Mock()
        type(request.user).is_authenticated = mock.PropertyMock(
            side_effect=SynchronousOnlyOperation("async")
        )
        with self.assertRaises(SynchronousOnlyOperation):
            AuthDetails(request).status  # noqa: B018


class SessionLifetimeTests(TestCase):
    def test_sign_in_sets_max_age_expiry(self):
        make_user()
        sign_in(self.client)
        session = self.client.session
        expiry = session.get_expiry_date()
        assert (
            timedelta(days=29, hours=23) < expiry - timezone.now() <= timedelta(days=30)
        )

    @override_settings(USEAUTH_MAX_AGE=3600)
    def test_max_age_setting_in_seconds(self):
        make_user()
        sign_in(self.client)
        remaining = self.client.session.get_expiry_date() - timezone.now()
        assert timedelta(minutes=59) < remaining <= timedelta(hours=1)

    def test_read_within_update_age_writes_nothing(self):
        make_user()
        sign_in(self.client)
        expires = self.client.get("/api/auth/session").json()["expires"]
        # One query for the session, one for the user: no UPDATE.
        with self.assertNumQueries(2):
            again = self.client.get("/api/auth/session").json()["expires"]
        assert again == expires

    def test_read_after_update_age_extends(self):
        make_user()
        sign_in(self.client)
        session = self.client.session
        old = timezone.now() - timedelta(days=2)
        session.set_expiry(old + timedelta(days=30))
        session[REFRESHED_AT_KEY] = old.isoformat()
        session.save()
        body = self.client.get("/api/auth/session").json()
        refreshed = self.client.session
        new_expiry = refreshed.get_expiry_date()
        assert new_expiry - timezone.now() > timedelta(days=29, hours=23)
        assert body["expires"] == format_expires(new_expiry)

    def test_session_signed_in_elsewhere_is_adopted(self):
        # A session signed in by other means (the admin, say) has no stamp;
        # its first read gives it the NextAuth lifetime.
        user = make_user()
        self.client.force_login(user)
        before = timezone.now()
        body = self.client.get("/status/").json()
        assert body["status"] == "authenticated"
        assert datetime.fromisoformat(body["lastRefreshedAt"]) >= before
        session = self.client.session
        assert session.get_expiry_date() == datetime.fromisoformat(
            session["_session_expiry"]
        )
        assert body["data"]["expires"] == format_expires(session.get_expiry_date())

    def test_unparseable_stamp_is_replaced(self):
        make_user()
        sign_in(self.client)
        session = self.client.session
        session[REFRESHED_AT_KEY] = "not a date"
        session.save()
        refreshed = self.client.get("/status/").json()["lastRefreshedAt"]
        assert datetime.fromisoformat(refreshed) <= timezone.now()


class RequestAuthActionsTests(TestCase):
    factory = RequestFactory()

    def _request(self, client_request=None):
        from django.contrib.auth.middleware import AuthenticationMiddleware

        request = client_request or self.factory.post("/")
        SessionMiddleware(dummy_view).process_request(request)
        AuthenticationMiddleware(dummy_view).process_request(request)
        AuthMiddleware(dummy_view)(request)
        return request

    def test_sign_in_and_out(self):
        make_user()
        request = self._request()
        auth = request.auth
        assert auth.status == "unauthenticated"
        result = auth.sign_in(
            "credentials", callback_url="/next/", username="ada", password=PASSWORD
        )
        assert (result.error, result.status, result.ok, result.url) == (
            None,
            200,
            True,
            "http://testserver/next/",
        )
        assert auth.status == "authenticated"
        assert auth.data["user"]["name"] == "Ada Lovelace"
        out = auth.sign_out(callback_url="/bye/")
        assert out.url == "http://testserver/bye/"
        assert auth.status == "unauthenticated"
        assert auth.data is None

    def test_sign_in_failure(self):
        make_user()
        auth = self._request().auth
        result = auth.sign_in("credentials", username="ada", password="wrong")
        assert result.error == "CredentialsSignin"
        assert result.status == 401
        assert result.ok is False
        assert result.url == (
            "http://testserver/api/auth/error?error=CredentialsSignin&provider=credentials"
        )
        assert auth.status == "unauthenticated"

    def test_sign_in_unknown_provider(self):
        from django_useauth.exceptions import UnknownProvider

        auth = self._request().auth
        with self.assertRaisesMessage(
            UnknownProvider, "Unknown provider 'github', must be one of: credentials"
        ):
            auth.sign_in("github")

    @override_settings(USEAUTH_CREDENTIALS_ENABLED=False)
    def test_sign_in_no_providers(self):
        from django_useauth.exceptions import UnknownProvider

        auth = self._request().auth
        with self.assertRaisesMessage(
            UnknownProvider,
            "Unknown provider 'credentials', must be one of: (none configured)",
        ):
            auth.sign_in("credentials")

    async def test_async_sign_in_and_out(self):
        from asgiref.sync import sync_to_async

        await sync_to_async(make_user)()
        request = await sync_to_async(self._request)()
        auth = request.auth
        result = await auth.asign_in("credentials", username="ada", password=PASSWORD)
        assert result.ok is True
        assert result.url == "http://testserver/"
        assert (await auth.aget_session())["user"]["email"] == "ada@example.com"
        out = await auth.asign_out()
        assert out.url == "http://testserver/"
        assert await auth.aget_session() is None

    async def test_async_sign_in_failure(self):
        from asgiref.sync import sync_to_async

        await sync_to_async(make_user)()
        request = await sync_to_async(self._request)()
        result = await request.auth.asign_in(
            "credentials", username="ada", password="nope", callback_url="/x"
        )
        assert result.error == "CredentialsSignin"
        assert result.url.endswith("&callbackUrl=%2Fx")

    def test_csrf_and_providers(self):
        request = self._request(self.factory.get("/"))
        token = request.auth.get_csrf_token()
        assert len(token) == 64
        assert request.auth.get_providers() == credentials_providers(BASE)

    async def test_async_csrf_and_providers(self):
        from asgiref.sync import sync_to_async

        request = await sync_to_async(self._request)(self.factory.get("/"))
        assert len(await request.auth.aget_csrf_token()) == 64
        assert list(await request.auth.aget_providers()) == ["credentials"]


class StaysInStepTests(TestCase):
    """request.auth follows login() and logout() called by any code."""

    def _request(self):
        from django.contrib.auth.middleware import AuthenticationMiddleware

        request = RequestFactory().post("/")
        SessionMiddleware(dummy_view).process_request(request)
        AuthenticationMiddleware(dummy_view).process_request(request)
        AuthMiddleware(dummy_view)(request)
        return request

    def test_django_login_and_logout(self):
        from django.contrib.auth import login
        from django.contrib.auth import logout

        user = make_user()
        request = self._request()
        assert request.auth.status == "unauthenticated"
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        assert request.auth.status == "authenticated"
        logout(request)
        assert request.auth.status == "unauthenticated"

    async def test_django_alogin_and_alogout(self):
        from asgiref.sync import sync_to_async
        from django.contrib.auth import alogin
        from django.contrib.auth import alogout

        user = await sync_to_async(make_user)()
        request = await sync_to_async(self._request)()
        assert await request.auth.aget_session() is None
        await alogin(request, user, backend="django.contrib.auth.backends.ModelBackend")
        session = await request.auth.aget_session()
        assert session["user"]["name"] == "Ada Lovelace"
        # Loaded once per request: the second read answers from memory.
        assert await request.auth.aget_session() is session
        await alogout(request)
        assert await request.auth.aget_session() is None

    def test_other_requests_untouched(self):
        from django.contrib.auth.signals import user_logged_out

        from django_useauth.middleware import _forget_loaded_session

        # The receiver also gets requests without request.auth, or none at all.
        for request in (RequestFactory().get("/"), None):
            responses = user_logged_out.send(sender=None, request=request, user=None)
            assert (_forget_loaded_session, None) in responses
            assert not hasattr(request, "auth")
