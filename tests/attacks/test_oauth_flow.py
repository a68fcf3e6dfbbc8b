"""ATTACKS B1–B10 and N4: the OAuth flow, over real HTTP to a real identity provider."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from unittest import mock
from urllib.parse import parse_qs
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.db import connection
from django.db import transaction
from django.test import TransactionTestCase
from django.test import override_settings
from social_django.models import Nonce
from social_django.models import Partial
from social_django.models import UserSocialAuth

from tests.attacks.oauth_base import OAuthAttackTestCase
from tests.attacks.oauth_base import pipeline_with
from tests.idp import EMAIL
from tests.utils import PASSWORD
from tests.utils import make_user

XSS = "<script>alert(1)</script>"


class OAuthAttackTests(OAuthAttackTestCase):
    def test_B1_oauth_start_by_get(self):
        # An <img> or a top-level navigation from an attacker's page.
        browser = self.browser()
        response = self.get(browser, self.url("/api/auth/signin/idp-a?callbackUrl=/p"))
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "Location" not in response.headers
        # The page's button is the CSRF-checked POST that starts the flow.
        assert (
            '<form class="useauth-provider" method="post" action="/api/auth/signin/idp-a">'
            in response.text
        )
        assert "Sign in with IdP A" in response.text
        # No flow started: no session was even created, and no state was issued.
        assert "sessionid" not in browser.cookies
        assert Nonce.objects.count() == 0
        # The same for a browser with a session (signed in).
        make_user("ada")
        self.sign_in_with_password(browser, "ada")
        response = self.get(browser, self.url("/api/auth/signin/idp-a"))
        assert response.status_code == 200
        assert "Location" not in response.headers
        assert not [key for key in self.stored_session(browser) if "state" in key]
        assert Nonce.objects.count() == 0
        assert self.session(browser)["user"]["email"] == "ada@example.com"
        assert self.provider_calls.call_count == 0

    def test_B2_callback_without_state_or_with_wrong_state(self):
        browser = self.browser()
        callback = self.to_callback(browser, self.start(browser))
        base, query = callback.split("?")
        code = parse_qs(query)["code"][0]
        # A refusal spoils nothing: the state and the flow's callbackUrl stay
        # for the real callback.
        refused = self.error_location("OAuthCallback", "/protected/")
        for params, location in (
            ({"code": code, "state": "WRONG"}, refused),
            ({"code": code}, refused),
            ({"code": code, "state": ""}, refused),
            ({"code": code, "state": "x" * 200}, refused),
        ):
            response = self.get(browser, f"{base}?{urlencode(params)}")
            self.assert_refused(response, browser, location)
            assert self.token_exchanges() == []
        # The code was never spent (the IdP's codes are single-use): the
        # browser's own callback still signs in, with one exchange, and lands
        # where the flow was meant to.
        response = self.get(browser, callback)
        assert response.headers["Location"] == self.url("/protected/")
        assert self.session(browser)["user"]["email"] == EMAIL
        assert self.token_exchanges() == [("idp-a", code)]

    def test_B3_callback_with_no_flow_started(self):
        # The attacker's own code and state, from the attacker's own flow.
        attacker = self.browser()
        attackers_callback = self.to_callback(attacker, self.start(attacker))
        base, query = attackers_callback.split("?")
        params = dict(parse_qsl(query))
        victim = self.browser()
        for response in (
            self.get(victim, attackers_callback),
            self.get(victim, f"{base}?{urlencode({**params, 'state': 'ANY'})}"),
            # The callback also answers POST (form_post); no CSRF token there either.
            victim.post(base, data=params, allow_redirects=False),
        ):
            self.assert_refused(response, victim, self.error_location("OAuthCallback"))
        assert self.token_exchanges() == []
        assert User.objects.count() == 0
        assert UserSocialAuth.objects.count() == 0

    def test_B4_state_replay(self):
        browser = self.browser()
        authorize = self.start(browser)
        state = parse_qs(urlsplit(authorize).query)["state"][0]
        assert f"idp-a_oauth2_state_{state}" in self.stored_session(browser)
        assert Nonce.objects.count() == 1
        callback = self.to_callback(browser, authorize)
        code = parse_qs(urlsplit(callback).query)["code"][0]
        response = self.get(browser, callback)
        assert response.headers["Location"] == self.url("/protected/")
        user = UserSocialAuth.objects.get().user
        # Spent: gone from the session and from the store.
        stored = self.stored_session(browser)
        assert stored["_auth_user_id"] == str(user.pk)
        assert not [key for key in stored if "state" in key]
        assert Nonce.objects.count() == 0
        session_key = browser.cookies["sessionid"]
        # Replayed by the same browser: refused, and it stays who it was.
        response = self.get(browser, callback)
        assert response.status_code == 302
        assert response.headers["Location"] == self.error_location("OAuthCallback")
        assert browser.cookies["sessionid"] == session_key
        assert self.stored_session(browser)["_auth_user_id"] == str(user.pk)
        # Replayed by another browser: refused, nobody signed in there.
        other = self.browser()
        self.assert_refused(
            self.get(other, callback), other, self.error_location("OAuthCallback")
        )
        assert self.token_exchanges() == [("idp-a", code)]
        assert User.objects.count() == 1

    def test_B5_state_from_another_provider(self):
        browser = self.browser()
        authorize = self.start(browser, "idp-a")
        state = parse_qs(urlsplit(authorize).query)["state"][0]
        callback_a = self.to_callback(browser, authorize, "idp-a")
        code = parse_qs(urlsplit(callback_a).query)["code"][0]
        to_b = callback_a.replace("/callback/idp-a?", "/callback/idp-b?")
        # The state is kept under the provider's own key, not a shared one.
        stored = self.stored_session(browser)
        assert f"idp-a_oauth2_state_{state}" in stored
        assert not [key for key in stored if key.startswith("idp-b")]
        self.assert_refused(
            self.get(browser, to_b),
            browser,
            # idp-b has no flow, so no callbackUrl: A's is not B's.
            self.error_location("OAuthCallback"),
        )
        # Again with a flow of idp-b's own pending in the same browser.
        self.start(browser, "idp-b", "/b/")
        self.assert_refused(
            self.get(browser, to_b),
            browser,
            self.error_location("OAuthCallback", "/b/"),
        )
        assert self.token_exchanges() == []
        # A's state was not spent at B: A's own callback still signs in, and
        # lands on A's callbackUrl (B's flow has its own).
        response = self.get(browser, callback_a)
        assert response.headers["Location"] == self.url("/protected/")
        assert self.token_exchanges() == [("idp-a", code)]
        assert UserSocialAuth.objects.get().provider == "idp-a"

    def test_B6_account_linking_by_csrf_while_signed_in(self):
        victim_user = make_user("victim")
        victim = self.browser()
        self.sign_in_with_password(victim, "victim")
        session_key = victim.cookies["sessionid"]
        attacker = self.browser()
        attackers_callback = self.to_callback(attacker, self.start(attacker))
        response = self.get(victim, attackers_callback)
        assert response.headers["Location"] == self.error_location("OAuthCallback")
        # The same while the victim has a flow of their own pending.
        self.start(victim)
        response = self.get(victim, attackers_callback)
        assert response.headers["Location"] == self.error_location(
            "OAuthCallback", "/protected/"
        )
        assert self.token_exchanges() == []
        assert UserSocialAuth.objects.count() == 0
        assert victim.cookies["sessionid"] == session_key
        assert self.stored_session(victim)["_auth_user_id"] == str(victim_user.pk)
        assert self.session(victim)["user"] == {
            "name": "Ada Lovelace",
            "email": "victim@example.com",
            "image": None,
        }
        # Nor did the IdP's profile reach the victim's account.
        victim_user.refresh_from_db()
        assert (victim_user.first_name, victim_user.email) == (
            "Ada",
            "victim@example.com",
        )

    def test_B7_association_by_email(self):
        local = make_user("local", email=EMAIL)
        password = local.password
        browser = self.browser()
        response = self.get(browser, self.to_callback(browser, self.start(browser)))
        assert response.headers["Location"] == self.url("/protected/")
        # Signed in, as a new user with the same address; not as the local one.
        social = UserSocialAuth.objects.get()
        assert social.user != local
        assert (social.provider, social.user.email) == ("idp-a", EMAIL)
        assert self.stored_session(browser)["_auth_user_id"] == str(social.user.pk)
        assert self.session(browser)["user"]["name"] == "Ida Provider"
        assert User.objects.count() == 2
        local.refresh_from_db()
        assert local.password == password
        assert local.check_password(PASSWORD)
        assert not local.social_auth.exists()
        assert (local.username, local.first_name) == ("local", "Ada")

    def test_B8_uid_compared_case_sensitively_over_http(self):
        # The IdP's sub is a number; its preferred_username has a case.
        impostor = make_user("impostor")
        UserSocialAuth.objects.create(
            user=impostor, provider="idp-a", uid="IDP-DEMO", id_key="preferred_username"
        )
        with self.settings(SOCIAL_AUTH_IDP_A_ID_KEY="preferred_username"):
            for _ in range(2):  # a new account, then the same one again
                browser = self.browser()
                response = self.get(
                    browser, self.to_callback(browser, self.start(browser))
                )
                assert response.headers["Location"] == self.url("/protected/")
                owner = UserSocialAuth.objects.get(uid="idp-demo").user
                assert self.stored_session(browser)["_auth_user_id"] == str(owner.pk)
        assert owner != impostor
        assert User.objects.count() == 2
        assert UserSocialAuth.objects.get(uid="IDP-DEMO").user == impostor

    def interrupted_flow(self, browser: requests.Session) -> str:
        """Run a flow up to the pipeline's question; return the resume URL (partial token)."""
        response = self.get(browser, self.to_callback(browser, self.start(browser)))
        assert response.status_code == 302
        location = response.headers["Location"]
        assert location.startswith("/plain/?partial_token=")
        assert self.session(browser) == {}
        token = location.split("=", 1)[1]
        return self.url(f"/api/auth/callback/idp-a?partial_token={token}&confirmed=yes")

    @override_settings(SOCIAL_AUTH_PIPELINE=pipeline_with("hold"))
    def test_B9_partial_pipeline_resume_from_another_browser(self):
        first = self.browser()
        resume = self.interrupted_flow(first)
        # The link, used by another browser: refused, the flow not taken over.
        other = self.browser()
        response = self.get(other, resume)
        self.assert_refused(response, other, self.error_location("Callback"))
        assert User.objects.count() == 0
        assert Partial.objects.count() == 1
        # The browser that started it can still finish it.
        response = self.get(first, resume)
        assert response.headers["Location"] == self.url("/protected/")
        assert self.session(first)["user"]["email"] == EMAIL
        assert self.session(other) == {}
        assert len(self.token_exchanges()) == 1

    @override_settings(SOCIAL_AUTH_PIPELINE=pipeline_with("hold_for_link"))
    def test_B9_external_resume_asks_for_confirmation_first(self):
        # A step made for links sent by email may be resumed elsewhere, but
        # only after a confirmation page (social-app-django 6); a GET alone
        # signs nobody in.
        resume = self.interrupted_flow(self.browser())
        other = self.browser()
        response = self.get(other, resume)
        assert response.status_code == 200
        assert "<title>Continue authentication</title>" in response.text
        assert 'name="partial_pipeline_confirm"' in response.text
        assert self.session(other) == {}
        assert User.objects.count() == 0

    def test_B10_oauth_error_passthrough(self):
        hostile = {
            "error": "access_denied",
            "error_description": XSS,
            "error_uri": "javascript:alert(1)",
        }
        # An attacker's link, and the same answer to a flow the browser started.
        attacker_link = self.browser()
        in_flow = self.browser()
        state = parse_qs(urlsplit(self.start(in_flow)).query)["state"][0]
        for browser, params, location in (
            (attacker_link, hostile, self.error_location("AccessDenied")),
            (
                in_flow,
                {**hostile, "state": state},
                self.error_location("AccessDenied", "/protected/"),
            ),
        ):
            response = self.get(
                browser, self.url(f"/api/auth/callback/idp-a?{urlencode(params)}")
            )
            page = self.assert_refused(response, browser, location)
            assert page.status_code == 403
            assert "Access Denied" in page.text
            for text in (response.headers["Location"], page.text):
                assert "alert" not in text
                assert "script" not in text.lower()
        assert self.token_exchanges() == []

    def race(self, *, refused_first: bool) -> dict[str, requests.Session]:
        """Deliver one valid callback twice at once; return the two browsers by where they went.

        Both requests have read the session that holds the unspent state
        before either spends it. The state's single use is then decided by the
        store; which request finishes first is set by ``refused_first``. (The
        two requests spend it one after the other, and the one that finishes
        second waits for the other: with SQLite's in-memory test database the
        live server's threads share one connection, and that connection cannot
        run two transactions at once.)
        """
        browser = self.browser()
        callback = self.to_callback(browser, self.start(browser))
        code = parse_qs(urlsplit(callback).query)["code"][0]
        twins = [self.browser(browser.cookies), self.browser(browser.cookies)]
        both_read = threading.Barrier(2, timeout=10)
        one_at_a_time = threading.Lock()
        first_done = threading.Event()
        consume = Nonce.consume

        def consume_in_turn(*args: Any) -> bool:
            both_read.wait()
            with one_at_a_time:
                spent: bool = consume(*args)
            if spent is refused_first:
                first_done.wait(timeout=10)
            return spent

        def deliver(twin: requests.Session) -> requests.Response:
            response = self.get(twin, callback)
            first_done.set()
            return response

        with (
            mock.patch.object(Nonce, "consume", side_effect=consume_in_turn),
            ThreadPoolExecutor(max_workers=2) as pool,
        ):
            responses = list(pool.map(deliver, twins))
        # One exchange of the code, one user, one link, one signed-in browser.
        assert self.token_exchanges() == [("idp-a", code)]
        assert User.objects.count() == 1
        assert UserSocialAuth.objects.count() == 1
        by_outcome = {
            response.headers.get("Location", str(response.status_code)): twin
            for response, twin in zip(responses, twins, strict=True)
        }
        assert len(by_outcome) == 2
        assert (
            self.session(by_outcome[self.url("/protected/")])["user"]["email"] == EMAIL
        )
        return by_outcome

    def test_N4_oauth_callback_replay_in_parallel(self):
        refused = self.error_location("OAuthCallback", "/protected/")
        by_outcome = self.race(refused_first=True)
        assert set(by_outcome) == {self.url("/protected/"), refused}
        loser = by_outcome[refused]
        assert self.session(loser) == {}
        page = loser.get(refused)
        assert page.status_code == 200
        assert page.url == self.url(
            "/api/auth/signin?error=OAuthCallback&callbackUrl=%2Fprotected%2F"
        )

    def test_N4_oauth_callback_replay_in_parallel_refused_one_last(self):
        # The refused request ends after the other has signed in, which
        # replaced the session both came with; the refusal changes nothing in
        # it, so it answers the error page too.
        refused = self.error_location("OAuthCallback", "/protected/")
        by_outcome = self.race(refused_first=False)
        assert set(by_outcome) == {self.url("/protected/"), refused}
        assert self.session(by_outcome[refused]) == {}


#: The migration docs/oauth.md gives for MySQL and MariaDB, whose default
#: collations compare the provider uid case-insensitively.
MYSQL_CASE_SENSITIVE_UID = (
    "ALTER TABLE social_auth_usersocialauth "
    "MODIFY uid varchar(255) COLLATE utf8mb4_bin NOT NULL"
)


class ProviderUidTests(TransactionTestCase):
    # A TransactionTestCase: on MySQL the ALTER TABLE commits on its own.
    def test_B8_uid_compared_case_sensitively_in_storage(self):
        # CVE-2024-32879: on MySQL/MariaDB a case-insensitive collation made
        # "abc" find the account of "AbC". social-app-django now compares in
        # Python too. This runs on the test database's engine: SQLite in
        # `make test`, PostgreSQL and MariaDB in CI (--ds=tests.settings_services,
        # --ds=tests.settings_mariadb).
        first = make_user("first")
        UserSocialAuth.objects.create(user=first, provider="oidc", uid="AbC")
        # On every engine, never the other person's account.
        assert UserSocialAuth.get_social_auth("oidc", "abc") is None
        if connection.vendor == "mysql":  # pragma: no cover - CI's MariaDB run
            # The default collation refuses "abc" beside "AbC": that person
            # could not sign in at all. The documented migration fixes it.
            with pytest.raises(IntegrityError), transaction.atomic():
                UserSocialAuth.objects.create(
                    user=make_user("refused"), provider="oidc", uid="abc"
                )
            with connection.cursor() as cursor:
                cursor.execute(MYSQL_CASE_SENSITIVE_UID)
        second = make_user("second")
        UserSocialAuth.objects.create(user=second, provider="oidc", uid="abc")
        assert UserSocialAuth.get_social_auth("oidc", "abc").user == second
        assert UserSocialAuth.get_social_auth("oidc", "AbC").user == first
        assert UserSocialAuth.get_social_auth("oidc", "ABC") is None
