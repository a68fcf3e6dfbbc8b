from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import SimpleTestCase
from django.test import override_settings

from django_useauth.conf import UNSET
from django_useauth.conf import conf


class ConfTests(SimpleTestCase):
    def test_defaults(self):
        assert conf.URL is None
        assert conf.DEFAULT_CALLBACK_URL == "/"
        assert conf.ALLOWED_REDIRECT_ORIGINS == ()
        assert conf.CREDENTIALS_ENABLED is True
        assert conf.CREDENTIALS_NAME == "Credentials"
        assert conf.CREDENTIALS_FIELDS == ("username", "password")
        assert conf.PAGES_SIGN_IN is None
        assert conf.PAGES_SIGN_OUT is None
        assert conf.PAGES_ERROR is None
        assert conf.SITE_NAME is None
        assert conf.SITE_LOGO is None
        assert conf.SITE_URL == "/"
        assert conf.FAVICON is None
        assert timedelta(days=30) == conf.MAX_AGE
        assert timedelta(hours=24) == conf.UPDATE_AGE

    @override_settings(
        USEAUTH_URL="https://example.com",
        USEAUTH_DEFAULT_CALLBACK_URL="/home/",
        USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3000"],
        USEAUTH_CREDENTIALS_ENABLED=False,
        USEAUTH_CREDENTIALS_NAME="Password",
        USEAUTH_CREDENTIALS_FIELDS=["email", "password"],
        USEAUTH_PAGES_SIGN_IN="/in/",
        USEAUTH_PAGES_SIGN_OUT="/out/",
        USEAUTH_PAGES_ERROR="/oops/",
        USEAUTH_SITE_NAME="Example",
        USEAUTH_SITE_LOGO="example/logo.svg",
        USEAUTH_SITE_URL=None,
        USEAUTH_FAVICON="example/favicon.svg",
        USEAUTH_MAX_AGE=timedelta(hours=12),
        USEAUTH_UPDATE_AGE=600,
    )
    def test_overrides(self):
        assert conf.URL == "https://example.com"
        assert conf.DEFAULT_CALLBACK_URL == "/home/"
        assert conf.ALLOWED_REDIRECT_ORIGINS == ["http://localhost:3000"]
        assert conf.CREDENTIALS_ENABLED is False
        assert conf.CREDENTIALS_NAME == "Password"
        assert conf.CREDENTIALS_FIELDS == ["email", "password"]
        assert conf.PAGES_SIGN_IN == "/in/"
        assert conf.PAGES_SIGN_OUT == "/out/"
        assert conf.PAGES_ERROR == "/oops/"
        assert conf.SITE_NAME == "Example"
        assert conf.SITE_LOGO == "example/logo.svg"
        assert conf.SITE_URL is None
        assert conf.FAVICON == "example/favicon.svg"
        assert timedelta(hours=12) == conf.MAX_AGE
        assert timedelta(minutes=10) == conf.UPDATE_AGE

    @override_settings(USEAUTH_MAX_AGE=True)
    def test_bool_is_not_seconds(self):
        # Left as given for check E019 to report, not read as 1 second.
        assert conf.MAX_AGE is True  # type: ignore[comparison-overlap]

    def test_configured_names_only_settings(self):
        with pytest.raises(ValueError, match="'UPDATE_AGES' is not a USEAUTH_ setting"):
            conf.configured("UPDATE_AGES")

    def test_configured_is_the_value_as_written(self):
        # What the system checks validate: no default, no conversion.
        assert conf.configured("UPDATE_AGE") is UNSET
        with self.settings(USEAUTH_UPDATE_AGE=600):
            assert conf.configured("UPDATE_AGE") == 600
            assert timedelta(minutes=10) == conf.UPDATE_AGE
