"""Sessions signed in by Django's login() (the admin, a project's own view) and browser-session cookies."""

from __future__ import annotations

import json
from datetime import datetime
from datetime import timedelta
from unittest import mock

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.core.checks import Warning
from django.core.checks.registry import registry
from django.http import HttpResponse
from django.test import RequestFactory
from django.test import SimpleTestCase
from django.test import TestCase
from django.test import override_settings
from django.utils import timezone

from django_useauth.internal.lifetime import EXPIRES_AT_KEY
from django_useauth.internal.lifetime import REFRESHED_AT_KEY
from django_useauth.internal.lifetime import SIGNED_IN_AT_KEY
from django_useauth.internal.lifetime import format_expires
from django_useauth.middleware import AuthMiddleware
from tests.utils import MODEL_BACKEND
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import past_its_end
from tests.utils import session_key
from tests.utils import sign_in


def _instant(session, key):
    return datetime.fromisoformat(session[key])


def _is_browser_session_cookie(response):
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    return cookie.value != "" and cookie["max-age"] == "" and cookie["expires"] == ""


@override_settings(USEAUTH_ABSOLUTE_MAX_AGE=timedelta(days=1))
class AbsoluteLifetimeTests(TestCase):
    """R12: USEAUTH_ABSOLUTE_MAX_AGE counts from the sign-in, whoever signed the session in."""

    def login(self, at):
        user = make_user()
        with mock.patch("django.utils.timezone.now", return_value=at):
            self.client.force_login(user, backend=MODEL_BACKEND)
        return user

    def test_R12_absolute_lifetime_counts_from_a_django_login(self):
        # Signed in two days ago through Django's login(), read for the first
        # time now: a day past the cap.
        self.login(timezone.now() - timedelta(days=2))
        assert self.client.get("/api/auth/session").json() == {}
        assert self.client.get("/protected/").status_code == 302

    def test_R12_views_that_read_only_request_user_end_it_too(self):
        # Signed in two days ago, never read by request.auth: the admin or a
        # @login_required view does not accept it either.
        self.login(timezone.now() - timedelta(days=2))
        assert self.client.get("/whoami/").content == b"anonymous"
        assert self.client.get("/whoami/").content == b"anonymous"

    def test_R12_first_read_keeps_the_sign_in_stamp(self):
        signed_in = timezone.now() - timedelta(hours=2)
        self.login(signed_in)
        body = self.client.get("/api/auth/session").json()
        session = self.client.session
        assert _instant(session, SIGNED_IN_AT_KEY) == signed_in
        # The lifetime itself starts at the first read, cut at the cap.
        assert _instant(session, REFRESHED_AT_KEY) > signed_in
        assert body["expires"] == format_expires(signed_in + timedelta(days=1))

    async def test_R12_async_login_is_stamped(self):
        signed_in = timezone.now() - timedelta(days=2)
        user = await User.objects.acreate(username="ada")
        with mock.patch("django.utils.timezone.now", return_value=signed_in):
            await self.async_client.aforce_login(user, backend=MODEL_BACKEND)
        response = await self.async_client.get("/astatus/")
        assert response.json() == {"status": "unauthenticated", "data": None}

    def test_R12_our_sign_in_is_stamped_once(self):
        make_user()
        before = timezone.now()
        sign_in(self.client)
        session = self.client.session
        assert before <= _instant(session, SIGNED_IN_AT_KEY) <= timezone.now()
        assert self.client.get("/api/auth/session").json() != {}
        assert self.client.session[SIGNED_IN_AT_KEY] == session[SIGNED_IN_AT_KEY]

    def test_R12_login_signal_without_a_request(self):
        # Code that sends user_logged_in itself may have no request.
        user = make_user()
        user_logged_in.send(sender=User, request=None, user=user)


class BrowserSessionTests(TestCase):
    """R13: a browser-session cookie stays one; its server-side end is kept in the session."""

    def setUp(self):
        self.user = make_user()

    def login(self, *, expiry=None):
        self.client.force_login(self.user, backend=MODEL_BACKEND)
        if expiry is not None:
            # A login view's "remember me" left unchecked.
            session = self.client.session
            session.set_expiry(expiry)
            session.save()

    def assert_ends_in(self, session, body, lifetime):
        end = _instant(session, EXPIRES_AT_KEY)
        assert lifetime - timedelta(minutes=1) < end - timezone.now() <= lifetime
        assert body["expires"] == format_expires(end)

    @override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True)
    def test_R13_expire_at_browser_close_survives_a_session_read(self):
        self.login()
        response = self.client.get("/api/auth/session")
        assert _is_browser_session_cookie(response)
        session = self.client.session
        assert session.get_expire_at_browser_close()
        self.assert_ends_in(session, response.json(), timedelta(days=30))

    @override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True)
    def test_R13_expire_at_browser_close_applies_to_our_sign_in(self):
        client = csrf_client()
        response = sign_in(client)
        assert _is_browser_session_cookie(response)
        body = client.get("/api/auth/session").json()
        self.assert_ends_in(client.session, body, timedelta(days=30))

    def test_R13_set_expiry_zero_is_honoured(self):
        self.login(expiry=0)
        response = self.client.get("/api/auth/session")
        assert _is_browser_session_cookie(response)
        self.assert_ends_in(self.client.session, response.json(), timedelta(days=30))

    @override_settings(USEAUTH_MAX_AGE=timedelta(days=7))
    def test_R13_browser_session_is_extended_in_its_own_key(self):
        self.login(expiry=0)
        session = self.client.session
        old = timezone.now() - timedelta(days=2)
        session[REFRESHED_AT_KEY] = old.isoformat()
        session[EXPIRES_AT_KEY] = (old + timedelta(days=7)).isoformat()
        session.save()
        response = self.client.get("/api/auth/session")
        assert _is_browser_session_cookie(response)
        session = self.client.session
        assert session[REFRESHED_AT_KEY] == (old + timedelta(days=2)).isoformat()
        assert _instant(session, EXPIRES_AT_KEY) == old + timedelta(days=9)
        assert response.json()["expires"] == format_expires(old + timedelta(days=9))
        # A read within USEAUTH_UPDATE_AGE writes nothing, so sets no cookie.
        again = self.client.get("/api/auth/session")
        assert settings.SESSION_COOKIE_NAME not in again.cookies
        assert again.json()["expires"] == response.json()["expires"]

    def test_R13_session_update_reports_the_browser_session_end(self):
        self.client = csrf_client()
        self.login(expiry=0)
        expires = self.client.get("/api/auth/session").json()["expires"]
        response = self.client.post(
            "/api/auth/session",
            json.dumps({"csrfToken": csrf_token(self.client), "data": {}}),
            content_type="application/json",
        )
        assert response.json()["expires"] == expires

    def test_R13_browser_session_past_its_end_is_flushed(self):
        key = self.login_past_its_end()
        assert self.client.get("/api/auth/session").json() == {}
        assert not Session.objects.filter(session_key=key).exists()

    async def test_R13_browser_session_past_its_end_is_flushed_async(self):
        key = await sync_to_async(self.login_past_its_end)()
        self.async_client.cookies = self.client.cookies
        response = await self.async_client.get("/astatus/")
        assert response.json() == {"status": "unauthenticated", "data": None}
        assert not await Session.objects.filter(session_key=key).aexists()

    @override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True)
    def test_R13_views_that_read_only_request_user_end_it_too(self):
        # The store keeps a browser-session cookie's session past its end;
        # the admin or a @login_required view must not accept it either.
        self.login(expiry=0)
        assert self.client.get("/whoami/").content == b"ada"
        key = self.login_past_its_end()
        assert self.client.get("/whoami/").content == b"anonymous"
        assert not Session.objects.filter(session_key=key).exists()

    @override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True)
    async def test_R13_views_that_read_only_request_user_end_it_too_async(self):
        key = await sync_to_async(self.login_past_its_end)()
        self.async_client.cookies = self.client.cookies
        assert (await self.async_client.get("/awhoami/")).content == b"anonymous"
        assert not await Session.objects.filter(session_key=key).aexists()

    def login_past_its_end(self):
        """Sign in with a browser-session cookie, and make its session past its end; its key."""
        self.login(expiry=0)
        past_its_end(self.client)
        return session_key(self.client)

    @override_settings(USEAUTH_SESSION_CACHE="sessions")
    async def test_R13_past_its_end_with_the_payload_cached_async(self):
        # The payload comes from the cache, so nothing loads the user: the
        # end is still checked.
        await sync_to_async(self.login)(expiry=0)
        self.async_client.cookies = self.client.cookies
        live = await self.async_client.get("/astatus/")
        assert live.json()["status"] == "authenticated"
        key = session_key(self.client)
        await sync_to_async(past_its_end)(self.client)
        response = await self.async_client.get("/astatus/")
        assert response.json() == {"status": "unauthenticated", "data": None}
        assert not await Session.objects.filter(session_key=key).aexists()

    @override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True)
    async def test_R13_async_views_keep_a_live_session(self):
        await sync_to_async(self.login)(expiry=0)
        self.async_client.cookies = self.client.cookies
        assert (await self.async_client.get("/awhoami/")).content == b"ada"

    @override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True)
    def test_R13_nothing_to_guard_without_authentication_middleware(self):
        # Check useauth.E004 reports the missing middleware; the request
        # then has no request.user to guard, and gets none.
        request = RequestFactory().get("/")
        AuthMiddleware(lambda r: HttpResponse())(request)
        assert not hasattr(request, "user")

    def test_R13_request_user_agrees_after_the_end(self):
        key = self.login_past_its_end()
        request = RequestFactory().get("/")
        request.COOKIES[settings.SESSION_COOKIE_NAME] = key
        SessionMiddleware(lambda r: HttpResponse()).process_request(request)
        AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
        # Django alone still finds the user: only our end says it is over.
        assert request.user.is_authenticated
        AuthMiddleware(lambda r: HttpResponse())(request)
        assert not request.auth  # type: ignore[attr-defined]
        assert not request.user.is_authenticated

    def test_R13_persistent_session_past_its_end_is_flushed(self):
        # A store whose clock or timeout disagrees kept a session past its
        # expiry date.
        self.login()
        session = self.client.session
        session.set_expiry(timezone.now() + timedelta(seconds=1))
        session.save()
        key = session.session_key
        later = timezone.now() + timedelta(seconds=2)
        # Only our clock moves on; the store still returns the session.
        with mock.patch("django_useauth.middleware.timezone") as clock:
            clock.now.return_value = later
            assert self.client.get("/api/auth/session").json() == {}
        assert not Session.objects.filter(session_key=key).exists()


class BrowserSessionCheckTests(SimpleTestCase):
    """W013 (the check lives in django_useauth.checks)."""

    WARNING = Warning(
        "SESSION_COOKIE_AGE should be at least USEAUTH_MAX_AGE (2592000 seconds) "
        "when SESSION_EXPIRE_AT_BROWSER_CLOSE is True: the session store drops a "
        "browser-session cookie's session 1209600 seconds after its last write, so "
        "a session left unused ends before the 'expires' it was given.",
        hint="Set SESSION_COOKIE_AGE = 2592000, or lower USEAUTH_MAX_AGE to "
        "SESSION_COOKIE_AGE or less.",
        id="useauth.W013",
    )

    def test_w013(self):
        from django_useauth import checks

        assert checks.check_browser_sessions() == []
        with self.settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True):
            assert checks.check_browser_sessions() == [self.WARNING]
            for agreeing in (
                {"SESSION_COOKIE_AGE": 30 * 24 * 3600},
                {"USEAUTH_MAX_AGE": timedelta(weeks=2)},
                # Invalid values are E019's, and Django's own.
                {"USEAUTH_MAX_AGE": "a month"},
                {"SESSION_COOKIE_AGE": "a month"},
            ):
                with self.settings(**agreeing):
                    assert checks.check_browser_sessions() == []

    def test_w013_is_registered(self):
        from django_useauth import checks

        registered: set[object] = set(registry.registered_checks)
        assert checks.check_browser_sessions in registered
