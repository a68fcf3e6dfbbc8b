"""Whether ``AUTHENTICATION_BACKENDS`` can sign anyone in with ``USEAUTH_CREDENTIALS_FIELDS`` (E039, W023), and safely (E041).

Django's ``authenticate()`` binds the credentials to each backend's
``authenticate()`` signature and skips a backend they do not fit, and
``ModelBackend`` takes any keyword but looks the user up by ``username`` (or
``USERNAME_FIELD``) and ``password`` only; ``EmailBackend`` by ``email`` and
``password``. Any other backend that takes the fields is assumed to use them.
A site whose backends take no password at all (OAuth, ``RemoteUserBackend``)
is warned (W023), not stopped: it may never have meant to offer the form.
Fields that reach a ``RemoteUserBackend`` are refused (E041): it trusts the
name it is given, so the form would sign anyone in as anyone.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.backends import RemoteUserBackend
from django.core.checks import CheckMessage
from django.core.checks import Error
from django.core.checks import Warning
from django.utils.module_loading import import_string
from social_core.backends.base import BaseAuth

from django_useauth.backends import EmailBackend
from django_useauth.backends import ThrottleBackend
from django_useauth.backends import UsernameOrEmailBackend
from django_useauth.conf import conf
from django_useauth.internal.checks.values import is_field_name
from django_useauth.internal.checks.values import is_sequence

_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
_EMAIL_BACKEND = "django_useauth.backends.EmailBackend"


def _logins(backend: object) -> set[str] | None:
    # The credentials the backend finds the user by, for the backends whose
    # authenticate() is known (Django's and ours, not overridden); None for
    # any other.
    cls = type(backend)
    authenticate = getattr(cls, "authenticate", None)
    username = {"username", get_user_model().USERNAME_FIELD}
    if authenticate is BaseBackend.authenticate:
        # A permissions-only backend: it authenticates nobody.
        return set()
    if authenticate is ModelBackend.authenticate:
        return username
    if authenticate is EmailBackend.authenticate:
        login = getattr(cls, "_login", None)
        if login is EmailBackend._login:
            return {"email"}
        if login is UsernameOrEmailBackend._login:
            return username
    return None


def _binds(backend: object, fields: Sequence[str]) -> bool:
    # Whether django.contrib.auth.authenticate() would call the backend with
    # these fields: it binds them to authenticate() and skips it on TypeError.
    authenticate = getattr(backend, "authenticate", None)
    if authenticate is None:
        return False
    try:
        inspect.signature(authenticate).bind(None, **dict.fromkeys(fields, ""))
    except TypeError:
        return False
    return True


def _can_use(backend: object, fields: Sequence[str]) -> bool:
    # Whether authenticate(request, **fields) can get a user from `backend`.
    logins = _logins(backend)
    if logins is not None:
        # Each of them returns None without a password.
        return "password" in fields and not logins.isdisjoint(fields)
    return _binds(backend, fields)


def _takes_password(backend: object) -> bool:
    # A backend for some credentials form: a password sign-in is set up.
    logins = _logins(backend)
    return bool(logins) if logins is not None else _binds(backend, ["password"])


def _signs_in(backend: object) -> bool:
    # Whether the backend may sign anyone in at all (e.g. RemoteUserBackend).
    logins = _logins(backend)
    return bool(logins) if logins is not None else hasattr(backend, "authenticate")


def _fix(fields: list[str], username_field: str, throttle: bool) -> str:
    # What to add for the fields: the backend that takes them, else fields it takes.
    after = ", after ThrottleBackend" if throttle else ""
    if "password" in fields and {"username", username_field} & set(fields):
        return f"add {_MODEL_BACKEND!r} to AUTHENTICATION_BACKENDS{after}"
    if {"email", "password"} <= set(fields):
        return f"add {_EMAIL_BACKEND!r} to AUTHENTICATION_BACKENDS{after}"
    return (
        "add a backend whose authenticate() takes these fields as keyword "
        "arguments, or set USEAUTH_CREDENTIALS_FIELDS = ['username', 'password'] "
        f"and use {_MODEL_BACKEND!r}"
    )


def _message(
    names: list[str], *, password: bool, signs_in: bool, throttle: bool
) -> CheckMessage:
    # E039 when a password sign-in is set up for other fields, or nothing
    # signs anyone in (switching the provider off would be E021); W023 when
    # the site signs in only another way (OAuth, RemoteUserBackend), which it
    # may have meant: a warning lets such a site run migrate after upgrading.
    username_field = get_user_model().USERNAME_FIELD
    fix = _fix(names, username_field, throttle)
    if signs_in and not password:
        return Warning(
            "No backend in AUTHENTICATION_BACKENDS takes a password, yet "
            "USEAUTH_CREDENTIALS_ENABLED is True: the sign-in page offers the "
            "credentials provider, and every sign-in with "
            f"USEAUTH_CREDENTIALS_FIELDS {names!r} fails with CredentialsSignin.",
            hint="Set USEAUTH_CREDENTIALS_ENABLED = False if you sign in only with "
            f"OAuth (or another backend), or {fix}.",
            id="useauth.W023",
        )
    return Error(
        "No backend in AUTHENTICATION_BACKENDS can sign in with "
        f"USEAUTH_CREDENTIALS_FIELDS {names!r}: ModelBackend needs 'password' and "
        f"'username' (or USERNAME_FIELD {username_field!r}), EmailBackend 'email' "
        "and 'password', and any other backend must take the fields as keyword "
        "arguments, so every credentials sign-in fails with CredentialsSignin.",
        hint=f"{fix[0].upper()}{fix[1:]}.",
        id="useauth.E039",
    )


def _trusting(names: list[str]) -> list[CheckMessage]:
    # RemoteUserBackend signs in whoever the web server names (REMOTE_USER,
    # a header): handed a field from the form, it would take a typed name
    # for a proof of identity.
    errors: list[CheckMessage] = []
    for path in settings.AUTHENTICATION_BACKENDS:
        try:
            backend_class = import_string(path)
        except ImportError:
            continue
        if not (
            isinstance(backend_class, type)
            and issubclass(backend_class, RemoteUserBackend)
        ):
            continue
        try:
            backend = backend_class()
        except Exception:
            # As in check_backends(): a check cannot build it, so it cannot
            # tell which fields it takes.
            continue
        if not _binds(backend, names):
            continue
        errors.append(
            Error(
                f"USEAUTH_CREDENTIALS_FIELDS {names!r} reach {path!r}, a "
                "RemoteUserBackend: it signs in the user it is named without a "
                "password, so anyone could sign in on the sign-in form as any "
                "user by typing a name.",
                hint="Take 'remote_user' (and whatever else this backend takes) "
                "out of USEAUTH_CREDENTIALS_FIELDS: RemoteUserBackend belongs "
                "with RemoteUserMiddleware and the web server's REMOTE_USER, not "
                "with a form.",
                id="useauth.E041",
            )
        )
    return errors


def check_backends(**kwargs: Any) -> list[CheckMessage]:
    """E039, W023: some backend of ``AUTHENTICATION_BACKENDS`` can use the credentials fields; E041: none that trusts them blindly."""
    fields: object = conf.CREDENTIALS_FIELDS
    # A malformed USEAUTH_CREDENTIALS_FIELDS is E015's to report.
    if conf.CREDENTIALS_ENABLED is not True or not (
        is_sequence(fields, is_field_name) and fields
    ):
        return []
    names = [str(field) for field in fields]
    trusting = _trusting(names)
    if trusting:
        return trusting
    unknown = throttle = password = signs_in = False
    for path in settings.AUTHENTICATION_BACKENDS:
        try:
            backend_class = import_string(path)
        except ImportError:
            # It may be the backend that takes the fields: E039 (or W023)
            # would be a guess, so an unknown backend withholds both, never
            # the whole check; the others are still looked at. Django's
            # authenticate() raises ImportError for it on every call anyway.
            unknown = True
            continue
        if isinstance(backend_class, type) and issubclass(
            backend_class, ThrottleBackend
        ):
            # The limits sign nobody in.
            throttle = True
            continue
        if isinstance(backend_class, type) and issubclass(backend_class, BaseAuth):
            # OAuth backends answer only their callback.
            signs_in = True
            continue
        try:
            # An instance, as authenticate() binds the fields to a bound method.
            backend = backend_class()
        except Exception:
            # Its __init__ takes arguments, or needs what a check cannot give
            # (the database, the network): unknown, so it may take the fields.
            unknown = True
            continue
        if _can_use(backend, names):
            return []
        password = password or _takes_password(backend)
        signs_in = signs_in or _signs_in(backend)
    if unknown:
        return []
    return [_message(names, password=password, signs_in=signs_in, throttle=throttle)]
