"""The checks that make the sign-in limits hold: E035–E038, W014–W017."""

from __future__ import annotations

from django.core.checks import Error
from django.test import SimpleTestCase
from django.test import override_settings

from django_useauth import checks

THROTTLE_BACKEND = "django_useauth.backends.ThrottleBackend"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def throttle_ids() -> list[str]:
    return [str(message.id) for message in checks.check_throttle()]


def proxy_ids() -> list[str]:
    return [str(message.id) for message in checks.check_proxy()]


def cache(backend: str, **extra: object) -> dict[str, dict[str, object]]:
    return {
        "default": {"BACKEND": f"django.core.cache.backends.{backend}", **extra},
    }


class ThrottleCheckTests(SimpleTestCase):
    def test_quiet_when_set_up(self):
        assert throttle_ids() == []

    def test_R2_dummy_cache_refused(self):
        with self.settings(CACHES=cache("dummy.DummyCache")):
            assert throttle_ids() == ["useauth.E035"]
            assert "DummyCache, which keeps nothing" in checks.check_throttle()[0].msg
            with self.settings(USEAUTH_THROTTLE_ENABLED=False):
                assert throttle_ids() == []

    def test_unknown_cache_alias_is_e029s_business(self):
        with self.settings(USEAUTH_THROTTLE_CACHE=None):
            assert throttle_ids() == []

    def test_R1_file_cache_is_not_atomic(self):
        with self.settings(
            CACHES=cache("filebased.FileBasedCache", LOCATION="/tmp/useauth-x")
        ):
            assert throttle_ids() == ["useauth.W014"]
        for backend in ("db.DatabaseCache", "redis.RedisCache", "locmem.LocMemCache"):
            with self.subTest(backend=backend), self.settings(CACHES=cache(backend)):
                assert throttle_ids() == []

    def test_R7_throttle_backend_first(self):
        with self.settings(AUTHENTICATION_BACKENDS=[MODEL_BACKEND]):
            assert throttle_ids() == ["useauth.W015"]
            assert "admin login" in checks.check_throttle()[0].msg
        with self.settings(AUTHENTICATION_BACKENDS=[MODEL_BACKEND, THROTTLE_BACKEND]):
            assert throttle_ids() == ["useauth.W015"]
            assert "not first" in checks.check_throttle()[0].msg
        with self.settings(AUTHENTICATION_BACKENDS=[]):
            assert throttle_ids() == ["useauth.W015"]
        with self.settings(
            AUTHENTICATION_BACKENDS=[MODEL_BACKEND], USEAUTH_THROTTLE_ENABLED=False
        ):
            assert throttle_ids() == []

    def test_R9_account_fields_setting(self):
        for value in ("login", [], ["two words"], [1], {"login": 1}):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_THROTTLE_ACCOUNT_FIELDS=value),
            ):
                assert throttle_ids()[:1] == ["useauth.E036"]
        for good in (None, ["login"], ("login", "tenant")):
            with self.settings(USEAUTH_THROTTLE_ACCOUNT_FIELDS=good):
                assert throttle_ids() == []

    def test_R9_credentials_fields_must_name_the_account(self):
        with self.settings(USEAUTH_CREDENTIALS_FIELDS=["login", "password"]):
            assert throttle_ids() == ["useauth.E038"]
            assert checks.check_throttle()[0] == Error(
                "USEAUTH_CREDENTIALS_FIELDS ['login', 'password'] has no field that "
                "names the account, so failed sign-ins could not be limited per "
                "account.",
                hint="Set USEAUTH_THROTTLE_ACCOUNT_FIELDS to the field(s) your "
                "authentication backend looks the user up by, e.g. ['login'].",
                id="useauth.E038",
            )
            with self.settings(USEAUTH_THROTTLE_ACCOUNT_FIELDS=["login"]):
                assert throttle_ids() == []
            with self.settings(USEAUTH_CREDENTIALS_ENABLED=False):
                assert throttle_ids() == []
        with self.settings(USEAUTH_CREDENTIALS_FIELDS=["email", "password"]):
            assert throttle_ids() == []

    def test_R8_ipv6_prefix(self):
        for value in (0, 129, "64", True, None):
            with (
                self.subTest(value=value),
                self.settings(USEAUTH_THROTTLE_IPV6_PREFIX=value),
            ):
                assert throttle_ids() == ["useauth.E037"]
        for good in (1, 48, 64, 128):
            with self.settings(USEAUTH_THROTTLE_IPV6_PREFIX=good):
                assert throttle_ids() == []


@override_settings(USEAUTH_URL="https://example.com")
class CapacityCheckTests(SimpleTestCase):
    def deploy_ids(self) -> list[str]:
        return [str(message.id) for message in checks.check_deploy()]

    def test_R2_a_culling_cache_can_erase_the_counts(self):
        for backend in ("db.DatabaseCache", "filebased.FileBasedCache"):
            with self.subTest(backend=backend):
                with self.settings(CACHES=cache(backend, LOCATION="x")):
                    assert self.deploy_ids() == ["useauth.W018"]
                    assert "MAX_ENTRIES (300)" in checks.check_deploy()[0].msg
                big = cache(backend, LOCATION="x", OPTIONS={"MAX_ENTRIES": 10**6})
                with self.settings(CACHES=big):
                    assert self.deploy_ids() == []
                culls_all = cache(
                    backend,
                    LOCATION="x",
                    OPTIONS={"MAX_ENTRIES": 10**6, "CULL_FREQUENCY": 0},
                )
                with self.settings(CACHES=culls_all):
                    assert self.deploy_ids() == ["useauth.W018"]
        with self.settings(
            CACHES=cache("db.DatabaseCache", LOCATION="x"),
            USEAUTH_THROTTLE_ENABLED=False,
        ):
            assert self.deploy_ids() == []
        with self.settings(CACHES=cache("redis.RedisCache", LOCATION="redis://x")):
            assert self.deploy_ids() == []


class ProxyCheckTests(SimpleTestCase):
    def test_quiet_without_a_proxy(self):
        assert proxy_ids() == []

    @override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
    def test_R6_proxy_but_no_trusted_proxy_count(self):
        assert proxy_ids() == ["useauth.W016"]
        assert "lock everyone out" in checks.check_proxy()[0].msg
        with self.settings(USEAUTH_TRUSTED_PROXY_COUNT=1):
            assert proxy_ids() == []
        with self.settings(USEAUTH_THROTTLE_ENABLED=False):
            assert proxy_ids() == []

    def test_R6_forwarded_host_is_a_proxy_too(self):
        for name in ("USE_X_FORWARDED_HOST", "USE_X_FORWARDED_PORT"):
            with self.subTest(name=name), self.settings(**{name: True}):
                assert proxy_ids() == ["useauth.W016"]

    @override_settings(USEAUTH_TRUSTED_PROXY_COUNT=2)
    def test_R6_trusted_proxies_but_none_configured(self):
        assert proxy_ids() == ["useauth.W017"]
        assert "picks a new address" in checks.check_proxy()[0].msg

    @override_settings(USEAUTH_TRUSTED_PROXY_COUNT="1")
    def test_bad_count_is_e030s_business(self):
        assert proxy_ids() == []
