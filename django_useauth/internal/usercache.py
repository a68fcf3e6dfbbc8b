"""A cached copy of each signed-in user's session payload: session reads without SQL.

Opt-in with ``USEAUTH_SESSION_CACHE``, the alias of a cache every app server
shares (Redis). A session read then takes the user's ``name``, ``email`` and
``image`` from the cache instead of loading the user from the database, so on
the ``cache`` session engine it runs no SQL at all.

An entry is written only after Django's own check of the session (the
backend is configured, ``backend.get_user()`` found the user, so an active
one with ``ModelBackend``, and the session's auth hash matches), and holds
that hash. A read uses it only while the session carries the same backend and
hash. Saving or deleting the user row removes the entry (a password change, a
deactivation, a new name), through whichever model class it is saved: the
user model, a proxy or a multi-table child of it, or a concrete parent whose
primary key the user model shares. Inside a transaction it is removed again
when the transaction commits, since a read before the commit still sees the
old row and caches it again. Edits that send no signal (``QuerySet.update()``,
``bulk_update()``, raw SQL) call :func:`forget_users`; every entry expires
after ``USEAUTH_SESSION_CACHE_TIMEOUT``, which bounds how long an edit that
does neither can go unnoticed.

While the cache cannot be reached, reads find no entry (the user is loaded
from the database) and entries are not written; removing an entry raises
``StoreUnavailable`` from the user's ``save()`` or ``delete()``: inside a
transaction (the admin's, ``ATOMIC_REQUESTS``) the change is rolled back, so
it cannot commit while a copy that ignores it may survive the outage; in
autocommit the row is already written, and the error tells that its copy may
live on until ``USEAUTH_SESSION_CACHE_TIMEOUT`` (call :func:`forget_users`
once the cache is back). A new user and ``login()``'s save of ``last_login``
remove nothing, and need no cache.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete
from django.db.models.signals import post_save
from django.utils.crypto import constant_time_compare

from django_useauth.conf import conf
from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal import outages

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest

    from django_useauth.internal.lifetime import SessionUser


def _key(user_id: object) -> str:
    return f"useauth:user:{user_id}"


def _matches(
    entry: object, backend: object, session_hash: object
) -> SessionUser | None:
    if (
        isinstance(entry, dict)
        and isinstance(session_hash, str)
        and session_hash
        and entry.get("backend") == backend
        and constant_time_compare(entry.get("hash", ""), session_hash)
    ):
        user: SessionUser = entry["user"]
        return user
    return None


def _usable(user_id: object, backend: object) -> bool:
    return user_id is not None and backend in settings.AUTHENTICATION_BACKENDS


def cached_user(request: HttpRequest) -> SessionUser | None:
    """Return the cached ``user`` of the session object, if the cache holds one valid for the request's session.

    Without ``USEAUTH_SESSION_CACHE`` it returns ``None`` and reads nothing.
    """
    alias = conf.SESSION_CACHE
    if not alias:
        return None
    session = request.session
    user_id = session.get(SESSION_KEY)
    backend = session.get(BACKEND_SESSION_KEY)
    if not _usable(user_id, backend):
        return None
    entry = _read(alias, lambda: caches[alias].get(_key(user_id)))
    return _matches(entry, backend, session.get(HASH_SESSION_KEY))


async def acached_user(request: HttpRequest) -> SessionUser | None:
    """Async twin of :func:`cached_user`."""
    alias = conf.SESSION_CACHE
    if not alias:
        return None
    session = request.session
    user_id = await session.aget(SESSION_KEY)
    backend = await session.aget(BACKEND_SESSION_KEY)
    if not _usable(user_id, backend):
        return None
    entry = await _aread(alias, lambda: caches[alias].aget(_key(user_id)))
    return _matches(entry, backend, await session.aget(HASH_SESSION_KEY))


def cached_token_user(
    user_id: str, backend: str, matches: Callable[[str], bool]
) -> SessionUser | None:
    """Return the cached ``user`` part for an access token's user, if the entry is for its backend and ``matches`` its hash.

    ``matches`` is given the session auth hash the entry was written with.
    Without ``USEAUTH_SESSION_CACHE`` it returns ``None`` and reads nothing.
    """
    alias = conf.SESSION_CACHE
    if not alias or backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    entry = _read(alias, lambda: caches[alias].get(_key(user_id)))
    return _token_match(entry, backend, matches)


async def acached_token_user(
    user_id: str, backend: str, matches: Callable[[str], bool]
) -> SessionUser | None:
    """Async twin of :func:`cached_token_user`."""
    alias = conf.SESSION_CACHE
    if not alias or backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    entry = await _aread(alias, lambda: caches[alias].aget(_key(user_id)))
    return _token_match(entry, backend, matches)


def _token_match(
    entry: object, backend: str, matches: Callable[[str], bool]
) -> SessionUser | None:
    if (
        isinstance(entry, dict)
        and entry.get("backend") == backend
        and isinstance(entry.get("hash"), str)
        and matches(entry["hash"])
    ):
        user: SessionUser = entry["user"]
        return user
    return None


def remember_user(session: SessionBase, user: Any, payload: SessionUser) -> None:
    """Cache ``payload`` for ``user``, whose session Django has just verified."""
    remember_verified_user(user, session.get(BACKEND_SESSION_KEY), payload)


def remember_verified_user(user: Any, backend: object, payload: SessionUser) -> None:
    """Cache ``payload`` for ``user``, just verified for ``backend`` (a session's or an access token's)."""
    alias = conf.SESSION_CACHE
    if not alias or not hasattr(user, "get_session_auth_hash"):
        return
    entry = {
        "backend": backend,
        "hash": user.get_session_auth_hash(),
        "user": payload,
    }
    timeout = conf.SESSION_CACHE_TIMEOUT.total_seconds()
    with contextlib.suppress(StoreUnavailable):
        # Not cached this time: the next read loads the user again.
        outages.call(
            outages.cache_store(alias),
            lambda: caches[alias].set(_key(user.pk), entry, timeout),
        )


def forget_users(*users: Model | object, using: str | None = None) -> None:
    """Drop the cached session payload of ``users``, each a user instance or a primary key.

    Call it after changing users in a way that sends no ``post_save``:
    ``QuerySet.update()``, ``bulk_update()``, raw SQL. Inside a transaction of
    the database ``using`` (default: the default database) the payloads are
    dropped now and again when it commits. Without ``USEAUTH_SESSION_CACHE``
    it does nothing.
    """
    alias = conf.SESSION_CACHE
    if alias:
        pks = [user.pk if isinstance(user, Model) else user for user in users]
        _forget(alias, pks, using)


def forget_user(
    sender: object, instance: Model, using: str | None = None, **kwargs: Any
) -> None:
    """Receiver of ``post_save`` and ``post_delete``: drop the cached payload of the user row ``instance`` is.

    ``instance`` may be of the user model, a proxy or child of it, or a
    concrete parent whose primary key the user model shares; any other
    instance is ignored.
    """
    alias = conf.SESSION_CACHE
    if not alias or _changes_no_entry(kwargs):
        return
    pk = _user_pk(instance)
    if pk is not None:
        _forget(alias, [pk], using)


def _changes_no_entry(kwargs: dict[str, Any]) -> bool:
    # A new row has no entry yet, and login() saves last_login alone, which
    # no entry holds: forgetting nothing must not need the cache (a sign-in
    # while it is down would fail).
    update_fields = kwargs.get("update_fields")
    return bool(kwargs.get("created")) or (
        update_fields is not None and set(update_fields) == {"last_login"}
    )


def watch_user_models() -> None:
    """Connect :func:`forget_user` to the saves and deletes of every installed model class whose rows are user rows."""
    from django.apps import apps

    for model in apps.get_models():
        watch_model(model)


def watch_model(sender: type[Model], **kwargs: Any) -> None:
    """Receiver of ``class_prepared``: watch ``sender`` if its rows are user rows (a proxy declared late, say)."""
    if _is_user_row_model(sender):
        # One receiver per model class, not one for every sender: a
        # post_delete receiver for any sender would stop Django's fast
        # deletes (without loading the rows) for every model of the project.
        post_save.connect(forget_user, sender=sender, dispatch_uid="useauth-user-saved")
        post_save.connect(
            _revoke_tokens_if_inactive,
            sender=sender,
            dispatch_uid="useauth-user-deactivated",
        )
        post_delete.connect(
            forget_user, sender=sender, dispatch_uid="useauth-user-deleted"
        )


def _revoke_tokens_if_inactive(sender: object, instance: Model, **kwargs: Any) -> None:
    # Receiver of post_save for user rows: a deactivated user's token
    # sign-ins end now, so that a reactivation does not bring them back (as
    # the middleware flushes the session of a user Django no longer accepts).
    if getattr(instance, "is_active", True) is not False:
        return
    # Imported here: token_families needs the models, and this module is
    # imported before the app registry is ready.
    from django_useauth.internal.token_families import Reason
    from django_useauth.internal.token_families import revoke_user

    # Connected for user-row models only (watch_model): a user row's key.
    revoke_user(_user_pk(instance), Reason.INACTIVE)


def user_model_changed(*, setting: str, **kwargs: Any) -> None:
    """Receiver of ``setting_changed``: watch the model classes of a new ``AUTH_USER_MODEL``."""
    if setting != "AUTH_USER_MODEL":
        return
    try:
        watch_user_models()
    except ImproperlyConfigured:
        # A test overriding it with a model that does not exist: nothing to
        # watch, and override_settings() must not fail (as Django's own
        # receiver does not).
        pass


def _user_model() -> type[Model]:
    # The concrete class of AUTH_USER_MODEL: its rows are the user rows.
    model = get_user_model()
    return model._meta.concrete_model or model


def _is_user_row_model(model: type[Model]) -> bool:
    user_model = _user_model()
    return issubclass(model, user_model) or (
        model._meta.concrete_model in _shared_pk_parents(user_model)
    )


def _user_pk(instance: Model) -> object:
    # The primary key of the user row that `instance` is, or None.
    user_model = _user_model()
    if isinstance(instance, user_model):
        # A child may have a primary key of its own; it has the user's too.
        return getattr(instance, user_model._meta.pk.attname)
    if instance._meta.concrete_model in _shared_pk_parents(user_model):
        return instance.pk
    return None


def _shared_pk_parents(model: type[Model]) -> list[type[Model]]:
    # The concrete ancestors whose primary key is the model's: Django makes
    # the link to the first parent the child's primary key, unless the child
    # declares one of its own.
    parents = []
    remote = model._meta.pk.remote_field
    while remote is not None and remote.parent_link:
        model = remote.model
        parents.append(model)
        remote = model._meta.pk.remote_field
    return parents


def _forget(alias: str, pks: list[object], using: str | None) -> None:
    # Raises StoreUnavailable while the cache cannot be reached: the change
    # of the user (a deactivation, a new password) must not commit while a
    # copy that ignores it stays in a cache that may come back with it.
    keys = [_key(pk) for pk in pks]
    outages.call(outages.cache_store(alias), lambda: caches[alias].delete_many(keys))
    if transaction.get_connection(using).in_atomic_block:
        # A session read while the transaction is open still finds the old
        # row (the old password hash, still active) and caches it again.
        transaction.on_commit(
            lambda: outages.call(
                outages.cache_store(alias), lambda: caches[alias].delete_many(keys)
            ),
            using=using,
            # After the commit, the change is saved: a cache that fails now
            # must not turn it into an error (Django logs it).
            robust=True,
        )


def _read(alias: str, get: Callable[[], object]) -> object:
    # A cache that cannot answer reads as a missing entry: the session's
    # user is loaded from the database instead (the outage is logged once).
    try:
        return outages.call(outages.cache_store(alias), get)
    except StoreUnavailable:
        return None


async def _aread(alias: str, aget: Callable[[], Awaitable[object]]) -> object:
    try:
        return await outages.acall(outages.cache_store(alias), aget)
    except StoreUnavailable:
        return None
