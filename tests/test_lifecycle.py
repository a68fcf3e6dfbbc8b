"""Session lifetime, session update, callbacks and events."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from unittest import mock

from django.test import RequestFactory
from django.test import TestCase
from django.test import override_settings
from django.utils import timezone

from django_useauth import signals
from django_useauth.internal.lifetime import REFRESHED_AT_KEY
from django_useauth.internal.lifetime import SIGNED_IN_AT_KEY
from django_useauth.internal.lifetime import ais_past_absolute_max_age
from django_useauth.internal.lifetime import is_past_absolute_max_age
from django_useauth.internal.lifetime import refresh_if_due
from django_useauth.internal.lifetime import start_session
from tests import callbacks
from tests.utils import PASSWORD
from tests.utils import auth_request
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import fake_oauth_success
from tests.utils import make_user
from tests.utils import sign_in


class RecordingTestCase(TestCase):
    def setUp(self):
        callbacks.calls.clear()
        self.addCleanup(callbacks.calls.clear)
        self.user = make_user()
        self.client = csrf_client()


class RefreshTests(TestCase):
    def session(self):
        from django.contrib.sessions.backends.db import SessionStore

        return SessionStore()

    def test_whole_multiples_of_update_age(self):
        session = self.session()
        start = timezone.now()
        start_session(session, start)
        assert refresh_if_due(session, start + timedelta(hours=23)) is False
        assert refresh_if_due(session, start + timedelta(hours=49)) is True
        assert session[REFRESHED_AT_KEY] == (start + timedelta(hours=48)).isoformat()
        assert session.get_expiry_date() == start + timedelta(hours=48) + timedelta(
            days=30
        )

    def test_absolute_cap(self):
        session = self.session()
        start = timezone.now()
        with self.settings(USEAUTH_ABSOLUTE_MAX_AGE=timedelta(days=45)):
            start_session(session, start)
            assert session[SIGNED_IN_AT_KEY] == start.isoformat()
            assert session.get_expiry_date() == start + timedelta(days=30)
            # Extended daily, but never past sign-in plus 45 days.
            assert refresh_if_due(session, start + timedelta(days=20)) is True
            assert session.get_expiry_date() == start + timedelta(days=45)
            assert refresh_if_due(session, start + timedelta(days=40)) is True
            assert session.get_expiry_date() == start + timedelta(days=45)
            assert session[SIGNED_IN_AT_KEY] == start.isoformat()
            assert not is_past_absolute_max_age(session, start + timedelta(days=44))
            assert is_past_absolute_max_age(session, start + timedelta(days=45))
        # Without the setting there is no cap, and the session is not read.
        assert not is_past_absolute_max_age(session, start + timedelta(days=99))
        assert refresh_if_due(session, start + timedelta(days=41)) is True
        assert session.get_expiry_date() == start + timedelta(days=71)

    async def test_absolute_cap_async(self):
        session = self.session()
        start = timezone.now()
        start_session(session, start)
        later = start + timedelta(days=2)
        assert not await ais_past_absolute_max_age(session, later)
        with self.settings(USEAUTH_ABSOLUTE_MAX_AGE=timedelta(days=1)):
            assert await ais_past_absolute_max_age(session, later)
            assert not await ais_past_absolute_max_age(session, start)
            del session[SIGNED_IN_AT_KEY]
            # No sign-in time (a session from before the setting): no cap.
            assert not await ais_past_absolute_max_age(session, later)

    def test_concurrent_refreshes_agree(self):
        # Two requests that load the same due session at slightly different
        # instants compute the same new expiry.
        start = timezone.now()
        one, two = self.session(), self.session()
        start_session(one, start)
        start_session(two, start)
        refresh_if_due(one, start + timedelta(hours=30))
        refresh_if_due(two, start + timedelta(hours=30, seconds=7))
        assert one.get_expiry_date() == two.get_expiry_date()

    @override_settings(USEAUTH_UPDATE_AGE=0)
    def test_update_age_zero_extends_every_read(self):
        session = self.session()
        start = timezone.now()
        start_session(session, start)
        assert refresh_if_due(session, start + timedelta(seconds=1)) is True
        assert session.get_expiry_date() == start + timedelta(seconds=1) + timedelta(
            days=30
        )


class SessionCallbackTests(RecordingTestCase):
    @override_settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.session")
    def test_read(self):
        sign_in(self.client)
        body = self.client.get("/api/auth/session").json()
        assert body["user"] == {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "image": None,
            "id": self.user.pk,
        }
        assert callbacks.calls[-1] == {"trigger": "read", "new_session": None}

    @override_settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.session")
    def test_update(self):
        sign_in(self.client)
        received = []

        def receiver(sender, user, request, data, session, **kwargs):
            received.append((sender, user, data, session))

        signals.session_updated.connect(receiver)
        self.addCleanup(signals.session_updated.disconnect, receiver)
        response = self.client.post(
            "/api/auth/session",
            json.dumps(
                {"csrfToken": csrf_token(self.client), "data": {"theme": "dark"}}
            ),
            content_type="application/json",
        )
        assert response.status_code == 200
        assert response.json()["theme"] == "dark"
        assert response.json()["user"]["id"] == self.user.pk
        assert callbacks.calls[-1] == {
            "trigger": "update",
            "new_session": {"theme": "dark"},
        }
        assert received == [
            (type(self.user), self.user, {"theme": "dark"}, response.json())
        ]

    @override_settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.session")
    async def test_async_read(self):
        from asgiref.sync import sync_to_async

        await sync_to_async(sign_in)(self.client)
        self.async_client.cookies = self.client.cookies
        body = (await self.async_client.get("/astatus/")).json()
        assert body["data"]["user"]["id"] == self.user.pk

    def test_broken_callback_on_read_fails_closed(self):
        sign_in(self.client)
        for path in ("tests.callbacks.broken_session", "tests.callbacks.not_a_dict"):
            with (
                self.settings(USEAUTH_SESSION_CALLBACK=path),
                self.assertLogs("django_useauth.middleware", logging.ERROR),
            ):
                assert self.client.get("/api/auth/session").json() == {}

    def test_broken_callback_on_update_is_a_clean_error(self):
        sign_in(self.client)
        token = csrf_token(self.client)
        for path in (
            "tests.callbacks.broken_on_update",
            "tests.callbacks.not_a_dict_on_update",
        ):
            with (
                self.settings(USEAUTH_SESSION_CALLBACK=path),
                self.assertLogs("django_useauth.views", logging.ERROR),
            ):
                response = self.client.post(
                    "/api/auth/session",
                    json.dumps({"csrfToken": token, "data": {}}),
                    content_type="application/json",
                )
            assert response.status_code == 400, path
            assert response.json() == {}
        # Still signed in, as before the update.
        assert (
            self.client.get("/api/auth/session").json()["user"]["name"]
            == "Ada Lovelace"
        )

    def test_update_without_callback_answers_the_session(self):
        sign_in(self.client)
        response = self.client.post(
            "/api/auth/session",
            json.dumps({"csrfToken": csrf_token(self.client), "data": {"x": 1}}),
            content_type="application/json",
        )
        assert response.json()["user"]["name"] == "Ada Lovelace"


class SignInCallbackTests(RecordingTestCase):
    def post(self, **extra):
        data = {
            "csrfToken": csrf_token(self.client),
            "username": "ada",
            "password": PASSWORD,
            "json": "true",
        }
        return self.client.post("/api/auth/callback/credentials", {**data, **extra})

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse")
    def test_refused(self):
        response = self.post()
        assert response.status_code == 403
        assert response.json() == {
            "url": "http://testserver/api/auth/error?error=AccessDenied"
        }
        assert callbacks.calls == [{"user": "ada", "provider": "credentials"}]
        assert "sessionid" not in response.cookies
        assert self.client.get("/api/auth/session").json() == {}

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse_with_code")
    def test_refused_with_a_reason_code(self):
        response = self.post()
        assert response.status_code == 403
        assert response.json() == {
            "url": "http://testserver/api/auth/error?error=EmailNotVerified"
        }

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse_with_junk")
    def test_junk_answer_refuses(self):
        assert self.post().json() == {
            "url": "http://testserver/api/auth/error?error=AccessDenied"
        }

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.broken_sign_in")
    def test_raising_callback_refuses(self):
        with self.assertLogs("django_useauth.callbacks", logging.ERROR):
            response = self.post()
        assert response.status_code == 403
        assert self.client.get("/api/auth/session").json() == {}

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.allow")
    def test_allowed(self):
        assert self.post().status_code == 200

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse")
    async def test_async_refused(self):
        from asgiref.sync import sync_to_async

        request = auth_request(RequestFactory().post("/"))
        auth = request.auth  # type: ignore[attr-defined]
        result = await auth.asign_in("credentials", username="ada", password=PASSWORD)
        assert (result.error, result.status, result.ok) == ("AccessDenied", 403, False)
        assert await sync_to_async(request.session.get)("_auth_user_id") is None


@override_settings(
    AUTHENTICATION_BACKENDS=[
        "social_core.backends.github.GithubOAuth2",
        "django.contrib.auth.backends.ModelBackend",
    ],
    SOCIAL_AUTH_GITHUB_KEY="k",
    SOCIAL_AUTH_GITHUB_SECRET="s",
)
class OAuthSignInCallbackTests(RecordingTestCase):
    def complete(self):
        from django_useauth.internal import oauth

        with mock.patch.object(oauth, "do_complete", fake_oauth_success(self.user)):
            return self.client.get("/api/auth/callback/github?code=x&state=y")

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse_with_code")
    def test_refused(self):
        with self.assertLogs("django_useauth.oauth", logging.INFO):
            response = self.complete()
        assert (
            response["Location"]
            == "http://testserver/api/auth/error?error=EmailNotVerified"
        )
        assert self.client.get("/api/auth/session").json() == {}

    def test_signed_in_event(self):
        received = []

        def receiver(sender, user, request, provider, **kwargs):
            received.append((user, provider))

        signals.signed_in.connect(receiver)
        self.addCleanup(signals.signed_in.disconnect, receiver)
        assert self.complete()["Location"] == "http://testserver/"
        assert received == [(self.user, "github")]


class RedirectCallbackTests(RecordingTestCase):
    @override_settings(USEAUTH_REDIRECT_CALLBACK="tests.callbacks.always_dashboard")
    def test_replaces_the_policy(self):
        response = sign_in(self.client, callbackUrl="/elsewhere")
        assert response.json() == {"url": "http://testserver/dashboard/"}
        assert callbacks.calls == [
            {"url": "/elsewhere", "base_url": "http://testserver"}
        ]

    def test_fail_safe(self):
        for path in (
            "tests.callbacks.broken_redirect",
            "tests.callbacks.hostile_redirect",
        ):
            for hostile in (
                "javascript:alert(1)",
                "//evil.example",
                "/\\evil.example",
                "/x\r\nSet-Cookie: a=b",
                "",
            ):
                client = csrf_client()
                with (
                    self.settings(USEAUTH_REDIRECT_CALLBACK=path),
                    self.assertLogs("django_useauth.redirects", logging.ERROR),
                ):
                    response = sign_in(client, callbackUrl=hostile)
                assert response.json() == {"url": "http://testserver/"}, (path, hostile)

    @override_settings(USEAUTH_REDIRECT_CALLBACK="tests.callbacks.hostile_redirect")
    def test_answer_kept_when_sane(self):
        assert sign_in(self.client, callbackUrl="https://other.example/x").json() == {
            "url": "https://other.example/x"
        }


class EventTests(RecordingTestCase):
    def test_signed_in_and_out(self):
        events: list[tuple[object, ...]] = []

        def on_in(sender, user, request, provider, **kwargs):
            events.append(("in", user, provider))

        def on_out(sender, user, request, **kwargs):
            events.append(("out", user))

        signals.signed_in.connect(on_in)
        signals.signed_out.connect(on_out)
        self.addCleanup(signals.signed_in.disconnect, on_in)
        self.addCleanup(signals.signed_out.disconnect, on_out)
        sign_in(self.client)
        self.client.post("/api/auth/signout", {"csrfToken": csrf_token(self.client)})
        # Signing out when signed out tells nobody.
        self.client.post("/api/auth/signout", {"csrfToken": csrf_token(self.client)})
        assert events == [("in", self.user, "credentials"), ("out", self.user)]

    def test_failing_receiver_is_logged_and_does_not_undo(self):
        def broken(**kwargs):
            raise RuntimeError("receiver bug")

        signals.signed_in.connect(broken)
        self.addCleanup(signals.signed_in.disconnect, broken)
        with self.assertLogs("django_useauth.signals", logging.ERROR) as logs:
            response = sign_in(self.client)
        assert response.status_code == 200
        assert "receiver" in logs.output[0]
        assert (
            self.client.get("/api/auth/session").json()["user"]["name"]
            == "Ada Lovelace"
        )

    async def test_async_events(self):
        from asgiref.sync import sync_to_async
        from django.contrib.auth.middleware import AuthenticationMiddleware
        from django.contrib.sessions.middleware import SessionMiddleware
        from django.http import HttpResponse

        from django_useauth.middleware import AuthMiddleware

        events = []

        def on_in(sender, user, **kwargs):
            events.append("in")

        def on_out(sender, user, **kwargs):
            events.append("out")

        signals.signed_in.connect(on_in)
        signals.signed_out.connect(on_out)
        self.addCleanup(signals.signed_in.disconnect, on_in)
        self.addCleanup(signals.signed_out.disconnect, on_out)
        request = RequestFactory().post("/")
        await sync_to_async(
            SessionMiddleware(lambda r: HttpResponse()).process_request
        )(request)
        AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
        AuthMiddleware(lambda r: HttpResponse())(request)
        await request.auth.asign_in("credentials", username="ada", password=PASSWORD)  # type: ignore[attr-defined]
        await request.auth.asign_out()  # type: ignore[attr-defined]
        await request.auth.asign_out()  # type: ignore[attr-defined]
        assert events == ["in", "out"]
