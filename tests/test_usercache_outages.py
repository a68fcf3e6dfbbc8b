"""Saving users while ``USEAUTH_SESSION_CACHE``'s cache is down (issue 16).

A save that may change a cached entry (a new password, a deactivation, a new
name) must remove it, and raises ``StoreUnavailable`` when it cannot; a save
that changes no entry needs no cache: a new user, and ``login()``'s save of
``last_login`` alone. The removal repeated when the transaction commits is
best effort: the change is committed by then, and a cache that fails must
not turn it into an error. The sign-in itself is in
tests/test_unavailable_caches.py.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import transaction
from django.test import TestCase
from django.test import TransactionTestCase
from django.test import override_settings

from django_useauth.exceptions import StoreUnavailable
from tests.outage_utils import LOCMEM
from tests.outage_utils import cache_down
from tests.outage_utils import caches_with
from tests.outage_utils import no_cool_down
from tests.utils import make_user
from tests.utils import user_cache_key

#: The users' cache as a FlakyCache: it goes down and comes back with its data.
FLAKY_USERS = {"BACKEND": "tests.outage_utils.FlakyCache", "LOCATION": "users"}


@override_settings(USEAUTH_SESSION_CACHE="users")
class CacheDownTests(TestCase):
    """The users' cache on a real Redis client, at a closed port."""

    def setUp(self):
        self.enterContext(override_settings(CACHES=caches_with(users=LOCMEM)))
        self.user = make_user()
        self.enterContext(override_settings(CACHES=caches_with("users")))
        # Each save asks the (refused) server, not the cool-down.
        self.enterContext(no_cool_down())

    def test_a_new_user_is_created(self):
        make_user("grace")
        User.objects.create(username="alan")
        assert User.objects.filter(username__in=["grace", "alan"]).count() == 2

    def test_a_save_of_last_login_alone_is_saved(self):
        self.user.last_login = self.user.date_joined
        self.user.save(update_fields=["last_login"])
        assert User.objects.get(pk=self.user.pk).last_login == self.user.date_joined

    def test_any_other_save_raises(self):
        for update_fields in (None, ["first_name"], ["last_login", "is_active"]):
            with (
                self.subTest(update_fields=update_fields),
                pytest.raises(StoreUnavailable),
                transaction.atomic(),
            ):
                self.user.save(update_fields=update_fields)


@override_settings(USEAUTH_SESSION_CACHE="users")
class DownBeforeTheCommitTests(TestCase):
    """The cache answers the save, then fails when the transaction commits."""

    def setUp(self):
        self.enterContext(override_settings(CACHES=caches_with(users=FLAKY_USERS)))
        self.user = make_user()

    def test_the_commit_does_not_raise(self):
        key = user_cache_key(self.user.pk)
        caches["users"].set(key, {"user": {"name": "Ada Lovelace"}})
        # Django runs robust callbacks at the commit as this does: an error
        # is logged, and the commit stands.
        with (
            self.assertLogs("django", "ERROR") as logs,
            self.captureOnCommitCallbacks(execute=True) as callbacks,
        ):
            with transaction.atomic():
                self.user.first_name = "Grace"
                self.user.save()
            assert caches["users"].get(key) is None  # removed at the save
            self.enterContext(cache_down())
        assert len(callbacks) == 1
        [record] = logs.records
        assert "in on_commit()" in record.getMessage()
        assert User.objects.get(pk=self.user.pk).first_name == "Grace"


@override_settings(USEAUTH_SESSION_CACHE="users")
class OutsideATransactionTests(TransactionTestCase):
    """In autocommit (a script, a view without ATOMIC_REQUESTS): removed once, nothing left for a commit."""

    def test_a_save_removes_the_entry_at_once(self):
        with override_settings(CACHES=caches_with(users=LOCMEM)):
            user = make_user()
            caches["users"].set(user_cache_key(user.pk), {"user": {"name": "Ada"}})
            assert not transaction.get_connection().in_atomic_block
            user.first_name = "Augusta"
            user.save()
            assert caches["users"].get(user_cache_key(user.pk)) is None
