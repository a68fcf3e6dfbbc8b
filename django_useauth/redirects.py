"""The callbackUrl policy: which redirect targets are accepted, and how they are emitted.

One validator serves every redirect sink (``Location``, the JSON ``url``, values
stored during an OAuth round trip, the decorator and the pages). It is Django's
``url_has_allowed_host_and_scheme`` plus the extra rules of the project's security
report: the raw value, its percent-decoded form and the NFKC form of each must all
pass, none may contain a Unicode ``C*`` character or surrounding whitespace, only
``/…`` and ``http(s)://…`` are accepted, and RFC 3986 resolution must stay on the
expected host with a path that does not start with ``//``.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import unquote
from urllib.parse import urlsplit

from django.utils.http import MAX_URL_LENGTH
from django.utils.http import url_has_allowed_host_and_scheme

from django_useauth.conf import conf

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "absolute_url",
    "is_allowed_callback_url",
    "resolve_callback_url",
    "site_origin",
]


def site_origin(request: HttpRequest) -> str:
    """Return ``scheme://host[:port]`` of the site: ``USEAUTH_URL`` if set, else the request's."""
    scheme, netloc = _site(request)
    return f"{scheme}://{netloc}"


def is_allowed_callback_url(request: HttpRequest, value: object) -> bool:
    """Return whether ``value`` is an acceptable callbackUrl for ``request``.

    Anything that is not a non-empty ``str`` of at most 2048 characters is refused.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_URL_LENGTH:
        return False
    scheme, netloc = _site(request)
    extra = _extra_origins()
    decoded = unquote(value)
    forms = {
        value,
        decoded,
        unicodedata.normalize("NFKC", value),
        unicodedata.normalize("NFKC", decoded),
    }
    return all(_form_is_allowed(form, scheme, netloc, extra) for form in forms)


def resolve_callback_url(
    request: HttpRequest, value: object, *, default: str | None = None
) -> str:
    """Return the absolute URL to redirect to: ``value`` if allowed, else the fallback.

    The fallback is ``default`` when given (trusted, from code), else
    ``USEAUTH_DEFAULT_CALLBACK_URL``. An accepted value is emitted as it was
    given, made absolute by prefixing the site origin; it is never decoded or
    re-serialised.
    """
    if is_allowed_callback_url(request, value):
        assert isinstance(value, str)
        return absolute_url(request, value)
    fallback = conf.DEFAULT_CALLBACK_URL if default is None else default
    return absolute_url(request, fallback)


def absolute_url(request: HttpRequest, url: str) -> str:
    """Make a site-relative ``url`` absolute on the site origin; leave absolute ones alone."""
    if url.startswith("//"):
        return f"{_site(request)[0]}:{url}"
    if url.startswith("/"):
        return site_origin(request) + url
    if url.lower().startswith(("http://", "https://")):
        return url
    # A bare relative path ("dashboard") from trusted configuration: resolve it
    # against the site root, as a browser would from "/".
    return f"{site_origin(request)}/{url}"


def _site(request: HttpRequest) -> tuple[str, str]:
    if conf.URL:
        parts = urlsplit(conf.URL)
        return parts.scheme.lower(), parts.netloc
    return request.scheme or "http", request.get_host()


def _extra_origins() -> set[tuple[str, str]]:
    origins = set()
    for origin in conf.ALLOWED_REDIRECT_ORIGINS:
        parts = urlsplit(origin)
        origins.add((parts.scheme.lower(), parts.netloc.lower()))
    return origins


def _form_is_allowed(
    form: str, scheme: str, netloc: str, extra: set[tuple[str, str]]
) -> bool:
    # NFKC can lengthen a value, so the length is checked for every form.
    if len(form) > MAX_URL_LENGTH or form != form.strip():
        return False
    if any(unicodedata.category(char).startswith("C") for char in form):
        return False
    if not (
        form.startswith("/") or form[:8].lower().startswith(("http://", "https://"))
    ):
        return False
    parts = urlsplit(form)
    if form.startswith("//") and not parts.netloc:
        return False
    target_netloc = parts.netloc or netloc
    if target_netloc == netloc:
        if not url_has_allowed_host_and_scheme(
            form, {netloc}, require_https=scheme == "https"
        ):
            return False
    elif (
        parts.scheme.lower(),
        target_netloc,
    ) not in extra or not url_has_allowed_host_and_scheme(form, {target_netloc}):
        return False
    # Browsers treat "\" as "/" in http(s) URLs, so the path is checked both ways.
    return all(
        not _remove_dot_segments(urlsplit(variant).path).startswith("//")
        for variant in (form, form.replace("\\", "/"))
    )


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4. urllib.parse.urljoin does not follow it exactly
    # ("/..//evil" becomes "/evil" there, but "//evil" in a browser).
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./") or path.startswith("/./"):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if output:
                output.pop()
        elif path == "/..":
            path = "/"
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            start = 1 if path.startswith("/") else 0
            end = path.find("/", start)
            if end == -1:
                end = len(path)
            output.append(path[:end])
            path = path[end:]
    return "".join(output)
