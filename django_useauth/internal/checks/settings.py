"""The shape of the ``USEAUTH_*`` settings that are checked on their own.

``check_urls``: the callbackUrl policy, ``USEAUTH_URL``,
``USEAUTH_DEFAULT_CALLBACK_URL`` and ``USEAUTH_ALLOWED_REDIRECT_ORIGINS``
(E010–E012). ``check_credentials``: ``USEAUTH_CREDENTIALS_*`` (E013–E015).
``check_pages``: ``USEAUTH_PAGES_*`` (E016–E018). ``check_lifetimes``:
``USEAUTH_MAX_AGE``, ``USEAUTH_ABSOLUTE_MAX_AGE``, ``USEAUTH_UPDATE_AGE``
(E019, E034, E020). ``check_callbacks``: ``USEAUTH_*_CALLBACK`` (E022–E024).
``check_openapi``: ``USEAUTH_OPENAPI`` (E031).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.checks import CheckMessage

from django_useauth.conf import UNSET
from django_useauth.conf import conf
from django_useauth.internal.checks.values import invalid
from django_useauth.internal.checks.values import is_absolute
from django_useauth.internal.checks.values import is_callable_path
from django_useauth.internal.checks.values import is_duration
from django_useauth.internal.checks.values import is_field_name
from django_useauth.internal.checks.values import is_origin
from django_useauth.internal.checks.values import is_sequence
from django_useauth.internal.checks.values import positive_duration_errors


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


_RESERVED_FIELDS = frozenset({"csrfToken", "callbackUrl", "json", "redirect"})


def _are_credentials_fields(value: object) -> bool:
    # Distinct field names, at least one, none of them a name the protocol uses.
    return (
        is_sequence(value, is_field_name)
        and bool(value)
        and len(set(value)) == len(value)
        and not _RESERVED_FIELDS.intersection(value)
    )


def check_credentials(**kwargs: Any) -> list[CheckMessage]:
    """E013–E015: the credentials provider's switch, name and fields."""
    errors: list[CheckMessage] = []
    enabled: object = conf.CREDENTIALS_ENABLED
    if not isinstance(enabled, bool):
        errors.append(
            invalid(
                "USEAUTH_CREDENTIALS_ENABLED",
                enabled,
                "True or False",
                "Set USEAUTH_CREDENTIALS_ENABLED = False to switch the credentials provider off.",
                "useauth.E013",
            )
        )
    name: object = conf.CREDENTIALS_NAME
    if not isinstance(name, str) or not name.strip():
        errors.append(
            invalid(
                "USEAUTH_CREDENTIALS_NAME",
                name,
                "a non-empty string",
                "Set USEAUTH_CREDENTIALS_NAME = 'Credentials' or another label.",
                "useauth.E014",
            )
        )
    fields: object = conf.CREDENTIALS_FIELDS
    if not _are_credentials_fields(fields):
        errors.append(
            invalid(
                "USEAUTH_CREDENTIALS_FIELDS",
                fields,
                "a non-empty list of distinct field names (identifiers) other than "
                + ", ".join(sorted(_RESERVED_FIELDS)),
                "Set USEAUTH_CREDENTIALS_FIELDS = ['username', 'password'] or "
                "['email', 'password'].",
                "useauth.E015",
            )
        )
    return errors


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


def check_lifetimes(**kwargs: Any) -> list[CheckMessage]:
    """E019, E034, E020: a session's lifetime, its cap and how often it is extended."""
    max_age_errors = positive_duration_errors(
        "MAX_AGE", "timedelta(days=30)", "useauth.E019"
    )
    # E020 compares with conf.MAX_AGE only once E019 has not flagged it: an
    # invalid USEAUTH_MAX_AGE may not even convert to a timedelta.
    max_age_ok = not max_age_errors
    errors: list[CheckMessage] = [*max_age_errors]
    absolute: object = conf.ABSOLUTE_MAX_AGE
    if absolute is not None and not (
        isinstance(absolute, timedelta) and absolute > timedelta(0)
    ):
        errors.append(
            invalid(
                "USEAUTH_ABSOLUTE_MAX_AGE",
                conf.configured("ABSOLUTE_MAX_AGE"),
                "None or a positive timedelta or number of seconds",
                "Set USEAUTH_ABSOLUTE_MAX_AGE = timedelta(days=30), or None for no cap.",
                "useauth.E034",
            )
        )
    update_age = conf.configured("UPDATE_AGE")
    if update_age is not UNSET and (
        not is_duration(update_age) or (max_age_ok and conf.UPDATE_AGE > conf.MAX_AGE)
    ):
        errors.append(
            invalid(
                "USEAUTH_UPDATE_AGE",
                update_age,
                "a timedelta or number of seconds between 0 and USEAUTH_MAX_AGE",
                "Set USEAUTH_UPDATE_AGE = timedelta(hours=24).",
                "useauth.E020",
            )
        )
    return errors


def check_callbacks(**kwargs: Any) -> list[CheckMessage]:
    """E022–E024: the session, sign-in and redirect callbacks import."""
    callbacks: tuple[tuple[str, object, str], ...] = (
        ("USEAUTH_SESSION_CALLBACK", conf.SESSION_CALLBACK, "useauth.E022"),
        ("USEAUTH_SIGN_IN_CALLBACK", conf.SIGN_IN_CALLBACK, "useauth.E023"),
        ("USEAUTH_REDIRECT_CALLBACK", conf.REDIRECT_CALLBACK, "useauth.E024"),
    )
    return [
        invalid(
            name,
            path,
            "None or the dotted path of a function",
            f"Set {name} = 'myapp.auth.{name.removeprefix('USEAUTH_').lower()}' "
            "and check that it imports.",
            id,
        )
        for name, path, id in callbacks
        if path is not None and not is_callable_path(path)
    ]


def check_openapi(**kwargs: Any) -> list[CheckMessage]:
    """E031: the OpenAPI switch, when set, is a bool (its default is DEBUG)."""
    flag = conf.configured("OPENAPI")
    if flag is UNSET or isinstance(flag, bool):
        return []
    return [
        invalid(
            "USEAUTH_OPENAPI",
            flag,
            "True or False",
            "Set USEAUTH_OPENAPI = True or False.",
            "useauth.E031",
        )
    ]
