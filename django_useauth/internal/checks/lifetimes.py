"""The check of a session's lifetime: ``USEAUTH_MAX_AGE``, ``USEAUTH_ABSOLUTE_MAX_AGE``, ``USEAUTH_UPDATE_AGE``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.checks import CheckMessage

from django_useauth.conf import UNSET
from django_useauth.conf import conf
from django_useauth.internal.checks.values import POSITIVE_DURATION
from django_useauth.internal.checks.values import invalid
from django_useauth.internal.checks.values import is_duration
from django_useauth.internal.checks.values import is_positive_duration


def check_lifetimes(**kwargs: Any) -> list[CheckMessage]:
    """E019, E034, E020: a session's lifetime, its cap and how often it is extended."""
    errors: list[CheckMessage] = []
    max_age = conf.configured("MAX_AGE")
    max_age_ok = is_positive_duration(max_age, lambda: conf.MAX_AGE)
    if not max_age_ok:
        errors.append(
            invalid(
                "USEAUTH_MAX_AGE",
                max_age,
                POSITIVE_DURATION,
                "Set USEAUTH_MAX_AGE = timedelta(days=30).",
                "useauth.E019",
            )
        )
    absolute: object = conf.ABSOLUTE_MAX_AGE
    if absolute is not None and not (
        isinstance(absolute, timedelta) and absolute > timedelta(0)
    ):
        errors.append(
            invalid(
                "USEAUTH_ABSOLUTE_MAX_AGE",
                conf.configured("ABSOLUTE_MAX_AGE"),
                "None or a positive timedelta or number of seconds",
                "Set USEAUTH_ABSOLUTE_MAX_AGE = timedelta(days=30), or None for no cap.",
                "useauth.E034",
            )
        )
    update_age = conf.configured("UPDATE_AGE")
    if update_age is not UNSET and (
        not is_duration(update_age) or (max_age_ok and conf.UPDATE_AGE > conf.MAX_AGE)
    ):
        errors.append(
            invalid(
                "USEAUTH_UPDATE_AGE",
                update_age,
                "a timedelta or number of seconds between 0 and USEAUTH_MAX_AGE",
                "Set USEAUTH_UPDATE_AGE = timedelta(hours=24).",
                "useauth.E020",
            )
        )
    return errors
