"""For a project's own sign-in, sign-out and error pages (``USEAUTH_PAGES_*``).

``sign_in_error_message(code)`` is the text the built-in pages show for a
NextAuth ``error`` code.
"""

from __future__ import annotations

from django_useauth.internal.error_codes import sign_in_error_message

__all__ = ["sign_in_error_message"]
