"""The sign-in throttle's parts; its behaviour over HTTP is in test_attacks.py (group D)."""

from __future__ import annotations

from unittest import mock

from django.core.cache import caches
from django.test import RequestFactory
from django.test import SimpleTestCase
from django.test import override_settings

from django_useauth.throttle import client_ip
from django_useauth.throttle import throttle_for


class ClientIpTests(SimpleTestCase):
    def request(self, forwarded=None):
        headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
        return RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", headers=headers)

    def test_remote_addr_by_default(self):
        assert client_ip(self.request("1.2.3.4")) == "10.0.0.9"

    @override_settings(USEAUTH_TRUSTED_PROXY_COUNT=1)
    def test_one_trusted_proxy(self):
        # The client may prepend anything; the proxy appended the real address.
        assert client_ip(self.request("6.6.6.6, 1.2.3.4")) == "1.2.3.4"

    @override_settings(USEAUTH_TRUSTED_PROXY_COUNT=2)
    def test_two_trusted_proxies(self):
        assert client_ip(self.request("6.6.6.6, 1.2.3.4, 10.0.0.1")) == "1.2.3.4"
        # Fewer entries than proxies: the header is not what the proxies say.
        assert client_ip(self.request("1.2.3.4")) == "10.0.0.9"
        assert client_ip(self.request(" , ")) == "10.0.0.9"


class ThrottleTests(SimpleTestCase):
    def throttle(self, **values):
        return throttle_for(RequestFactory().post("/", REMOTE_ADDR="10.0.0.9"), values)

    def test_keys(self):
        one = self.throttle(username="Alice", password="a")
        two = self.throttle(username="ａｌｉｃｅ ", password="b")
        assert one == two
        assert one.account_key.startswith("useauth:throttle:account:")
        assert "alice" not in one.account_key
        assert self.throttle(username="bob").account_key != one.account_key

    @override_settings(USEAUTH_CREDENTIALS_FIELDS=["email", "api_key", "password"])
    def test_secret_fields_never_name_the_account(self):
        assert self.throttle(email="a@x", api_key="1") == self.throttle(
            email="A@X", api_key="2"
        )

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=2)
    def test_counts_and_clears(self):
        throttle = self.throttle(username="alice")
        assert throttle.retry_after() is None
        throttle.failed()
        assert throttle.retry_after() is None
        throttle.failed()
        assert 899 <= throttle.retry_after() <= 900
        throttle.succeeded()
        assert throttle.retry_after() is None

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=1)
    def test_window_ending_between_add_and_incr(self):
        throttle = self.throttle(username="alice")
        cache = caches["default"]
        with mock.patch.object(type(cache), "incr", side_effect=ValueError("gone")):
            throttle.failed()
        assert cache.get(throttle.account_key) == 1
        assert throttle.retry_after() is not None

    @override_settings(
        USEAUTH_THROTTLE_ENABLED=False, USEAUTH_THROTTLE_ACCOUNT_FAILURES=1
    )
    def test_disabled(self):
        throttle = self.throttle(username="alice")
        throttle.failed()
        throttle.failed()
        assert throttle.retry_after() is None
        throttle.succeeded()
        assert caches["default"].get(throttle.account_key) is None
