"""ATTACKS C1–C9: session fixation, the session's lifetime, and sign-out."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import timedelta
from unittest import mock
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.contrib.sessions.models import Session as SessionRow
from django.test import Client
from django.test import override_settings
from django.utils import timezone
from social_core.backends.github import GithubOAuth2

from django_useauth.checks import check_session_engine
from django_useauth.internal import oauth
from django_useauth.internal.lifetime import format_expires
from tests.attacks.base import FAILED
from tests.attacks.base import HOME
from tests.attacks.base import SESSION
from tests.attacks.base import SIGN_OUT
from tests.attacks.base import AttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import cached_middleware
from tests.attacks.base import plant_session
from tests.attacks.base import post_credentials
from tests.attacks.base import session_json
from tests.attacks.base import session_key
from tests.expected import ADA
from tests.utils import BASE
from tests.utils import GITHUB
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import fake_oauth_success
from tests.utils import sign_in
from tests.utils import store


@contextmanager
def frozen_now() -> Iterator[list[datetime]]:
    """Freeze ``django.utils.timezone.now()`` (sessions and their stores); move it via ``[0]``."""
    now = [timezone.now()]
    with mock.patch("django.utils.timezone.now", lambda: now[0]):
        yield now


class SessionLifecycleTests(AttackTestCase):
    def assert_replay_anonymous(self, key: str) -> None:
        """A copy of the cookie ``key`` reads as signed out."""
        replay = csrf_client()
        replay.cookies["sessionid"] = key
        assert session_json(replay) == {}

    def assert_dead(self, key: str) -> None:
        """A replay of the cookie ``key`` is anonymous, and ``key`` is gone from the store."""
        self.assert_replay_anonymous(key)
        assert not store().exists(key)

    def test_C1_fixation_via_planted_anonymous_session(self):
        key = plant_session(self.client, planted="by the attacker")
        assert session_json(self.client) == {}
        assert store().exists(key)
        assert_json(sign_in(self.client), 200, HOME)
        new = session_key(self.client)
        assert new != key
        assert store().exists(new)
        self.assert_dead(key)
        assert session_json(self.client)["user"] == ADA

    @override_settings(**GITHUB)
    def test_C2_fixation_over_oauth_sign_in(self):
        # The OAuth start saves an anonymous session (state, callbackUrl).
        start = self.client.post(
            "/api/auth/signin/github",
            {"csrfToken": csrf_token(self.client), "callbackUrl": "/after"},
        )
        assert start.status_code == 302
        key = session_key(self.client)
        assert store().exists(key)
        with mock.patch.object(oauth, "do_complete", fake_oauth_success(self.user)):
            response = self.client.get("/api/auth/callback/github?code=x&state=y")
        assert response.status_code == 302
        assert response["Location"] == "http://testserver/after"
        new = session_key(self.client)
        assert new != key
        self.assert_dead(key)
        assert session_json(self.client)["user"] == ADA

    def test_C3_attacker_chosen_session_key(self):
        chosen = "attackerchosen0123456789abcdef"
        self.client.cookies["sessionid"] = chosen
        response = self.client.get(SESSION)
        assert_json(response, 200, {})
        # The unknown cookie is deleted, and no row was created for it.
        assert response.cookies["sessionid"].value == ""
        assert not store().exists(chosen)
        assert SessionRow.objects.count() == 0
        self.client.cookies["sessionid"] = chosen
        assert_json(sign_in(self.client), 200, HOME)
        new = session_key(self.client)
        assert new != chosen
        assert len(new) == 32
        assert store().exists(new)
        assert not store().exists(chosen)

    def test_C4_sign_out_really_invalidates(self):
        sign_in(self.client)
        key = session_key(self.client)
        copy = csrf_client()
        copy.cookies["sessionid"] = key
        assert session_json(copy)["user"] == ADA
        response = self.client.post(
            SIGN_OUT, {"csrfToken": csrf_token(self.client), "json": "true"}
        )
        assert_json(response, 200, HOME)
        assert response.cookies["sessionid"].value == ""
        assert response.cookies["sessionid"]["max-age"] == 0
        assert not SessionRow.objects.filter(session_key=key).exists()
        self.assert_dead(key)
        assert session_json(copy) == {}
        # The engine that cannot do this is refused.
        with self.settings(
            SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"
        ):
            assert [message.id for message in check_session_engine()] == [
                "useauth.E006"
            ]

    def test_C5_password_change_ends_other_sessions(self):
        other = csrf_client()
        sign_in(self.client)
        sign_in(other)
        keys = [session_key(self.client), session_key(other)]
        user = User.objects.get(username="ada")
        user.set_password("a brand new passphrase")
        user.save()
        assert session_json(other) == {}
        assert session_json(self.client) == {}
        for key in keys:
            self.assert_dead(key)
        fresh = csrf_client()
        assert_json(
            post_credentials(fresh, csrf_token(fresh), "ada", PASSWORD), 401, FAILED
        )
        assert_json(
            post_credentials(fresh, csrf_token(fresh), "ada", "a brand new passphrase"),
            200,
            HOME,
        )

    def test_C6_deactivated_user(self):
        sign_in(self.client)
        key = session_key(self.client)
        User.objects.filter(username="ada").update(is_active=False)
        assert session_json(self.client) == {}
        fresh = csrf_client()
        assert_json(
            post_credentials(fresh, csrf_token(fresh), "ada", PASSWORD), 401, FAILED
        )
        # The session ended on the server when it was found deactivated:
        # reactivating the account does not bring it back.
        User.objects.filter(username="ada").update(is_active=True)
        self.assert_dead(key)

    @override_settings(USEAUTH_MAX_AGE=30 * 60, USEAUTH_UPDATE_AGE=0)
    def test_C7_idle_timeout(self):
        # A 30-minute idle timeout: every read extends the session by 30 minutes.
        with frozen_now() as now:
            start = now[0]
            sign_in(self.client)
            key = session_key(self.client)
            for minutes in (20, 45):
                now[0] = start + timedelta(minutes=minutes)
                body = session_json(self.client)
                assert body["user"] == ADA
                assert body["expires"] == format_expires(now[0] + timedelta(minutes=30))
            now[0] = start + timedelta(minutes=75, seconds=1)
            assert session_json(self.client) == {}
            self.assert_replay_anonymous(key)

    @override_settings(
        USEAUTH_MAX_AGE=8 * 3600,
        USEAUTH_UPDATE_AGE=3600,
        USEAUTH_ABSOLUTE_MAX_AGE=12 * 3600,
    )
    def test_C7_absolute_lifetime(self):
        # Active every hour, so each read is due and extends the session, but
        # never past 12 hours after sign-in (NIST 800-63B AAL2).
        with frozen_now() as now:
            start = now[0]
            sign_in(self.client)
            key = session_key(self.client)
            cap = start + timedelta(hours=12)
            for hours in range(1, 12):
                now[0] = start + timedelta(hours=hours)
                body = session_json(self.client)
                assert body["user"] == ADA
                assert body["expires"] == format_expires(
                    min(now[0] + timedelta(hours=8), cap)
                )
            now[0] = cap
            assert session_json(self.client) == {}
            self.assert_replay_anonymous(key)

    def test_C7_cap_set_after_sign_in(self):
        # A session signed in before the cap was configured (or lowered) ends
        # on its next read once it is past it, and is deleted on the server.
        with frozen_now() as now:
            start = now[0]
            sign_in(self.client)
            key = session_key(self.client)
            now[0] = start + timedelta(hours=13)
            assert session_json(self.client)["user"] == ADA
            with self.settings(USEAUTH_ABSOLUTE_MAX_AGE=12 * 3600):
                assert session_json(self.client) == {}
                assert not store().exists(key)
                self.assert_replay_anonymous(key)

    def test_C7_expires_never_past_max_age(self):
        # The defaults (30 days, extended at most daily), with a read every 23 hours.
        with frozen_now() as now:
            start = now[0]
            sign_in(self.client)
            key = session_key(self.client)
            expires = start
            for reads in range(1, 41):
                now[0] = start + timedelta(hours=23 * reads)
                body = session_json(self.client)
                assert body["user"] == ADA
                expires = datetime.fromisoformat(body["expires"])
                assert now[0] < expires <= now[0] + timedelta(days=30)
            # expires is cut to milliseconds.
            now[0] = expires + timedelta(milliseconds=1)
            assert session_json(self.client) == {}
            self.assert_replay_anonymous(key)

    # C8 in part: there is no multi-step login (no MFA, and no partial
    # social-auth step in the default pipeline; a project that adds one is
    # covered by B9 in test_oauth_flow.py). The only pending state is a started
    # OAuth flow (its state and callbackUrl in the session): sign-out wipes it.
    @override_settings(**GITHUB)
    def test_C8_sign_out_wipes_a_pending_oauth_flow(self):
        token = csrf_token(self.client)
        start = self.client.post(
            "/api/auth/signin/github",
            {"csrfToken": token, "callbackUrl": "/after", "json": "true"},
        )
        state = parse_qs(urlsplit(start.json()["url"]).query)["state"][0]
        key = session_key(self.client)
        assert f"github_oauth2_state_{state}" in store(key)
        assert store(key)["_useauth_callback_url:github"] == "/after"
        assert_json(
            self.client.post(SIGN_OUT, {"csrfToken": token, "json": "true"}), 200, HOME
        )
        self.assert_dead(key)
        with (
            mock.patch.object(GithubOAuth2, "request_access_token") as exchange,
            self.assertLogs("django_useauth.oauth", logging.WARNING),
        ):
            response = self.client.get(
                f"/api/auth/callback/github?code=x&state={state}"
            )
        assert response.status_code == 302
        assert response["Location"] == f"{BASE}/error?error=OAuthCallback"
        exchange.assert_not_called()
        assert session_json(self.client) == {}

    def test_C9_session_cookie_never_cached(self):
        sign_in(self.client)
        key = session_key(self.client)
        with self.settings(
            MIDDLEWARE=cached_middleware(), SESSION_SAVE_EVERY_REQUEST=True
        ):
            as_a = self.client.get("/plain/")
            assert as_a.status_code == 200
            assert as_a.content == b"plain"
            assert as_a.cookies["sessionid"].value == key
            assert "Cookie" in as_a["Vary"]
            # Not stored: the cache middleware left it without its own headers.
            assert not as_a.has_header("Cache-Control")
            assert not as_a.has_header("Expires")
            anonymous = Client()
            as_b = anonymous.get("/plain/")
            assert as_b.status_code == 200
            assert as_b.content == b"plain"
            assert "sessionid" not in as_b.cookies
            # B's own (cookie-less) response is the one stored.
            assert as_b["Cache-Control"] == "max-age=600"
            again = anonymous.get("/plain/")
            assert "sessionid" not in again.cookies
            assert session_json(anonymous) == {}
        assert session_json(self.client)["user"] == ADA
