"""The ``drf`` and ``ninja`` extras are optional: nothing imports them unless a project does."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings
from django.test import SimpleTestCase
from django.test import override_settings

import django_useauth

#: What the extras bring, and what they bring with them.
EXTRAS = ("rest_framework", "ninja", "drf_spectacular", "pydantic")

#: A project without the extras: every other public module is imported, the
#: checks run and a request goes through the middleware, the endpoints and the
#: tags; importing an extra's package would raise.
_WITHOUT_EXTRAS = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    for name in {extras!r}:
        sys.modules[name] = None  # import raises ModuleNotFoundError
    import django
    from django.conf import settings
    settings.configure(
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS=["testserver"],
        DATABASES={{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}}},
        INSTALLED_APPS=[
            "django.contrib.auth", "django.contrib.contenttypes",
            "django.contrib.sessions", "social_django", "django_useauth",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django_useauth.middleware.AuthMiddleware",
        ],
        ROOT_URLCONF="tests.urls",
        TEMPLATES=[{{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {{"context_processors": [
                "django.template.context_processors.request",
                "django_useauth.context_processors.auth",
            ]}},
        }}],
        USE_TZ=True,
    )
    django.setup()
    import django_useauth
    skipped = {{"django_useauth.rest_framework", "django_useauth.ninja",
               "django_useauth.internal.spectacular"}}
    for info in pkgutil.walk_packages(django_useauth.__path__, "django_useauth."):
        if info.name not in skipped and not info.name.startswith(
            ("django_useauth.migrations", "django_useauth.session", "django_useauth.actions",
             "django_useauth.errors")
        ):
            importlib.import_module(info.name)
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    call_command("check", fail_level="ERROR")
    from django.test import Client
    client = Client()
    assert client.get("/api/auth/session").json() == {{}}
    assert client.get("/api/auth/signin").status_code == 200
    assert client.get("/protected/").status_code == 302
    for name in {extras!r}:
        assert sys.modules[name] is None, name
    print("imported none of the extras")
    """
)


@contextmanager
def _without(*names: str) -> Iterator[None]:
    # Imports of `names` fail while inside; on the way out the modules that
    # were imported before (ours included) are back, also as attributes of
    # their packages, so later tests see the same classes.
    saved = {
        name: module
        for name, module in sys.modules.items()
        if name.startswith(("django_useauth.rest_framework", "django_useauth.ninja"))
    }
    with mock.patch.dict(sys.modules, dict.fromkeys(names)):
        for name in saved:
            del sys.modules[name]
        try:
            yield
        finally:
            for name in saved:
                sys.modules.pop(name, None)
    for name, module in saved.items():
        setattr(django_useauth, name.rsplit(".", 1)[1], module)


class ExtrasTests(SimpleTestCase):
    def test_nothing_imports_the_extras_unless_a_project_does(self):
        result = subprocess.run(
            [sys.executable, "-c", _WITHOUT_EXTRAS.format(extras=EXTRAS)],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "imported none of the extras"

    def test_rest_framework_without_drf_names_the_extra(self):
        with (
            _without("rest_framework", "rest_framework.authentication"),
            pytest.raises(ImportError, match=r"pip install 'django-useauth\[drf\]'"),
        ):
            importlib.import_module("django_useauth.rest_framework")

    def test_ninja_without_django_ninja_names_the_extra(self):
        with (
            _without("ninja", "ninja.errors"),
            pytest.raises(ImportError, match=r"pip install 'django-useauth\[ninja\]'"),
        ):
            importlib.import_module("django_useauth.ninja")

    def test_rest_framework_without_drf_spectacular(self):
        # Not in INSTALLED_APPS: drf-spectacular is not imported, even when
        # it could be.
        installed = [app for app in settings.INSTALLED_APPS if app != "drf_spectacular"]
        with (
            override_settings(INSTALLED_APPS=installed),
            _without("django_useauth.internal.spectacular"),
        ):
            module = importlib.import_module("django_useauth.rest_framework")
            assert module.UseAuthAuthentication.__name__ == "UseAuthAuthentication"
            assert sys.modules.get("django_useauth.internal.spectacular") is None
        original = importlib.import_module("django_useauth.rest_framework")
        assert original is not module
        assert django_useauth.rest_framework is original  # type: ignore[attr-defined]

    def test_rest_framework_before_the_app_registry_is_ready(self):
        # A settings module may import the class: no AppRegistryNotReady, and
        # an importable drf-spectacular is registered.
        with (
            mock.patch.object(apps, "apps_ready", False),
            _without(),
        ):
            module = importlib.import_module("django_useauth.rest_framework")
            assert module._spectacular_in_use()
        with mock.patch.object(apps, "apps_ready", False), _without("drf_spectacular"):
            assert not module._spectacular_in_use()
