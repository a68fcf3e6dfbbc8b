"""Real sign-ins over HTTP, each through the server's own endpoint.

Each function signs the benchmark account in on the server at ``base_url``
and returns the ``Cookie`` header a browser would then send (every cookie the
server set). :func:`check_signed_in` verifies that a cookie reads a signed-in
session, before and after a load run.
"""

from __future__ import annotations

from collections.abc import Callable

import requests

from benchmarks.servers import EMAIL
from benchmarks.servers import PASSWORD
from benchmarks.servers import USERNAME

_TIMEOUT = 10


def _cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


def useauth(base_url: str) -> str:
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


def allauth(base_url: str) -> str:
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


def authjs(base_url: str) -> str:
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


SIGN_INS: dict[str, Callable[[str], str]] = {
    "useauth": useauth,
    "allauth": allauth,
    "authjs": authjs,
}


def check_signed_in(url: str, cookie: str) -> None:
    """Raise unless ``GET url`` with ``cookie`` answers 200 with the account's e-mail."""
    answer = requests.get(url, headers={"Cookie": cookie}, timeout=_TIMEOUT)
    if answer.status_code != 200 or EMAIL not in answer.text:
        raise RuntimeError(
            f"{url} does not read as signed in: {answer.status_code} {answer.text[:200]}"
        )
