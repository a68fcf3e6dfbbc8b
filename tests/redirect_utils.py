"""Helpers of the callbackUrl policy tests (SECURITY-REPORT.md section 3, ATTACKS.md I1-I5).

The ``test_redirects_*.py`` files check ``is_allowed_callback_url`` and
``resolve_callback_url`` against the corpus in ``tests/redirect_corpus.py``,
send every corpus value through every redirect sink over HTTP, then check the
``auth_required`` round trip (I4) and parameter pollution (I3). These helpers
say what a corpus case should end on, and send it on the case's scheme and host.
"""

from __future__ import annotations

import html
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.http import HttpRequest
from django.test import Client
from django.test import RequestFactory
from django.test import TestCase

from tests.redirect_corpus import RedirectCase
from tests.utils import FORM
from tests.utils import HIDDEN_CALLBACK
from tests.utils import PASSWORD
from tests.utils import auth_request
from tests.utils import make_user

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIRequest

    # The test client's response type (with .json()), as django-stubs names it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

SIGN_IN = "/api/auth/callback/credentials"
SIGN_OUT = "/api/auth/signout"


class UserTestCase(TestCase):
    """A test case whose database holds ``make_user()``'s user."""

    @classmethod
    def setUpTestData(cls):
        make_user()


def _scheme(case: RedirectCase) -> str:
    return "https" if case.secure else "http"


def emitted(value: str, case: RedirectCase) -> str:
    # How an accepted value is emitted: "/..." on the request's origin,
    # "//host/..." with the request's scheme, absolute URLs verbatim.
    if value.startswith("//"):
        return f"{_scheme(case)}:{value}"
    if value.startswith("/"):
        return f"{_scheme(case)}://{case.host}{value}"
    return value


def expected_url(case: RedirectCase, fallback: str = "/") -> str:
    """Where the case ends: its value if allowed, else ``fallback``, as emitted."""
    return emitted(case.value if case.allowed else fallback, case)


def case_request(case: RedirectCase) -> WSGIRequest:
    """A GET of ``/`` on the case's scheme and host."""
    return RequestFactory().get("/", secure=case.secure, headers={"host": case.host})


def label(case: RedirectCase) -> dict[str, object]:
    """The case's ``subTest`` parameters."""
    return {"value": case.value, "secure": case.secure, "host": case.host}


def post_form(
    client: Client,
    path: str,
    data: dict[str, str],
    *,
    secure: bool = False,
    host: str = "testserver",
) -> TestResponse:
    """POST ``data`` urlencoded to ``path`` on the given scheme and host."""
    response: TestResponse = client.post(
        path, urlencode(data), content_type=FORM, secure=secure, headers={"host": host}
    )
    return response


def sign_in(
    client: Client, case: RedirectCase, *, json: bool, **extra: str
) -> TestResponse:
    """A credentials sign-in of ``make_user()``'s user on the case's scheme and host."""
    data = {"username": "ada", "password": PASSWORD, **extra}
    if json:
        data["json"] = "true"
    return post_form(client, SIGN_IN, data, secure=case.secure, host=case.host)


def assert_safe_json_url(url: str, case: RedirectCase) -> None:
    # nuxt-auth assigns the url to window.location.href.
    assert not any(unicodedata.category(char).startswith("C") for char in url)
    assert not url.lower().startswith(("javascript:", "data:"))
    scheme, sep, rest = url.partition("://")
    assert sep == "://"
    allowed_schemes = ("https",) if case.secure else ("http", "https")
    assert scheme.lower() in allowed_schemes
    assert rest == case.host or rest.startswith(
        (f"{case.host}/", f"{case.host}?", f"{case.host}#")
    )


def assert_json_answer(response: TestResponse, case: RedirectCase) -> None:
    """Assert a JSON-mode answer whose url is the case's expected one, and safe to navigate to."""
    assert response.status_code == 200
    assert response.json() == {"url": expected_url(case)}
    assert_safe_json_url(response.json()["url"], case)


def sign_in_from_page(
    client: Client, location: str, case: RedirectCase | None = None
) -> TestResponse:
    """Follow a redirect to the sign-in page and post the form it renders, on the case's scheme and host."""
    secure, host = (case.secure, case.host) if case else (False, "testserver")
    page = client.get(location, secure=secure, headers={"host": host})
    assert page.status_code == 200
    found = HIDDEN_CALLBACK.findall(page.content.decode())
    data = {"username": "ada", "password": PASSWORD}
    if found:
        data["callbackUrl"] = html.unescape(found[0])
    return post_form(client, SIGN_IN, data, secure=secure, host=host)


def through_middleware(case: RedirectCase, client: Client | None = None) -> HttpRequest:
    """A request on the case's host through the session, auth and useauth middleware, with ``client``'s cookies."""
    request = RequestFactory().get(
        "/x", secure=case.secure, headers={"host": case.host}
    )
    if client is not None:
        request.COOKIES.update({k: v.value for k, v in client.cookies.items()})
    return auth_request(request)
