"""Authentication backends for signing in with an email address.

``ModelBackend`` looks users up by ``USERNAME_FIELD`` only. These backends let
the credentials provider take an email address instead, or either, while
keeping ``ModelBackend``'s guarantees: inactive users are refused
(``user_can_authenticate``) and the password hasher runs exactly once whether
or not the user exists (Django CVE-2024-39329).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

if TYPE_CHECKING:
    # django-stubs resolves _User to the project's AUTH_USER_MODEL.
    from django.contrib.auth.models import _User
    from django.http import HttpRequest

__all__ = ["EmailBackend", "UsernameOrEmailBackend"]


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
