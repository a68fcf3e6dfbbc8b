"""The NextAuth v4 wire contract, over real HTTP.

Each test replays, request for request, what ``next-auth/react`` v4 and
nuxt-auth's authjs ``useAuth()`` send (docs: PROTOCOL.md sections 3 and 8) to a
live server, with a ``requests.Session`` as the browser's cookie jar, and checks
every answer against the endpoint table (PROTOCOL.md section 2). The documented
deviations hold: Django's masked CSRF tokens and ``csrftoken`` cookie, the
``sessionid`` cookie, no callback-url cookie, ``never_cache`` headers, 404 for
unknown providers and actions, 405 for unsupported methods.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urljoin
from urllib.parse import urlsplit

import requests
from django.test import LiveServerTestCase

from tests.utils import PASSWORD
from tests.utils import make_user

#: Django's masked CSRF token (NextAuth's is 64 hex characters).
TOKEN_RE = re.compile(r"[A-Za-z0-9]{64}")

#: ``expires`` as NextAuth writes it: ISO-8601 UTC with milliseconds and a Z.
EXPIRES_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")

#: Django's ``never_cache``, standing in for NextAuth's ``private, no-cache, no-store``.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"

MAX_AGE = timedelta(days=30)

#: ``make_user()``'s session user.
ADA = {"name": "Ada Lovelace", "email": "ada@example.com", "image": None}

#: Codes that ``GET error`` sends on to the sign-in page (PROTOCOL.md section 2).
SIGN_IN_ERRORS = [
    "Signin",
    "OAuthSignin",
    "OAuthCallback",
    "OAuthCreateAccount",
    "EmailCreateAccount",
    "Callback",
    "OAuthAccountNotLinked",
    "EmailSignin",
    "CredentialsSignin",
    "SessionRequired",
]

FORM = "application/x-www-form-urlencoded"


# -- the browser ----------------------------------------------------------------


class Browser:
    """A cookie jar plus the requests ``next-auth/react`` v4 and nuxt-auth make.

    Paths are relative to the origin, as the clients use them. POSTs carry the
    ``Origin`` header a browser adds; nothing else is added beyond what the
    clients set themselves.
    """

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.http = requests.Session()
        # The browser's jar only: no proxies or .netrc from the environment.
        self.http.trust_env = False

    def close(self) -> None:
        self.http.close()

    def url(self, path: str) -> str:
        return self.origin + path

    def fetch_data(self, path: str, **params: str) -> requests.Response:
        """``fetchData(path)`` without a body: a GET with ``Content-Type: application/json``."""
        return self.http.get(
            self.url(f"/api/auth/{path}"),
            params=params,
            headers={"Content-Type": "application/json"},
        )

    def post_json(self, path: str, body: dict[str, Any]) -> requests.Response:
        """``fetchData(path, {body})``: a POST of ``JSON.stringify(body)``."""
        return self.http.post(
            self.url(f"/api/auth/{path}"),
            data=json.dumps(body, separators=(",", ":")),
            headers={"Content-Type": "application/json", "Origin": self.origin},
            allow_redirects=False,
        )

    def post_form(
        self,
        path: str,
        fields: list[tuple[str, str]],
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """A POST of ``new URLSearchParams(fields)``, in that order; redirects are not followed."""
        return self.http.post(
            self.url(f"/api/auth/{path}"),
            data=urlencode(fields),
            headers={"Content-Type": FORM, "Origin": self.origin, **(headers or {})},
            allow_redirects=False,
        )

    def get_page(self, path: str) -> requests.Response:
        """A navigation (``location.href = …``); redirects are not followed."""
        return self.http.get(self.url(path), allow_redirects=False)


# -- response checks --------------------------------------------------------------


def json_body(response: requests.Response, status: int) -> Any:
    """Assert a JSON answer with ``status``, written compactly like NextAuth's; return it."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    data = response.json()
    assert response.text == json.dumps(data, separators=(",", ":"))
    return data


def assert_no_store(response: requests.Response) -> None:
    """Assert the answer is uncacheable and varies on the cookie."""
    assert response.headers["Cache-Control"] == NEVER_CACHE
    assert "Expires" in response.headers
    vary = {v.strip().lower() for v in response.headers["Vary"].split(",")}
    assert "cookie" in vary


def set_cookies(response: requests.Response) -> dict[str, str]:
    """Return the ``Set-Cookie`` headers of ``response`` by cookie name."""
    headers = response.raw.headers.getlist("Set-Cookie")
    return {header.split("=", 1)[0]: header for header in headers}


def cookie_attributes(header: str) -> dict[str, str]:
    """Return the attributes of one ``Set-Cookie`` header, lower-cased names."""
    attributes = {}
    for part in header.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        attributes[name.lower()] = value
    return attributes


def assert_session_cookie(response: requests.Response) -> None:
    """Assert ``response`` sets the session cookie (``Path=/; HttpOnly; SameSite=Lax``, 30 days)."""
    header = set_cookies(response)["sessionid"]
    assert re.match(r"sessionid=[a-z0-9]{32,};", header), header
    attributes = cookie_attributes(header)
    assert attributes["path"] == "/"
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "lax"
    max_age = int(attributes["max-age"])
    assert abs(max_age - MAX_AGE.total_seconds()) < 60


def assert_session_cookie_deleted(response: requests.Response) -> None:
    attributes = cookie_attributes(set_cookies(response)["sessionid"])
    assert attributes["max-age"] == "0"
    assert attributes["path"] == "/"


def assert_expires(value: str) -> None:
    """Assert ``value`` is ``expires`` in NextAuth's format, about ``MAX_AGE`` from now."""
    assert EXPIRES_RE.fullmatch(value), value
    moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(moment - (datetime.now(UTC) + MAX_AGE)) < timedelta(minutes=1)


def assert_session(data: Any) -> None:
    """Assert the whole signed-in session object: ``{"user": {…}, "expires"}``."""
    assert data == {"user": ADA, "expires": data["expires"]}
    assert list(data) == ["user", "expires"]
    assert list(data["user"]) == ["name", "email", "image"]
    assert_expires(data["expires"])


def next_auth_sign_in_result(response: requests.Response) -> dict[str, Any]:
    """What ``signIn(…, {redirect: false})`` of next-auth v4 resolves to (PROTOCOL.md section 3, step 7)."""
    url = response.json()["url"]
    parts = urlsplit(url)
    # new URL(data.url) has no base: a relative url would throw.
    assert parts.scheme in ("http", "https") and parts.netloc, url
    error = parse_qs(parts.query, keep_blank_values=True).get("error", [None])[0]
    ok = 200 <= response.status_code < 300
    return {
        "error": error,
        "status": response.status_code,
        "ok": ok,
        "url": None if error else url,
    }


def nuxt_auth_sign_in_result(response: requests.Response) -> dict[str, Any]:
    """What nuxt-auth's ``signIn(…, {redirect: false})`` returns (PROTOCOL.md section 8)."""
    url = response.json()["url"]
    error = parse_qs(urlsplit(url).query, keep_blank_values=True).get("error", [None])[
        0
    ]
    return {"error": error, "status": 200, "ok": True, "url": None if error else url}


@dataclass
class Form:
    action: str
    method: str
    inputs: dict[str, tuple[str, str]] = field(default_factory=dict)

    def hidden(self) -> dict[str, str]:
        return {
            name: value
            for name, (input_type, value) in self.inputs.items()
            if input_type == "hidden"
        }


class FormParser(HTMLParser):
    """Collect the forms of a page and their inputs (name: (type, value))."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                Form(attributes.get("action", ""), attributes.get("method", "get"))
            )
        elif tag == "input" and self.forms:
            self.forms[-1].inputs[attributes.get("name", "")] = (
                attributes.get("type", "text"),
                attributes.get("value", ""),
            )


def html_forms(response: requests.Response) -> list[Form]:
    """Assert an HTML page and return its forms, with actions made absolute."""
    assert response.headers["Content-Type"].split(";")[0] == "text/html"
    parser = FormParser()
    parser.feed(response.text)
    for form in parser.forms:
        form.action = urljoin(response.url, form.action)
        form.method = form.method.lower()
    return parser.forms


def location(response: requests.Response) -> str:
    """The absolute redirect target of a 302, as the browser resolves it."""
    assert response.status_code == 302, (response.status_code, response.text)
    return urljoin(response.url, response.headers["Location"])


# -- the tests ----------------------------------------------------------------------


class WireTests(LiveServerTestCase):
    def setUp(self) -> None:
        make_user()
        self.origin = self.live_server_url
        self.base = f"{self.origin}/api/auth"
        self.browser = self.new_browser()

    def new_browser(self) -> Browser:
        browser = Browser(self.origin)
        self.addCleanup(browser.close)
        return browser

    # Steps every flow repeats, each answer checked.

    def csrf_token(self, browser: Browser | None = None) -> str:
        """``getCsrfToken()``: ``GET csrf``."""
        response = (browser or self.browser).fetch_data("csrf")
        data = json_body(response, 200)
        assert data == {"csrfToken": data["csrfToken"]}
        assert TOKEN_RE.fullmatch(data["csrfToken"])
        assert_no_store(response)
        token: str = data["csrfToken"]
        return token

    def providers(self, browser: Browser | None = None) -> Any:
        """``getProviders()``: ``GET providers``."""
        response = (browser or self.browser).fetch_data("providers")
        data = json_body(response, 200)
        assert data == {
            "credentials": {
                "id": "credentials",
                "name": "Credentials",
                "type": "credentials",
                "signinUrl": f"{self.base}/signin/credentials",
                "callbackUrl": f"{self.base}/callback/credentials",
            }
        }
        return data

    def session(self, browser: Browser | None = None, **params: str) -> Any:
        """``getSession()``: ``GET session``, always 200."""
        response = (browser or self.browser).fetch_data("session", **params)
        data = json_body(response, 200)
        assert_no_store(response)
        return data

    def sign_in(
        self,
        password: str = PASSWORD,
        callback_url: str = "/after-login",
        browser: Browser | None = None,
    ) -> requests.Response:
        """``signIn("credentials", {redirect: false, username, password, callbackUrl})``."""
        browser = browser or self.browser
        self.providers(browser)
        token = self.csrf_token(browser)
        return browser.post_form(
            "callback/credentials",
            [
                ("redirect", "false"),
                ("username", "ada"),
                ("password", password),
                ("callbackUrl", callback_url),
                ("csrfToken", token),
                ("json", "true"),
            ],
        )

    def signed_in(self, browser: Browser | None = None) -> None:
        response = self.sign_in(browser=browser)
        assert json_body(response, 200) == {"url": f"{self.origin}/after-login"}
        assert_session(self.session(browser))

    # getCsrfToken, getProviders, getSession

    def test_get_csrf_token(self) -> None:
        assert "csrftoken" not in self.browser.http.cookies
        response = self.browser.fetch_data("csrf")
        data = json_body(response, 200)
        assert data == {"csrfToken": data["csrfToken"]}
        first = data["csrfToken"]
        assert TOKEN_RE.fullmatch(first)
        assert_no_store(response)
        cookie = set_cookies(response)["csrftoken"]
        attributes = cookie_attributes(cookie)
        assert attributes["path"] == "/"
        assert attributes["samesite"].lower() == "lax"
        secret = self.browser.http.cookies["csrftoken"]

        # Asked again, the cookie keeps its secret; a new mask of it is as good.
        second = self.csrf_token()
        assert self.browser.http.cookies["csrftoken"] == secret
        response = self.browser.post_json(
            "session", {"csrfToken": first, "data": {"name": "x"}}
        )
        assert json_body(response, 200) == {}
        response = self.browser.post_json(
            "session", {"csrfToken": second, "data": {"name": "x"}}
        )
        assert json_body(response, 200) == {}

    def test_get_providers(self) -> None:
        response = self.browser.fetch_data("providers")
        assert json_body(response, 200) == {
            "credentials": {
                "id": "credentials",
                "name": "Credentials",
                "type": "credentials",
                "signinUrl": f"{self.base}/signin/credentials",
                "callbackUrl": f"{self.base}/callback/credentials",
            }
        }
        assert set_cookies(response) == {}

    def test_get_session_signed_out(self) -> None:
        response = self.browser.fetch_data("session")
        assert json_body(response, 200) == {}
        assert_no_store(response)
        # What nuxt-auth means to send; it must change nothing.
        response = self.browser.fetch_data("session", callbackUrl="/protected")
        assert json_body(response, 200) == {}
        assert_no_store(response)
        assert "sessionid" not in self.browser.http.cookies

    def test_head_session_and_csrf(self) -> None:
        for path in ("session", "csrf"):
            with self.subTest(path=path):
                get = self.browser.fetch_data(path)
                head = self.browser.http.head(
                    self.browser.url(f"/api/auth/{path}"),
                    headers={"Content-Type": "application/json"},
                )
                assert head.status_code == 200, (path, head.status_code)
                assert head.content == b""
                for name in ("Content-Type", "Cache-Control", "Vary"):
                    assert head.headers.get(name) == get.headers[name], name

    # signIn("credentials", {redirect: false})

    def test_sign_in_wrong_password(self) -> None:
        response = self.sign_in(password="wrong")
        assert json_body(response, 401) == {
            "url": f"{self.base}/error?error=CredentialsSignin&provider=credentials"
            "&callbackUrl=%2Fafter-login"
        }
        assert_no_store(response)
        assert "sessionid" not in set_cookies(response)
        assert next_auth_sign_in_result(response) == {
            "error": "CredentialsSignin",
            "status": 401,
            "ok": False,
            "url": None,
        }
        assert self.session() == {}

    def test_sign_in(self) -> None:
        response = self.sign_in()
        assert json_body(response, 200) == {"url": f"{self.origin}/after-login"}
        assert_no_store(response)
        assert_session_cookie(response)
        assert next_auth_sign_in_result(response) == {
            "error": None,
            "status": 200,
            "ok": True,
            "url": f"{self.origin}/after-login",
        }
        # res.ok: the client refreshes its session.
        assert_session(self.session())

    def test_sign_in_hostile_callback_url(self) -> None:
        response = self.sign_in(password="wrong", callback_url="http://evil.example/x")
        assert json_body(response, 401) == {
            "url": f"{self.base}/error?error=CredentialsSignin&provider=credentials"
        }
        response = self.sign_in(callback_url="http://evil.example/x")
        url = json_body(response, 200)["url"]
        # The site root; NextAuth writes the origin, new URL() reads both alike.
        assert url in (self.origin, f"{self.origin}/")
        assert_session(self.session())

    def test_csrf_failure_quirk(self) -> None:
        self.providers()
        self.csrf_token()
        fields = [
            ("redirect", "false"),
            ("username", "ada"),
            ("password", PASSWORD),
            ("callbackUrl", "/after-login"),
        ]
        for token in (None, "", "bogus", "x" * 64):
            with self.subTest(token=token):
                extra = [] if token is None else [("csrfToken", token)]
                response = self.browser.post_form(
                    "callback/credentials", [*fields, *extra, ("json", "true")]
                )
                assert json_body(response, 200) == {
                    "url": f"{self.base}/signin?csrf=true"
                }
                assert "sessionid" not in set_cookies(response)
                assert next_auth_sign_in_result(response) == {
                    "error": None,
                    "status": 200,
                    "ok": True,
                    "url": f"{self.base}/signin?csrf=true",
                }
        # A browser form post with a bad token is sent back to the sign-in page.
        response = self.browser.post_form(
            "callback/credentials", [("csrfToken", "bogus"), *fields]
        )
        assert location(response) == f"{self.base}/signin?csrf=true"
        # A valid token without the cookie is no better.
        stranger = self.new_browser()
        response = stranger.post_form(
            "callback/credentials",
            [*fields, ("csrfToken", self.csrf_token()), ("json", "true")],
        )
        assert json_body(response, 200) == {"url": f"{self.base}/signin?csrf=true"}
        assert self.session() == {}
        assert self.session(stranger) == {}

    # useSession().update(data)

    def test_update_session(self) -> None:
        self.signed_in()
        token = self.csrf_token()
        response = self.browser.post_json(
            "session", {"csrfToken": token, "data": {"name": "Renamed"}}
        )
        data = json_body(response, 200)
        # NextAuth's default callbacks ignore data: the session comes back as it was.
        assert_session(data)
        assert_no_store(response)

        response = self.browser.post_json("session", {"data": {"name": "Renamed"}})
        assert json_body(response, 400) == {}
        assert_session(self.session())

    def test_update_session_signed_out(self) -> None:
        token = self.csrf_token()
        response = self.browser.post_json(
            "session", {"csrfToken": token, "data": {"name": "Renamed"}}
        )
        assert json_body(response, 200) == {}
        response = self.browser.post_json("session", {"data": {"name": "Renamed"}})
        assert json_body(response, 400) == {}

    # signOut({redirect: false, callbackUrl: "/after-logout"})

    def test_sign_out(self) -> None:
        self.signed_in()
        old_session = self.browser.http.cookies["sessionid"]
        token = self.csrf_token()
        response = self.browser.post_form(
            "signout",
            [("csrfToken", token), ("callbackUrl", "/after-logout"), ("json", "true")],
        )
        assert json_body(response, 200) == {"url": f"{self.origin}/after-logout"}
        assert_no_store(response)
        assert_session_cookie_deleted(response)
        assert self.session() == {}
        # The old session cookie is dead on the server too.
        replay = self.new_browser()
        replay.http.cookies.set("sessionid", old_session)
        response = replay.fetch_data("session")
        assert json_body(response, 200) == {}
        # An unknown session token: {} and the cookie cleared.
        assert_session_cookie_deleted(response)

    def test_sign_out_signed_out(self) -> None:
        token = self.csrf_token()
        response = self.browser.post_form(
            "signout",
            [("csrfToken", token), ("callbackUrl", "/after-logout"), ("json", "true")],
        )
        assert json_body(response, 200) == {"url": f"{self.origin}/after-logout"}

    def test_sign_out_csrf_failure(self) -> None:
        self.signed_in()
        response = self.browser.post_form(
            "signout", [("callbackUrl", "/after-logout"), ("json", "true")]
        )
        assert json_body(response, 200) == {"url": f"{self.base}/signout?csrf=true"}
        assert_session(self.session())

    # nuxt-auth's variants

    def test_nuxt_auth_sign_in_and_out(self) -> None:
        # signIn: providers, csrf, the same urlencoded POST; getSession even on failure.
        response = self.sign_in(password="wrong")
        assert json_body(response, 401)["url"].startswith(
            f"{self.base}/error?error=CredentialsSignin&provider=credentials"
        )
        assert nuxt_auth_sign_in_result(response) == {
            "error": "CredentialsSignin",
            "status": 200,
            "ok": True,
            "url": None,
        }
        assert self.session() == {}
        response = self.sign_in()
        assert nuxt_auth_sign_in_result(response) == {
            "error": None,
            "status": 200,
            "ok": True,
            "url": f"{self.origin}/after-login",
        }
        assert_session(self.session())
        # signOut({redirect: false}): csrf, POST signout, getSession.
        token = self.csrf_token()
        response = self.browser.post_form(
            "signout",
            [("csrfToken", token), ("callbackUrl", "/after-logout"), ("json", "true")],
        )
        assert json_body(response, 200) == {"url": f"{self.origin}/after-logout"}
        assert self.session() == {}

    def test_json_body_with_boolean_json(self) -> None:
        self.providers()
        token = self.csrf_token()
        body = {
            "username": "ada",
            "password": "wrong",
            "callbackUrl": "/after-login",
            "csrfToken": token,
            "json": True,
        }
        response = self.browser.post_json("callback/credentials", body)
        assert json_body(response, 401) == {
            "url": f"{self.base}/error?error=CredentialsSignin&provider=credentials"
            "&callbackUrl=%2Fafter-login"
        }
        response = self.browser.post_json(
            "callback/credentials", {**body, "password": PASSWORD}
        )
        assert json_body(response, 200) == {"url": f"{self.origin}/after-login"}
        assert_session_cookie(response)
        assert_session(self.session())

    def test_auth_return_redirect_header(self) -> None:
        token = self.csrf_token()
        fields = [
            ("username", "ada"),
            ("callbackUrl", "/after-login"),
            ("csrfToken", token),
        ]
        # Auth.js v5 asks for JSON mode with a header instead of json=true.
        header = {"X-Auth-Return-Redirect": "1"}
        response = self.browser.post_form(
            "callback/credentials", [*fields, ("password", "wrong")], header
        )
        assert json_body(response, 401) == {
            "url": f"{self.base}/error?error=CredentialsSignin&provider=credentials"
            "&callbackUrl=%2Fafter-login"
        }
        response = self.browser.post_form(
            "callback/credentials", [*fields, ("password", PASSWORD)], header
        )
        assert json_body(response, 200) == {"url": f"{self.origin}/after-login"}
        token = self.csrf_token()
        response = self.browser.post_form(
            "signout", [("csrfToken", token), ("callbackUrl", "/bye")], header
        )
        assert json_body(response, 200) == {"url": f"{self.origin}/bye"}

    # signin/<provider>

    def test_post_signin_credentials(self) -> None:
        token = self.csrf_token()
        response = self.browser.post_form(
            "signin/credentials", [("csrfToken", token), ("json", "true")]
        )
        assert json_body(response, 200) == {"url": f"{self.base}/signin"}
        assert self.session() == {}

    def test_post_signin_unknown_provider(self) -> None:
        token = self.csrf_token()
        response = self.browser.post_form(
            "signin/nosuchprovider",
            [("csrfToken", token), ("callbackUrl", "/x"), ("json", "true")],
        )
        assert json_body(response, 404) == {
            "url": f"{self.base}/error?error=InvalidProvider"
        }
        response = self.browser.post_form(
            "signin/nosuchprovider", [("csrfToken", token), ("callbackUrl", "/x")]
        )
        assert response.status_code == 404
        assert response.headers["Content-Type"].split(";")[0] == "text/html"

    def test_client_unknown_provider(self) -> None:
        # signIn("nosuchprovider"): the provider is not in the map, so the
        # client navigates to the sign-in page without posting anything.
        assert "nosuchprovider" not in self.providers()
        response = self.browser.get_page("/api/auth/signin?callbackUrl=%2Fprotected")
        assert response.status_code == 200
        forms = html_forms(response)
        assert [form.action for form in forms] == [f"{self.base}/callback/credentials"]

    # The built-in pages

    def test_sign_in_page(self) -> None:
        response = self.browser.get_page("/api/auth/signin")
        assert response.status_code == 200
        [form] = html_forms(response)
        assert form.action == f"{self.base}/callback/credentials"
        assert form.method == "post"
        assert TOKEN_RE.fullmatch(form.hidden()["csrfToken"])
        assert form.inputs["username"][0] == "text"
        assert form.inputs["password"][0] == "password"

        # useSession({required: true}) and nuxt-auth's middleware land here.
        response = self.browser.get_page(
            "/api/auth/signin?error=SessionRequired&callbackUrl=%2Fprotected"
        )
        assert response.status_code == 200
        assert "Please sign in to access this page." in response.text
        [form] = html_forms(response)
        assert form.hidden()["callbackUrl"] == "/protected"

    def test_html_form_sign_in(self) -> None:
        response = self.browser.get_page("/api/auth/signin?callbackUrl=%2Fprotected")
        [form] = html_forms(response)
        fields = [*form.hidden().items(), ("username", "ada")]

        # A wrong password ends on the sign-in page with the error shown.
        response = self.browser.http.post(
            form.action,
            data=[*fields, ("password", "wrong")],
            headers={"Origin": self.origin},
            allow_redirects=False,
        )
        assert response.status_code == 302
        error_page = location(response)
        assert error_page == (
            f"{self.base}/error?error=CredentialsSignin&provider=credentials"
            "&callbackUrl=%2Fprotected"
        )
        response = self.browser.http.get(error_page, allow_redirects=False)
        sign_in_page = location(response)
        assert sign_in_page == (
            f"{self.base}/signin?error=CredentialsSignin&callbackUrl=%2Fprotected"
        )
        response = self.browser.http.get(sign_in_page, allow_redirects=False)
        assert response.status_code == 200
        assert "Sign in failed. Check the details you provided are correct." in (
            response.text
        )
        [form] = html_forms(response)

        response = self.browser.http.post(
            form.action,
            data=[*form.hidden().items(), ("username", "ada"), ("password", PASSWORD)],
            headers={"Origin": self.origin},
            allow_redirects=False,
        )
        assert response.status_code == 302
        assert response.headers["Location"] == f"{self.origin}/protected"
        assert_session_cookie(response)
        assert_session(self.session())

    def test_sign_out_page(self) -> None:
        self.signed_in()
        response = self.browser.get_page("/api/auth/signout")
        assert response.status_code == 200
        [form] = html_forms(response)
        assert form.action == f"{self.base}/signout"
        assert form.method == "post"
        assert TOKEN_RE.fullmatch(form.hidden()["csrfToken"])
        # Showing the page signs nobody out.
        assert_session(self.session())

        response = self.browser.http.post(
            form.action,
            data=form.hidden(),
            headers={"Origin": self.origin},
            allow_redirects=False,
        )
        assert location(response) in (self.origin, f"{self.origin}/")
        assert_session_cookie_deleted(response)
        assert self.session() == {}

    def test_error_page(self) -> None:
        cases = [
            ("Configuration", 500),
            ("AccessDenied", 403),
            ("Verification", 403),
            ("Default", 200),
            ("", 200),
            ("NoSuchCode", 200),
            ("<script>alert(1)</script>", 200),
        ]
        for code, status in cases:
            with self.subTest(code=code):
                response = self.browser.get_page(
                    f"/api/auth/error?{urlencode({'error': code})}"
                )
                assert response.status_code == status
                assert response.headers["Content-Type"].split(";")[0] == "text/html"
                if code not in ("Configuration", "AccessDenied", "Verification"):
                    assert code == "" or code not in response.text
        response = self.browser.get_page("/api/auth/error")
        assert response.status_code == 200

    def test_error_page_code_is_case_insensitive(self) -> None:
        # PROTOCOL.md section 2: the page status is looked up case-insensitively
        # (v4's email callback itself redirects to error=configuration).
        cases = [("configuration", 500), ("ACCESSDENIED", 403), ("verification", 403)]
        for code, status in cases:
            with self.subTest(code=code):
                response = self.browser.get_page(f"/api/auth/error?error={code}")
                assert response.status_code == status

    def test_sign_in_errors_go_to_the_sign_in_page(self) -> None:
        for code in SIGN_IN_ERRORS:
            with self.subTest(code=code):
                response = self.browser.get_page(f"/api/auth/error?error={code}")
                assert location(response) == f"{self.base}/signin?error={code}"

    def test_sign_in_error_codes_are_case_sensitive(self) -> None:
        # PROTOCOL.md section 2: only the listed codes, exactly, go to the
        # sign-in page (v4 tests them with Array.includes); anything else is
        # the error page, whose status alone is looked up case-insensitively.
        for code in ("credentialssignin", "SESSIONREQUIRED", "oauthsignin"):
            with self.subTest(code=code):
                response = self.browser.get_page(f"/api/auth/error?error={code}")
                assert response.status_code == 200
                assert response.headers["Content-Type"].split(";")[0] == "text/html"

    # The rest

    def test_log_beacon(self) -> None:
        # The client logger's navigator.sendBeacon(url, new URLSearchParams({level, code, ...metadata})).
        response = self.browser.post_form(
            "_log",
            [
                ("level", "error"),
                ("code", "CLIENT_FETCH_ERROR"),
                ("error", "[object Object]"),
                ("url", "/api/auth/session"),
                ("message", "Unexpected token"),
                ("client", "true"),
            ],
        )
        assert response.status_code == 200
        assert response.content == b""

    def test_unsupported_requests(self) -> None:
        response = self.browser.get_page("/api/auth/nosuchaction")
        assert response.status_code == 404
        response = self.browser.http.put(self.browser.url("/api/auth/session"))
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, HEAD, POST"
        response = self.browser.get_page("/api/auth/callback/credentials")
        assert response.status_code == 405
        assert response.headers["Allow"] == "POST"
