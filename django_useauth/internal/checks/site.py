"""The site's look on the built-in pages: ``USEAUTH_SITE_*`` and ``USEAUTH_FAVICON``.

``check_site``: each is ``None`` or a non-empty string (E050–E053); the site's
name may also be a lazy translation (``gettext_lazy``). Whether a URL name
resolves or a static file exists is left to the page that uses it, as for
``USEAUTH_PAGES_*``.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage
from django.utils.functional import Promise

from django_useauth.conf import conf
from django_useauth.internal.checks.values import invalid


def _is_text(value: object, *, lazy: bool = False) -> bool:
    # A non-empty string; `lazy` also accepts gettext_lazy("…"), which is
    # only turned into a string (and checked) in the page's language.
    if lazy and isinstance(value, Promise):
        return True
    return isinstance(value, str) and bool(value.strip())


def check_site(**kwargs: Any) -> list[CheckMessage]:
    """E050–E053: the site's name, logo, link and favicon on the built-in pages."""
    settings: tuple[tuple[str, object, bool, str, str, str], ...] = (
        (
            "USEAUTH_SITE_NAME",
            conf.SITE_NAME,
            True,
            "None or a non-empty string",
            "Set USEAUTH_SITE_NAME = 'Example' (or gettext_lazy('Example')), or None.",
            "useauth.E050",
        ),
        (
            "USEAUTH_SITE_LOGO",
            conf.SITE_LOGO,
            False,
            "None or a static file path or URL",
            "Set USEAUTH_SITE_LOGO = 'myapp/logo.svg' (a static file) or "
            "'https://cdn.example.com/logo.svg', or None.",
            "useauth.E051",
        ),
        (
            "USEAUTH_SITE_URL",
            conf.SITE_URL,
            False,
            "None or a URL or URL name",
            "Set USEAUTH_SITE_URL = '/' or a URL name such as 'home', or None "
            "for no link back.",
            "useauth.E052",
        ),
        (
            "USEAUTH_FAVICON",
            conf.FAVICON,
            False,
            "None or a static file path or URL",
            "Set USEAUTH_FAVICON = 'myapp/favicon.svg' (a static file) or a URL, "
            "or None for the icon shipped with django-useauth.",
            "useauth.E053",
        ),
    )
    return [
        invalid(name, value, constraint, hint, id)
        for name, value, lazy, constraint, hint, id in settings
        if value is not None and not _is_text(value, lazy=lazy)
    ]
