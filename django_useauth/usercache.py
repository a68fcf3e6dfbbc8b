"""The cached copy of signed-in users' session payloads (``USEAUTH_SESSION_CACHE``).

Saving or deleting a user through the ORM forgets its copy by itself. After a
change that sends no signal (``QuerySet.update()``, raw SQL, another program
writing the table), call :func:`forget_users`.
"""

from __future__ import annotations

from django_useauth.internal.usercache import forget_users

__all__ = ["forget_users"]
