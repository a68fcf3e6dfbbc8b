"""The browser client's script tags: the hydration data and the module (``useauth.js``).

``{% useauth_script %}`` in ``django_useauth.templatetags.django_useauth`` is a
thin wrapper around :func:`script`.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.html import json_script
from django.utils.safestring import SafeString

from django_useauth.middleware import get_auth

_EMPTY = SafeString("")


def _flag(value: object) -> bool:
    # Template arguments may be strings: "false", "0", "off" and "" are off.
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "off", "no")
    return bool(value)


def _hydration(
    request: Any, *, refresh_on_focus: object, refresh_interval: object
) -> dict[str, Any]:
    auth = get_auth(request)
    refreshed = auth.last_refreshed_at
    return {
        "session": auth.data,
        "lastRefreshedAt": refreshed.isoformat() if refreshed is not None else None,
        "options": {
            "basePath": reverse("useauth:session").rsplit("/", 1)[0],
            "refreshOnFocus": _flag(refresh_on_focus),
            "refreshInterval": max(int(refresh_interval), 0),  # type: ignore[call-overload]
        },
    }


def script(
    context: template.Context,
    *,
    refresh_on_focus: object,
    refresh_interval: object,
    nonce: str | None,
) -> SafeString:
    """The hydration data block and the module script for ``context``'s request."""
    request = context["request"]
    if nonce is None:
        nonce = context.get("csp_nonce") or getattr(request, "csp_nonce", None)
    nonce_attribute = format_html(' nonce="{}"', nonce) if nonce else _EMPTY
    hydration = _hydration(
        request, refresh_on_focus=refresh_on_focus, refresh_interval=refresh_interval
    )
    return json_script(hydration, "useauth-data") + format_html(
        '<script type="module" src="{}"{}></script>',
        static("django_useauth/useauth.js"),
        nonce_attribute,
    )
