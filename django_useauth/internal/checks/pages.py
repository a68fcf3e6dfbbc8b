"""The check of the project's own pages: ``USEAUTH_PAGES_*``."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage

from django_useauth.conf import conf
from django_useauth.internal.checks.values import invalid


def check_pages(**kwargs: Any) -> list[CheckMessage]:
    """E016–E018: the custom sign-in, sign-out and error pages."""
    pages: tuple[tuple[str, object, str], ...] = (
        ("USEAUTH_PAGES_SIGN_IN", conf.PAGES_SIGN_IN, "useauth.E016"),
        ("USEAUTH_PAGES_SIGN_OUT", conf.PAGES_SIGN_OUT, "useauth.E017"),
        ("USEAUTH_PAGES_ERROR", conf.PAGES_ERROR, "useauth.E018"),
    )
    return [
        invalid(
            name,
            page,
            "None or a URL or URL name",
            f"Set {name} = 'my-sign-in-page' (a URL name) or '/login/'.",
            id,
        )
        for name, page, id in pages
        if page is not None and (not isinstance(page, str) or not page.strip())
    ]
