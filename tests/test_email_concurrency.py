"""E-mail sign-in under real concurrency, against a live server.

A link clicked from several places at once signs in once; a burst of wrong
codes never gets more tries than ``USEAUTH_EMAIL_CODE_ATTEMPTS``; a burst of
requests for e-mails to one address never sends more than
``USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS``. Each request is its own browser (its
own CSRF cookie and token) on its own connection from its own thread
(tests/live.py), and each burst is held back inside the server until every
request has reached the point where they race, so that the widest
interleaving happens every time. ``make test`` runs this on SQLite; with
``--ds=tests.settings_services`` on PostgreSQL and Redis.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any
from unittest import mock

import requests
from django.test import LiveServerTestCase
from django.test import override_settings

from django_useauth.internal import email_messages
from django_useauth.internal import email_tokens
from django_useauth.internal import throttle
from django_useauth.models import EmailToken
from tests.expected import ADA
from tests.live import BurstServerThread
from tests.live import LiveClientMixin
from tests.smtp import smtp_server

# The helpers of the other bursts: R1's check that waits for the whole burst,
# TOK24's requests that wait for each other inside the server.
from tests.test_throttle_concurrency import _after
from tests.test_tokens_concurrency import _together
from tests.utils import make_user

SIGN_IN = "/api/auth/signin/email"
CALLBACK = "/api/auth/callback/email"
SESSION = "/api/auth/session"
ADDRESS = "ada@example.com"
#: Clients posting the same link at once.
RACERS = 8


def _wrong(code: str) -> str:
    # A well-formed code that is not ``code``.
    return "AAAA-AAAA" if code != "AAAA-AAAA" else "BBBB-BBBB"


@override_settings(USEAUTH_EMAIL_ENABLED=True)
class EmailRaceTests(LiveClientMixin, LiveServerTestCase):
    server_thread_class = BurstServerThread

    def setUp(self):
        self.user = make_user()

    def post(self, route: str, data: dict[str, str]) -> Callable[[], requests.Response]:
        """A browser's POST, ready to send: its own CSRF token and cookie, JSON mode."""
        token, cookie = self.csrf()
        return partial(
            self.send,
            "POST",
            route,
            {"csrftoken": cookie},
            data={**data, "csrfToken": token, "json": "true"},
            timeout=60,
        )

    def issue(self) -> email_tokens.Issued:
        """A sign-in e-mail's secrets for Ada, as if just sent."""
        return email_tokens.issue(ADDRESS, self.user, "/protected/")

    def signed_in_as(self, response: requests.Response) -> Any:
        """The session of the cookies a response set."""
        return self.send("GET", SESSION, dict(response.cookies)).json()

    def test_one_link_posted_at_once_signs_in_once(self):
        # Eight browsers confirm the same link at the same moment (a person
        # double-clicking, a scanner that also posts forms, a thief racing
        # the owner). All find the token live before any spends it; the one
        # DELETE whose count is 1 wins.
        issued = self.issue()
        attempts = [
            self.post(CALLBACK, {"email": ADDRESS, "token": issued.token})
            for _ in range(RACERS)
        ]
        arrived: list[EmailToken] = []
        # The one DELETE whose count decides who spent the token, once all
        # eight found it live. (_together is typed for TOK24's token strings;
        # it hands any one argument on.)
        together = _together(email_tokens._delete, arrived, RACERS)  # type: ignore[arg-type]
        with mock.patch.object(email_tokens, "_delete", together):
            responses = self.at_once(*attempts)
        assert [row.pk for row in arrived] == [issued.row.pk] * RACERS
        statuses = Counter(response.status_code for response in responses)
        assert statuses == {200: 1, 403: RACERS - 1}, statuses
        [winner] = [response for response in responses if response.ok]
        assert winner.json() == {"url": f"{self.live_server_url}/protected/"}
        assert self.signed_in_as(winner)["user"] == ADA
        losers = [response for response in responses if not response.ok]
        assert {tuple(r.json().items()) for r in losers} == {
            (("url", f"{self.live_server_url}/api/auth/error?error=Verification"),)
        }
        for loser in losers:
            assert "sessionid" not in loser.cookies
        assert EmailToken.objects.count() == 0

    def wrong_codes(self, issued: email_tokens.Issued, count: int) -> Counter[int]:
        """``count`` wrong codes for Ada at once, none compared before all went through the sign-in limits; the statuses."""
        attempts = [
            self.post(CALLBACK, {"email": ADDRESS, "code": _wrong(issued.code)})
            for _ in range(count)
        ]
        reached = threading.Event()
        decided: list[throttle.Attempt] = []
        reserve = throttle.reserve

        def counting_reserve(*args: Any, **kwargs: Any) -> throttle.Attempt:
            attempt = reserve(*args, **kwargs)
            decided.append(attempt)
            if len(decided) == count:
                reached.set()
            return attempt

        with (
            mock.patch.object(throttle, "reserve", counting_reserve),
            mock.patch.object(
                email_tokens, "claim_code", _after(reached, email_tokens.claim_code)
            ),
        ):
            responses = self.at_once(*attempts)
        refused = [r for r in responses if r.status_code == 403]
        assert {r.json()["url"] for r in refused} <= {
            f"{self.live_server_url}/api/auth/verify-request?provider=email&type=email&error=Verification"
        }
        return Counter(response.status_code for response in responses)

    def right_code(self, issued: email_tokens.Issued) -> requests.Response:
        return self.post(CALLBACK, {"email": ADDRESS, "code": issued.code})()

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=100)
    def test_a_burst_of_wrong_codes_never_gets_more_tries(self):
        # The sign-in limits raised out of the way: all twenty reach the
        # code, which counts five tries and no more.
        issued = self.issue()
        statuses = self.wrong_codes(issued, 20)
        assert statuses == {403: 20}, statuses
        row = EmailToken.objects.get()
        assert row.code_attempts == 5
        # The code is dead: the right one is refused, and is not counted.
        response = self.right_code(issued)
        assert response.status_code == 403
        assert response.json()["url"].endswith("&error=Verification")
        assert EmailToken.objects.get().code_attempts == 5

    def test_a_burst_of_wrong_codes_within_the_sign_in_limits(self):
        # The default limits: ten tries reach the code (the account's ten
        # failures), the other ten are throttled; the code counts five.
        issued = self.issue()
        statuses = self.wrong_codes(issued, 20)
        assert statuses == {403: 10, 429: 10}, statuses
        assert EmailToken.objects.get().code_attempts == 5
        # The account is locked for now; once the limits forget, the code
        # is still dead.
        locked = self.right_code(issued)
        assert locked.status_code == 429
        assert int(locked.headers["Retry-After"]) > 0
        assert locked.json()["url"].endswith("&error=TooManyAttempts")
        with override_settings(USEAUTH_THROTTLE_ENABLED=False):
            response = self.right_code(issued)
        assert response.status_code == 403
        assert response.json()["url"].endswith("&error=Verification")
        assert EmailToken.objects.count() == 1

    def test_a_burst_of_e_mails_to_one_address(self):
        # Thirty browsers ask for an e-mail to one address at once; no e-mail
        # is sent until all have been through the send limits.
        attempts = [self.post(SIGN_IN, {"email": ADDRESS}) for _ in range(30)]
        reached = threading.Event()
        decided: list[throttle.Attempt] = []
        reserve_email = throttle.reserve_email

        def counting_reserve(*args: Any, **kwargs: Any) -> throttle.Attempt:
            attempt = reserve_email(*args, **kwargs)
            decided.append(attempt)
            if len(decided) == len(attempts):
                reached.set()
            return attempt

        with (
            smtp_server() as smtp,
            mock.patch.object(throttle, "reserve_email", counting_reserve),
            mock.patch.object(
                email_messages.Outbox,
                "send",
                _after(reached, email_messages.Outbox.send),
            ),
        ):
            responses = self.at_once(*attempts)
            statuses = Counter(response.status_code for response in responses)
            assert statuses == {200: 5, 429: 25}, statuses
            for message in range(1, 6):
                smtp.wait_for(ADDRESS, count=message)
            received = smtp.to(ADDRESS)
        assert len(received) == 5
        sent = [r for r in responses if r.ok]
        assert {r.json()["url"] for r in sent} == {
            f"{self.live_server_url}/api/auth/verify-request?provider=email&type=email"
        }
        throttled = [r for r in responses if r.status_code == 429]
        assert {r.json()["url"] for r in throttled} == {
            f"{self.live_server_url}/api/auth/error?error=TooManyEmails&provider=email"
        }
        assert all(int(r.headers["Retry-After"]) > 0 for r in throttled)
        # Only the newest e-mail works: each sent one superseded the older rows.
        assert EmailToken.objects.count() == 1
        opened = [
            self.send(
                "GET",
                message.link.removeprefix(self.live_server_url),
                {},
                allow_redirects=False,
            ).status_code
            for message in received
        ]
        assert sorted(opened) == [200, 302, 302, 302, 302], opened
