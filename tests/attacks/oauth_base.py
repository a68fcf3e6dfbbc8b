"""The live site and identity provider of the OAuth attack tests (test_oauth_flow.py)."""

from __future__ import annotations

from copy import copy
from typing import Any
from typing import ClassVar
from unittest import mock
from urllib.parse import urlencode

import requests
from django.http import HttpResponse
from social_core.backends.base import BaseAuth
from social_core.backends.open_id_connect import OpenIdConnectAuth
from social_core.pipeline import DEFAULT_AUTH_PIPELINE
from social_core.pipeline.partial import partial
from social_core.pipeline.partial import partial_step

from tests.idp import IdpTestCase
from tests.idp import sign_in_at_idp
from tests.utils import PASSWORD
from tests.utils import store


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
        f"tests.attacks.oauth_base.{step}",
        *DEFAULT_AUTH_PIPELINE[index + 1 :],
    )


def check_status(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    assert response.status_code < 500, (response.url, response.status_code)


class OAuthAttackTestCase(IdpTestCase):
    """A live site beside a real identity provider, and browsers to drive them.

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

    providers: ClassVar[dict[str, tuple[str, str]]] = {
        "idp-a": ("tests.attacks.oauth_base.IdpA", "useauth-attacks-a"),
        "idp-b": ("tests.attacks.oauth_base.IdpB", "useauth-attacks-b"),
    }
    secret = "useauth-attacks-secret"
    idp_cookie: Any

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
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
        super().setUp()
        spy = mock.patch.object(
            BaseAuth, "request", autospec=True, side_effect=BaseAuth.request
        )
        self.provider_calls = spy.start()
        self.addCleanup(spy.stop)

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

    def start(
        self,
        browser: requests.Session,
        provider: str = "idp-a",
        callback_url: str = "/protected/",
    ) -> str:
        """``POST signin/<provider>`` in JSON mode; return the authorize URL, at the IdP."""
        url = self.sign_in_json(browser, provider, callback_url)
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

    def stored_session(self, browser: requests.Session) -> dict[str, Any]:
        """The server side of the browser's session: what its cookie maps to."""
        data: dict[str, Any] = store(browser.cookies.get("sessionid")).load()
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
