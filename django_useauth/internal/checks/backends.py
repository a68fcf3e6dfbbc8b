"""Whether ``AUTHENTICATION_BACKENDS`` can sign anyone in with ``USEAUTH_CREDENTIALS_FIELDS`` (E039).

Django's ``authenticate()`` binds the credentials to each backend's
``authenticate()`` signature and skips a backend they do not fit, and
``ModelBackend`` takes any keyword but looks the user up by ``username`` (or
``USERNAME_FIELD``) and ``password`` only; ``EmailBackend`` by ``email`` and
``password``. Any other backend that takes the fields is assumed to use them.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.backends import ModelBackend
from django.core.checks import CheckMessage
from django.core.checks import Error
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


def _can_use(backend: object, fields: Sequence[str]) -> bool:
    # Whether authenticate(request, **fields) can get a user from `backend`.
    logins = _logins(backend)
    if logins is not None:
        # Each of them returns None without a password.
        return "password" in fields and not logins.isdisjoint(fields)
    authenticate = getattr(backend, "authenticate", None)
    if authenticate is None:
        return False
    try:
        # What django.contrib.auth.authenticate() does with each backend.
        inspect.signature(authenticate).bind(None, **dict.fromkeys(fields, ""))
    except TypeError:
        return False
    return True


def _hint(fields: list[str], username_field: str) -> str:
    # E039's fix: the backend that takes these fields, else fields it takes.
    if "password" in fields and {"username", username_field} & set(fields):
        return (
            f"Add {_MODEL_BACKEND!r} to AUTHENTICATION_BACKENDS, after ThrottleBackend."
        )
    if {"email", "password"} <= set(fields):
        return (
            f"Add {_EMAIL_BACKEND!r} to AUTHENTICATION_BACKENDS, after ThrottleBackend."
        )
    return (
        "Add a backend whose authenticate() takes these fields as keyword "
        "arguments, or set USEAUTH_CREDENTIALS_FIELDS = ['username', 'password'] "
        f"and use {_MODEL_BACKEND!r}."
    )


def check_backends(**kwargs: Any) -> list[CheckMessage]:
    """E039: some backend of ``AUTHENTICATION_BACKENDS`` can use the credentials fields."""
    fields: object = conf.CREDENTIALS_FIELDS
    # A malformed USEAUTH_CREDENTIALS_FIELDS is E015's to report.
    if conf.CREDENTIALS_ENABLED is not True or not (
        is_sequence(fields, is_field_name) and fields
    ):
        return []
    names = [str(field) for field in fields]
    for path in settings.AUTHENTICATION_BACKENDS:
        try:
            backend_class = import_string(path)
        except ImportError:
            # authenticate() raises for it on every call; nothing to tell here.
            return []
        if isinstance(backend_class, type) and issubclass(
            backend_class, (BaseAuth, ThrottleBackend)
        ):
            # OAuth backends answer only their callback; the limits sign nobody in.
            continue
        # An instance, as authenticate() binds the fields to a bound method.
        if _can_use(backend_class(), names):
            return []
    username_field = get_user_model().USERNAME_FIELD
    return [
        Error(
            "No backend in AUTHENTICATION_BACKENDS can sign in with "
            f"USEAUTH_CREDENTIALS_FIELDS {names!r}: ModelBackend needs 'password' and "
            f"'username' (or USERNAME_FIELD {username_field!r}), EmailBackend 'email' "
            "and 'password', and any other backend must take the fields as keyword "
            "arguments, so every credentials sign-in fails with CredentialsSignin.",
            hint=_hint(names, username_field),
            id="useauth.E039",
        )
    ]
