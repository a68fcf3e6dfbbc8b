"""The credentials provider: Django's ``authenticate()`` and ``login()`` behind NextAuth's wire.

The posted fields named by ``USEAUTH_CREDENTIALS_FIELDS`` are passed to
``authenticate()`` as keyword arguments, so ``ModelBackend`` and any other
backend in ``AUTHENTICATION_BACKENDS`` work unchanged. Every failure (unknown
user, wrong password, inactive user, a backend refusing) looks the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import aauthenticate
from django.contrib.auth import authenticate
from django.contrib.auth import get_user_model
from django.contrib.auth import login
from django.contrib.auth.hashers import make_password
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import FieldDoesNotExist
from django.views.decorators.debug import sensitive_variables

from django_useauth.conf import conf
from django_useauth.internal.lifetime import start_session

if TYPE_CHECKING:
    # django-stubs resolves _User to the project's AUTH_USER_MODEL.
    from django.contrib.auth.models import _User
    from django.contrib.auth.models import _UserModel
    from django.http import HttpRequest

# The pattern of the credential names Django's authenticate() hides in
# user_login_failed, kept inside Django's private _clean_credentials(): the one
# copy of it here; tests/test_credentials.py fails if Django's ever differs.
_SECRET_NAME = re.compile("api|token|key|secret|password|signature", re.IGNORECASE)
_CLEANSED = "********************"


def is_secret(name: str) -> bool:
    """Return whether ``name`` is a credential Django's ``authenticate()`` hides: a secret, never an account's name."""
    return _SECRET_NAME.search(name) is not None


@sensitive_variables()
def _credentials(values: Mapping[str, Any]) -> dict[str, str] | None:
    # Return the keyword arguments for authenticate(), or None when the input
    # can never match a user.
    user_model = get_user_model()
    username_fields = {"username", user_model.USERNAME_FIELD}
    credentials = {}
    for field in conf.CREDENTIALS_FIELDS:
        value = values.get(field)
        if not isinstance(value, str) or "\x00" in value:
            # Missing or non-string (type confusion): no backend gets it. NUL
            # never matches a stored value, and PostgreSQL rejects it in queries.
            return None
        if field in username_fields:
            value = _normalize_username(user_model, value)
        credentials[field] = value
    return credentials


def _normalize_username(user_model: _UserModel, value: str) -> str:
    # As Django's own login form (UsernameField) does: NFKC, but only once the
    # length is known to be sane (CVE-2023-46695).
    try:
        field = user_model._meta.get_field(user_model.USERNAME_FIELD)
    except FieldDoesNotExist:  # pragma: no cover - USERNAME_FIELD is a model field
        field = None
    max_length = getattr(field, "max_length", None)
    if max_length is not None and len(value) > max_length:
        return value
    return user_model.normalize_username(value)


@sensitive_variables()
def _refuse_unusable(request: HttpRequest, values: Mapping[str, Any]) -> None:
    # Input no backend may see still costs one hash, so that such a failure
    # takes as long as any other, and still sends user_login_failed, so that
    # lockout tools count it like any other.
    password = values.get("password")
    make_password(password if isinstance(password, str) else "")
    credentials = {
        field: _CLEANSED if is_secret(field) else values[field]
        for field in conf.CREDENTIALS_FIELDS
        if isinstance(values.get(field), str)
    }
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)


@sensitive_variables()
def authenticate_credentials(
    request: HttpRequest, values: Mapping[str, Any]
) -> _User | None:
    """Return the user the posted ``values`` authenticate, or ``None``."""
    credentials = _credentials(values)
    if credentials is None:
        _refuse_unusable(request, values)
        return None
    return authenticate(request, **credentials)


@sensitive_variables()
async def aauthenticate_credentials(
    request: HttpRequest, values: Mapping[str, Any]
) -> _User | None:
    """Async twin of :func:`authenticate_credentials`."""
    credentials = _credentials(values)
    if credentials is None:
        # user_login_failed's receivers (lockout tools) may query the database.
        await sync_to_async(_refuse_unusable)(request, values)
        return None
    return await aauthenticate(request, **credentials)


def complete_sign_in(request: HttpRequest, user: _User) -> None:
    """Sign ``user`` in with Django's ``login()`` and give the session its lifetime.

    ``login()`` cycles the session key and rotates the CSRF token.
    """
    login(request, user)
    start_session(request.session)
