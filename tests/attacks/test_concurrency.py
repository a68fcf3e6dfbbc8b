"""ATTACKS N1–N3: concurrency and races, on a live server.

N4, an OAuth callback replayed in parallel, is in test_oauth_flow.py beside the IdP it needs."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from unittest import mock

from django.test import LiveServerTestCase
from django.test import override_settings
from django.utils import timezone
from social_core.backends.base import BaseAuth
from social_core.backends.oauth import BaseOAuth2
from social_core.storage import UserMixin
from social_django.models import UserSocialAuth

from django_useauth.internal.lifetime import REFRESHED_AT_KEY
from tests.attacks.base import CREDENTIALS
from tests.attacks.base import SESSION
from tests.attacks.base import SIGN_OUT
from tests.expected import ADA
from tests.live import LiveClientMixin
from tests.utils import PASSWORD
from tests.utils import make_user
from tests.utils import store


@override_settings(SESSION_ENGINE="django_useauth.sessions.cache")
class ConcurrencyTests(LiveClientMixin, LiveServerTestCase):
    def setUp(self):
        self.user = make_user()

    def signed_in(self) -> tuple[dict[str, str], str]:
        """The cookies of a fresh sign-in, and a CSRF token for them."""
        token, csrf_cookie = self.csrf()
        response = self.send(
            "POST",
            CREDENTIALS,
            {"csrftoken": csrf_cookie},
            data={
                "csrfToken": token,
                "username": "ada",
                "password": PASSWORD,
                "json": "true",
            },
        )
        assert response.json() == {"url": f"{self.live_server_url}/"}
        cookies = {
            "csrftoken": response.cookies["csrftoken"],
            "sessionid": response.cookies["sessionid"],
        }
        token, _ = self.csrf(cookies)
        return cookies, token

    def make_due(self, key: str) -> None:
        """Make the session due for its extension on the next read."""
        session = store(key)
        session[REFRESHED_AT_KEY] = (
            timezone.now() - timedelta(days=2, hours=1)
        ).isoformat()
        session.save()

    # N1 in part: nothing refreshes provider tokens on the server (GET session
    # and the middleware never call a provider). Checked under concurrency,
    # with parallel reads of a session due for its NextAuth-style extension:
    # they all agree, and none signs the user out.
    def test_N1_parallel_reads_never_call_the_provider(self):
        UserSocialAuth.objects.create(
            user=self.user,
            provider="github",
            uid="4242",
            extra_data={
                "access_token": "expired",
                "refresh_token": "r",
                "expires": 1,
                "auth_time": 0,
            },
        )
        cookies, _ = self.signed_in()
        self.make_due(cookies["sessionid"])
        with (
            mock.patch.object(BaseAuth, "request") as upstream,
            mock.patch.object(BaseOAuth2, "refresh_token") as refresh,
            mock.patch.object(UserMixin, "refresh_token") as stored_refresh,
        ):
            responses = self.at_once(
                *[partial(self.send, "GET", SESSION, cookies)] * 10
            )
        assert [response.status_code for response in responses] == [200] * 10
        bodies = [response.json() for response in responses]
        assert all(body["user"] == ADA for body in bodies)
        assert len({body["expires"] for body in bodies}) == 1
        upstream.assert_not_called()
        refresh.assert_not_called()
        stored_refresh.assert_not_called()
        assert self.send("GET", SESSION, cookies).json() == bodies[0]

    def test_N2_sign_out_racing_a_session_update(self):
        # Django's cache engines lose this race now and then (check
        # useauth.W005); tests/test_sessions.py replays their losing
        # interleaving deterministically.
        for engine in (
            "django_useauth.sessions.cache",
            "django_useauth.sessions.cached_db",
            "django.contrib.sessions.backends.db",
        ):
            with self.subTest(engine=engine), self.settings(SESSION_ENGINE=engine):
                self.sign_out_racing_a_session_update()

    def sign_out_racing_a_session_update(self):
        for _ in range(5):
            cookies, token = self.signed_in()
            key = cookies["sessionid"]
            self.make_due(key)
            sign_out, update = self.at_once(
                partial(
                    self.send,
                    "POST",
                    SIGN_OUT,
                    cookies,
                    data={"csrfToken": token, "json": "true"},
                ),
                partial(
                    self.send,
                    "POST",
                    SESSION,
                    cookies,
                    json={"csrfToken": token, "data": {"x": 1}},
                ),
            )
            assert sign_out.status_code == 200
            assert sign_out.json() == {"url": f"{self.live_server_url}/"}
            # Before the sign-out (the session), after it ({}), or interrupted by it (400).
            assert update.status_code in (200, 400)
            assert not store().exists(key)
            assert self.send("GET", SESSION, {"sessionid": key}).json() == {}
            assert not store().exists(key)

    def test_N3_double_submit_of_credentials(self):
        live_per_round = []
        for _ in range(3):
            token, csrf_cookie = self.csrf()
            planted = store()
            planted["visited"] = "/pricing"
            planted.save()
            before = planted.session_key
            assert before is not None
            cookies = {"csrftoken": csrf_cookie, "sessionid": before}
            post = partial(
                self.send,
                "POST",
                CREDENTIALS,
                cookies,
                data={
                    "csrfToken": token,
                    "username": "ada",
                    "password": PASSWORD,
                    "json": "true",
                },
            )
            responses = self.at_once(post, post)
            # Both succeed, or one fails cleanly.
            assert all(response.status_code < 500 for response in responses)
            assert any(response.status_code == 200 for response in responses)
            # The pre-login key is dead...
            assert not store().exists(before)
            assert self.send("GET", SESSION, {"sessionid": before}).json() == {}
            # ...and at most one signed-in session came out of it.
            issued = {
                response.cookies.get("sessionid") or "" for response in responses
            } - {""}
            live = sorted(
                key
                for key in issued
                if store(key).get("_auth_user_id") == str(self.user.pk)
            )
            live_per_round.append(live)
        assert all(len(live) <= 1 for live in live_per_round), live_per_round
