"""The check of the credentials provider's settings: ``USEAUTH_CREDENTIALS_*``."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage

from django_useauth.conf import conf
from django_useauth.internal.checks.values import invalid
from django_useauth.internal.checks.values import is_field_name
from django_useauth.internal.checks.values import is_sequence

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
