"""A real SMTP server on loopback for the e-mail sign-in tests (aiosmtpd), and Django's SMTP backend pointed at it.

``SMTPServer`` listens on 127.0.0.1 on a free port and keeps every message it
accepts; ``wait_for(address)`` returns one as ``Received``, whose ``text``,
``html``, ``link`` (the ``callback/email`` URL) and ``code`` (``ABCD-EFGH``)
are read the way a mail client would. ``smtp_server()`` starts one and
overrides the settings so that Django sends through its own SMTP backend
(``django.core.mail.backends.smtp.EmailBackend``) to it: ``MAILERS`` on Django
6.1 and later, ``EMAIL_BACKEND``, ``EMAIL_HOST`` and ``EMAIL_PORT`` before.
Settings are global to the process, so the override holds in a live server's
threads too.
"""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cached_property
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import django
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.test import override_settings

from tests.live import free_port

#: The path of the e-mailed link.
CALLBACK_PATH = "/api/auth/callback/email"
#: A sign-in link as the text part writes it.
LINK_RE = re.compile(r"https?://[^\s\"'<>]+/api/auth/callback/email\?[^\s\"'<>]+")
#: The code as the e-mail shows it: two groups of four of the code's symbols.
CODE_RE = re.compile(r"\b[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b")
#: How long ``wait_for()`` waits for a message by default, in seconds.
TIMEOUT = 10.0

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class _Links(HTMLParser):
    # The href of every <a> of an HTML part, unescaped (&amp; → &).
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href is not None:
            self.hrefs.append(href)


def html_links(html: str) -> list[str]:
    """The ``href`` of every link of ``html``, as a browser reads them."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.hrefs


@dataclass(frozen=True)
class Received:
    """One message the server accepted: its envelope and its bytes, parsed on demand."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    @cached_property
    def message(self) -> EmailMessage:
        """The message parsed with the standard library's modern policy."""
        return email.message_from_bytes(self.data, policy=email.policy.default)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def _part(self, subtype: str) -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        assert part is not None, f"no text/{subtype} part"
        assert part.get_content_type() == f"text/{subtype}"
        content: str = part.get_content()
        # SMTP's line endings, as a mail client shows them.
        return content.replace("\r\n", "\n")

    @property
    def text(self) -> str:
        """The text/plain part, decoded, with ``\\n`` line endings."""
        return self._part("plain")

    @property
    def html(self) -> str:
        """The text/html part, decoded, with ``\\n`` line endings."""
        return self._part("html")

    @property
    def link(self) -> str:
        """The one sign-in link of the text part; the HTML part's button links to the same URL."""
        links: list[str] = LINK_RE.findall(self.text)
        [link] = links
        assert [h for h in html_links(self.html) if CALLBACK_PATH in h] == [link]
        return link

    @property
    def query(self) -> dict[str, str]:
        """The link's query: ``callbackUrl`` (if any), ``token``, ``email``."""
        return {k: v for k, [v] in parse_qs(urlsplit(self.link).query).items()}

    @property
    def code(self) -> str:
        """The one code of the text part (``ABCD-EFGH``); the HTML part shows the same."""
        # Outside the link, whose token could hold such a group.
        codes: list[str] = CODE_RE.findall(self.text.replace(self.link, ""))
        [code] = codes
        [html_code] = CODE_RE.findall(
            self.html.replace(self.link.replace("&", "&amp;"), "")
        )
        assert html_code == code
        return code


class _Handler:
    # aiosmtpd calls handle_DATA in the server's event loop thread; the
    # tests read from theirs.
    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.received: list[Received] = []
        #: Recipients refused at RCPT TO, as a mailbox that does not exist is.
        self.refused: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=bytes(envelope.content),
        )
        with self.condition:
            self.received.append(message)
            self.condition.notify_all()
        return "250 Message accepted for delivery"


class SMTPServer:
    """An aiosmtpd server on 127.0.0.1 and a free port that keeps what it receives: ``start()``, ``stop()``, or ``with``."""

    host = "127.0.0.1"

    def __init__(self, *, refuse_log_in: bool = False) -> None:
        self.port = free_port()
        self._handler = _Handler()
        #: With ``refuse_log_in``: the server offers AUTH and refuses every log-in (535).
        self.refuse_log_in = refuse_log_in
        auth: dict[str, Any] = {}
        if refuse_log_in:
            # AUTH offered over plain SMTP on loopback (not required: aiosmtpd
            # warns about requiring it without TLS, in every connection).
            auth = {
                "auth_require_tls": False,
                "authenticator": lambda *args: AuthResult(success=False, handled=False),
            }
        # server_hostname: no getfqdn() (a DNS lookup) for the greeting.
        self._controller = Controller(
            self._handler,
            hostname=self.host,
            port=self.port,
            server_hostname="localhost",
            **auth,
        )

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SMTPServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def messages(self) -> list[Received]:
        """Every message received so far, in order."""
        with self._handler.condition:
            return list(self._handler.received)

    def to(self, address: str) -> list[Received]:
        """The messages received so far for ``address``, in order."""
        return [m for m in self.messages if address in m.rcpt_tos]

    def refuse(self, address: str) -> None:
        """Refuse ``address`` at RCPT TO from now on (550)."""
        self._handler.refused.add(address)

    def clear(self) -> None:
        with self._handler.condition:
            self._handler.received.clear()

    def wait_for(
        self, address: str, *, count: int = 1, timeout: float = TIMEOUT
    ) -> Received:
        """The ``count``-th message for ``address``, once it has arrived; ``AssertionError`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._handler.condition:
            while True:
                found = [m for m in self._handler.received if address in m.rcpt_tos]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                assert left > 0, (
                    f"no message {count} for {address} within {timeout} s "
                    f"({len(found)} received for it)"
                )
                self._handler.condition.wait(left)

    def django_settings(self) -> dict[str, Any]:
        """The settings that make Django send through its SMTP backend to this server."""
        login = {"username": "ada", "password": "wrong"} if self.refuse_log_in else {}
        if django.VERSION >= (6, 1):  # pragma: no cover - Django 6.1 and later
            # Django 6.1 names its mailers; with MAILERS defined (tests/settings.py)
            # the EMAIL_* settings are refused.
            options = {
                "host": self.host,
                "port": self.port,
                "timeout": TIMEOUT,
                **login,
            }
            return {
                "MAILERS": {"default": {"BACKEND": SMTP_BACKEND, "OPTIONS": options}}
            }
        return {  # pragma: no cover - before Django 6.1
            "EMAIL_BACKEND": SMTP_BACKEND,
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port,
            "EMAIL_TIMEOUT": TIMEOUT,
            "EMAIL_HOST_USER": login.get("username", ""),
            "EMAIL_HOST_PASSWORD": login.get("password", ""),
        }


@contextmanager
def smtp_server(*, refuse_log_in: bool = False) -> Iterator[SMTPServer]:
    """A running ``SMTPServer``, with Django's mail sent to it by its SMTP backend."""
    with (
        SMTPServer(refuse_log_in=refuse_log_in) as server,
        override_settings(**server.django_settings()),
    ):
        yield server
