"""The check of ``USEAUTH_OPENAPI``, the switch of ``openapi.json``."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage

from django_useauth.conf import UNSET
from django_useauth.conf import conf
from django_useauth.internal.checks.values import invalid


def check_openapi(**kwargs: Any) -> list[CheckMessage]:
    """E031: the OpenAPI switch, when set, is a bool (its default is DEBUG)."""
    flag = conf.configured("OPENAPI")
    if flag is UNSET or isinstance(flag, bool):
        return []
    return [
        invalid(
            "USEAUTH_OPENAPI",
            flag,
            "True or False",
            "Set USEAUTH_OPENAPI = True or False.",
            "useauth.E031",
        )
    ]
