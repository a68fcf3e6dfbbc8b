"""Events, like NextAuth's ``events`` option, as Django signals.

Receivers get keyword arguments; the sender is the user's class. They are
sent with ``send_robust``: a receiver that raises is logged and does not undo
the sign-in, sign-out or update it is told about.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal

__all__ = ["asend_event", "send_event", "session_updated", "signed_in", "signed_out"]

logger = logging.getLogger(__name__)

#: A user signed in. Arguments: ``request``, ``user``, ``provider`` (the provider id).
signed_in = Signal()

#: A user signed out (the session is already deleted). Arguments: ``request``, ``user``.
signed_out = Signal()

#: ``POST /api/auth/session`` updated a session. Arguments: ``request``, ``user``,
#: ``data`` (the posted data), ``session`` (the session object answered).
session_updated = Signal()


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
