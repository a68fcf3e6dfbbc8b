"""OAuth / OpenID Connect end to end, over real HTTP, against a real identity provider.

The site under test is a live server (the test settings plus social-core's
generic ``OpenIdConnectAuth`` backend, id ``oidc``); the identity provider is
django-oauth-toolkit in its own process (tests/idp.py); the browser is a
``requests.Session``. Every failure must end on its NextAuth error code with
nobody signed in, never a 500.
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urljoin
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import requests
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from social_django.models import UserSocialAuth

from tests.expected import IDP_USER
from tests.idp import EMAIL
from tests.idp import IdpTestCase
from tests.idp import form_fields
from tests.idp import sign_in_at_idp

CLIENT_ID = "useauth-tests"
CONSENT_CLIENT_ID = "useauth-tests-consent"
SECRET = "useauth-tests-secret"


class OIDCTests(IdpTestCase):
    providers: ClassVar[dict[str, tuple[str, str]]] = {
        "oidc": ("social_core.backends.open_id_connect.OpenIdConnectAuth", CLIENT_ID)
    }
    secret = SECRET

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.idp.register(
            CONSENT_CLIENT_ID, SECRET, cls.callback_url("oidc"), consent=True
        )

    def setUp(self) -> None:
        super().setUp()
        self.browser = requests.Session()
        self.addCleanup(self.browser.close)

    # -- helpers -------------------------------------------------------------

    def csrf(self, browser: requests.Session | None = None) -> str:
        return super().csrf(browser or self.browser)

    def start(
        self,
        callback_url: str = "/protected/?x=1",
        browser: requests.Session | None = None,
        **extra: str,
    ) -> str:
        """POST signin/oidc in JSON mode, as nuxt-auth does; return the authorize URL."""
        return self.sign_in_json(browser or self.browser, "oidc", callback_url, **extra)

    def to_callback(
        self, authorize_url: str, browser: requests.Session | None = None
    ) -> str:
        """Follow the IdP (login form included) up to the redirect back to the site; return that URL."""
        browser = browser or self.browser
        response = browser.get(authorize_url, allow_redirects=False)
        assert response.status_code == 302, response.text
        location = urljoin(authorize_url, response.headers["Location"])
        if location.startswith(self.idp.origin + "/accounts/login/"):
            response = sign_in_at_idp(browser, location)
            assert response.status_code == 302, response.text
            location = urljoin(authorize_url, response.headers["Location"])
        assert location.startswith(self.url("/api/auth/callback/oidc?")), location
        return location

    def sign_in_at_the_idp(self, authorize_url: str) -> requests.Response:
        """Go to ``authorize_url``, sign in on the IdP's login form it sends to; the IdP's answer."""
        response = self.browser.get(authorize_url, allow_redirects=False)
        return sign_in_at_idp(
            self.browser, urljoin(authorize_url, response.headers["Location"])
        )

    def callback(
        self, url: str, browser: requests.Session | None = None
    ) -> requests.Response:
        response = (browser or self.browser).get(url, allow_redirects=False)
        assert response.status_code == 302, (response.status_code, response.text)
        return response

    def session(self, browser: requests.Session | None = None) -> dict[str, Any]:
        return super().session(browser or self.browser)

    def assert_error(
        self,
        response: requests.Response,
        code: str,
        browser: requests.Session | None = None,
    ) -> None:
        location = response.headers["Location"]
        assert urlsplit(location).path == "/api/auth/error", location
        assert parse_qs(urlsplit(location).query)["error"] == [code], location
        # The page the browser lands on is no 500 either.
        page = (browser or self.browser).get(location)
        assert page.status_code < 500, page.status_code
        assert self.session(browser) == {}

    # -- the round trip --------------------------------------------------------

    def test_round_trip(self):
        authorize = self.start()
        query = parse_qs(urlsplit(authorize).query)
        assert authorize.startswith(self.idp.issuer + "/authorize/")
        assert query["client_id"] == [CLIENT_ID]
        assert query["redirect_uri"] == [self.url("/api/auth/callback/oidc")]
        assert query["code_challenge_method"] == ["S256"]
        assert query["response_type"] == ["code"]
        assert set(query["scope"][0].split()) == {"openid", "profile", "email"}
        assert "nonce" in query and "state" in query

        response = self.callback(self.to_callback(authorize))
        assert response.headers["Location"] == self.url("/protected/?x=1")
        assert self.browser.get(response.headers["Location"]).text == "protected"
        session = self.session()
        assert session["user"] == IDP_USER
        assert session["expires"].endswith("Z")

    def test_second_sign_in_reuses_the_account(self):
        self.callback(self.to_callback(self.start()))
        token = self.csrf()
        self.browser.post(
            self.url("/api/auth/signout"), data={"csrfToken": token, "json": "true"}
        )
        assert self.session() == {}
        # The IdP remembers the user: no login form this time.
        response = self.callback(self.to_callback(self.start("/")))
        assert response.headers["Location"] == self.url("/")
        assert self.session()["user"]["email"] == EMAIL
        assert User.objects.count() == 1
        assert UserSocialAuth.objects.count() == 1

    def test_decorator_round_trip(self):
        # An anonymous visit to an @auth_required page → sign-in page →
        # provider button → IdP → back to the page with its query string.
        response = self.browser.get(
            self.url("/protected/?x=1&y=2"), allow_redirects=False
        )
        assert response.status_code == 302
        page = self.browser.get(urljoin(self.url("/"), response.headers["Location"]))
        assert page.status_code == 200
        button = page.text.index('action="/api/auth/signin/oidc"')
        fields = form_fields(page.text[button : page.text.index("</form>", button)])
        assert fields["callbackUrl"] == "/protected/?x=1&y=2"
        response = self.browser.post(
            self.url("/api/auth/signin/oidc"), data=fields, allow_redirects=False
        )
        assert response.status_code == 302
        response = self.callback(self.to_callback(response.headers["Location"]))
        assert response.headers["Location"] == self.url("/protected/?x=1&y=2")
        assert self.browser.get(response.headers["Location"]).text == "protected"

    def test_sign_in_from_a_signed_in_credentials_session(self):
        User.objects.create_user("ada", password="pw")
        token = self.csrf()
        self.browser.post(
            self.url("/api/auth/callback/credentials"),
            data={
                "csrfToken": token,
                "username": "ada",
                "password": "pw",
                "json": "true",
            },
        )
        # Signed in as ada, the OAuth account is linked to ada (NextAuth links
        # the account signed in with while a session exists); ada stays signed
        # in. (social-core's user_details step copies the IdP's name and email
        # onto ada unless SOCIAL_AUTH_PROTECTED_USER_FIELDS says otherwise.)
        response = self.callback(self.to_callback(self.start("/")))
        assert response.headers["Location"] == self.url("/")
        assert UserSocialAuth.objects.get().user.username == "ada"
        assert User.objects.count() == 1
        ada = User.objects.get()
        assert self.session()["user"]["name"] == ada.get_full_name()

    # -- failures ------------------------------------------------------------

    def test_user_denies_consent(self):
        with self.settings(SOCIAL_AUTH_OIDC_KEY=CONSENT_CLIENT_ID):
            authorize = self.start()
            consent = self.sign_in_at_the_idp(authorize)
            assert consent.status_code == 200
            fields = form_fields(consent.text)
            assert "allow" not in fields  # "Cancel" submits without it
            response = self.browser.post(
                authorize.split("?")[0], data=fields, allow_redirects=False
            )
            assert response.status_code == 302
            callback = urljoin(authorize, response.headers["Location"])
            assert "error=access_denied" in callback
            response = self.callback(callback)
        assert response.headers["Location"] == self.url(
            "/api/auth/error?error=AccessDenied&callbackUrl=%2Fprotected%2F%3Fx%3D1"
        )
        self.assert_error(response, "AccessDenied")

    def test_consent_given(self):
        with self.settings(SOCIAL_AUTH_OIDC_KEY=CONSENT_CLIENT_ID):
            authorize = self.start()
            consent = self.sign_in_at_the_idp(authorize)
            fields = form_fields(consent.text)
            assert 'name="allow"' in consent.text
            fields["allow"] = "Authorize"  # the submit button
            response = self.browser.post(
                authorize.split("?")[0], data=fields, allow_redirects=False
            )
            response = self.callback(urljoin(authorize, response.headers["Location"]))
        assert response.headers["Location"] == self.url("/protected/?x=1")
        assert self.session()["user"]["email"] == EMAIL

    def test_missing_state(self):
        callback = urlsplit(self.to_callback(self.start()))
        query = {
            key: value
            for key, value in parse_qs(callback.query).items()
            if key != "state"
        }
        without_state = urlunsplit(
            callback._replace(query=urlencode(query, doseq=True))
        )
        self.assert_error(self.callback(without_state), "OAuthCallback")

    def test_replayed_callback(self):
        callback = self.to_callback(self.start())
        self.callback(callback)
        assert self.session()["user"]["email"] == EMAIL
        # An attacker replaying the URL from another browser gets nothing...
        attacker = requests.Session()
        self.addCleanup(attacker.close)
        self.assert_error(self.callback(callback, attacker), "OAuthCallback", attacker)
        # ...and the same browser cannot spend the state twice; it stays who it was.
        response = self.callback(callback)
        assert parse_qs(urlsplit(response.headers["Location"]).query)["error"] == [
            "OAuthCallback"
        ]
        assert self.session()["user"]["email"] == EMAIL

    def test_foreign_state(self):
        # The attacker's own flow, delivered to the victim's browser (login CSRF).
        attacker = requests.Session()
        self.addCleanup(attacker.close)
        attackers_callback = self.to_callback(self.start(browser=attacker), attacker)
        self.start()  # the victim has a flow of their own
        self.assert_error(self.callback(attackers_callback), "OAuthCallback")
        assert UserSocialAuth.objects.count() == 0

    def test_tampered_code(self):
        callback = urlsplit(self.to_callback(self.start()))
        query = parse_qs(callback.query)
        query["code"] = [query["code"][0][::-1]]
        tampered = urlunsplit(callback._replace(query=urlencode(query, doseq=True)))
        self.assert_error(self.callback(tampered), "OAuthCallback")

    def test_pkce_missing(self):
        with self.settings(SOCIAL_AUTH_OIDC_USE_PKCE=False):
            authorize = self.start()
            assert "code_challenge" not in authorize
            # The IdP signs the user in first, then refuses the request.
            response = self.sign_in_at_the_idp(authorize)
            location = urljoin(authorize, response.headers["Location"])
            assert "error=invalid_request" in location
            self.assert_error(self.callback(location), "Callback")

    def test_hostile_callback_url(self):
        for hostile in (
            "//evil.example/x",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\\evil.example",
        ):
            browser = requests.Session()
            self.addCleanup(browser.close)
            response = self.callback(
                self.to_callback(self.start(hostile, browser), browser), browser
            )
            assert response.headers["Location"] == self.url("/"), hostile
            assert self.session(browser)["user"]["email"] == EMAIL

    def test_social_cores_own_redirect_field_is_ignored(self):
        # social-core keeps and follows a redirect posted under the field name
        # it is given; that must not get around the redirect policy.
        field = "_useauth_no_redirect_field"
        for hostile in ("/.//evil.example/x", "https://evil.example/", "/elsewhere/"):
            browser = requests.Session()
            self.addCleanup(browser.close)
            authorize = self.start("/protected/?x=1", browser, **{field: hostile})
            callback = self.to_callback(authorize, browser)
            response = self.callback(
                f"{callback}&{urlencode({field: hostile})}", browser
            )
            assert response.headers["Location"] == self.url("/protected/?x=1"), hostile
            assert self.session(browser)["user"]["email"] == EMAIL
            stored = SessionStore(browser.cookies["sessionid"]).load()
            assert field not in stored

    def test_unknown_provider(self):
        token = self.csrf()
        response = self.browser.post(
            self.url("/api/auth/signin/nosuch"),
            data={"csrfToken": token, "json": "true"},
        )
        assert response.status_code == 404
        assert response.json() == {
            "url": self.url("/api/auth/error?error=InvalidProvider")
        }
        response = self.browser.get(
            self.url("/api/auth/callback/nosuch?code=x&state=y")
        )
        assert response.status_code == 404
        assert self.session() == {}

    def test_get_on_the_sign_in_url(self):
        response = self.browser.get(
            self.url("/api/auth/signin/oidc"), allow_redirects=False
        )
        assert response.status_code == 200
        assert "Sign in with OpenID Connect" in response.text
        # No flow was started: a callback now has no state to match.
        response = self.browser.get(
            self.url("/api/auth/callback/oidc?code=x&state=y"), allow_redirects=False
        )
        self.assert_error(response, "OAuthCallback")

    def test_no_account_linking_by_email(self):
        # B7: a local user with the IdP user's email is not who signs in.
        local = User.objects.create_user("local", email=EMAIL, password="pw")
        self.callback(self.to_callback(self.start()))
        signed_in = UserSocialAuth.objects.get().user
        assert signed_in != local
        assert signed_in.email == EMAIL
