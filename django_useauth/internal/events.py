"""Sending the events of ``django_useauth.signals``, robustly."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal

# Logged under the signals' public module, as before they moved here.
logger = logging.getLogger("django_useauth.signals")


def send_event(signal: Signal, user: Any, **kwargs: Any) -> None:
    """Send ``signal`` robustly for ``user``; log what its receivers raise."""
    # __class__, not type(): request.user is a SimpleLazyObject.
    _log_failures(signal.send_robust(sender=user.__class__, user=user, **kwargs))


async def asend_event(signal: Signal, user: Any, **kwargs: Any) -> None:
    """Async twin of :func:`send_event`: sync receivers run in a thread, async ones here."""
    _log_failures(await signal.asend_robust(sender=user.__class__, user=user, **kwargs))


def _log_failures(results: list[tuple[Any, Any]]) -> None:
    for receiver, result in results:
        if isinstance(result, Exception):
            logger.error(
                "The receiver %r of a django_useauth event raised.",
                receiver,
                exc_info=result,
            )
