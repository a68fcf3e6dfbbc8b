"""Authentication backends: the sign-in limit for every door, and signing in with an email address.

``ThrottleBackend`` goes first in ``AUTHENTICATION_BACKENDS``: it
authenticates nobody, but takes each attempt's place in the sign-in limits
before the backends after it hash a password, so the admin login and any view
that calls ``authenticate()`` share the limits of ``/api/auth``.

``ModelBackend`` looks users up by ``USERNAME_FIELD`` only. ``EmailBackend``
and ``UsernameOrEmailBackend`` let the credentials provider take an email
address instead, or either, while keeping ``ModelBackend``'s guarantees:
inactive users are refused (``user_can_authenticate``) and the password hasher
runs exactly once whether or not the user exists (Django CVE-2024-39329).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import get_backends
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from django_useauth.conf import conf
from django_useauth.internal import throttle
from django_useauth.internal.credentials import is_secret

if TYPE_CHECKING:
    # django-stubs resolves _User to the project's AUTH_USER_MODEL.
    from django.contrib.auth.models import _User
    from django.http import HttpRequest

__all__ = ["EmailBackend", "ThrottleBackend", "UsernameOrEmailBackend"]


class ThrottleBackend(BaseBackend):
    """The sign-in limits of of ``docs/security.md`` for every ``authenticate()`` call.

    Put it first in ``AUTHENTICATION_BACKENDS``. For a call with a request
    whose credentials name an account (``throttle.account_fields()``) or hold
    a secret (a password, a token: the names Django hides in
    ``user_login_failed``), it reserves the attempt's places before the
    backends after it check anything. When a limit is reached it raises
    ``PermissionDenied``: ``authenticate()`` then asks no other backend,
    sends ``user_login_failed`` and returns ``None`` (the admin shows its
    usual "enter a correct username and password" error). It never
    authenticates anyone itself. Calls without a request (scripts, tests'
    ``Client.login()``) and calls that name no account and hold no secret
    (OAuth completions) are not limited.
    """

    def authenticate(
        self, request: HttpRequest | None, **credentials: Any
    ) -> _User | None:
        if request is None or not conf.THROTTLE_ENABLED:
            return None
        if not (
            throttle.names_account(credentials)
            or any(is_secret(name) for name in credentials)
        ):
            return None
        held = throttle.held_attempt(request)
        if held is not None and held.awaits_backend:
            # The credentials provider reserved this very call's places.
            held.awaits_backend = False
            return None
        attempt = throttle.reserve(request, credentials)
        # Held even when refused, so that the user_login_failed that
        # authenticate() sends next settles this call, not an earlier one.
        throttle.hold(request, attempt)
        if attempt.retry_after is not None:
            raise PermissionDenied("Too many sign-in attempts.")
        return None

    async def aauthenticate(
        self, request: HttpRequest | None, **credentials: Any
    ) -> _User | None:
        return await sync_to_async(self.authenticate)(request, **credentials)

    def get_user(self, user_id: Any) -> _User | None:
        """Return the user as the backends after this one find it.

        Only a session signed in without naming a backend names this one:
        ``Client.force_login(user)`` picks the first backend in
        ``AUTHENTICATION_BACKENDS``.
        """
        for backend in get_backends():
            if not isinstance(backend, ThrottleBackend):
                user = backend.get_user(user_id)
                if user is not None:
                    return user
        return None


class EmailBackend(ModelBackend):
    """Authenticate ``email`` + ``password``; the email matches case-insensitively and must belong to exactly one user.

    Use it with ``USEAUTH_CREDENTIALS_FIELDS = ["email", "password"]``.
    """

    def _lookup(self, login: str) -> _User | None:
        user_model = get_user_model()
        field = user_model.get_email_field_name()
        users = list(
            user_model._default_manager.filter(**{f"{field}__iexact": login})[:2]
        )
        # An address shared by two accounts identifies neither.
        return users[0] if len(users) == 1 else None

    def _login(self, username: str | None, kwargs: dict[str, Any]) -> Any:
        return kwargs.get("email")

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> _User | None:
        login = self._login(username, kwargs)
        if not isinstance(login, str) or password is None:
            return None
        user = self._lookup(login)
        if user is None:
            # The same hashing work as for an existing user, so that response
            # times do not reveal which addresses have accounts.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> _User | None:
        return await sync_to_async(self.authenticate)(
            request, username, password, **kwargs
        )


class UsernameOrEmailBackend(EmailBackend):
    """Authenticate ``username`` + ``password`` where ``username`` is a username or an email address.

    The username matches first (exactly, as ``ModelBackend`` does), then the
    email address. Use it *instead of* ``ModelBackend``, so that the hasher
    still runs once per attempt.
    """

    def _login(self, username: str | None, kwargs: dict[str, Any]) -> Any:
        if username is None:
            return kwargs.get(get_user_model().USERNAME_FIELD)
        return username

    def _lookup(self, login: str) -> _User | None:
        user_model = get_user_model()
        try:
            return user_model._default_manager.get_by_natural_key(login)
        except user_model.DoesNotExist:
            return super()._lookup(login)
