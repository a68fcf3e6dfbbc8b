"""E-mail sign-in's public hook: the default ``USEAUTH_EMAIL_CREATE_USER_CALLBACK``.

With ``USEAUTH_EMAIL_CREATE_USERS = True``, following a sign-in link sent to
an address that has no account calls the function
``USEAUTH_EMAIL_CREATE_USER_CALLBACK`` names, with keyword arguments only
(accept ``**kwargs``: more may be added)::

    def create_user(*, request, email, **kwargs):
        ...

It returns the new user (saved), or ``None`` to refuse (``AccessDenied``);
raising ``PermissionDenied`` refuses too. It runs in a transaction with the
sign-in callback that follows: a ``ValidationError`` or a database error
rolls it back and answers ``EmailCreateAccount``, and so does any other
exception (logged); a refusal by ``USEAUTH_SIGN_IN_CALLBACK`` rolls the new
account back too.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from django.contrib.auth.models import _User
    from django.http import HttpRequest

__all__ = ["create_user"]


def create_user(*, request: HttpRequest, email: str, **kwargs: Any) -> _User | None:
    """Create a user whose email is ``email``, with no usable password.

    When the model's ``USERNAME_FIELD`` is another field, the username is
    the address if it is a valid username that no one has, else the
    address's local part (the characters a username may hold) with a random
    suffix: ``o'brien@example.com`` becomes ``obrien-3f9a1c2e``. The user is
    validated with ``full_clean()`` before it is saved.
    """
    user_model = get_user_model()
    email_field = user_model.get_email_field_name()
    user = user_model(**{email_field: email})
    if email_field != user_model.USERNAME_FIELD:
        setattr(user, user_model.USERNAME_FIELD, _username(user_model, email))
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _username(user_model: Any, email: str) -> str:
    name = user_model.USERNAME_FIELD
    field = user_model._meta.get_field(name)
    try:
        field.clean(email, None)
    except ValidationError:
        pass
    else:
        if not user_model._default_manager.filter(**{name: email}).exists():
            return email
    local = re.sub(r"[^\w.+-]", "", email.partition("@")[0], flags=re.ASCII)
    # Room for the suffix within the field's length (30 in some models).
    room = max(1, (getattr(field, "max_length", None) or 150) - 9)
    return f"{local[:room] or 'user'}-{secrets.token_hex(4)}"
