"""How the app is installed: ``MIDDLEWARE`` (E001–E005) and ``TEMPLATES`` (W001, W019).

``AuthMiddleware`` and the middleware it reads, in order; a DjangoTemplates
backend that gives the template tags the request, and templates the ``auth``
variable.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Error
from django.core.checks import Warning
from django.utils.module_loading import import_string

_AUTH_MIDDLEWARE = "django_useauth.middleware.AuthMiddleware"
_SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
_AUTHENTICATION_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
_CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"


def _middleware_index(path: str) -> int | None:
    # The position of the first MIDDLEWARE entry that is `path` or a subclass.
    target = import_string(path)
    for index, entry in enumerate(settings.MIDDLEWARE):
        try:
            middleware = import_string(entry)
        except ImportError:
            continue
        if isinstance(middleware, type) and issubclass(middleware, target):
            return index
    return None


def _check_auth_middleware(
    ours: int | None, session: int | None, authentication: int | None
) -> list[CheckMessage]:
    # E001, E002: ours is there, after the two it reads.
    if ours is None:
        return [
            Error(
                f"MIDDLEWARE should contain {_AUTH_MIDDLEWARE!r}.",
                hint=f"Add {_AUTH_MIDDLEWARE!r} to MIDDLEWARE, after {_AUTHENTICATION_MIDDLEWARE!r}.",
                id="useauth.E001",
            )
        ]
    if any(index is not None and index > ours for index in (session, authentication)):
        return [
            Error(
                f"{_AUTH_MIDDLEWARE!r} should come after {_SESSION_MIDDLEWARE!r} and "
                f"{_AUTHENTICATION_MIDDLEWARE!r} in MIDDLEWARE.",
                hint=f"Move {_AUTH_MIDDLEWARE!r} below {_AUTHENTICATION_MIDDLEWARE!r}.",
                id="useauth.E002",
            )
        ]
    return []


def check_middleware(**kwargs: Any) -> list[CheckMessage]:
    """E001–E005: our middleware and the ones it needs are present and in order."""
    ours = _middleware_index(_AUTH_MIDDLEWARE)
    session = _middleware_index(_SESSION_MIDDLEWARE)
    authentication = _middleware_index(_AUTHENTICATION_MIDDLEWARE)
    errors = _check_auth_middleware(ours, session, authentication)
    if session is None:
        errors.append(
            Error(
                f"MIDDLEWARE should contain {_SESSION_MIDDLEWARE!r}: sessions hold who is signed in.",
                hint=f"Add {_SESSION_MIDDLEWARE!r} to MIDDLEWARE, before {_AUTH_MIDDLEWARE!r}.",
                id="useauth.E003",
            )
        )
    if authentication is None:
        errors.append(
            Error(
                f"MIDDLEWARE should contain {_AUTHENTICATION_MIDDLEWARE!r}: request.auth reads request.user.",
                hint=f"Add {_AUTHENTICATION_MIDDLEWARE!r} to MIDDLEWARE, before {_AUTH_MIDDLEWARE!r}.",
                id="useauth.E004",
            )
        )
    if _middleware_index(_CSRF_MIDDLEWARE) is None:
        errors.append(
            Error(
                f"MIDDLEWARE should contain {_CSRF_MIDDLEWARE!r}: it sets the CSRF cookie that "
                "GET /api/auth/csrf hands out a token for.",
                hint=f"Add {_CSRF_MIDDLEWARE!r} to MIDDLEWARE.",
                id="useauth.E005",
            )
        )
    return errors


_DJANGO_TEMPLATES = "django.template.backends.django.DjangoTemplates"
_REQUEST_PROCESSOR = "django.template.context_processors.request"
_AUTH_PROCESSOR = "django_useauth.context_processors.auth"


def check_templates(**kwargs: Any) -> list[CheckMessage]:
    """W001, W019: a DjangoTemplates backend has the request and ``auth`` context processors."""
    engines: list[dict[str, Any]] = settings.TEMPLATES
    processors = [
        engine.get("OPTIONS", {}).get("context_processors", [])
        for engine in engines
        if engine.get("BACKEND") == _DJANGO_TEMPLATES
    ]
    messages: list[CheckMessage] = []
    if not any(_REQUEST_PROCESSOR in names for names in processors):
        messages.append(
            Warning(
                f"No DjangoTemplates backend in TEMPLATES has {_REQUEST_PROCESSOR!r}; "
                "the django_useauth template tags render nothing without the request.",
                hint=f"Add {_REQUEST_PROCESSOR!r} to OPTIONS['context_processors'] of your DjangoTemplates backend.",
                id="useauth.W001",
            )
        )
    # Only where Django templates are used: the `auth` variable is theirs.
    if processors and not any(_AUTH_PROCESSOR in names for names in processors):
        messages.append(
            Warning(
                f"No DjangoTemplates backend in TEMPLATES has {_AUTH_PROCESSOR!r}, so "
                "templates have no `auth` variable: {% if auth %} is false for a "
                "signed-in user, who is shown 'Sign in' while {% auth_status %} "
                "says 'authenticated'.",
                hint=f"Add {_AUTH_PROCESSOR!r} to OPTIONS['context_processors'] of "
                "your DjangoTemplates backend, or silence useauth.W019 if your "
                "templates use only the template tags.",
                id="useauth.W019",
            )
        )
    return messages
