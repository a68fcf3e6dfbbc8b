"""tests/smtp.py: the loopback SMTP server, Django's SMTP backend pointed at it, and the reading of a message."""

from __future__ import annotations

import threading

from django.core.mail import EmailMultiAlternatives
from django.test import SimpleTestCase

from tests.smtp import html_links
from tests.smtp import smtp_server

LINK = "http://127.0.0.1:8000/api/auth/callback/email?callbackUrl=%2F&token=abc-DEF_123&email=ada%40example.com"


def _message(to: str = "ada@example.com") -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        "Sign in", f"Open {LINK}\n\nCode: ABCD-EFGH\n", "site@example.com", [to]
    )
    html = f'<p><a href="{LINK.replace("&", "&amp;")}">Sign in</a></p><p>ABCD-EFGH</p>'
    message.attach_alternative(html, "text/html")
    return message


class SMTPServerTests(SimpleTestCase):
    def test_django_sends_to_it(self):
        with smtp_server() as smtp:
            _message().send()
            received = smtp.wait_for("ada@example.com")
            assert smtp.messages == [received]
            assert smtp.to("bob@example.com") == []
        assert received.mail_from == "site@example.com"
        assert received.rcpt_tos == ("ada@example.com",)
        assert received.subject == "Sign in"
        assert received.text == f"Open {LINK}\n\nCode: ABCD-EFGH\n"
        assert html_links(received.html) == [LINK]
        assert received.link == LINK
        assert received.query == {
            "callbackUrl": "/",
            "token": "abc-DEF_123",
            "email": "ada@example.com",
        }
        assert received.code == "ABCD-EFGH"

    def test_waits_for_a_message_on_its_way(self):
        with smtp_server() as smtp:
            _message().send()
            # The second one is sent while the test waits for it.
            later = threading.Timer(0.2, lambda: _message().send())
            later.start()
            try:
                second = smtp.wait_for("ada@example.com", count=2)
            finally:
                later.join()
            assert smtp.to("ada@example.com")[1] is second
            smtp.clear()
            assert smtp.messages == []

    def test_gives_up_after_the_timeout(self):
        with smtp_server() as smtp:
            _message().send()
            with self.assertRaisesMessage(
                AssertionError,
                "no message 2 for ada@example.com within 0.1 s (1 received for it)",
            ):
                smtp.wait_for("ada@example.com", count=2, timeout=0.1)
