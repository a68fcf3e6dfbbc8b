"""Attacks on the OAuth flow (ATTACKS.md group B, B1–B10, and N4), over real HTTP.

As in test_oidc.py: the site is a live server, the identity provider is
django-oauth-toolkit in its own process (tests/idp.py) and each browser is a
``requests.Session``. Two OpenID Connect providers, ``idp-a`` and ``idp-b``,
point at the same IdP with a client each, so that state can be carried from
one to the other (B5). The browsers share one IdP sign-in, made once for the
class: the IdP answers the authorize request with the redirect to the site.

Every call the site makes to a provider goes through social-core's
``BaseAuth.request``, which the tests spy on: a rejected callback must not
reach the token endpoint. Every response, of the site or of the IdP, is
checked for a status below 500.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from copy import copy
from importlib import import_module
from typing import Any
from unittest import mock
from urllib.parse import parse_qs
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.db import connection
from django.db import transaction
from django.http import HttpResponse
from django.test import LiveServerTestCase
from django.test import TransactionTestCase
from django.test import override_settings
from social_core.backends.base import BaseAuth
from social_core.backends.open_id_connect import OpenIdConnectAuth
from social_core.pipeline import DEFAULT_AUTH_PIPELINE
from social_core.pipeline.partial import partial
from social_core.pipeline.partial import partial_step
from social_django.models import Nonce
from social_django.models import Partial
from social_django.models import UserSocialAuth

from tests.idp import EMAIL
from tests.idp import IdentityProvider
from tests.idp import sign_in_at_idp
from tests.utils import PASSWORD
from tests.utils import make_user

CLIENTS = {"idp-a": "useauth-attacks-a", "idp-b": "useauth-attacks-b"}
SECRET = "useauth-attacks-secret"
XSS = "<script>alert(1)</script>"


class IdpA(OpenIdConnectAuth[HttpResponse]):
    name = "idp-a"
    title = "IdP A"


class IdpB(OpenIdConnectAuth[HttpResponse]):
    name = "idp-b"
    title = "IdP B"


def _hold(strategy, current_partial, *args, **kwargs):
    # A pipeline step that asks the user something ("confirm", here) before
    # the account is created, the way an "ask for email" step does.
    if strategy.request_data().get("confirmed") == "yes":
        return None
    return strategy.redirect(f"/plain/?partial_token={current_partial.token}")


#: The step as social-core's ``partial`` makes it: resumable by its own session only.
hold = partial(_hold)
#: The step as an emailed validation link makes it: resumable from elsewhere.
hold_for_link = partial_step(save_to_session=True, allow_external_resume=True)(_hold)


def pipeline_with(step: str) -> tuple[str, ...]:
    # After social_user (the uid is known), before the user is created.
    index = DEFAULT_AUTH_PIPELINE.index("social_core.pipeline.social_auth.social_user")
    return (
        *DEFAULT_AUTH_PIPELINE[: index + 1],
        f"tests.test_attacks_oauth.{step}",
        *DEFAULT_AUTH_PIPELINE[index + 1 :],
    )


def check_status(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    assert response.status_code < 500, (response.url, response.status_code)


class OAuthAttackTests(LiveServerTestCase):
    host = "127.0.0.1"
    idp: IdentityProvider
    idp_cookie: Any

    @classmethod
    def setUpClass(cls) -> None:
        cls.idp = IdentityProvider()
        cls.addClassCleanup(cls.idp.stop)
        cls.idp.start()
        providers: dict[str, Any] = {}
        for name, client_id in CLIENTS.items():
            prefix = f"SOCIAL_AUTH_{name.upper().replace('-', '_')}"
            providers |= {
                f"{prefix}_OIDC_ENDPOINT": cls.idp.issuer,
                f"{prefix}_KEY": client_id,
                f"{prefix}_SECRET": SECRET,
                f"{prefix}_USE_PKCE": True,
            }
        overrides = override_settings(
            AUTHENTICATION_BACKENDS=[
                "tests.test_attacks_oauth.IdpA",
                "tests.test_attacks_oauth.IdpB",
                "django.contrib.auth.backends.ModelBackend",
            ],
            **providers,
        )
        overrides.enable()
        cls.addClassCleanup(overrides.disable)
        super().setUpClass()
        for name, client_id in CLIENTS.items():
            callback = f"{cls.live_server_url}/api/auth/callback/{name}"
            cls.idp.register(client_id, SECRET, callback)
        # One sign-in at the IdP for every browser of the class.
        with requests.Session() as browser:
            sign_in_at_idp(
                browser,
                f"{cls.idp.origin}/accounts/login/?next=/o/.well-known/openid-configuration",
            )
            cls.idp_cookie = next(
                c for c in browser.cookies if c.name == "idp_sessionid"
            )

    def setUp(self) -> None:
        # social-core and the site log each refused callback; the tests assert the outcome.
        logging.disable(logging.WARNING)
        self.addCleanup(logging.disable, logging.NOTSET)
        spy = mock.patch.object(
            BaseAuth, "request", autospec=True, side_effect=BaseAuth.request
        )
        self.provider_calls = spy.start()
        self.addCleanup(spy.stop)

    # -- helpers -------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"{self.live_server_url}{path}"

    def browser(
        self, cookies: requests.cookies.RequestsCookieJar | None = None
    ) -> requests.Session:
        """A new browser, signed in at the IdP (or with a copy of ``cookies``)."""
        browser = requests.Session()
        self.addCleanup(browser.close)
        browser.hooks["response"].append(check_status)
        for cookie in cookies or [self.idp_cookie]:
            browser.cookies.set_cookie(copy(cookie))
        return browser

    def get(self, browser: requests.Session, url: str) -> requests.Response:
        return browser.get(url, allow_redirects=False)

    def csrf(self, browser: requests.Session) -> str:
        token: str = browser.get(self.url("/api/auth/csrf")).json()["csrfToken"]
        return token

    def start(
        self,
        browser: requests.Session,
        provider: str = "idp-a",
        callback_url: str = "/protected/",
    ) -> str:
        """``POST signin/<provider>`` in JSON mode, as nuxt-auth does; return the authorize URL."""
        response = browser.post(
            self.url(f"/api/auth/signin/{provider}"),
            data={
                "csrfToken": self.csrf(browser),
                "callbackUrl": callback_url,
                "json": "true",
            },
        )
        assert response.status_code == 200, response.text
        url: str = response.json()["url"]
        assert url.startswith(f"{self.idp.issuer}/authorize/?")
        return url

    def to_callback(
        self, browser: requests.Session, authorize_url: str, provider: str = "idp-a"
    ) -> str:
        """Follow the IdP's answer up to the redirect back to the site; return that URL."""
        response = self.get(browser, authorize_url)
        assert response.status_code == 302, response.text
        location = response.headers["Location"]
        assert location.startswith(self.url(f"/api/auth/callback/{provider}?")), (
            location
        )
        return location

    def sign_in_with_password(self, browser: requests.Session, username: str) -> None:
        response = browser.post(
            self.url("/api/auth/callback/credentials"),
            data={
                "csrfToken": self.csrf(browser),
                "username": username,
                "password": PASSWORD,
                "json": "true",
            },
        )
        assert response.json() == {"url": self.url("/")}

    def session(self, browser: requests.Session) -> dict[str, Any]:
        """``GET /api/auth/session``, as the client sees it."""
        response = browser.get(self.url("/api/auth/session"))
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        return body

    def stored_session(self, browser: requests.Session) -> dict[str, Any]:
        """The server side of the browser's session: what its cookie maps to."""
        key = browser.cookies.get("sessionid")
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
        data: dict[str, Any] = store.load()
        return data

    def token_exchanges(self) -> list[tuple[str, str]]:
        """(provider, code) of every call the site made to the IdP's token endpoint."""
        return [
            (call.args[0].name, call.kwargs["data"]["code"])
            for call in self.provider_calls.call_args_list
            if call.args[1] == f"{self.idp.issuer}/token/"
        ]

    def error_location(self, code: str, callback_url: str | None = None) -> str:
        query = {"error": code}
        if callback_url is not None:
            query["callbackUrl"] = callback_url
        return self.url(f"/api/auth/error?{urlencode(query)}")

    def assert_refused(
        self,
        response: requests.Response,
        browser: requests.Session,
        location: str,
    ) -> requests.Response:
        """A 302 to exactly ``location``, nobody signed in; return the page it leads to."""
        assert response.status_code == 302, (response.status_code, response.text)
        assert response.headers["Location"] == location
        page = browser.get(location)
        assert page.status_code in (200, 403)
        assert self.session(browser) == {}
        return page

    # -- B1 --------------------------------------------------------------------

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

    # -- B2 --------------------------------------------------------------------

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

    # -- B3 --------------------------------------------------------------------

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

    # -- B4 --------------------------------------------------------------------

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

    # -- B5 --------------------------------------------------------------------

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

    # -- B6 --------------------------------------------------------------------

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

    # -- B7 --------------------------------------------------------------------

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

    # -- B8 --------------------------------------------------------------------

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

    # -- B9 --------------------------------------------------------------------

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

    # -- B10 -------------------------------------------------------------------

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

    # -- N4 --------------------------------------------------------------------

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
