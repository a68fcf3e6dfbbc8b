"""The callbackUrl policy: which redirect targets are accepted, and how they are emitted.

One validator serves every redirect sink (``Location``, the JSON ``url``, values
stored during an OAuth round trip, the decorator and the pages). It is Django's
``url_has_allowed_host_and_scheme`` plus the extra rules of the project's security
report: the raw value, its percent-decoded form and the NFKC form of each must all
pass, none may contain a Unicode ``C*`` character or surrounding whitespace, only
``/…`` and ``http(s)://…`` are accepted, and RFC 3986 resolution must stay on the
expected host with a path that does not start with ``//``, also when ``\\`` is read
as ``/`` the way browsers read it.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import unquote
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.utils.http import MAX_URL_LENGTH
from django.utils.http import url_has_allowed_host_and_scheme

from django_useauth.conf import conf
from django_useauth.internal.callbacks import redirect_callback

if TYPE_CHECKING:
    from django.http import HttpRequest

# Logged under the name projects configure, whatever module holds the code.
logger = logging.getLogger("django_useauth.redirects")


def site_origin(request: HttpRequest) -> str:
    """Return ``scheme://host[:port]`` of the site: ``USEAUTH_URL`` if set, else the request's."""
    scheme, netloc = _site(request)
    return f"{scheme}://{netloc}"


def is_allowed_callback_url(request: HttpRequest, value: object) -> bool:
    """Return whether ``value`` is an acceptable callbackUrl for ``request``.

    Anything that is not a non-empty ``str`` of at most 2048 characters is refused.
    """
    return allowed_callback_url(request, value) is not None


def allowed_callback_url(request: HttpRequest, value: object) -> str | None:
    """Return ``value`` if it is an acceptable callbackUrl for ``request`` (see :func:`is_allowed_callback_url`), else ``None``."""
    if not isinstance(value, str) or not value or len(value) > MAX_URL_LENGTH:
        return None
    scheme, netloc = _site(request)
    extra = _extra_origins()
    decoded = unquote(value)
    forms = {
        value,
        decoded,
        unicodedata.normalize("NFKC", value),
        unicodedata.normalize("NFKC", decoded),
    }
    if all(_form_is_allowed(form, scheme, netloc, extra) for form in forms):
        return value
    return None


def resolve_callback_url(
    request: HttpRequest, value: object, *, default: str | None = None
) -> str:
    """Return the absolute URL to redirect to: ``value`` if allowed, else the fallback.

    The fallback is ``default`` when given (trusted, from code), else
    ``USEAUTH_DEFAULT_CALLBACK_URL``. An accepted value is emitted as it was
    given, made absolute by prefixing the site origin; it is never decoded or
    re-serialised. ``USEAUTH_REDIRECT_CALLBACK``, when set, decides instead of
    the built-in policy.
    """
    callback = redirect_callback()
    if callback is not None:
        answer = _from_callback(request, callback, value)
        if answer is not None:
            return absolute_url(request, answer)
    elif (allowed := allowed_callback_url(request, value)) is not None:
        return absolute_url(request, allowed)
    fallback = conf.DEFAULT_CALLBACK_URL if default is None else default
    return absolute_url(request, fallback)


async def aresolve_callback_url(
    request: HttpRequest, value: object, *, default: str | None = None
) -> str:
    """Async twin of :func:`resolve_callback_url`.

    ``USEAUTH_REDIRECT_CALLBACK`` runs in a thread, so that it may query the
    database; without one nothing here blocks.
    """
    if redirect_callback() is None:
        return resolve_callback_url(request, value, default=default)
    return await sync_to_async(resolve_callback_url)(request, value, default=default)


def _from_callback(
    request: HttpRequest, callback: Callable[..., Any], value: object
) -> str | None:
    # USEAUTH_REDIRECT_CALLBACK replaces the policy, but its answer still
    # lands in a Location header or a JSON url a browser navigates to: it must
    # be a path or an http(s) URL without control characters, or it is ignored.
    try:
        answer = callback(
            url=value if isinstance(value, str) else None,
            base_url=site_origin(request),
            request=request,
        )
    except Exception:
        logger.exception(
            "USEAUTH_REDIRECT_CALLBACK raised; using the default callbackUrl."
        )
        return None
    if (
        isinstance(answer, str)
        and 0 < len(answer) <= MAX_URL_LENGTH
        and not any(unicodedata.category(char).startswith("C") for char in answer)
        and (
            (answer.startswith("/") and not answer.startswith(("//", "/\\")))
            or answer[:8].lower().startswith(("http://", "https://"))
        )
    ):
        return answer
    logger.error(
        "USEAUTH_REDIRECT_CALLBACK answered %r; using the default callbackUrl.", answer
    )
    return None


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
    try:
        parts = urlsplit(form)
    except ValueError:
        # urlsplit raises on a malformed IPv6 host ("http://[::1/") and on a
        # host that NFKC turns into a delimiter ("evil.c\u2100.example"). Such
        # a value is refused, as Django's check does, instead of raising (a 500).
        return False
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
    # Browsers treat "\" as "/" in http(s) URLs, so the path is checked both
    # ways, on the URL as it is emitted: a relative form lands on the site
    # origin. Splitting the variant of a bare "/\evil/x" would read it as the
    # scheme-relative "//evil/x" (path "/x") and miss that the emitted
    # "http://host/\evil/x" has the path "//evil/x" for a browser; "/\" would
    # likewise pass as "//" with an empty path.
    emitted = _emitted(form, scheme, target_netloc, has_scheme=bool(parts.scheme))
    return all(
        not _remove_dot_segments(urlsplit(variant).path).startswith("//")
        for variant in (emitted, emitted.replace("\\", "/"))
    )


def _emitted(form: str, scheme: str, netloc: str, *, has_scheme: bool) -> str:
    # The absolute URL a form stands for, as absolute_url() builds it.
    if has_scheme:
        return form
    if form.startswith("//"):
        return f"{scheme}:{form}"
    return f"{scheme}://{netloc}{form}"


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4 (as browsers apply it) to the absolute path of an
    # absolute URL. urllib.parse.urljoin does not follow it exactly
    # ("/..//evil" becomes "/evil" there, but "//evil" in a browser).
    if not path:
        return path
    output: list[str] = []
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        if segment == "..":
            if output:
                output.pop()
        elif segment != ".":
            output.append(segment)
            continue
        if index == len(segments) - 1:
            # A path ending in "/." or "/.." ends in a directory.
            output.append("")
    return "/" + "/".join(output)
