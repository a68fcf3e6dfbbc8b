"""The checks of what an outage does (issue 16): E100, and W100–W103 with ``--deploy``."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
import redis
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.checks import Error
from django.core.checks import Tags
from django.core.checks import Warning
from django.core.checks.registry import registry
from django.test import SimpleTestCase
from django.test import override_settings
from django.urls import URLPattern

from django_useauth.internal.checks.outages import check_outage_settings
from django_useauth.internal.checks.outages import check_outages
from django_useauth.sessions import middleware
from tests.live import free_port
from tests.outage_utils import LOCMEM
from tests.outage_utils import caches_with

REDIS = "django.core.cache.backends.redis.RedisCache"
DJANGO_REDIS = "django_redis.cache.RedisCache"
PYMEMCACHE = "django.core.cache.backends.memcached.PyMemcacheCache"
FAST = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
DJANGO_REDIS_FAST = {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}

DJANGO_SESSIONS = "django.contrib.sessions.middleware.SessionMiddleware"
OUR_SESSIONS = "django_useauth.sessions.middleware.SessionMiddleware"
#: The test settings' MIDDLEWARE (tests/settings.py), after Django's sessions.
REST = [
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_useauth.middleware.AuthMiddleware",
]


#: A URLconf without token mode's routes, so that the revocation cache is
#: unused unless a test sets a USEAUTH_TOKEN_* setting.
urlpatterns: list[URLPattern] = []

#: The settings of the cache tests: no token mode, and no W103.
cache_tests = override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=[OUR_SESSIONS, *REST])


class MyRedisCache(RedisCache):
    pass


class MySessionMiddleware(middleware.SessionMiddleware):
    pass


class OtherSessionMiddleware(SessionMiddleware):
    pass


def cache(
    backend: str, location: object = "redis://127.0.0.1:6379", **options: Any
) -> dict[str, Any]:
    """A ``CACHES`` entry; no connection is made until the cache is used."""
    return {"BACKEND": backend, "LOCATION": location, "OPTIONS": options}


def registered(*, deploy: bool) -> list[object]:
    return list(registry.get_checks(include_deployment_checks=deploy))


def deploy(**settings: Any) -> list[str]:
    """The ids of W100–W103 under `settings` (``CACHES`` entries merged into the test settings')."""
    entries = settings.pop("CACHES", {})
    with override_settings(CACHES=caches_with(**entries), **settings):
        return [str(message.id) for message in check_outages()]


def deploy_messages(**entries: dict[str, Any]) -> list[Any]:
    with override_settings(CACHES=caches_with(**entries)):
        return check_outages()


class FailOpenSettingTests(SimpleTestCase):
    def test_a_bool_or_unset_passes(self):
        assert check_outage_settings() == []
        for value in (True, False):
            with self.settings(USEAUTH_THROTTLE_FAIL_OPEN=value):
                assert check_outage_settings() == []

    def test_e100_anything_else(self):
        for value in ("False", 1, 0, None):
            with self.settings(USEAUTH_THROTTLE_FAIL_OPEN=value):
                assert check_outage_settings() == [
                    Error(
                        f"USEAUTH_THROTTLE_FAIL_OPEN should be True or False; got {value!r}.",
                        hint="Set USEAUTH_THROTTLE_FAIL_OPEN = False (sign-ins are "
                        "refused with a 503 while the limits' cache is down) or True.",
                        id="useauth.E100",
                    )
                ]

    def test_registered(self):
        # E100 always runs; W100–W103 only with --deploy, under security.
        assert vars(check_outage_settings)["tags"] == (Tags.compatibility,)
        assert vars(check_outages)["tags"] == (Tags.security,)
        assert check_outage_settings in registered(deploy=False)
        assert check_outages not in registered(deploy=False)
        assert check_outages in registered(deploy=True)


class TestSettingsTests(SimpleTestCase):
    def test_the_test_settings_pass(self):
        # With token mode (tests/urls.py mounts it) and Django's middleware.
        assert check_outages() == []


@cache_tests
class QuietTests(SimpleTestCase):
    def test_caches_that_nothing_of_ours_uses_are_not_read(self):
        noisy = cache(DJANGO_REDIS, IGNORE_EXCEPTIONS=True)
        assert deploy(CACHES={"other": noisy}) == []
        # Sessions in the database leave SESSION_CACHE_ALIAS unused.
        assert deploy(CACHES={"sessions": noisy}) == []
        # The limits' cache, while the limits are off.
        assert deploy(CACHES={"default": noisy}, USEAUTH_THROTTLE_ENABLED=False) == []
        # An alias missing from CACHES is E029's, E032's or E067's business.
        assert deploy(USEAUTH_THROTTLE_CACHE="nowhere") == []

    def test_other_backends_are_neither_redis_nor_swallowing(self):
        for backend in ("nowhere.Cache", "os.path.join", LOCMEM["BACKEND"]):
            with self.subTest(backend=backend):
                entry = cache(backend, IGNORE_EXCEPTIONS=True, ignore_exc=True)
                assert deploy(CACHES={"default": entry}) == []


@cache_tests
class SwallowedErrorsTests(SimpleTestCase):
    def test_w100_django_redis_ignore_exceptions(self):
        entry = cache(DJANGO_REDIS, IGNORE_EXCEPTIONS=True, **DJANGO_REDIS_FAST)
        assert deploy_messages(default=entry) == [
            Warning(
                "CACHES['default'] (USEAUTH_THROTTLE_CACHE) should raise its errors, "
                "but its OPTIONS['IGNORE_EXCEPTIONS'] is True: while it cannot be "
                "reached, no failed sign-in is counted, so the sign-in limits are off.",
                hint="Remove 'IGNORE_EXCEPTIONS' from its OPTIONS. django-useauth "
                "answers an unreachable cache with a 503 and Retry-After, and logs "
                "it (docs/failures.md).",
                id="useauth.W100",
            )
        ]
        entry["OPTIONS"]["IGNORE_EXCEPTIONS"] = False
        assert deploy(CACHES={"default": entry}) == []

    def test_w100_django_redis_global_setting(self):
        entry = cache(DJANGO_REDIS, **DJANGO_REDIS_FAST)
        with self.settings(DJANGO_REDIS_IGNORE_EXCEPTIONS=True):
            [warning] = deploy_messages(default=entry)
            assert warning.id == "useauth.W100"
            assert "DJANGO_REDIS_IGNORE_EXCEPTIONS is True" in warning.msg
            assert warning.hint.startswith("Remove DJANGO_REDIS_IGNORE_EXCEPTIONS")
            # A cache's own OPTIONS win over the global setting, as in django-redis.
            own = cache(DJANGO_REDIS, IGNORE_EXCEPTIONS=False, **DJANGO_REDIS_FAST)
            assert deploy(CACHES={"default": own}) == []
        with self.settings(DJANGO_REDIS_IGNORE_EXCEPTIONS=False):
            assert deploy(CACHES={"default": entry}) == []

    def test_w100_pymemcache_ignore_exc(self):
        entry = cache(PYMEMCACHE, "127.0.0.1:11211", ignore_exc=True)
        [warning] = deploy_messages(default=entry)
        assert warning.id == "useauth.W100"
        assert "its OPTIONS['ignore_exc'] is True" in warning.msg
        assert warning.hint.startswith("Remove 'ignore_exc' from its OPTIONS.")
        assert deploy(CACHES={"default": cache(PYMEMCACHE, "127.0.0.1:11211")}) == []

    def test_w100_session_engines_say_what_they_lose(self):
        entry = cache(PYMEMCACHE, "127.0.0.1:11211", ignore_exc=True)
        lost = {
            "django_useauth.sessions.cache": "its user is signed out and the cookie deleted",
            "django.contrib.sessions.backends.cache": "the cookie deleted",
            "django_useauth.sessions.cached_db": "a signed-out cookie works again",
            "django.contrib.sessions.backends.cached_db": "works again",
        }
        for engine, loss in lost.items():
            with self.subTest(engine=engine):
                with self.settings(SESSION_ENGINE=engine):
                    [warning] = deploy_messages(sessions=entry)
                assert warning.msg.startswith(
                    "CACHES['sessions'] (SESSION_CACHE_ALIAS)"
                )
                assert loss in warning.msg
        for engine in ("django_useauth.sessions.db", "nowhere.sessions"):
            with self.subTest(engine=engine), self.settings(SESSION_ENGINE=engine):
                assert deploy_messages(sessions=entry) == []

    def test_w100_one_warning_names_every_use(self):
        entry = cache(PYMEMCACHE, "127.0.0.1:11211", ignore_exc=True)
        with self.settings(
            SESSION_ENGINE="django_useauth.sessions.cache",
            SESSION_CACHE_ALIAS="default",
            USEAUTH_SESSION_CACHE="default",
            # A USEAUTH_TOKEN_* setting: the site issues tokens.
            USEAUTH_TOKEN_REVOCATION_CACHE="default",
        ):
            [warning] = deploy_messages(default=entry)
        assert warning.msg.startswith(
            "CACHES['default'] (SESSION_CACHE_ALIAS, USEAUTH_THROTTLE_CACHE, "
            "USEAUTH_SESSION_CACHE, USEAUTH_TOKEN_REVOCATION_CACHE) should raise"
        )
        for loss in ("signed out", "limits are off", "cached copy", "not revoked"):
            assert loss in warning.msg

    def test_the_premise_an_ignoring_cache_reads_as_empty(self):
        # Real clients on a loopback port nothing listens on: with the option
        # W100 reports, a read of the unreachable cache answers "nothing"
        # (no session, no attempts); without it, it raises, and
        # django-useauth answers 503.
        pytest.importorskip("django_redis")
        port = free_port()
        unreachable = {
            "ignoring_redis": cache(
                DJANGO_REDIS, f"redis://127.0.0.1:{port}", IGNORE_EXCEPTIONS=True
            ),
            "ignoring_memcached": cache(
                PYMEMCACHE, f"127.0.0.1:{port}", ignore_exc=True
            ),
            "redis": cache(DJANGO_REDIS, f"redis://127.0.0.1:{port}"),
            "memcached": cache(PYMEMCACHE, f"127.0.0.1:{port}"),
        }
        with override_settings(CACHES={"default": LOCMEM, **unreachable}):
            assert caches["ignoring_redis"].get("session") is None
            assert caches["ignoring_memcached"].get("session") is None
            with pytest.raises(redis.exceptions.ConnectionError):
                caches["redis"].get("session")
            with pytest.raises(ConnectionRefusedError):
                caches["memcached"].get("session")


@cache_tests
class RedisTimeoutTests(SimpleTestCase):
    def test_w101_no_timeouts(self):
        assert deploy_messages(default=cache(REDIS)) == [
            Warning(
                "CACHES['default'] (USEAUTH_THROTTLE_CACHE) should give Redis a "
                "connect and a read timeout of at most 2 seconds; "
                "socket_connect_timeout is not set and socket_timeout is not set "
                "(unset, redis-py waits 5 seconds and retries since version 8, and "
                "without limit before): a Redis that stalls holds every worker "
                "that waits on it, and the site stops answering.",
                hint="Add {'socket_connect_timeout': 0.5, 'socket_timeout': 0.5} to "
                "the OPTIONS of CACHES['default'] (docs/failures.md).",
                id="useauth.W101",
            )
        ]
        assert deploy(CACHES={"default": cache(REDIS, **FAST)}) == []

    def test_w101_each_timeout_at_most_two_seconds(self):
        for connect, read in ((2, 2), (0.1, 1.5)):
            entry = cache(REDIS, socket_connect_timeout=connect, socket_timeout=read)
            assert deploy(CACHES={"default": entry}) == []
        for bad in (2.5, 0, -1, True, "0.5", None):
            with self.subTest(bad=bad):
                entry = cache(REDIS, **{**FAST, "socket_timeout": bad})
                [warning] = deploy_messages(default=entry)
                assert warning.id == "useauth.W101"
                shown = "is not set" if bad is None else f"is {bad!r}"
                assert f"; socket_timeout {shown} (unset" in warning.msg

    def test_w101_a_subclass_is_redis_too(self):
        entry = cache(f"{__name__}.MyRedisCache", socket_timeout=0.5)
        [warning] = deploy_messages(default=entry)
        assert "; socket_connect_timeout is not set (unset" in warning.msg

    def test_w101_django_redis_options(self):
        [warning] = deploy_messages(default=cache(DJANGO_REDIS, SOCKET_TIMEOUT=0.5))
        assert "; SOCKET_CONNECT_TIMEOUT is not set (unset" in warning.msg
        assert warning.hint.startswith(
            "Add {'SOCKET_CONNECT_TIMEOUT': 0.5, 'SOCKET_TIMEOUT': 0.5} to"
        )
        assert (
            deploy(CACHES={"default": cache(DJANGO_REDIS, **DJANGO_REDIS_FAST)}) == []
        )
        # django-redis passes neither timeout when it is 0.
        zero = cache(DJANGO_REDIS, **{**DJANGO_REDIS_FAST, "SOCKET_TIMEOUT": 0})
        [warning] = deploy_messages(default=zero)
        assert "; SOCKET_TIMEOUT is not set (unset" in warning.msg

    def test_w101_django_redis_pool_kwargs_win(self):
        pool = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        slow = {"SOCKET_CONNECT_TIMEOUT": 30, "SOCKET_TIMEOUT": 30}
        entry = cache(DJANGO_REDIS, CONNECTION_POOL_KWARGS=pool, **slow)
        assert deploy(CACHES={"default": entry}) == []
        pool["socket_timeout"] = 10
        [warning] = deploy_messages(default=entry)
        assert "; CONNECTION_POOL_KWARGS['socket_timeout'] is 10 (unset" in warning.msg

    def test_w101_timeouts_in_the_url_win(self):
        fast_url = "redis://h:6379/0?socket_connect_timeout=0.5&socket_timeout=1"
        assert deploy(CACHES={"default": cache(REDIS, fast_url)}) == []
        for query, shown in (
            ("socket_timeout=10", "10.0"),
            ("socket_timeout=x", "'x'"),
        ):
            with self.subTest(query=query):
                entry = cache(REDIS, f"redis://h?{query}", **FAST)
                [warning] = deploy_messages(default=entry)
                assert f"; socket_timeout in LOCATION is {shown} (unset" in warning.msg

    def test_w101_every_server_of_location(self):
        for location in (
            "redis://a,redis://b?socket_timeout=9",
            "redis://a;redis://b?socket_timeout=9",
            ["redis://a", "redis://b?socket_timeout=9"],
            ("redis://b?socket_timeout=9",),
        ):
            with self.subTest(location=location):
                [warning] = deploy_messages(default=cache(REDIS, location, **FAST))
                assert "; socket_timeout in LOCATION is 9.0 (unset" in warning.msg
        # One problem of several servers is named once.
        [warning] = deploy_messages(default=cache(REDIS, "redis://a,redis://b"))
        assert warning.msg.count("socket_timeout is not set") == 1
        # Without a LOCATION (which Django refuses), OPTIONS still count.
        assert deploy(CACHES={"default": cache(REDIS, None, **FAST)}) == []

    def test_the_premise_the_hint_bounds_a_stalled_redis(self):
        # A real listener that accepts connections and never answers, as a
        # Redis that stalls (paused, swapping, a full network buffer): with
        # the hint's OPTIONS the read gives up within a second, which
        # django-useauth answers with a 503.
        with socket.create_server(("127.0.0.1", 0)) as stalled:
            location = f"redis://127.0.0.1:{stalled.getsockname()[1]}"
            with override_settings(CACHES={"default": cache(REDIS, location, **FAST)}):
                start = time.monotonic()
                with pytest.raises(redis.exceptions.TimeoutError):
                    caches["default"].get("session")
                assert time.monotonic() - start < 1.5


class FailOpenTests(SimpleTestCase):
    def test_w102(self):
        with self.settings(USEAUTH_THROTTLE_FAIL_OPEN=True):
            assert check_outages() == [
                Warning(
                    "USEAUTH_THROTTLE_FAIL_OPEN should be False in production: while "
                    "USEAUTH_THROTTLE_CACHE 'default' cannot be reached, sign-ins go "
                    "on without limits, and an attacker can wait for such an outage, "
                    "or cause one, to guess passwords unhindered.",
                    hint="Set USEAUTH_THROTTLE_FAIL_OPEN = False (the default): "
                    "sign-ins are then refused with a 503 until the cache is back.",
                    id="useauth.W102",
                )
            ]
            with self.settings(USEAUTH_THROTTLE_ENABLED=False):
                assert check_outages() == []
        for value in (False, "yes"):
            with self.settings(USEAUTH_THROTTLE_FAIL_OPEN=value):
                assert check_outages() == []


class SessionMiddlewareTests(SimpleTestCase):
    def test_w103_django_middleware_with_our_engines(self):
        with self.settings(SESSION_ENGINE="django_useauth.sessions.db"):
            assert check_outages() == [
                Warning(
                    f"MIDDLEWARE should have {OUR_SESSIONS!r} rather than "
                    f"{DJANGO_SESSIONS!r} with SESSION_ENGINE "
                    "'django_useauth.sessions.db': a session that cannot be saved "
                    "because its store is down is then answered with a 500 (and an "
                    "error mailed to ADMINS), not a 503 with Retry-After.",
                    hint=f"Replace {DJANGO_SESSIONS!r} with {OUR_SESSIONS!r} in "
                    "MIDDLEWARE.",
                    id="useauth.W103",
                )
            ]
        for engine in ("cache", "cached_db"):
            with self.settings(SESSION_ENGINE=f"django_useauth.sessions.{engine}"):
                assert [m.id for m in check_outages()] == ["useauth.W103"]

    def test_w103_another_subclass_of_djangos(self):
        other = f"{__name__}.OtherSessionMiddleware"
        with self.settings(
            SESSION_ENGINE="django_useauth.sessions.db", MIDDLEWARE=[other, *REST]
        ):
            [warning] = check_outages()
            assert (
                warning.hint
                == f"Replace {other!r} with {OUR_SESSIONS!r} in MIDDLEWARE."
            )

    def test_ours_or_a_subclass_of_it_passes(self):
        for entry in (OUR_SESSIONS, f"{__name__}.MySessionMiddleware"):
            with (
                self.subTest(entry=entry),
                self.settings(
                    SESSION_ENGINE="django_useauth.sessions.db",
                    MIDDLEWARE=[entry, *REST],
                ),
            ):
                assert check_outages() == []

    def test_quiet_with_djangos_engines_or_no_session_middleware(self):
        # Django's engines raise the store's own errors, which neither
        # middleware turns into a 503; no SessionMiddleware is E003's.
        for engine in ("db", "cache", "cached_db"):
            with self.settings(
                SESSION_ENGINE=f"django.contrib.sessions.backends.{engine}"
            ):
                assert check_outages() == []
        with self.settings(
            SESSION_ENGINE="django_useauth.sessions.db", MIDDLEWARE=REST
        ):
            assert check_outages() == []
