"""Helpers for the tests of e-mail sign-in: ask for an e-mail, read its link and code from the outbox, follow the link, type the code.

The provider is off in tests/settings.py: a test turns it on with
``override_settings(**EMAIL_ON)``. Sent e-mails land in Django's local-memory
outbox (``mail.outbox``), which the test runner empties before every test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import django
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.test import Client
from django.test import TestCase
from django.test import override_settings
from django.utils import timezone

from django_useauth.internal.email_tokens import CODE_ALPHABET
from django_useauth.models import EmailToken
from tests.live import free_port
from tests.utils import BASE
from tests.utils import FORM
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import post_json
from tests.utils import read_session
from tests.wire_utils import FormParser

if TYPE_CHECKING:
    # The test client's response type (with .json()), as django-stubs names it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

SIGN_IN_EMAIL = "/api/auth/signin/email"
CALLBACK_EMAIL = "/api/auth/callback/email"
VERIFY_REQUEST = "/api/auth/verify-request"

#: ``override_settings(**EMAIL_ON)``: the email provider on.
EMAIL_ON: dict[str, Any] = {"USEAUTH_EMAIL_ENABLED": True}

#: The answers of ``POST signin/email`` in JSON mode (HTML mode: the same URLs as 302s).
SENT = {"url": f"{BASE}/verify-request?provider=email&type=email"}
EMAIL_SIGNIN = {"url": f"{BASE}/error?error=EmailSignin"}
TOO_MANY_EMAILS = {"url": f"{BASE}/error?error=TooManyEmails&provider=email"}

#: The answers of ``POST callback/email`` that sign nobody in.
VERIFICATION = {"url": f"{BASE}/error?error=Verification"}
ACCESS_DENIED = {"url": f"{BASE}/error?error=AccessDenied"}
CREATE_FAILED = {"url": f"{BASE}/error?error=EmailCreateAccount"}
WRONG_CODE = {
    "url": f"{BASE}/verify-request?provider=email&type=email&error=Verification"
}
#: A code posted without a valid CSRF token: back to the code form.
CODE_CSRF = {"url": f"{BASE}/verify-request?provider=email&type=email&csrf=true"}
TOO_MANY_CODES = {
    "url": f"{BASE}/verify-request?provider=email&type=email&error=TooManyAttempts"
}

#: The signed-in answer with no callbackUrl: USEAUTH_DEFAULT_CALLBACK_URL.
HOME = {"url": "http://testserver/"}
#: The signed-in answer with ``callbackUrl=/dashboard``.
DASHBOARD = {"url": "http://testserver/dashboard"}

#: The link in an e-mail's text part.
LINK_RE = re.compile(r"http://testserver/api/auth/callback/email\?\S+")
#: The code in an e-mail: two groups of four symbols of the code alphabet.
CODE_RE = re.compile(r"\b[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b")


@dataclass(frozen=True)
class Sent:
    """A sign-in e-mail from the outbox, with its link and code."""

    message: mail.EmailMultiAlternatives
    #: The link, absolute, as the text part shows it.
    link: str
    #: The link's ``token=`` and ``email=``.
    token: str
    email: str
    #: The code as the e-mail shows it: ``ABCD-EFGH``.
    code: str

    @property
    def text(self) -> str:
        return str(self.message.body)

    @property
    def html(self) -> str:
        [(content, mimetype)] = self.message.alternatives
        assert mimetype == "text/html"
        return str(content)

    @property
    def callback_url(self) -> str | None:
        """The link's ``callbackUrl=``, if it has one."""
        values = parse_qs(urlsplit(self.link).query).get("callbackUrl")
        return values[0] if values else None


def wrong_code(code: str, n: int = 0) -> str:
    """A well-formed code that is not ``code`` (the ``n``-th of several such)."""
    symbols = [symbol for symbol in CODE_ALPHABET if symbol != code[0]]
    return f"{symbols[n]}{code[1:]}"


def outbox() -> list[mail.EmailMessage]:
    """The e-mails sent so far in this test."""
    messages: list[mail.EmailMessage] = mail.outbox
    return messages


def read_sent(index: int = -1) -> Sent:
    """The sign-in e-mail ``outbox()[index]`` (the last one by default), its link and code read from its text."""
    message = outbox()[index]
    assert isinstance(message, mail.EmailMultiAlternatives)
    [link] = LINK_RE.findall(str(message.body))
    [code] = CODE_RE.findall(str(message.body))
    query = parse_qs(urlsplit(link).query)
    [token] = query["token"]
    [email] = query["email"]
    return Sent(message=message, link=link, token=token, email=email, code=code)


def ask_email(
    client: Client,
    email: str,
    *,
    callback_url: str | None = None,
    json_mode: bool = True,
    csrf: bool = True,
    ip: str = "127.0.0.1",
    **extra: Any,
) -> TestResponse:
    """``POST signin/email`` urlencoded, as next-auth's ``signIn("email", {email, callbackUrl})`` sends it.

    ``extra`` goes to the test client (``headers=``, ``HTTP_HOST=``).
    """
    data = {"email": email}
    if callback_url is not None:
        data["callbackUrl"] = callback_url
    if csrf:
        data["csrfToken"] = csrf_token(client)
    if json_mode:
        data["json"] = "true"
    response: TestResponse = client.post(
        SIGN_IN_EMAIL, urlencode(data), content_type=FORM, REMOTE_ADDR=ip, **extra
    )
    return response


def ask_email_json(client: Client, email: object) -> TestResponse:
    """``POST signin/email`` with a JSON body, for values a form cannot carry (a number, a list, null)."""
    body = {"email": email, "csrfToken": csrf_token(client), "json": "true"}
    return post_json(client, SIGN_IN_EMAIL, body)


def open_link(client: Client, link: str, *, method: str = "get") -> TestResponse:
    """Follow ``link`` as a browser (or a mail scanner) does: ``GET`` (or ``HEAD``)."""
    response: TestResponse = getattr(client, method)(link)
    return response


def confirmation_fields(response: TestResponse) -> dict[str, str]:
    """The hidden fields of the confirmation page's one form, which posts to ``callback/email``."""
    assert response.status_code == 200, response.status_code
    parser = FormParser()
    parser.feed(response.content.decode())
    [form] = parser.forms
    assert form.action == CALLBACK_EMAIL
    assert form.method == "post"
    return form.hidden()


def browser_origin(page: TestResponse) -> str:
    """The ``Origin`` a browser sends with the POST of a form on ``page`` (an http page of this site posting to itself).

    Fetch's "append a request Origin header": ``null`` when the page's
    ``Referrer-Policy`` is ``no-referrer``, else the page's origin.
    """
    return (
        "null" if page.get("Referrer-Policy") == "no-referrer" else "http://testserver"
    )


def post_token(
    client: Client,
    email: str,
    token: str,
    *,
    json_mode: bool = True,
    csrf: bool = True,
    **extra: str,
) -> TestResponse:
    """``POST callback/email`` with the link's ``email`` and ``token``, as the confirmation page's form does."""
    data = {"email": email, "token": token, **extra}
    return _post_callback(client, data, json_mode=json_mode, csrf=csrf)


def click(client: Client, sent: Sent | str, *, json_mode: bool = True) -> TestResponse:
    """Open the link (``GET``: the confirmation page) and submit the page's form, as a person does."""
    link = sent.link if isinstance(sent, Sent) else sent
    fields = confirmation_fields(open_link(client, link))
    if json_mode:
        fields["json"] = "true"
    response: TestResponse = client.post(
        CALLBACK_EMAIL, urlencode(fields), content_type=FORM
    )
    return response


def post_code(
    client: Client,
    email: str,
    code: object,
    *,
    json_mode: bool = True,
    csrf: bool = True,
    ip: str = "127.0.0.1",
) -> TestResponse:
    """``POST callback/email`` with ``email`` and the typed ``code``, as the "check your e-mail" page's form does.

    A ``code`` that is no string goes as JSON, in JSON mode.
    """
    if not isinstance(code, str):
        body = {"email": email, "code": code, "csrfToken": csrf_token(client)}
        return post_json(
            client, CALLBACK_EMAIL, {**body, "json": "true"}, REMOTE_ADDR=ip
        )
    data = {"email": email, "code": code}
    return _post_callback(client, data, json_mode=json_mode, csrf=csrf, ip=ip)


def _post_callback(
    client: Client,
    data: dict[str, str],
    *,
    json_mode: bool,
    csrf: bool,
    ip: str = "127.0.0.1",
) -> TestResponse:
    if csrf:
        data["csrfToken"] = csrf_token(client)
    if json_mode:
        data["json"] = "true"
    response: TestResponse = client.post(
        CALLBACK_EMAIL, urlencode(data), content_type=FORM, REMOTE_ADDR=ip
    )
    return response


def sign_in_by_email(
    client: Client, email: str = "ada@example.com", **kwargs: Any
) -> TestResponse:
    """Ask for an e-mail for ``email`` and follow its link: the confirmation's answer."""
    assert ask_email(client, email, **kwargs).json() == SENT
    return click(client, read_sent())


class EmailTestCase(TestCase):
    """The user ada, and ``self.client``: a browser whose CSRF checks are real. Turn the provider on with ``EMAIL_ON``."""

    def setUp(self) -> None:
        self.user = make_user()
        self.client = csrf_client()

    def asked(
        self,
        email: str = "ada@example.com",
        client: Client | None = None,
        **kwargs: Any,
    ) -> Sent:
        """Ask for an e-mail for ``email`` from ``client`` (``self.client``): the e-mail sent."""
        assert ask_email(client or self.client, email, **kwargs).json() == SENT
        return read_sent()


def session_email(client: Client) -> str | None:
    """The e-mail address of ``client``'s signed-in user, or ``None`` signed out."""
    data = read_session(client)
    return data["user"]["email"] if data else None


def expire_all(by: timedelta = timedelta(seconds=1)) -> None:
    """Make every e-mailed link and code past its lifetime, ``by`` ago."""
    EmailToken.objects.update(expires_at=timezone.now() - by)


# USEAUTH_EMAIL_CREATE_USER_CALLBACKs, by dotted path "tests.email_utils.<name>".


def refuse_account(**kwargs: Any) -> None:
    """Refuse every new account, by answering ``None``."""
    return None


def forbid_account(**kwargs: Any) -> None:
    """Refuse every new account, by raising ``PermissionDenied``."""
    raise PermissionDenied


def invalid_account(**kwargs: Any) -> None:
    """A hook whose user does not validate (a username taken, say)."""
    raise ValidationError("taken")


def broken_account(**kwargs: Any) -> None:
    """A hook with a bug."""
    raise ValueError("account hook bug")


def mail_backend(backend: str, **options: object) -> override_settings:
    """Settings that make ``backend`` (with ``options``, Django 6.1's names) the default mailer: ``MAILERS`` on Django 6.1, ``EMAIL_*`` before."""
    if django.VERSION >= (6, 1):  # pragma: no cover - Django 6.1 and later
        return override_settings(
            MAILERS={"default": {"BACKEND": backend, "OPTIONS": options}}
        )
    legacy = {f"EMAIL_{name.upper()}": value for name, value in options.items()}
    return override_settings(
        EMAIL_BACKEND=backend, **legacy
    )  # pragma: no cover - before Django 6.1


def smtp_down() -> override_settings:
    """Settings for Django's real SMTP backend aimed at a loopback port where nothing listens."""
    port = free_port()
    backend = "django.core.mail.backends.smtp.EmailBackend"
    if django.VERSION >= (6, 1):  # pragma: no cover - Django 6.1 and later
        options = {"host": "127.0.0.1", "port": port, "timeout": 5}
        return override_settings(
            MAILERS={"default": {"BACKEND": backend, "OPTIONS": options}}
        )
    return override_settings(  # pragma: no cover - before Django 6.1
        EMAIL_BACKEND=backend, EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_TIMEOUT=5
    )
