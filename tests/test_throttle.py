"""The sign-in throttle's parts: addresses, account keys, places in the counts.

Its behaviour over HTTP is in attacks/test_brute_force.py (group D), under concurrency in
test_throttle_concurrency.py, on each cache backend in test_throttle_window.py
and on other doors in test_throttle_doors.py.
"""

from __future__ import annotations

from unittest import mock

from django.core.cache import caches
from django.http import HttpRequest
from django.test import RequestFactory
from django.test import SimpleTestCase
from django.test import TestCase
from django.test import override_settings

from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal import outages
from django_useauth.internal.throttle import _account_key
from django_useauth.internal.throttle import client_ip
from django_useauth.internal.throttle import reserve
from tests.utils import make_user


def request(remote: str = "10.0.0.9", forwarded: str | None = None) -> HttpRequest:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/", REMOTE_ADDR=remote, headers=headers)


class ClientIpTests(SimpleTestCase):
    def test_remote_addr_by_default(self):
        assert client_ip(request(forwarded="1.2.3.4")) == "10.0.0.9"

    @override_settings(USEAUTH_TRUSTED_PROXY_COUNT=1)
    def test_one_trusted_proxy(self):
        # The client may prepend anything; the proxy appended the real address.
        assert client_ip(request(forwarded="6.6.6.6, 1.2.3.4")) == "1.2.3.4"

    @override_settings(USEAUTH_TRUSTED_PROXY_COUNT=2)
    def test_two_trusted_proxies(self):
        assert client_ip(request(forwarded="6.6.6.6, 1.2.3.4, 10.0.0.1")) == "1.2.3.4"
        # Fewer entries than proxies: the header is not what the proxies say.
        assert client_ip(request(forwarded="1.2.3.4")) == "10.0.0.9"
        assert client_ip(request(forwarded=" , ")) == "10.0.0.9"

    def test_R8_ipv6_grouped_by_64(self):
        one = client_ip(request("2001:db8:1:2:aaaa::1"))
        assert one == "2001:db8:1:2::/64"
        assert client_ip(request("2001:db8:1:2:ffff:ffff:ffff:ffff")) == one
        assert client_ip(request("2001:db8:1:3::1")) != one
        # Other spellings of one address are one address.
        assert client_ip(request("2001:DB8:1:2:0:0:0:1")) == one
        assert client_ip(request("2001:0db8:0001:0002::0001")) == one

    @override_settings(USEAUTH_THROTTLE_IPV6_PREFIX=128)
    def test_R8_ipv6_prefix_configurable(self):
        assert client_ip(request("2001:db8::1")) == "2001:db8::1/128"

    @override_settings(USEAUTH_THROTTLE_IPV6_PREFIX=48)
    def test_R8_ipv6_wider_prefix(self):
        assert client_ip(request("2001:db8:1:2::1")) == client_ip(
            request("2001:db8:1:ffff::1")
        )

    def test_R8_ipv4_mapped_ipv6_is_ipv4(self):
        assert client_ip(request("::ffff:192.0.2.7")) == "192.0.2.7"
        assert client_ip(request("::FFFF:c000:0207")) == "192.0.2.7"

    def test_R8_ipv4_spellings(self):
        assert client_ip(request("192.0.2.7")) == "192.0.2.7"

    @override_settings(USEAUTH_TRUSTED_PROXY_COUNT=1)
    def test_R8_forwarded_with_ports(self):
        # Some proxies write the client's port too.
        assert client_ip(request(forwarded="[2001:db8::5]:4431")) == "2001:db8::/64"
        assert client_ip(request(forwarded="192.0.2.7:4431")) == "192.0.2.7"

    def test_not_an_address(self):
        assert client_ip(request("")) == ""
        assert client_ip(request("unix-socket")) == "unix-socket"


class AccountKeyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_user("alice", email="Alice@Example.com")

    def test_spellings_of_a_name_share_a_key(self):
        key = _account_key({"username": "alice"})
        assert key is not None
        assert key.startswith("useauth:throttle:account:")
        assert "alice" not in key
        for spelling in ("Alice", "ALICE", "ａｌｉｃｅ"):
            with self.subTest(spelling=spelling):
                assert _account_key({"username": spelling}) == key

    def test_R5_username_and_email_share_the_account_key(self):
        # With UsernameOrEmailBackend either reaches the account: one count.
        by_name = _account_key({"username": "alice"})
        assert _account_key({"username": "alice@example.com"}) == by_name
        assert _account_key({"email": "ALICE@example.COM"}) == by_name

    def test_R5_unknown_names_are_normalised_wider_than_a_lookup(self):
        # Upper-casing, as a database's iexact does, makes "ı" an "i"; NFKC
        # and case-folding join the rest.
        key = _account_key({"username": "nobody-ilse"})
        for spelling in ("NOBODY-ILSE", "nobody-ılse", "ｎｏｂｏｄｙ-ilse"):
            with self.subTest(spelling=spelling):
                assert _account_key({"username": spelling}) == key
        assert _account_key({"username": "nobody-else"}) != key

    def test_R5_the_key_does_not_tell_known_from_unknown(self):
        known = _account_key({"username": "alice"})
        unknown = _account_key({"username": "bob"})
        assert known is not None and unknown is not None
        assert len(known) == len(unknown)
        assert known.rsplit(":", 1)[0] == unknown.rsplit(":", 1)[0]

    def test_R5_nul_and_blank_never_query(self):
        with self.assertNumQueries(0):
            assert _account_key({"username": "al\x00ice"}) is not None
            assert _account_key({"username": "  "}) is not None

    def test_R9_only_identifying_fields_name_the_account(self):
        key = _account_key({"username": "alice", "password": "x", "otp_code": "1"})
        assert key == _account_key({"username": "alice", "otp_code": "2"})
        assert key == _account_key({"username": "alice"})

    def test_R9_no_identifying_field(self):
        assert _account_key({"password": "x", "otp_code": "1"}) is None
        assert _account_key({"username": 7}) is None

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FIELDS=["login"])
    def test_R9_account_fields_setting(self):
        assert _account_key({"login": "alice", "otp": "1"}) == _account_key(
            {"username": "alice"}
        )

    def test_R9_a_second_identifier_does_not_move_the_count(self):
        # With username, email and password posted, a new email on each try
        # must not make a new count: the first identifier names the account.
        both = _account_key({"username": "alice", "email": "alice@example.com"})
        assert both == _account_key({"username": "alice"})
        for email in ("x@example.com", "y@example.com", ""):
            assert _account_key({"username": "alice", "email": email}) == both

    def test_R5_exact_username_first(self):
        # "bob" and "Bob" are two accounts (usernames compare exactly): each
        # is its own count, and neither shares the other's.
        make_user("bob", email="bob@example.com")
        make_user("Bob", email="big-bob@example.com")
        bob = _account_key({"username": "bob"})
        big = _account_key({"username": "Bob"})
        assert bob != big
        assert _account_key({"username": "bob@example.com"}) == bob
        assert _account_key({"username": "big-bob@example.com"}) == big
        # A spelling that is neither counts by name, apart from both.
        assert _account_key({"username": "BOB"}) not in (bob, big)
        assert _account_key({"username": "BOB"}) == _account_key({"username": "bOb"})


class ReserveTests(TestCase):
    def attempt(self, username="alice", remote="10.0.0.9"):
        return reserve(request(remote), {"username": username, "password": "x"})

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=2)
    def test_places_are_taken_before_evaluation(self):
        with mock.patch("time.time", return_value=1_000_000.0):
            first, second = self.attempt(), self.attempt()
            assert first.retry_after is None and second.retry_after is None
            third = self.attempt()
        assert third.retry_after == 900
        assert third.places == ()

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=2)
    def test_release_gives_places_back(self):
        first = self.attempt()
        second = self.attempt()
        second.release()
        second.release()  # twice is once
        assert self.attempt().retry_after is None
        assert self.attempt().retry_after is not None
        first.release()
        assert self.attempt().retry_after is None

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=2)
    def test_signed_in_clears_the_account(self):
        self.attempt()
        self.attempt().signed_in()
        assert [self.attempt().retry_after for _ in range(3)][:2] == [None, None]

    @override_settings(
        USEAUTH_THROTTLE_IP_FAILURES=2, USEAUTH_THROTTLE_ACCOUNT_FAILURES=1
    )
    def test_refused_by_the_address_gives_the_account_place_back(self):
        self.attempt("a")
        self.attempt("b")
        assert self.attempt("c").retry_after is not None
        # "c"'s one account place was handed back: from elsewhere it is free.
        assert self.attempt("c", "10.0.0.10").retry_after is None
        assert self.attempt("c", "10.0.0.11").retry_after is not None

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=3)
    def test_refused_by_the_address_keeps_the_account_count(self):
        with self.settings(USEAUTH_THROTTLE_IP_FAILURES=1):
            self.attempt("x", "10.0.1.1")
            assert self.attempt("alice", "10.0.1.1").retry_after is not None
        # alice's count lost nothing: three attempts from elsewhere pass.
        assert [
            self.attempt("alice", f"10.0.2.{n}").retry_after is None for n in range(4)
        ] == [True, True, True, False]

    @override_settings(USEAUTH_THROTTLE_ENABLED=False)
    def test_disabled(self):
        attempt = self.attempt()
        assert attempt.retry_after is None and attempt.places == ()
        attempt.signed_in()

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=1)
    def test_window_start_read_by_concurrent_attempts(self):
        with mock.patch("time.time", return_value=2_000_000.0):
            self.attempt()
        with mock.patch("time.time", return_value=2_000_100.0):
            # The window started 100 s ago.
            assert self.attempt().retry_after == 800

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=1)
    def test_window_over_but_not_yet_dropped(self):
        # A cache that still holds the start of a window that is over (its
        # clock and ours disagree): a new window starts.
        key = _account_key({"username": "alice"})
        cache = caches["default"]
        with mock.patch("time.time", return_value=3_000_000.0):
            assert self.attempt().retry_after is None
            assert self.attempt().retry_after == 900
        with mock.patch("time.time", return_value=3_000_010.0):
            cache.set(f"{key}:start", 3_000_010.0 - 900, timeout=60)
            assert self.attempt().retry_after is None
            assert cache.get(f"{key}:start") == 3_000_010.0
        with mock.patch("time.time", return_value=3_100_000.0):
            # Long over: the next window on the same grid, 10 s old.
            cache.set(f"{key}:start", 3_100_010.0 - 1800, timeout=60)
            assert self.attempt().retry_after is None
            assert cache.get(f"{key}:start") == 3_100_010.0 - 900
            assert self.attempt().retry_after == 10

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=1)
    def test_a_failing_cache_leaves_no_place_taken(self):
        from django_useauth.internal.throttle import _Count

        take = _Count.take
        calls = []

        def account_then_break(count, cache):
            calls.append(count.key)
            if len(calls) == 2:
                raise ConnectionError("cache down")
            return take(count, cache)

        with (
            mock.patch.object(_Count, "take", account_then_break),
            self.assertLogs("django_useauth.outages", "WARNING"),
            self.assertRaises(StoreUnavailable),
        ):
            self.attempt()
        # The cache is back (the cool-down over): the account's place was
        # given back, so its one attempt is still free.
        outages.reset()
        assert self.attempt().retry_after is None


class CacheRaceTests(TestCase):
    """What a shared cache can do between two of our calls."""

    def count(self):
        from django_useauth.internal.throttle import _Count

        return _Count("useauth:throttle:test", 2)

    def test_window_start_gone_between_add_and_get(self):
        cache = caches["default"]
        with (
            mock.patch.object(type(cache), "add", side_effect=[False, True]),
            mock.patch.object(type(cache), "get", return_value=None),
        ):
            assert self.count()._start(cache, 5_000.0, 900) == 5_000.0

    def test_every_free_place_taken_meanwhile(self):
        cache = caches["default"]
        count = self.count()
        start = count._start(cache, time_now(), 900)
        with mock.patch.object(type(cache), "add", return_value=False):
            place, end = count.take(cache)
        assert place is None
        assert end == start + 900

    def test_clear_without_a_window(self):
        cache = caches["default"]
        cache.set("useauth:throttle:test:start", "not a time")
        self.count().clear(cache)
        assert cache.get("useauth:throttle:test:start") is None


def time_now() -> float:
    import time

    return time.time()


class LookupFieldTests(TestCase):
    def test_email_field_missing_or_not_a_column(self):
        from django.contrib.auth.models import User

        from django_useauth.internal.throttle import _lookup_fields

        for name in ("no_such_field", "groups"):
            with (
                self.subTest(email_field=name),
                mock.patch.object(User, "get_email_field_name", return_value=name),
            ):
                assert _lookup_fields() == ["username"]
