"""System checks. Every message has an id (``useauth.E0NN`` / ``W0NN``), listed in ``docs/checks.md``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
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

from django_useauth.conf import conf
from django_useauth.providers import CREDENTIALS_ID
from django_useauth.providers import PROVIDER_ID_RE
from django_useauth.providers import social_backends

__all__ = [
    "check_browser_sessions",
    "check_deploy",
    "check_throttle",
    "check_middleware",
    "check_providers",
    "check_proxy",
    "check_session_engine",
    "check_settings",
    "check_templates",
]

_AUTH_MIDDLEWARE = "django_useauth.middleware.AuthMiddleware"
_SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
_AUTHENTICATION_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
_CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"
_REQUEST_PROCESSOR = "django.template.context_processors.request"
_RESERVED_FIELDS = frozenset({"csrfToken", "callbackUrl", "json", "redirect"})
_FIELD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNSET = object()
_LOCMEM_CACHE = "django.core.cache.backends.locmem.LocMemCache"
_DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"
_FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"
_THROTTLE_BACKEND = "django_useauth.backends.ThrottleBackend"
# Caches that cull when full, and that several processes share (a local
# memory one draws W011 instead).
_CULLING_CACHES = ("django.core.cache.backends.db.DatabaseCache", _FILE_CACHE)


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


def check_middleware(**kwargs: Any) -> list[CheckMessage]:
    """E001–E005: our middleware and the ones it needs are present and in order."""
    errors: list[CheckMessage] = []
    ours = _middleware_index(_AUTH_MIDDLEWARE)
    session = _middleware_index(_SESSION_MIDDLEWARE)
    authentication = _middleware_index(_AUTHENTICATION_MIDDLEWARE)
    if ours is None:
        errors.append(
            Error(
                f"MIDDLEWARE should contain {_AUTH_MIDDLEWARE!r}.",
                hint=f"Add {_AUTH_MIDDLEWARE!r} to MIDDLEWARE, after {_AUTHENTICATION_MIDDLEWARE!r}.",
                id="useauth.E001",
            )
        )
    elif any(index is not None and index > ours for index in (session, authentication)):
        errors.append(
            Error(
                f"{_AUTH_MIDDLEWARE!r} should come after {_SESSION_MIDDLEWARE!r} and "
                f"{_AUTHENTICATION_MIDDLEWARE!r} in MIDDLEWARE.",
                hint=f"Move {_AUTH_MIDDLEWARE!r} below {_AUTHENTICATION_MIDDLEWARE!r}.",
                id="useauth.E002",
            )
        )
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
    messages: list[CheckMessage] = []
    if engine in _CACHE_ENGINES:
        alias = settings.SESSION_CACHE_ALIAS
        backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
        if backend == "django.core.cache.backends.locmem.LocMemCache":
            messages.append(
                Warning(
                    f"SESSION_ENGINE {engine!r} should not use the local-memory cache "
                    f"{alias!r}: each process has its own sessions, and a restart signs "
                    "everyone out.",
                    hint="Point SESSION_CACHE_ALIAS at a Redis (or Memcached) cache, or use "
                    "the 'django_useauth.sessions.cached_db' engine.",
                    id="useauth.W003",
                )
            )
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


def _social_setting(backend_name: str, name: str) -> object:
    # social-core looks a setting up as SOCIAL_AUTH_<BACKEND>_<NAME>, then
    # SOCIAL_AUTH_<NAME>, then <NAME>.
    for candidate in (setting_name(backend_name, name), setting_name(name), name):
        value = getattr(settings, candidate, None)
        if value:
            return value
    return None


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
        path = f"{backend.__module__}.{backend.__qualname__}"
        if name == CREDENTIALS_ID or not PROVIDER_ID_RE.fullmatch(name):
            errors.append(
                Error(
                    f"The social-core backend {path!r} should have a name usable as a provider "
                    f"id (lower-case letters, digits, '-' and '_', not 'credentials'); got {name!r}.",
                    hint="Subclass it and set `name` to a provider id such as 'github'.",
                    id="useauth.E008",
                )
            )
            continue
        if not issubclass(backend, (BaseOAuth1, BaseOAuth2)):
            continue
        required = ["KEY", "SECRET"]
        if issubclass(backend, OpenIdConnectAuth) and not backend.OIDC_ENDPOINT:
            required.append("OIDC_ENDPOINT")
        missing = [
            setting_name(name, setting)
            for setting in required
            if not _social_setting(name, setting)
        ]
        if missing:
            errors.append(
                Error(
                    f"The provider {name!r} ({path}) should have {', '.join(missing)} set.",
                    hint="Set them in settings, e.g. from AUTH_<PROVIDER>_ID and "
                    "AUTH_<PROVIDER>_SECRET with django_useauth.env.oauth_settings().",
                    id="useauth.E009",
                )
            )
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


def _setting_error(
    name: str, constraint: str, hint: str, id: str, value: object = _UNSET
) -> Error:
    if value is _UNSET:
        value = getattr(settings, name)
    return Error(f"{name} should be {constraint}; got {value!r}.", hint=hint, id=id)


def check_settings(**kwargs: Any) -> list[CheckMessage]:
    """E010–E020, E022–E034 and W004: each ``USEAUTH_*`` setting has the right type and shape."""
    errors: list[CheckMessage] = []

    # Read into `object`: the conf properties are typed for valid settings,
    # and these checks exist for the invalid ones.
    url: object = conf.URL
    if url is not None and not _is_origin(url):
        errors.append(
            _setting_error(
                "USEAUTH_URL",
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
            _setting_error(
                "USEAUTH_DEFAULT_CALLBACK_URL",
                "a path starting with '/' or an absolute http(s) URL",
                "Set USEAUTH_DEFAULT_CALLBACK_URL = '/' or another page of the site.",
                "useauth.E011",
            )
        )

    origins: object = conf.ALLOWED_REDIRECT_ORIGINS
    if (
        isinstance(origins, str)
        or not isinstance(origins, Sequence)
        or not all(_is_origin(origin) for origin in origins)
    ):
        errors.append(
            _setting_error(
                "USEAUTH_ALLOWED_REDIRECT_ORIGINS",
                "a list of origins like 'http://localhost:3000' (scheme, host and port only)",
                "Set USEAUTH_ALLOWED_REDIRECT_ORIGINS = ['http://localhost:3000'].",
                "useauth.E012",
            )
        )

    enabled: object = conf.CREDENTIALS_ENABLED
    if not isinstance(enabled, bool):
        errors.append(
            _setting_error(
                "USEAUTH_CREDENTIALS_ENABLED",
                "True or False",
                "Set USEAUTH_CREDENTIALS_ENABLED = False to switch the credentials provider off.",
                "useauth.E013",
            )
        )

    name: object = conf.CREDENTIALS_NAME
    if not isinstance(name, str) or not name.strip():
        errors.append(
            _setting_error(
                "USEAUTH_CREDENTIALS_NAME",
                "a non-empty string",
                "Set USEAUTH_CREDENTIALS_NAME = 'Credentials' or another label.",
                "useauth.E014",
            )
        )

    fields: object = conf.CREDENTIALS_FIELDS
    if (
        isinstance(fields, str)
        or not isinstance(fields, Sequence)
        or not fields
        or not all(isinstance(f, str) and _FIELD_RE.fullmatch(f) for f in fields)
        or len(set(fields)) != len(fields)
        or _RESERVED_FIELDS.intersection(fields)
    ):
        errors.append(
            _setting_error(
                "USEAUTH_CREDENTIALS_FIELDS",
                "a non-empty list of distinct field names (identifiers) other than "
                + ", ".join(sorted(_RESERVED_FIELDS)),
                "Set USEAUTH_CREDENTIALS_FIELDS = ['username', 'password'] or "
                "['email', 'password'].",
                "useauth.E015",
            )
        )

    for setting, id in (
        ("USEAUTH_PAGES_SIGN_IN", "useauth.E016"),
        ("USEAUTH_PAGES_SIGN_OUT", "useauth.E017"),
        ("USEAUTH_PAGES_ERROR", "useauth.E018"),
    ):
        value: object = getattr(settings, setting, None)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            errors.append(
                _setting_error(
                    setting,
                    "None or a URL or URL name",
                    f"Set {setting} = 'my-sign-in-page' (a URL name) or '/login/'.",
                    id,
                )
            )

    for setting, id in (
        ("USEAUTH_SESSION_CALLBACK", "useauth.E022"),
        ("USEAUTH_SIGN_IN_CALLBACK", "useauth.E023"),
        ("USEAUTH_REDIRECT_CALLBACK", "useauth.E024"),
    ):
        path: object = getattr(settings, setting, None)
        if path is not None and not _is_callable_path(path):
            errors.append(
                _setting_error(
                    setting,
                    "None or the dotted path of a function",
                    f"Set {setting} = 'myapp.auth.{setting[8:].lower()}' and check that it imports.",
                    id,
                )
            )

    for setting, id in (
        ("USEAUTH_THROTTLE_ENABLED", "useauth.E025"),
        ("USEAUTH_OPENAPI", "useauth.E031"),
    ):
        flag: object = getattr(settings, setting, False)
        if not isinstance(flag, bool):
            errors.append(
                _setting_error(
                    setting, "True or False", f"Set {setting} = True or False.", id
                )
            )
    for setting, id, example in (
        ("USEAUTH_THROTTLE_ACCOUNT_FAILURES", "useauth.E026", 10),
        ("USEAUTH_THROTTLE_IP_FAILURES", "useauth.E027", 50),
    ):
        limit: object = getattr(settings, setting, 1)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            errors.append(
                _setting_error(
                    setting, "a positive integer", f"Set {setting} = {example}.", id
                )
            )
    window = getattr(settings, "USEAUTH_THROTTLE_WINDOW", _UNSET)
    if window is not _UNSET and not (
        _is_duration(window) and timedelta(0) < conf.THROTTLE_WINDOW
    ):
        errors.append(
            _setting_error(
                "USEAUTH_THROTTLE_WINDOW",
                "a positive timedelta or number of seconds",
                "Set USEAUTH_THROTTLE_WINDOW = timedelta(minutes=15).",
                "useauth.E028",
            )
        )
    alias: object = conf.THROTTLE_CACHE
    if not isinstance(alias, str) or alias not in settings.CACHES:
        errors.append(
            _setting_error(
                "USEAUTH_THROTTLE_CACHE",
                "the alias of a cache in CACHES",
                "Set USEAUTH_THROTTLE_CACHE = 'default' or another alias of CACHES.",
                "useauth.E029",
                value=alias,
            )
        )
    session_cache: object = conf.SESSION_CACHE
    if session_cache is not None and (
        not isinstance(session_cache, str) or session_cache not in settings.CACHES
    ):
        errors.append(
            _setting_error(
                "USEAUTH_SESSION_CACHE",
                "None or the alias of a cache in CACHES",
                "Set USEAUTH_SESSION_CACHE = 'default' (a Redis cache) or None.",
                "useauth.E032",
            )
        )
    elif isinstance(session_cache, str) and settings.CACHES[session_cache].get(
        "BACKEND"
    ) in (
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    ):
        errors.append(
            Warning(
                f"USEAUTH_SESSION_CACHE should name a cache shared by every process; "
                f"{session_cache!r} is local to each one, so a password change or "
                "deactivation seen by one process stays unseen by the others until "
                "USEAUTH_SESSION_CACHE_TIMEOUT.",
                hint="Point USEAUTH_SESSION_CACHE at a Redis or Memcached cache, or set it to None.",
                id="useauth.W004",
            )
        )
    cache_timeout = getattr(settings, "USEAUTH_SESSION_CACHE_TIMEOUT", _UNSET)
    if cache_timeout is not _UNSET and not (
        _is_duration(cache_timeout) and timedelta(0) < conf.SESSION_CACHE_TIMEOUT
    ):
        errors.append(
            _setting_error(
                "USEAUTH_SESSION_CACHE_TIMEOUT",
                "a positive timedelta or number of seconds",
                "Set USEAUTH_SESSION_CACHE_TIMEOUT = timedelta(minutes=5).",
                "useauth.E033",
            )
        )
    proxies: object = conf.TRUSTED_PROXY_COUNT
    if not isinstance(proxies, int) or isinstance(proxies, bool) or proxies < 0:
        errors.append(
            _setting_error(
                "USEAUTH_TRUSTED_PROXY_COUNT",
                "a whole number of proxies, 0 or more",
                "Set USEAUTH_TRUSTED_PROXY_COUNT = 1 behind one proxy that appends "
                "to X-Forwarded-For, or leave it at 0.",
                "useauth.E030",
            )
        )

    max_age = getattr(settings, "USEAUTH_MAX_AGE", _UNSET)
    max_age_ok = max_age is _UNSET or (
        _is_duration(max_age) and timedelta(0) < conf.MAX_AGE
    )
    if not max_age_ok:
        errors.append(
            _setting_error(
                "USEAUTH_MAX_AGE",
                "a positive timedelta or number of seconds",
                "Set USEAUTH_MAX_AGE = timedelta(days=30).",
                "useauth.E019",
            )
        )

    absolute: object = conf.ABSOLUTE_MAX_AGE
    if absolute is not None and not (
        isinstance(absolute, timedelta) and absolute > timedelta(0)
    ):
        errors.append(
            _setting_error(
                "USEAUTH_ABSOLUTE_MAX_AGE",
                "None or a positive timedelta or number of seconds",
                "Set USEAUTH_ABSOLUTE_MAX_AGE = timedelta(days=30), or None for no cap.",
                "useauth.E034",
            )
        )

    update_age = getattr(settings, "USEAUTH_UPDATE_AGE", _UNSET)
    if update_age is not _UNSET and (
        not _is_duration(update_age) or (max_age_ok and conf.UPDATE_AGE > conf.MAX_AGE)
    ):
        errors.append(
            _setting_error(
                "USEAUTH_UPDATE_AGE",
                "a timedelta or number of seconds between 0 and USEAUTH_MAX_AGE",
                "Set USEAUTH_UPDATE_AGE = timedelta(hours=24).",
                "useauth.E020",
            )
        )
    return errors


def _is_absolute(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check_deploy(**kwargs: Any) -> list[CheckMessage]:
    """W010–W012, W018 (``--deploy``): an https ``USEAUTH_URL`` is set; throttle counts every server shares and no cull erases."""
    warnings: list[CheckMessage] = []
    alias: object = conf.THROTTLE_CACHE
    backend = _throttle_cache_backend()
    if conf.THROTTLE_ENABLED is True and backend == _LOCMEM_CACHE:
        warnings.append(
            Warning(
                f"USEAUTH_THROTTLE_CACHE should name a cache shared by every process; "
                f"{alias!r} is {backend.rsplit('.', 1)[-1]}, so each process (and each "
                "gunicorn worker) counts failed sign-ins on its own.",
                hint="Point USEAUTH_THROTTLE_CACHE at a Redis, Memcached or database cache.",
                id="useauth.W011",
            )
        )
    warnings += _check_throttle_capacity(backend)
    url: object = conf.URL
    if isinstance(url, str) and url.startswith("http://"):
        warnings.append(
            Warning(
                f"USEAUTH_URL should use https in production; got {url!r}.",
                hint="Serve the site over https and set USEAUTH_URL = 'https://…'.",
                id="useauth.W010",
            )
        )
    if not url:
        warnings.append(
            Warning(
                "USEAUTH_URL should be set in production to the site's canonical "
                "origin; without it every absolute URL is built from the request's "
                "Host (or X-Forwarded-Host) header, and GET /api/auth/providers and "
                "openapi.json are sent private and varying on it.",
                hint="Set USEAUTH_URL = 'https://example.com' (your site's origin).",
                id="useauth.W012",
            )
        )
    return warnings


#: Fewer entries than this let junk sign-ins (about four entries each) cull
#: the counts of a cache that evicts when full.
_MIN_THROTTLE_ENTRIES = 100_000


def _check_throttle_capacity(backend: str) -> list[CheckMessage]:
    # Django's database and file caches (and local memory) cull entries once they
    # hold MAX_ENTRIES (300 by default), all of them with CULL_FREQUENCY 0:
    # an attacker who fills the cache with junk sign-ins from other addresses
    # erases an account's count.
    if conf.THROTTLE_ENABLED is not True or backend not in _CULLING_CACHES:
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


def _throttle_cache_backend() -> str:
    alias: object = conf.THROTTLE_CACHE
    caches_setting: dict[str, dict[str, Any]] = settings.CACHES
    if not isinstance(alias, str):
        return ""
    backend: str = caches_setting.get(alias, {}).get("BACKEND", "")
    return backend


def check_throttle(**kwargs: Any) -> list[CheckMessage]:
    """E035–E038, W014, W015: the sign-in limits can hold, on every door."""
    messages: list[CheckMessage] = []
    fields: object = conf.THROTTLE_ACCOUNT_FIELDS
    if fields is not None and (
        isinstance(fields, str)
        or not isinstance(fields, Sequence)
        or not fields
        or not all(isinstance(f, str) and _FIELD_RE.fullmatch(f) for f in fields)
    ):
        messages.append(
            _setting_error(
                "USEAUTH_THROTTLE_ACCOUNT_FIELDS",
                "None or a non-empty list of the credential names that name the account",
                "Set USEAUTH_THROTTLE_ACCOUNT_FIELDS = ['login'] (the field your "
                "authentication backend looks the user up by), or None.",
                "useauth.E036",
            )
        )
    prefix: object = conf.THROTTLE_IPV6_PREFIX
    if (
        not isinstance(prefix, int)
        or isinstance(prefix, bool)
        or not 1 <= prefix <= 128
    ):
        messages.append(
            _setting_error(
                "USEAUTH_THROTTLE_IPV6_PREFIX",
                "a number of bits from 1 to 128",
                "Set USEAUTH_THROTTLE_IPV6_PREFIX = 64 (one customer's network).",
                "useauth.E037",
            )
        )
    if conf.THROTTLE_ENABLED is not True:
        return messages
    backend = _throttle_cache_backend()
    if backend == _DUMMY_CACHE:
        messages.append(
            Error(
                f"USEAUTH_THROTTLE_CACHE should name a cache that stores; "
                f"{conf.THROTTLE_CACHE!r} is DummyCache, which keeps nothing, so no "
                "sign-in would ever be limited.",
                hint="Point USEAUTH_THROTTLE_CACHE at a Redis, Memcached or database "
                "cache, or set USEAUTH_THROTTLE_ENABLED = False to switch the limits off.",
                id="useauth.E035",
            )
        )
    elif backend == _FILE_CACHE:
        messages.append(
            Warning(
                f"USEAUTH_THROTTLE_CACHE {conf.THROTTLE_CACHE!r} is FileBasedCache, "
                "whose add() is a check and a write, not one atomic step: sign-ins "
                "sent at the same moment can pass the limits.",
                hint="Point USEAUTH_THROTTLE_CACHE at a Redis, Memcached or database cache.",
                id="useauth.W014",
            )
        )
    credentials_fields: object = conf.CREDENTIALS_FIELDS
    if (
        conf.CREDENTIALS_ENABLED is True
        and isinstance(credentials_fields, (list, tuple))
        and not set(_account_fields()).intersection(credentials_fields)
    ):
        messages.append(
            Error(
                f"USEAUTH_CREDENTIALS_FIELDS {list(credentials_fields)!r} has no field "
                "that names the account, so failed sign-ins could not be limited per "
                "account.",
                hint="Set USEAUTH_THROTTLE_ACCOUNT_FIELDS to the field(s) your "
                "authentication backend looks the user up by, e.g. ['login'].",
                id="useauth.E038",
            )
        )
    backends: list[str] = list(settings.AUTHENTICATION_BACKENDS)
    if not backends or backends[0] != _THROTTLE_BACKEND:
        where = (
            "is not first in AUTHENTICATION_BACKENDS, so the backends before it check "
            "passwords without limits"
            if _THROTTLE_BACKEND in backends
            else "is not in AUTHENTICATION_BACKENDS, so only /api/auth sign-ins are "
            "limited: the admin login and any other view that calls authenticate() "
            "let attackers guess without limits"
        )
        messages.append(
            Warning(
                f"{_THROTTLE_BACKEND!r} {where}.",
                hint=f"Put {_THROTTLE_BACKEND!r} first in AUTHENTICATION_BACKENDS.",
                id="useauth.W015",
            )
        )
    return messages


def _account_fields() -> list[str]:
    # Imported here: the user model is not ready when this module is imported.
    from django_useauth.throttle import account_fields

    return account_fields()


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
