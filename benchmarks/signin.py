"""Real sign-ins over HTTP, each through the server's own endpoint.

Each function signs the benchmark account in on the server at ``base_url``
and returns the :data:`Header` a client would then send with every request:
the ``Cookie`` header a browser would send (every cookie the server set), or
token mode's ``Authorization: Bearer`` with the access token.
:func:`check_signed_in` verifies that it reads as signed in, before and after
a load run.
"""

from __future__ import annotations

from collections.abc import Callable

import requests

from benchmarks.servers import EMAIL
from benchmarks.servers import PASSWORD
from benchmarks.servers import USERNAME

_TIMEOUT = 10

#: One request header, ``(name, value)``: what makes a request signed in.
Header = tuple[str, str]


def _cookie_header(session: requests.Session) -> Header:
    return (
        "Cookie",
        "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies),
    )


def useauth(base_url: str) -> Header:
    """Sign in with django-useauth's credentials provider, as next-auth's ``signIn()`` does."""
    with requests.Session() as browser:
        token = browser.get(f"{base_url}/api/auth/csrf", timeout=_TIMEOUT).json()
        answer = browser.post(
            f"{base_url}/api/auth/callback/credentials",
            data={
                "csrfToken": token["csrfToken"],
                "username": USERNAME,
                "password": PASSWORD,
                "json": "true",
            },
            timeout=_TIMEOUT,
        )
        answer.raise_for_status()
        if "sessionid" not in browser.cookies:
            raise RuntimeError(f"useauth sign-in set no session cookie: {answer.text}")
        return _cookie_header(browser)


def allauth(base_url: str) -> Header:
    """Sign in through django-allauth's headless ``POST /_allauth/browser/v1/auth/login``."""
    with requests.Session() as browser:
        # The signed-out session read sets the CSRF cookie the login needs.
        browser.get(f"{base_url}/_allauth/browser/v1/auth/session", timeout=_TIMEOUT)
        answer = browser.post(
            f"{base_url}/_allauth/browser/v1/auth/login",
            json={"username": USERNAME, "password": PASSWORD},
            headers={"X-CSRFToken": str(browser.cookies["csrftoken"])},
            timeout=_TIMEOUT,
        )
        answer.raise_for_status()
        return _cookie_header(browser)


def authjs(base_url: str) -> Header:
    """Sign in through Auth.js's ``POST /auth/callback/credentials`` after ``GET /auth/csrf``."""
    with requests.Session() as browser:
        token = browser.get(f"{base_url}/auth/csrf", timeout=_TIMEOUT).json()
        answer = browser.post(
            f"{base_url}/auth/callback/credentials",
            data={
                "csrfToken": token["csrfToken"],
                "username": USERNAME,
                "password": PASSWORD,
            },
            allow_redirects=False,
            timeout=_TIMEOUT,
        )
        if "authjs.session-token" not in browser.cookies:
            raise RuntimeError(
                f"Auth.js sign-in set no session cookie: {answer.status_code}"
            )
        return _cookie_header(browser)


def useauth_token(base_url: str) -> Header:
    """Sign in with token mode's ``POST /api/token/login`` (JSON), as nuxt-auth's ``local`` provider does."""
    answer = requests.post(
        f"{base_url}/api/token/login",
        json={"username": USERNAME, "password": PASSWORD},
        timeout=_TIMEOUT,
    )
    answer.raise_for_status()
    token = answer.json().get("token")
    if not token or answer.cookies:
        raise RuntimeError(
            f"token sign-in answered no token, or set a cookie: {answer.status_code}"
        )
    return ("Authorization", f"Bearer {token}")


SIGN_INS: dict[str, Callable[[str], Header]] = {
    "useauth": useauth,
    "useauth-token": useauth_token,
    "allauth": allauth,
    "authjs": authjs,
}


def check_signed_in(url: str, header: Header) -> None:
    """Raise unless ``GET url`` with ``header`` answers 200 with the account's e-mail."""
    name, value = header
    answer = requests.get(url, headers={name: value}, timeout=_TIMEOUT)
    if answer.status_code != 200 or EMAIL not in answer.text:
        raise RuntimeError(
            f"{url} does not read as signed in: {answer.status_code} {answer.text[:200]}"
        )
