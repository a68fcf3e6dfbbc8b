from __future__ import annotations

import inspect
import re
from datetime import timedelta
from pathlib import Path

from django.core.checks import Error
from django.core.checks import Tags
from django.core.checks import Warning
from django.core.checks.registry import registry
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import SimpleTestCase
from django.test import override_settings

from django_useauth import checks
from django_useauth.internal import checks as internal_checks
from django_useauth.middleware import AuthMiddleware

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_useauth.middleware.AuthMiddleware",
]


def all_messages():
    return [
        *checks.check_middleware(),
        *checks.check_session_engine(),
        *checks.check_templates(),
        *checks.check_urls(),
        *checks.check_credentials(),
        *checks.check_pages(),
        *checks.check_site(),
        *checks.check_callbacks(),
        *checks.check_lifetimes(),
        *checks.check_session_cache(),
        *checks.check_throttle_settings(),
        *checks.check_openapi(),
        *checks.check_providers(),
    ]


def check_error_codes(expected):
    assert [message.id for message in all_messages()] == expected


class ChecksTests(SimpleTestCase):
    # call_command("check") also runs Django's model checks, which may ask
    # SQLite whether it supports JSON fields.
    databases = {"default"}

    def test_defaults_pass(self):
        check_error_codes([])
        call_command("check")

    @override_settings(MIDDLEWARE=MIDDLEWARE[:-1])
    def test_e001(self):
        check_error_codes(["useauth.E001"])
        assert checks.check_middleware()[0] == Error(
            "MIDDLEWARE should contain 'django_useauth.middleware.AuthMiddleware'.",
            hint="Add 'django_useauth.middleware.AuthMiddleware' to MIDDLEWARE, after "
            "'django.contrib.auth.middleware.AuthenticationMiddleware'.",
            id="useauth.E001",
        )

    @override_settings(MIDDLEWARE=[MIDDLEWARE[3], *MIDDLEWARE[:3]])
    def test_e002(self):
        check_error_codes(["useauth.E002"])
        assert checks.check_middleware()[0].hint == (
            "Move 'django_useauth.middleware.AuthMiddleware' below "
            "'django.contrib.auth.middleware.AuthenticationMiddleware'."
        )

    @override_settings(
        MIDDLEWARE=[MIDDLEWARE[0], MIDDLEWARE[1], MIDDLEWARE[3], MIDDLEWARE[2]]
    )
    def test_e002_after_session_before_authentication(self):
        check_error_codes(["useauth.E002"])

    @override_settings(MIDDLEWARE=MIDDLEWARE[1:])
    def test_e003(self):
        # Django's own admin/auth checks are not run here; only ours.
        check_error_codes(["useauth.E003"])

    @override_settings(MIDDLEWARE=[MIDDLEWARE[0], MIDDLEWARE[1], MIDDLEWARE[3]])
    def test_e004(self):
        check_error_codes(["useauth.E004"])

    @override_settings(MIDDLEWARE=[MIDDLEWARE[0], MIDDLEWARE[2], MIDDLEWARE[3]])
    def test_e005(self):
        check_error_codes(["useauth.E005"])

    @override_settings(
        MIDDLEWARE=[
            "no.such.Middleware",
            *MIDDLEWARE[:3],
            "tests.test_checks.MyAuthMiddleware",
        ]
    )
    def test_subclass_accepted_and_unimportable_entries_skipped(self):
        check_error_codes([])

    @override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
    def test_e006(self):
        check_error_codes(["useauth.E006"])
        assert checks.check_session_engine()[0].hint == (
            "Use 'django.contrib.sessions.backends.db', "
            "'django_useauth.sessions.cache' or 'django_useauth.sessions.cached_db'."
        )

    @override_settings(
        SESSION_ENGINE="django_useauth.sessions.cache",
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        },
    )
    def test_w003(self):
        check_error_codes(["useauth.W003"])
        assert checks.check_session_engine()[0] == Warning(
            "SESSION_ENGINE 'django_useauth.sessions.cache' should not use the "
            "local-memory cache 'sessions': each process has its own sessions, and a "
            "restart signs everyone out.",
            hint="Point SESSION_CACHE_ALIAS at a Redis (or Memcached) cache, or use "
            "the 'django_useauth.sessions.cached_db' engine.",
            id="useauth.W003",
        )
        with self.settings(
            CACHES={
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                "sessions": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": "redis://x",
                },
            }
        ):
            check_error_codes([])
        with self.settings(SESSION_ENGINE="django.contrib.sessions.backends.cache"):
            check_error_codes(["useauth.W003", "useauth.W005"])

    def test_w005(self):
        for django_engine, ours in [
            ("cache", "django_useauth.sessions.cache"),
            ("cached_db", "django_useauth.sessions.cached_db"),
        ]:
            engine = f"django.contrib.sessions.backends.{django_engine}"
            with self.settings(
                SESSION_ENGINE=engine,
                CACHES={
                    "default": {
                        "BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": "redis://x",
                    }
                },
                SESSION_CACHE_ALIAS="default",
            ):
                check_error_codes(["useauth.W005"])
                assert checks.check_session_engine()[0] == Warning(
                    f"SESSION_ENGINE should not be {engine!r}: a request that saves the "
                    "session while a sign-out deletes it can write it back, and the "
                    "signed-out cookie works again.",
                    hint=f"Use the drop-in replacement {ours!r}.",
                    id="useauth.W005",
                )
                with self.settings(SESSION_ENGINE=ours):
                    check_error_codes([])

    @override_settings(
        TEMPLATES=[
            {"BACKEND": "django.template.backends.jinja2.Jinja2", "OPTIONS": {}},
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "context_processors": ["django_useauth.context_processors.auth"]
                },
            },
        ]
    )
    def test_w001(self):
        check_error_codes(["useauth.W001"])
        assert isinstance(checks.check_templates()[0], Warning)

    @override_settings(USEAUTH_URL="https://example.com/api")
    def test_e010(self):
        check_error_codes(["useauth.E010"])
        assert checks.check_urls()[0].msg == (
            "USEAUTH_URL should be None or an origin like 'https://example.com' (no path); "
            "got 'https://example.com/api'."
        )

    def test_e010_shapes(self):
        for value in (
            "example.com",
            "ftp://example.com",
            "https://u@example.com",
            "https://example.com?x",
            1,
        ):
            with self.settings(USEAUTH_URL=value):
                check_error_codes(["useauth.E010"])
        with self.settings(USEAUTH_URL="https://example.com/"):
            check_error_codes([])

    def test_e011(self):
        for value in ("dashboard", "//evil.example", 3, "javascript:alert(1)"):
            with self.settings(USEAUTH_DEFAULT_CALLBACK_URL=value):
                check_error_codes(["useauth.E011"])
        for value in ("/", "/dashboard/", "https://example.com/x"):
            with self.settings(USEAUTH_DEFAULT_CALLBACK_URL=value):
                check_error_codes([])

    def test_e012(self):
        for value in (
            "http://localhost:3000",
            ["http://localhost:3000/path"],
            [None],
            5,
        ):
            with self.settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=value):
                check_error_codes(["useauth.E012"])
        with self.settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=("http://localhost:3000",)):
            check_error_codes([])

    @override_settings(USEAUTH_CREDENTIALS_ENABLED="yes")
    def test_e013(self):
        check_error_codes(["useauth.E013"])

    def test_e014(self):
        for value in ("", "  ", None):
            with self.settings(USEAUTH_CREDENTIALS_NAME=value):
                check_error_codes(["useauth.E014"])

    def test_e015(self):
        for value in (
            "username",
            [],
            ["user-name"],
            ["username", "username"],
            ["csrfToken"],
            [1],
            None,
        ):
            with self.settings(USEAUTH_CREDENTIALS_FIELDS=value):
                check_error_codes(["useauth.E015"])
        with self.settings(USEAUTH_CREDENTIALS_FIELDS=["email", "password", "otp"]):
            check_error_codes([])

    def test_e016_to_e018(self):
        for setting, code in (
            ("USEAUTH_PAGES_SIGN_IN", "useauth.E016"),
            ("USEAUTH_PAGES_SIGN_OUT", "useauth.E017"),
            ("USEAUTH_PAGES_ERROR", "useauth.E018"),
        ):
            for value in ("", 3):
                with self.settings(**{setting: value}):
                    check_error_codes([code])
            with self.settings(**{setting: "/login/"}):
                check_error_codes([])

    def test_e022_to_e024(self):
        for setting, code in (
            ("USEAUTH_SESSION_CALLBACK", "useauth.E022"),
            ("USEAUTH_SIGN_IN_CALLBACK", "useauth.E023"),
            ("USEAUTH_REDIRECT_CALLBACK", "useauth.E024"),
        ):
            for value in ("no.such.function", "tests.callbacks.calls", 3):
                with self.settings(**{setting: value}):
                    check_error_codes([code])
            with self.settings(**{setting: "tests.callbacks.allow"}):
                check_error_codes([])

    def test_e025_to_e031(self):
        cases: list[tuple[str, str, list[object]]] = [
            ("USEAUTH_THROTTLE_ENABLED", "useauth.E025", ["yes", 1]),
            (
                "USEAUTH_THROTTLE_ACCOUNT_FAILURES",
                "useauth.E026",
                [0, -1, "10", True, 2.5],
            ),
            ("USEAUTH_THROTTLE_IP_FAILURES", "useauth.E027", [0, "50", None]),
            (
                "USEAUTH_THROTTLE_WINDOW",
                "useauth.E028",
                [0, -5, "15m", None, timedelta(0)],
            ),
            ("USEAUTH_THROTTLE_CACHE", "useauth.E029", ["nope", None]),
            ("USEAUTH_TRUSTED_PROXY_COUNT", "useauth.E030", [-1, "1", True]),
            ("USEAUTH_OPENAPI", "useauth.E031", ["true", None]),
        ]
        for setting, code, values in cases:
            for value in values:
                with self.settings(**{setting: value}):
                    check_error_codes([code])
        with self.settings(
            USEAUTH_THROTTLE_ENABLED=False,
            USEAUTH_THROTTLE_ACCOUNT_FAILURES=3,
            USEAUTH_THROTTLE_IP_FAILURES=100,
            USEAUTH_THROTTLE_WINDOW=60,
            USEAUTH_THROTTLE_CACHE="sessions",
            USEAUTH_TRUSTED_PROXY_COUNT=2,
            USEAUTH_OPENAPI=True,
        ):
            check_error_codes([])

    def test_e032_e033_w004(self):
        for value in ("nope", 3):
            with self.settings(USEAUTH_SESSION_CACHE=value):
                check_error_codes(["useauth.E032"])
        with self.settings(USEAUTH_SESSION_CACHE="sessions"):
            check_error_codes(["useauth.W004"])
        redis = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://x",
        }
        with self.settings(
            USEAUTH_SESSION_CACHE="sessions",
            CACHES={
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                "sessions": redis,
            },
        ):
            check_error_codes([])
        for timeout in (0, -1, "5m", None):
            with self.settings(USEAUTH_SESSION_CACHE_TIMEOUT=timeout):
                check_error_codes(["useauth.E033"])
        with self.settings(USEAUTH_SESSION_CACHE_TIMEOUT=60):
            check_error_codes([])

    @override_settings(USEAUTH_URL="https://example.com")
    def test_w011(self):
        def deploy():
            # W060, the token revocation cache's twin of W011, has its own tests.
            return [m for m in checks.check_deploy() if m.id != "useauth.W060"]

        assert [m.id for m in deploy()] == ["useauth.W011"]
        assert deploy()[0].msg.startswith(
            "USEAUTH_THROTTLE_CACHE should name a cache shared by every process; 'default' is LocMemCache"
        )
        with self.settings(USEAUTH_THROTTLE_ENABLED=False):
            assert deploy() == []
        redis = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://x",
        }
        with self.settings(CACHES={"default": redis, "sessions": redis}):
            assert checks.check_deploy() == []
        with self.settings(USEAUTH_THROTTLE_CACHE=None):
            assert [m.id for m in deploy()] == []

    def test_e019(self):
        for value in (0, -1, "30d", True, timedelta(0), None):
            with self.settings(USEAUTH_MAX_AGE=value):
                check_error_codes(["useauth.E019"])
        for good in (60, timedelta(days=1), 1.5):
            with self.settings(USEAUTH_MAX_AGE=good, USEAUTH_UPDATE_AGE=1):
                check_error_codes([])

    def test_e020(self):
        for value in (-1, "1h", timedelta(days=31), None):
            with self.settings(USEAUTH_UPDATE_AGE=value):
                check_error_codes(["useauth.E020"])
        with self.settings(USEAUTH_UPDATE_AGE=0):
            check_error_codes([])
        # A bad max age is reported once, not as an update-age error too.
        with self.settings(USEAUTH_MAX_AGE="x", USEAUTH_UPDATE_AGE=10):
            check_error_codes(["useauth.E019"])

    def test_e034(self):
        for value in (0, -1, "30d", True, timedelta(0), timedelta(seconds=-1)):
            with self.settings(USEAUTH_ABSOLUTE_MAX_AGE=value):
                check_error_codes(["useauth.E034"])
                assert checks.check_lifetimes()[0] == Error(
                    f"USEAUTH_ABSOLUTE_MAX_AGE should be None or a positive timedelta "
                    f"or number of seconds; got {value!r}.",
                    hint="Set USEAUTH_ABSOLUTE_MAX_AGE = timedelta(days=30), or None "
                    "for no cap.",
                    id="useauth.E034",
                )
        for good in (None, 3600, 1.5, timedelta(days=30)):
            with self.settings(USEAUTH_ABSOLUTE_MAX_AGE=good):
                check_error_codes([])

    def test_numbers_no_timedelta_holds_are_reported_not_raised(self):
        # conf cannot convert them; the checks say so instead of crashing.
        expected = {
            "MAX_AGE": "useauth.E019",
            "ABSOLUTE_MAX_AGE": "useauth.E034",
            "UPDATE_AGE": "useauth.E020",
        }
        for name, code in expected.items():
            for value in (float("inf"), float("nan"), 10**20):
                with (
                    self.subTest(name=name, value=value),
                    self.settings(**{f"USEAUTH_{name}": value}),
                ):
                    assert [m.id for m in checks.check_lifetimes()] == [code]

    @override_settings(USEAUTH_URL="http://example.com")
    def test_w010(self):
        def deploy_ids():
            ignored = ("useauth.W011", "useauth.W060")
            return [m.id for m in checks.check_deploy() if m.id not in ignored]

        assert deploy_ids() == ["useauth.W010"]
        with self.settings(USEAUTH_URL="https://example.com"):
            assert deploy_ids() == []

    @override_settings(MIDDLEWARE=MIDDLEWARE[:-1])
    def test_call_command_fails(self):
        with self.assertRaises(SystemCheckError):
            call_command("check")

    def test_every_check_registered_with_its_tags(self):
        deploy = {checks.check_deploy, checks.check_proxy, checks.check_outages}
        security = {checks.check_session_engine, checks.check_throttle, *deploy}
        own_tags = {
            checks.check_templates: Tags.templates,
            checks.check_endpoints: Tags.urls,
        }
        for name in checks.__all__:
            check = getattr(checks, name)
            if check in own_tags:
                tag = own_tags[check]
            else:
                tag = Tags.security if check in security else Tags.compatibility
            assert check.tags == (tag,), name
            registered = registry.get_checks(include_deployment_checks=check in deploy)
            assert check in registered, name
            assert (check in registry.get_checks()) is (check not in deploy), name

    def test_ids_unique_and_documented(self):
        # The facade and every module of the package that holds the checks.
        package = Path(internal_checks.__file__).parent
        modules = [Path(checks.__file__), *sorted(package.glob("*.py"))]
        ids = [
            check_id
            for module in modules
            for check_id in re.findall(r'"(useauth\.[EW]\d{3})"', module.read_text())
        ]
        for name in checks.__all__:
            # Every check is defined in a module read here.
            source = inspect.getsourcefile(getattr(checks, name))
            assert source is not None and Path(source) in modules, name
        assert len(ids) == len(set(ids))
        docs = (Path(__file__).parent.parent / "docs" / "checks.md").read_text()
        for check_id in ids:
            assert check_id in docs, check_id


class MyAuthMiddleware(AuthMiddleware):
    pass
