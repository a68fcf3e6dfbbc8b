"""The check of the project's callbacks: ``USEAUTH_*_CALLBACK`` import."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage

from django_useauth.conf import conf
from django_useauth.internal.checks.values import invalid
from django_useauth.internal.checks.values import is_callable_path


def check_callbacks(**kwargs: Any) -> list[CheckMessage]:
    """E022–E024: the session, sign-in and redirect callbacks import."""
    callbacks: tuple[tuple[str, object, str], ...] = (
        ("USEAUTH_SESSION_CALLBACK", conf.SESSION_CALLBACK, "useauth.E022"),
        ("USEAUTH_SIGN_IN_CALLBACK", conf.SIGN_IN_CALLBACK, "useauth.E023"),
        ("USEAUTH_REDIRECT_CALLBACK", conf.REDIRECT_CALLBACK, "useauth.E024"),
    )
    return [
        invalid(
            name,
            path,
            "None or the dotted path of a function",
            f"Set {name} = 'myapp.auth.{name.removeprefix('USEAUTH_').lower()}' "
            "and check that it imports.",
            id,
        )
        for name, path, id in callbacks
        if path is not None and not is_callable_path(path)
    ]
