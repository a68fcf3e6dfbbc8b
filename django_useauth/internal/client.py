"""The browser client's tags: the hydration data, the import map and the module (``useauth.js``).

``{% useauth_script %}``, ``{% useauth_importmap %}``,
``{% useauth_importmap_entry %}`` and ``{% useauth_module_url %}`` in
``django_useauth.templatetags.django_useauth`` are thin wrappers around
:func:`script`, :func:`importmap_script`, :func:`importmap_entry` and
:func:`module_url`. Every URL of the module comes from ``{% static %}``, so it
follows ``STATIC_URL`` and the static files storage (hashed names of
``ManifestStaticFilesStorage``, a CDN).
"""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.html import json_script
from django.utils.safestring import SafeString

from django_useauth.middleware import get_auth

#: The static file of the browser client.
MODULE = "django_useauth/useauth.js"
#: The bare specifier the import map gives the module: ``import … from "django-useauth"``.
SPECIFIER = "django-useauth"

_EMPTY = SafeString("")

# What json_script escapes: JSON in a <script> element must not contain "<"
# (</script>, <!--) and stays valid JSON with these escapes.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _flag(value: object) -> bool:
    # Template arguments may be strings: "false", "0", "off" and "" are off.
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "off", "no")
    return bool(value)


def _nonce_attribute(context: template.Context, nonce: str | None) -> SafeString:
    if nonce is None:
        nonce = context.get("csp_nonce") or getattr(
            context["request"], "csp_nonce", None
        )
    return format_html(' nonce="{}"', nonce) if nonce else _EMPTY


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


def module_url() -> str:
    """The URL of ``useauth.js`` from the static files storage (not escaped)."""
    return static(MODULE)


def importmap_entry() -> SafeString:
    """``"django-useauth": "<module URL>"``: the import map entry, as JSON safe inside a ``<script>`` element."""
    entry = json.dumps({SPECIFIER: module_url()})[1:-1]
    return SafeString(entry.translate(_SCRIPT_ESCAPES))


def _importmap(nonce_attribute: SafeString) -> SafeString:
    return format_html(
        '<script type="importmap"{}>{{"imports": {{{}}}}}</script>',
        nonce_attribute,
        importmap_entry(),
    )


def importmap_script(context: template.Context, *, nonce: str | None) -> SafeString:
    """The ``<script type="importmap">`` that maps ``django-useauth`` to the module, with the page's CSP nonce."""
    return _importmap(_nonce_attribute(context, nonce))


def script(
    context: template.Context,
    *,
    refresh_on_focus: object,
    refresh_interval: object,
    nonce: str | None,
    importmap: object = True,
) -> SafeString:
    """The hydration data block, the import map (unless ``importmap`` is off) and the module script for ``context``'s request."""
    request = context["request"]
    nonce_attribute = _nonce_attribute(context, nonce)
    hydration = _hydration(
        request, refresh_on_focus=refresh_on_focus, refresh_interval=refresh_interval
    )
    html = json_script(hydration, "useauth-data")
    if _flag(importmap):
        # Before the module script: a browser ignores an import map that comes
        # after the first module script of the page.
        html += _importmap(nonce_attribute)
    return html + format_html(
        '<script type="module" src="{}"{}></script>',
        module_url(),
        nonce_attribute,
    )
