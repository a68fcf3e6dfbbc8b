"""The NextAuth v4 wire contract over real HTTP: the browser and the checks of its answers.

The ``test_wire_*.py`` files replay, request for request, what
``next-auth/react`` v4 and nuxt-auth's authjs ``useAuth()`` send (docs:
PROTOCOL.md sections 3 and 8) to a live server, with a ``requests.Session`` as
the browser's cookie jar, and check every answer against the endpoint table
(PROTOCOL.md section 2). The documented deviations hold: Django's masked CSRF
tokens and ``csrftoken`` cookie, the ``sessionid`` cookie, no callback-url
cookie, ``never_cache`` headers, 404 for unknown providers and actions, 405 for
unsupported methods.
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
from urllib.parse import urlencode
from urllib.parse import urljoin

import requests
from django.test import LiveServerTestCase

from tests.expected import ADA
from tests.expected import credentials_providers
from tests.utils import EXPIRES_RE
from tests.utils import FORM
from tests.utils import NEVER_CACHE
from tests.utils import PASSWORD
from tests.utils import TOKEN_RE
from tests.utils import make_user

MAX_AGE = timedelta(days=30)


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
    """Assert the answer is uncacheable and varies on the cookie (Django's ``never_cache`` stands in for NextAuth's ``private, no-cache, no-store``)."""
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


# -- the test case ------------------------------------------------------------------


class WireTestCase(LiveServerTestCase):
    """A live server with ``make_user()``'s user, a browser, and the steps every flow repeats."""

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
        assert data == credentials_providers(self.base)
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

    def page_form(self, path: str, action: str) -> Form:
        """``GET path``: a page whose only form POSTs to ``action`` with a CSRF token; that form."""
        response = self.browser.get_page(path)
        assert response.status_code == 200
        [form] = html_forms(response)
        assert form.action == action
        assert form.method == "post"
        assert TOKEN_RE.fullmatch(form.hidden()["csrfToken"])
        return form

    def signed_in(self, browser: Browser | None = None) -> None:
        response = self.sign_in(browser=browser)
        assert json_body(response, 200) == {"url": f"{self.origin}/after-login"}
        assert_session(self.session(browser))
