"""The demo's console e-mail backend: Django's, with each message written as a person reads it.

Django's console backend writes the encoded message, where a long line (the
sign-in link) may be quoted-printable, broken with ``=`` and unusable. This
one writes the headers that matter and the text body as it is.
"""

from __future__ import annotations

from django.core.mail.backends import console
from django.core.mail.message import EmailMessage


class EmailBackend(console.EmailBackend):
    """Write each e-mail's sender, recipients, subject and text body to the terminal."""

    def write_message(self, message: EmailMessage) -> None:
        recipients = ", ".join(message.recipients())
        self.stream.write(
            f"From: {message.from_email}\nTo: {recipients}\n"
            f"Subject: {message.subject}\n\n{message.body}\n{'-' * 79}\n"
        )
