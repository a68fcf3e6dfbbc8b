"""The database calls of the ``db`` and ``cached_db`` session engines, with outages told apart.

Django's ``db`` engine lets a database that is down raise from a read (a 500),
and turns one during the save of an existing session into ``UpdateError``,
which ``SessionMiddleware`` answers as a concurrent sign-out (a 400
``SessionInterrupted``). :class:`DatabaseCalls` raises
:class:`~django_useauth.exceptions.StoreUnavailable` for both (a ``503``),
and leaves every other answer as Django gives it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DBStore

from django_useauth.internal import outages

#: What the session database is called in logs and outage records (as the
#: database of every other query: one outage, one cool-down).
DATABASE = "database"


def _outage_behind(error: UpdateError) -> BaseException | None:
    # Django's save raises UpdateError from inside `except DatabaseError`:
    # the error it replaced is its context.
    cause = error.__context__
    return cause if cause is not None and outages.is_outage(cause) else None


class DatabaseCalls(DBStore):
    """Django's database session store, raising ``StoreUnavailable`` when the database is down.

    Its ``_db_*`` methods are Django's ``db`` engine's, whatever a subclass
    (``cached_db``) puts between them in the method resolution order.
    """

    def _get_session_from_db(self) -> Any:
        get = super()._get_session_from_db  # type: ignore[misc]  # private, not in django-stubs
        return outages.call(DATABASE, get)

    async def _aget_session_from_db(self) -> Any:
        aget = super()._aget_session_from_db  # type: ignore[misc]  # private, not in django-stubs
        return await outages.acall(DATABASE, aget)

    def _db_exists(self, session_key: str) -> bool:
        return outages.call(DATABASE, lambda: DBStore.exists(self, session_key))

    async def _adb_exists(self, session_key: str) -> bool:
        return await outages.acall(DATABASE, lambda: DBStore.aexists(self, session_key))

    def _db_save(self, must_create: bool) -> None:
        try:
            outages.call(DATABASE, lambda: DBStore.save(self, must_create))
        except UpdateError as error:
            cause = _outage_behind(error)
            if cause is None:
                raise
            raise outages.failed(DATABASE, cause) from cause

    async def _adb_save(self, must_create: bool) -> None:
        try:
            await outages.acall(DATABASE, lambda: DBStore.asave(self, must_create))
        except UpdateError as error:
            cause = _outage_behind(error)
            if cause is None:
                raise
            raise outages.failed(DATABASE, cause) from cause

    def _db_delete(self, session_key: str | None) -> None:
        outages.call(DATABASE, lambda: DBStore.delete(self, session_key))

    async def _adb_delete(self, session_key: str | None) -> None:
        await outages.acall(DATABASE, lambda: DBStore.adelete(self, session_key))
