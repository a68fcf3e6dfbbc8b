"""The e-mails of e-mail sign-in, rendered from templates the project can override and sent with Django's mail.

Each is an :class:`~django.core.mail.EmailMultiAlternatives` (a text body and
an HTML alternative) sent through the default connection (``EMAIL_BACKEND``;
Django 6.1's ``MAILERS["default"]``), so any Django e-mail backend works. Templates (``django_useauth/email/``): ``sign_in_subject.txt``,
``sign_in.txt``, ``sign_in.html`` for the link and code, and
``no_account_subject.txt``, ``no_account.txt``, ``no_account.html`` for
``USEAUTH_EMAIL_NOTIFY_UNKNOWN``. Their context: ``site_name``, ``email``
(the recipient), ``url`` (the link), ``code``, ``expires_minutes``,
``sign_in_url`` (the sign-in page) and ``request``.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING
from typing import Any

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends import filebased
from django.template.loader import render_to_string
from django.urls import reverse

from django_useauth.conf import conf
from django_useauth.internal.redirects import absolute_url
from django_useauth.internal.redirects import site_origin

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger("django_useauth.email")


class SendFailed(Exception):
    """The e-mail backend could not send (or could not even connect); the cause is chained."""


def site_name(request: HttpRequest) -> str:
    """Return ``USEAUTH_SITE_NAME`` in the active language, else the site's host."""
    if conf.SITE_NAME is not None:
        return str(conf.SITE_NAME)
    return site_origin(request).split("://", 1)[-1]


def _context(request: HttpRequest, email: str, **extra: Any) -> dict[str, Any]:
    lifetime = conf.EMAIL_TOKEN_LIFETIME.total_seconds()
    return {
        "site_name": site_name(request),
        "email": email,
        "expires_minutes": max(1, math.ceil(lifetime / 60)),
        "sign_in_url": absolute_url(request, reverse("useauth:signin")),
        **extra,
    }


def _message(
    request: HttpRequest, name: str, email: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    prefix = f"django_useauth/email/{name}"
    # A subject is one line: a template's trailing newline (or any other)
    # would make Django refuse the header.
    subject = " ".join(
        render_to_string(f"{prefix}_subject.txt", context, request=request).split()
    )
    text = render_to_string(f"{prefix}.txt", context, request=request)
    html = render_to_string(f"{prefix}.html", context, request=request)
    message = EmailMultiAlternatives(
        subject, text, from_email=conf.EMAIL_FROM, to=[email]
    )
    message.attach_alternative(html, "text/html")
    return message


def _default_connection() -> Any:
    # The connection EmailMessage.send() would use: Django 6.1's default
    # mailer, where get_connection() is deprecated, else get_connection().
    mailers = getattr(mail, "mailers", None)
    if mailers is not None:  # pragma: no cover - Django 6.1 and later
        return mailers.default
    return mail.get_connection()  # pragma: no cover - before Django 6.1


def _failure(exc: BaseException) -> str:
    # What the log may say of a failure: its class and SMTP code. Its text
    # may hold an address (SMTPRecipientsRefused) and never says more.
    code = getattr(exc, "smtp_code", None)
    return type(exc).__name__ if code is None else f"{type(exc).__name__} {code}"


class Outbox:
    """An open connection to the e-mail backend, for the e-mails of one request.

    ``with Outbox():`` opens it (raising :class:`SendFailed` when the mail
    server cannot be reached or refuses the log-in: "the mail server is
    down") and closes it at the end. Every address's request opens one,
    whether an e-mail goes out or not, so that the answer depends on this
    alone. Once it is open, a message the server refuses is logged and
    reported by :meth:`send`'s result, never by an exception: a refusal of
    one recipient must not answer differently from an address that gets no
    e-mail.
    """

    def __init__(self) -> None:
        try:
            self._connection = _default_connection()
        except Exception as exc:
            logger.error("The mail backend could not be set up (%s).", _failure(exc))
            raise SendFailed from exc
        if isinstance(self._connection, filebased.EmailBackend):
            # Its open() creates a file, which a request that sends nothing
            # would leave empty; it has no server to reach.
            return
        try:
            self._connection.open()
        except Exception as exc:
            logger.error("The mail server could not be reached (%s).", _failure(exc))
            # A log-in or STARTTLS that failed leaves a half-open socket.
            self._close()
            raise SendFailed from exc

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._close()

    def _close(self) -> None:
        try:
            self._connection.close()
        except Exception as exc:  # pragma: no cover - a close that fails after QUIT
            logger.warning("Closing the mail connection failed (%s).", _failure(exc))

    def send(self, message: EmailMultiAlternatives) -> bool:
        """Send ``message``; return whether the backend took it (a failure is logged)."""
        try:
            sent = bool(self._connection.send_messages([message]))
        except Exception as exc:
            # The message holds the link: only the failure is logged.
            logger.error("A sign-in e-mail could not be sent (%s).", _failure(exc))
            return False
        if not sent:
            # A backend told to fail silently (fail_silently in its options).
            logger.error("A sign-in e-mail could not be sent (the backend sent none).")
        return sent


def sign_in_message(
    request: HttpRequest, email: str, *, url: str, code: str
) -> EmailMultiAlternatives:
    """Return the e-mail with the sign-in link and code, to ``email``."""
    context = _context(request, email, url=url, code=code)
    return _message(request, "sign_in", email, context)


def no_account_message(request: HttpRequest, email: str) -> EmailMultiAlternatives:
    """Return the e-mail telling ``email`` that it has no account here."""
    return _message(request, "no_account", email, _context(request, email))
