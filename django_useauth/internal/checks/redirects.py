"""The check of the settings the callbackUrl policy reads.

``USEAUTH_URL``, ``USEAUTH_DEFAULT_CALLBACK_URL`` and
``USEAUTH_ALLOWED_REDIRECT_ORIGINS`` (``django_useauth.internal.redirects``).
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage

from django_useauth.conf import conf
from django_useauth.internal.checks.values import invalid
from django_useauth.internal.checks.values import is_absolute
from django_useauth.internal.checks.values import is_origin
from django_useauth.internal.checks.values import is_sequence


def check_urls(**kwargs: Any) -> list[CheckMessage]:
    """E010–E012: the site's origin, the default callback URL and the other allowed origins."""
    errors: list[CheckMessage] = []
    url: object = conf.URL
    if url is not None and not is_origin(url):
        errors.append(
            invalid(
                "USEAUTH_URL",
                url,
                "None or an origin like 'https://example.com' (no path)",
                "Set USEAUTH_URL to the scheme, host and port your users reach the site on.",
                "useauth.E010",
            )
        )
    default: object = conf.DEFAULT_CALLBACK_URL
    if not isinstance(default, str) or not (
        (default.startswith("/") and not default.startswith("//"))
        or is_absolute(default)
    ):
        errors.append(
            invalid(
                "USEAUTH_DEFAULT_CALLBACK_URL",
                default,
                "a path starting with '/' or an absolute http(s) URL",
                "Set USEAUTH_DEFAULT_CALLBACK_URL = '/' or another page of the site.",
                "useauth.E011",
            )
        )
    origins: object = conf.ALLOWED_REDIRECT_ORIGINS
    if not is_sequence(origins, is_origin):
        errors.append(
            invalid(
                "USEAUTH_ALLOWED_REDIRECT_ORIGINS",
                origins,
                "a list of origins like 'http://localhost:3000' (scheme, host and port only)",
                "Set USEAUTH_ALLOWED_REDIRECT_ORIGINS = ['http://localhost:3000'].",
                "useauth.E012",
            )
        )
    return errors
