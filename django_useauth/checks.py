"""System checks. Every message has an id (``useauth.E0NN`` / ``W0NN``), listed in ``docs/checks.md``.

One function per concern, each registered with its tags in ``apps.py``. The
``USEAUTH_*`` settings are read through ``conf``: its properties, or
``conf.configured()`` where the check needs the value exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from typing import TypeGuard
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Error
from django.core.checks import Warning
from django.utils.module_loading import import_string
from social_core.backends.oauth import BaseOAuth1
from social_core.backends.oauth import BaseOAuth2
from social_core.backends.open_id_connect import OpenIdConnectAuth
from social_core.utils import setting_name

from django_useauth.conf import UNSET
from django_useauth.conf import conf
from django_useauth.internal.providers import CREDENTIALS_ID
from django_useauth.internal.providers import PROVIDER_ID_RE
from django_useauth.internal.providers import SocialBackend
from django_useauth.internal.providers import social_backends

__all__ = [
    "check_browser_sessions",
    "check_callbacks",
    "check_credentials",
    "check_deploy",
    "check_lifetimes",
    "check_middleware",
    "check_openapi",
    "check_pages",
    "check_providers",
    "check_proxy",
    "check_session_cache",
    "check_session_engine",
    "check_templates",
    "check_throttle",
    "check_throttle_settings",
    "check_urls",
]

_AUTH_MIDDLEWARE = "django_useauth.middleware.AuthMiddleware"
_SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
_AUTHENTICATION_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
_CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"
_REQUEST_PROCESSOR = "django.template.context_processors.request"
_THROTTLE_BACKEND = "django_useauth.backends.ThrottleBackend"
_RESERVED_FIELDS = frozenset({"csrfToken", "callbackUrl", "json", "redirect"})
_FIELD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_POSITIVE_DURATION = "a positive timedelta or number of seconds"

_LOCMEM_CACHE = "django.core.cache.backends.locmem.LocMemCache"
_DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"
_FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"
# Caches that each process has to itself.
_LOCAL_CACHES = (_LOCMEM_CACHE, _DUMMY_CACHE)
# Caches that cull when full, and that several processes share (a local
# memory one draws W011 instead).
_CULLING_CACHES = ("django.core.cache.backends.db.DatabaseCache", _FILE_CACHE)
#: Fewer entries than this let junk sign-ins (about four entries each) cull
#: the counts of a cache that evicts when full.
_MIN_THROTTLE_ENTRIES = 100_000

# Django's engines whose writes can bring back a session that a concurrent
# sign-out deleted, and our drop-in replacements.
_RACY_ENGINES = {
    "django.contrib.sessions.backends.cache": "django_useauth.sessions.cache",
    "django.contrib.sessions.backends.cached_db": "django_useauth.sessions.cached_db",
}
_CACHE_ENGINES = {
    "django.contrib.sessions.backends.cache",
    "django_useauth.sessions.cache",
}


# -- shared helpers -------------------------------------------------------------


def _invalid(name: str, value: object, constraint: str, hint: str, id: str) -> Error:
    # The error for a setting of the wrong type or shape.
    return Error(f"{name} should be {constraint}; got {value!r}.", hint=hint, id=id)


def _is_sequence(
    value: object, item: Callable[[object], bool]
) -> TypeGuard[Sequence[object]]:
    # A sequence, not a string, whose every item passes `item`.
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and all(item(element) for element in value)
    )


def _is_field_name(value: object) -> bool:
    return isinstance(value, str) and _FIELD_RE.fullmatch(value) is not None


def _is_int(value: object, low: int, high: int | None = None) -> bool:
    # A whole number (not a bool) from `low` to `high`.
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and low <= value
        and (high is None or value <= high)
    )


def _is_absolute(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_origin(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
        and "@" not in parts.netloc
    )


def _is_callable_path(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return callable(import_string(value))
    except ImportError:
        return False


def _is_duration(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value >= 0
    return isinstance(value, timedelta) and value >= timedelta(0)


def _is_positive_duration(written: object, value: Callable[[], timedelta]) -> bool:
    # Unset means the default. `value` (the conf property, in a timedelta)
    # is read only once `written` is known to be a duration.
    return written is UNSET or (_is_duration(written) and timedelta(0) < value())


def _cache_backend(alias: str) -> str:
    # The BACKEND of the cache `alias` names in CACHES, or "".
    caches_setting: dict[str, dict[str, Any]] = settings.CACHES
    backend: str = caches_setting.get(alias, {}).get("BACKEND", "")
    return backend


def _throttle_cache_backend() -> str:
    alias: object = conf.THROTTLE_CACHE
    return _cache_backend(alias) if isinstance(alias, str) else ""


# -- middleware, session engine, templates ---------------------------------------


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


def _check_session_engine_cache(engine: str) -> list[CheckMessage]:
    # W003: a cache engine on a local-memory cache.
    alias = settings.SESSION_CACHE_ALIAS
    if engine not in _CACHE_ENGINES or _cache_backend(alias) != _LOCMEM_CACHE:
        return []
    return [
        Warning(
            f"SESSION_ENGINE {engine!r} should not use the local-memory cache "
            f"{alias!r}: each process has its own sessions, and a restart signs "
            "everyone out.",
            hint="Point SESSION_CACHE_ALIAS at a Redis (or Memcached) cache, or use "
            "the 'django_useauth.sessions.cached_db' engine.",
            id="useauth.W003",
        )
    ]


def check_session_engine(**kwargs: Any) -> list[CheckMessage]:
    """E006: the session engine must keep sessions on the server, so sign-out can end them.

    W003: cache sessions in a local-memory cache are neither shared between
    processes nor kept across restarts. W005: Django's ``cache`` and
    ``cached_db`` engines can write a session back after a concurrent
    sign-out deleted it; ``django_useauth.sessions`` has drop-in replacements.
    """
    engine = settings.SESSION_ENGINE
    if engine == "django.contrib.sessions.backends.signed_cookies":
        return [
            Error(
                "SESSION_ENGINE should not be 'django.contrib.sessions.backends.signed_cookies': "
                "a copied cookie would stay valid after sign-out.",
                hint="Use 'django.contrib.sessions.backends.db', "
                "'django_useauth.sessions.cache' or 'django_useauth.sessions.cached_db'.",
                id="useauth.E006",
            )
        ]
    messages = _check_session_engine_cache(engine)
    if engine in _RACY_ENGINES:
        messages.append(
            Warning(
                f"SESSION_ENGINE should not be {engine!r}: a request that saves the session "
                "while a sign-out deletes it can write it back, and the signed-out cookie "
                "works again.",
                hint=f"Use the drop-in replacement {_RACY_ENGINES[engine]!r}.",
                id="useauth.W005",
            )
        )
    return messages


def check_templates(**kwargs: Any) -> list[CheckMessage]:
    """W001: a DjangoTemplates backend must have the request context processor the tags need."""
    engines: list[dict[str, Any]] = settings.TEMPLATES
    for engine in engines:
        if engine.get("BACKEND") != "django.template.backends.django.DjangoTemplates":
            continue
        processors = engine.get("OPTIONS", {}).get("context_processors", [])
        if _REQUEST_PROCESSOR in processors:
            return []
    return [
        Warning(
            f"No DjangoTemplates backend in TEMPLATES has {_REQUEST_PROCESSOR!r}; "
            "the django_useauth template tags render nothing without the request.",
            hint=f"Add {_REQUEST_PROCESSOR!r} to OPTIONS['context_processors'] of your DjangoTemplates backend.",
            id="useauth.W001",
        )
    ]


# -- the type and shape of each USEAUTH_* setting -------------------------------
# Read into `object`: the conf properties are typed for valid settings, and
# these checks exist for the invalid ones.


def check_urls(**kwargs: Any) -> list[CheckMessage]:
    """E010–E012: the site's origin, the default callback URL and the other allowed origins."""
    errors: list[CheckMessage] = []
    url: object = conf.URL
    if url is not None and not _is_origin(url):
        errors.append(
            _invalid(
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
        or _is_absolute(default)
    ):
        errors.append(
            _invalid(
                "USEAUTH_DEFAULT_CALLBACK_URL",
                default,
                "a path starting with '/' or an absolute http(s) URL",
                "Set USEAUTH_DEFAULT_CALLBACK_URL = '/' or another page of the site.",
                "useauth.E011",
            )
        )
    origins: object = conf.ALLOWED_REDIRECT_ORIGINS
    if not _is_sequence(origins, _is_origin):
        errors.append(
            _invalid(
                "USEAUTH_ALLOWED_REDIRECT_ORIGINS",
                origins,
                "a list of origins like 'http://localhost:3000' (scheme, host and port only)",
                "Set USEAUTH_ALLOWED_REDIRECT_ORIGINS = ['http://localhost:3000'].",
                "useauth.E012",
            )
        )
    return errors


def _are_credentials_fields(value: object) -> bool:
    # Distinct field names, at least one, none of them a name the protocol uses.
    return (
        _is_sequence(value, _is_field_name)
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
            _invalid(
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
            _invalid(
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
            _invalid(
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
        _invalid(
            name,
            page,
            "None or a URL or URL name",
            f"Set {name} = 'my-sign-in-page' (a URL name) or '/login/'.",
            id,
        )
        for name, page, id in pages
        if page is not None and (not isinstance(page, str) or not page.strip())
    ]


def check_callbacks(**kwargs: Any) -> list[CheckMessage]:
    """E022–E024: the session, sign-in and redirect callbacks import."""
    callbacks: tuple[tuple[str, object, str], ...] = (
        ("USEAUTH_SESSION_CALLBACK", conf.SESSION_CALLBACK, "useauth.E022"),
        ("USEAUTH_SIGN_IN_CALLBACK", conf.SIGN_IN_CALLBACK, "useauth.E023"),
        ("USEAUTH_REDIRECT_CALLBACK", conf.REDIRECT_CALLBACK, "useauth.E024"),
    )
    return [
        _invalid(
            name,
            path,
            "None or the dotted path of a function",
            f"Set {name} = 'myapp.auth.{name.removeprefix('USEAUTH_').lower()}' "
            "and check that it imports.",
            id,
        )
        for name, path, id in callbacks
        if path is not None and not _is_callable_path(path)
    ]


def check_lifetimes(**kwargs: Any) -> list[CheckMessage]:
    """E019, E034, E020: a session's lifetime, its cap and how often it is extended."""
    errors: list[CheckMessage] = []
    max_age = conf.configured("MAX_AGE")
    max_age_ok = _is_positive_duration(max_age, lambda: conf.MAX_AGE)
    if not max_age_ok:
        errors.append(
            _invalid(
                "USEAUTH_MAX_AGE",
                max_age,
                _POSITIVE_DURATION,
                "Set USEAUTH_MAX_AGE = timedelta(days=30).",
                "useauth.E019",
            )
        )
    absolute: object = conf.ABSOLUTE_MAX_AGE
    if absolute is not None and not (
        isinstance(absolute, timedelta) and absolute > timedelta(0)
    ):
        errors.append(
            _invalid(
                "USEAUTH_ABSOLUTE_MAX_AGE",
                conf.configured("ABSOLUTE_MAX_AGE"),
                "None or a positive timedelta or number of seconds",
                "Set USEAUTH_ABSOLUTE_MAX_AGE = timedelta(days=30), or None for no cap.",
                "useauth.E034",
            )
        )
    update_age = conf.configured("UPDATE_AGE")
    if update_age is not UNSET and (
        not _is_duration(update_age) or (max_age_ok and conf.UPDATE_AGE > conf.MAX_AGE)
    ):
        errors.append(
            _invalid(
                "USEAUTH_UPDATE_AGE",
                update_age,
                "a timedelta or number of seconds between 0 and USEAUTH_MAX_AGE",
                "Set USEAUTH_UPDATE_AGE = timedelta(hours=24).",
                "useauth.E020",
            )
        )
    return errors


def check_session_cache(**kwargs: Any) -> list[CheckMessage]:
    """E032, W004, E033: the cache of session payloads is a shared cache of CACHES."""
    errors: list[CheckMessage] = []
    alias: object = conf.SESSION_CACHE
    if alias is not None and (
        not isinstance(alias, str) or alias not in settings.CACHES
    ):
        errors.append(
            _invalid(
                "USEAUTH_SESSION_CACHE",
                alias,
                "None or the alias of a cache in CACHES",
                "Set USEAUTH_SESSION_CACHE = 'default' (a Redis cache) or None.",
                "useauth.E032",
            )
        )
    elif isinstance(alias, str) and _cache_backend(alias) in _LOCAL_CACHES:
        errors.append(
            Warning(
                f"USEAUTH_SESSION_CACHE should name a cache shared by every process; "
                f"{alias!r} is local to each one, so a password change or "
                "deactivation seen by one process stays unseen by the others until "
                "USEAUTH_SESSION_CACHE_TIMEOUT.",
                hint="Point USEAUTH_SESSION_CACHE at a Redis or Memcached cache, or set it to None.",
                id="useauth.W004",
            )
        )
    timeout = conf.configured("SESSION_CACHE_TIMEOUT")
    if not _is_positive_duration(timeout, lambda: conf.SESSION_CACHE_TIMEOUT):
        errors.append(
            _invalid(
                "USEAUTH_SESSION_CACHE_TIMEOUT",
                timeout,
                _POSITIVE_DURATION,
                "Set USEAUTH_SESSION_CACHE_TIMEOUT = timedelta(minutes=5).",
                "useauth.E033",
            )
        )
    return errors


def _check_throttle_counts() -> list[CheckMessage]:
    # E026, E027, E030: the limits and the number of proxies are whole numbers.
    counts: tuple[tuple[str, object, int, str, str, str], ...] = (
        (
            "USEAUTH_THROTTLE_ACCOUNT_FAILURES",
            conf.THROTTLE_ACCOUNT_FAILURES,
            1,
            "a positive integer",
            "Set USEAUTH_THROTTLE_ACCOUNT_FAILURES = 10.",
            "useauth.E026",
        ),
        (
            "USEAUTH_THROTTLE_IP_FAILURES",
            conf.THROTTLE_IP_FAILURES,
            1,
            "a positive integer",
            "Set USEAUTH_THROTTLE_IP_FAILURES = 50.",
            "useauth.E027",
        ),
        (
            "USEAUTH_TRUSTED_PROXY_COUNT",
            conf.TRUSTED_PROXY_COUNT,
            0,
            "a whole number of proxies, 0 or more",
            "Set USEAUTH_TRUSTED_PROXY_COUNT = 1 behind one proxy that appends "
            "to X-Forwarded-For, or leave it at 0.",
            "useauth.E030",
        ),
    )
    return [
        _invalid(name, value, constraint, hint, id)
        for name, value, low, constraint, hint, id in counts
        if not _is_int(value, low)
    ]


def check_throttle_settings(**kwargs: Any) -> list[CheckMessage]:
    """E025–E030: the sign-in limits' switch, counts, window, cache and proxies."""
    errors: list[CheckMessage] = []
    enabled: object = conf.THROTTLE_ENABLED
    if not isinstance(enabled, bool):
        errors.append(
            _invalid(
                "USEAUTH_THROTTLE_ENABLED",
                enabled,
                "True or False",
                "Set USEAUTH_THROTTLE_ENABLED = True or False.",
                "useauth.E025",
            )
        )
    errors += _check_throttle_counts()
    window = conf.configured("THROTTLE_WINDOW")
    if not _is_positive_duration(window, lambda: conf.THROTTLE_WINDOW):
        errors.append(
            _invalid(
                "USEAUTH_THROTTLE_WINDOW",
                window,
                _POSITIVE_DURATION,
                "Set USEAUTH_THROTTLE_WINDOW = timedelta(minutes=15).",
                "useauth.E028",
            )
        )
    alias: object = conf.THROTTLE_CACHE
    if not isinstance(alias, str) or alias not in settings.CACHES:
        errors.append(
            _invalid(
                "USEAUTH_THROTTLE_CACHE",
                alias,
                "the alias of a cache in CACHES",
                "Set USEAUTH_THROTTLE_CACHE = 'default' or another alias of CACHES.",
                "useauth.E029",
            )
        )
    return errors


def check_openapi(**kwargs: Any) -> list[CheckMessage]:
    """E031: the OpenAPI switch, when set, is a bool (its default is DEBUG)."""
    flag = conf.configured("OPENAPI")
    if flag is UNSET or isinstance(flag, bool):
        return []
    return [
        _invalid(
            "USEAUTH_OPENAPI",
            flag,
            "True or False",
            "Set USEAUTH_OPENAPI = True or False.",
            "useauth.E031",
        )
    ]


# -- providers ------------------------------------------------------------------


def _social_setting(backend_name: str, name: str) -> object:
    # social-core looks a setting up as SOCIAL_AUTH_<BACKEND>_<NAME>, then
    # SOCIAL_AUTH_<NAME>, then <NAME>.
    for candidate in (setting_name(backend_name, name), setting_name(name), name):
        value = getattr(settings, candidate, None)
        if value:
            return value
    return None


def _check_provider(name: str, backend: SocialBackend) -> list[CheckMessage]:
    # E008, E009: the backend's name is a provider id, and an OAuth one has its keys.
    path = f"{backend.__module__}.{backend.__qualname__}"
    if name == CREDENTIALS_ID or not PROVIDER_ID_RE.fullmatch(name):
        return [
            Error(
                f"The social-core backend {path!r} should have a name usable as a provider "
                f"id (lower-case letters, digits, '-' and '_', not 'credentials'); got {name!r}.",
                hint="Subclass it and set `name` to a provider id such as 'github'.",
                id="useauth.E008",
            )
        ]
    if not issubclass(backend, (BaseOAuth1, BaseOAuth2)):
        return []
    required = ["KEY", "SECRET"]
    if issubclass(backend, OpenIdConnectAuth) and not backend.OIDC_ENDPOINT:
        required.append("OIDC_ENDPOINT")
    missing = [
        setting_name(name, setting)
        for setting in required
        if not _social_setting(name, setting)
    ]
    if not missing:
        return []
    return [
        Error(
            f"The provider {name!r} ({path}) should have {', '.join(missing)} set.",
            hint="Set them in settings, e.g. from AUTH_<PROVIDER>_ID and "
            "AUTH_<PROVIDER>_SECRET with django_useauth.env.oauth_settings().",
            id="useauth.E009",
        )
    ]


def check_providers(**kwargs: Any) -> list[CheckMessage]:
    """E007–E009, E021: the OAuth providers can work, and someone can sign in at all."""
    errors: list[CheckMessage] = []
    backends = social_backends()
    if backends and not apps.is_installed("social_django"):
        errors.append(
            Error(
                "INSTALLED_APPS should contain 'social_django': AUTHENTICATION_BACKENDS "
                "has social-core backends, which store accounts in its models.",
                hint="Add 'social_django' to INSTALLED_APPS and run migrate.",
                id="useauth.E007",
            )
        )
    for name, backend in backends.items():
        errors += _check_provider(name, backend)
    if conf.CREDENTIALS_ENABLED is False and not backends:
        errors.append(
            Error(
                "USEAUTH_CREDENTIALS_ENABLED is False and AUTHENTICATION_BACKENDS has no "
                "social-core backend: there is no way to sign in.",
                hint="Enable the credentials provider or add an OAuth backend.",
                id="useauth.E021",
            )
        )
    return errors


# -- the sign-in limits ----------------------------------------------------------


def _account_fields() -> list[str]:
    # Imported here: the user model is not ready when this module is imported.
    from django_useauth.internal.throttle import account_fields

    return account_fields()


def _check_throttle_shapes() -> list[CheckMessage]:
    # E036, E037: the settings that say what one count covers.
    errors: list[CheckMessage] = []
    fields: object = conf.THROTTLE_ACCOUNT_FIELDS
    if fields is not None and not (
        _is_sequence(fields, _is_field_name) and len(fields) > 0
    ):
        errors.append(
            _invalid(
                "USEAUTH_THROTTLE_ACCOUNT_FIELDS",
                fields,
                "None or a non-empty list of the credential names that name the account",
                "Set USEAUTH_THROTTLE_ACCOUNT_FIELDS = ['login'] (the field your "
                "authentication backend looks the user up by), or None.",
                "useauth.E036",
            )
        )
    prefix: object = conf.THROTTLE_IPV6_PREFIX
    if not _is_int(prefix, 1, 128):
        errors.append(
            _invalid(
                "USEAUTH_THROTTLE_IPV6_PREFIX",
                prefix,
                "a number of bits from 1 to 128",
                "Set USEAUTH_THROTTLE_IPV6_PREFIX = 64 (one customer's network).",
                "useauth.E037",
            )
        )
    return errors


def _check_throttle_store() -> list[CheckMessage]:
    # E035, W014: the cache keeps the counts, and adds to them in one step.
    backend = _throttle_cache_backend()
    if backend == _DUMMY_CACHE:
        return [
            Error(
                f"USEAUTH_THROTTLE_CACHE should name a cache that stores; "
                f"{conf.THROTTLE_CACHE!r} is DummyCache, which keeps nothing, so no "
                "sign-in would ever be limited.",
                hint="Point USEAUTH_THROTTLE_CACHE at a Redis, Memcached or database "
                "cache, or set USEAUTH_THROTTLE_ENABLED = False to switch the limits off.",
                id="useauth.E035",
            )
        ]
    if backend == _FILE_CACHE:
        return [
            Warning(
                f"USEAUTH_THROTTLE_CACHE {conf.THROTTLE_CACHE!r} is FileBasedCache, "
                "whose add() is a check and a write, not one atomic step: sign-ins "
                "sent at the same moment can pass the limits.",
                hint="Point USEAUTH_THROTTLE_CACHE at a Redis, Memcached or database cache.",
                id="useauth.W014",
            )
        ]
    return []


def _check_account_named() -> list[CheckMessage]:
    # E038: a credentials sign-in names the account whose failures it counts.
    fields: object = conf.CREDENTIALS_FIELDS
    if (
        conf.CREDENTIALS_ENABLED is not True
        or not isinstance(fields, (list, tuple))
        or set(_account_fields()).intersection(fields)
    ):
        return []
    return [
        Error(
            f"USEAUTH_CREDENTIALS_FIELDS {list(fields)!r} has no field "
            "that names the account, so failed sign-ins could not be limited per "
            "account.",
            hint="Set USEAUTH_THROTTLE_ACCOUNT_FIELDS to the field(s) your "
            "authentication backend looks the user up by, e.g. ['login'].",
            id="useauth.E038",
        )
    ]


def _check_throttle_backend() -> list[CheckMessage]:
    # W015: every authenticate() call goes through the limits first.
    backends: list[str] = list(settings.AUTHENTICATION_BACKENDS)
    if backends and backends[0] == _THROTTLE_BACKEND:
        return []
    where = (
        "is not first in AUTHENTICATION_BACKENDS, so the backends before it check "
        "passwords without limits"
        if _THROTTLE_BACKEND in backends
        else "is not in AUTHENTICATION_BACKENDS, so only /api/auth sign-ins are "
        "limited: the admin login and any other view that calls authenticate() "
        "let attackers guess without limits"
    )
    return [
        Warning(
            f"{_THROTTLE_BACKEND!r} {where}.",
            hint=f"Put {_THROTTLE_BACKEND!r} first in AUTHENTICATION_BACKENDS.",
            id="useauth.W015",
        )
    ]


def check_throttle(**kwargs: Any) -> list[CheckMessage]:
    """E035–E038, W014, W015: the sign-in limits can hold, on every door."""
    messages = _check_throttle_shapes()
    if conf.THROTTLE_ENABLED is not True:
        return messages
    return [
        *messages,
        *_check_throttle_store(),
        *_check_account_named(),
        *_check_throttle_backend(),
    ]


def check_browser_sessions(**kwargs: Any) -> list[CheckMessage]:
    """W013: a browser-session cookie's session must stay in the store for ``USEAUTH_MAX_AGE``.

    With ``SESSION_EXPIRE_AT_BROWSER_CLOSE`` the session keeps its end in the
    session itself (Django's expiry date would make the cookie persistent), and
    Django's stores keep it only ``SESSION_COOKIE_AGE`` after its last write.
    """
    max_age: object = conf.MAX_AGE
    cookie_age: object = settings.SESSION_COOKIE_AGE
    if (
        not settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        or not isinstance(max_age, timedelta)
        or not isinstance(cookie_age, int)
        or timedelta(seconds=cookie_age) >= max_age
    ):
        # Valid settings that agree, or invalid ones other checks report.
        return []
    seconds = int(max_age.total_seconds())
    return [
        Warning(
            f"SESSION_COOKIE_AGE should be at least USEAUTH_MAX_AGE ({seconds} seconds) "
            "when SESSION_EXPIRE_AT_BROWSER_CLOSE is True: the session store drops a "
            f"browser-session cookie's session {cookie_age} seconds after its last "
            "write, so a session left unused ends before the 'expires' it was given.",
            hint=f"Set SESSION_COOKIE_AGE = {seconds}, or lower USEAUTH_MAX_AGE to "
            "SESSION_COOKIE_AGE or less.",
            id="useauth.W013",
        )
    ]


# -- deployment (``manage.py check --deploy``) -----------------------------------


def _check_throttle_cache_shared() -> list[CheckMessage]:
    # W011: every process counts in the same cache.
    backend = _throttle_cache_backend()
    if conf.THROTTLE_ENABLED is not True or backend != _LOCMEM_CACHE:
        return []
    return [
        Warning(
            f"USEAUTH_THROTTLE_CACHE should name a cache shared by every process; "
            f"{conf.THROTTLE_CACHE!r} is {backend.rsplit('.', 1)[-1]}, so each process "
            "(and each gunicorn worker) counts failed sign-ins on its own.",
            hint="Point USEAUTH_THROTTLE_CACHE at a Redis, Memcached or database cache.",
            id="useauth.W011",
        )
    ]


def _check_throttle_capacity() -> list[CheckMessage]:
    # W018: Django's database and file caches (and local memory) cull entries
    # once they hold MAX_ENTRIES (300 by default), all of them with
    # CULL_FREQUENCY 0: an attacker who fills the cache with junk sign-ins
    # from other addresses erases an account's count.
    if (
        conf.THROTTLE_ENABLED is not True
        or _throttle_cache_backend() not in _CULLING_CACHES
    ):
        return []
    caches_setting: dict[str, dict[str, Any]] = settings.CACHES
    options: dict[str, object] = caches_setting[conf.THROTTLE_CACHE].get("OPTIONS", {})
    entries = options.get("MAX_ENTRIES", 300)
    culls_all = options.get("CULL_FREQUENCY", 3) == 0
    if not culls_all and (
        not isinstance(entries, int) or entries >= _MIN_THROTTLE_ENTRIES
    ):
        return []
    return [
        Warning(
            f"USEAUTH_THROTTLE_CACHE {conf.THROTTLE_CACHE!r} drops entries once it "
            f"holds MAX_ENTRIES ({entries!r}): sign-ins from other addresses can "
            "fill it and erase an account's count, and the limits no longer hold.",
            hint=f"Give the throttle a cache of its own with OPTIONS = "
            f"{{'MAX_ENTRIES': {_MIN_THROTTLE_ENTRIES * 10}, 'CULL_FREQUENCY': 3}} "
            "or more, or use Redis without eviction.",
            id="useauth.W018",
        )
    ]


def _check_url_deploy() -> list[CheckMessage]:
    # W010, W012: the site's canonical origin is set, on https.
    url: object = conf.URL
    if isinstance(url, str) and url.startswith("http://"):
        return [
            Warning(
                f"USEAUTH_URL should use https in production; got {url!r}.",
                hint="Serve the site over https and set USEAUTH_URL = 'https://…'.",
                id="useauth.W010",
            )
        ]
    if url:
        return []
    return [
        Warning(
            "USEAUTH_URL should be set in production to the site's canonical "
            "origin; without it every absolute URL is built from the request's "
            "Host (or X-Forwarded-Host) header, and GET /api/auth/providers and "
            "openapi.json are sent private and varying on it.",
            hint="Set USEAUTH_URL = 'https://example.com' (your site's origin).",
            id="useauth.W012",
        )
    ]


def check_deploy(**kwargs: Any) -> list[CheckMessage]:
    """W010–W012, W018 (``--deploy``): an https ``USEAUTH_URL`` is set; throttle counts every server shares and no cull erases."""
    return [
        *_check_throttle_cache_shared(),
        *_check_throttle_capacity(),
        *_check_url_deploy(),
    ]


def _behind_proxy() -> bool:
    return bool(
        getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        or getattr(settings, "USE_X_FORWARDED_HOST", False)
        or getattr(settings, "USE_X_FORWARDED_PORT", False)
    )


def check_proxy(**kwargs: Any) -> list[CheckMessage]:
    """W016, W017 (``--deploy``): the client address the sign-in limits count is the client's."""
    proxies: object = conf.TRUSTED_PROXY_COUNT
    if conf.THROTTLE_ENABLED is not True or not isinstance(proxies, int):
        return []
    if proxies == 0 and _behind_proxy():
        return [
            Warning(
                "USEAUTH_TRUSTED_PROXY_COUNT is 0, but SECURE_PROXY_SSL_HEADER or "
                "USE_X_FORWARDED_HOST/PORT says a proxy is in front of the site: every "
                "visitor then has the proxy's address, and USEAUTH_THROTTLE_IP_FAILURES "
                "failed sign-ins from anyone lock everyone out.",
                hint="Set USEAUTH_TRUSTED_PROXY_COUNT to the number of proxies that "
                "append to X-Forwarded-For (1 for one nginx; 2 for a CDN and a proxy). "
                "docs/security.md shows the usual deployments.",
                id="useauth.W016",
            )
        ]
    if proxies > 0 and not _behind_proxy():
        return [
            Warning(
                f"USEAUTH_TRUSTED_PROXY_COUNT is {proxies}, but no proxy is configured "
                "(SECURE_PROXY_SSL_HEADER, USE_X_FORWARDED_HOST/PORT): a client that "
                "reaches the site directly writes X-Forwarded-For itself and picks a "
                "new address for every sign-in attempt.",
                hint="Set USEAUTH_TRUSTED_PROXY_COUNT = 0 when no proxy appends to "
                "X-Forwarded-For; behind a proxy, configure SECURE_PROXY_SSL_HEADER too.",
                id="useauth.W017",
            )
        ]
    return []
