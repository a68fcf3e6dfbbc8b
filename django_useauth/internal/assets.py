"""The files a setting names: ``USEAUTH_SITE_LOGO`` and ``USEAUTH_FAVICON``.

As Django's form ``Media``: a URL or an absolute path is used as written,
anything else names a static file. The ``{% useauth_site %}`` tag turns the
setting into a URL; check ``useauth.E051``/``E053`` finds a static file that
is missing.
"""

from __future__ import annotations

from django.templatetags.static import static

_AS_WRITTEN = ("http://", "https://", "/", "data:")


def is_static_path(path: str) -> bool:
    """Whether `path` names a static file: not a URL (``http``, ``https``, ``data``) nor an absolute path."""
    return not path.startswith(_AS_WRITTEN)


def asset_url(path: str) -> str:
    """The URL of `path`: as written, or the static file's (``static()``, which raises ``ValueError`` under ``ManifestStaticFilesStorage`` for a file it does not have)."""
    return static(path) if is_static_path(path) else path
