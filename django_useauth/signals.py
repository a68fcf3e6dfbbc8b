"""Events, like NextAuth's ``events`` option, as Django signals.

Receivers get keyword arguments; the sender is the user's class. They are
sent robustly (``send_robust``, or ``asend_robust`` from async code): a
receiver that raises is logged and does not undo the sign-in, sign-out or
update it is told about.
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["session_updated", "signed_in", "signed_out"]

#: A user signed in. Arguments: ``request``, ``user``, ``provider`` (the provider id).
signed_in = Signal()

#: A user signed out (the session is already deleted). Arguments: ``request``, ``user``.
signed_out = Signal()

#: ``POST /api/auth/session`` updated a session. Arguments: ``request``, ``user``,
#: ``data`` (the posted data), ``session`` (the session object answered).
session_updated = Signal()
