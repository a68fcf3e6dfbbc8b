"""Check ``check_site``: the site's name, logo, link and favicon on the built-in pages (E050–E053)."""

from __future__ import annotations

from django.core.checks import Error
from django.test import SimpleTestCase
from django.test import override_settings
from django.utils.translation import gettext_lazy

from django_useauth.internal.checks.site import check_site


class SiteChecksTests(SimpleTestCase):
    def test_defaults_pass(self):
        assert check_site() == []

    @override_settings(
        USEAUTH_SITE_NAME=gettext_lazy("Example"),
        USEAUTH_SITE_LOGO="example/logo.svg",
        USEAUTH_SITE_URL="home",
        USEAUTH_FAVICON="https://cdn.example.com/favicon.ico",
    )
    def test_valid(self):
        assert check_site() == []

    @override_settings(
        USEAUTH_SITE_NAME=None,
        USEAUTH_SITE_LOGO=None,
        USEAUTH_SITE_URL=None,
        USEAUTH_FAVICON=None,
    )
    def test_none(self):
        assert check_site() == []

    @override_settings(USEAUTH_SITE_NAME=" ")
    def test_e050(self):
        assert check_site() == [
            Error(
                "USEAUTH_SITE_NAME should be None or a non-empty string; got ' '.",
                hint="Set USEAUTH_SITE_NAME = 'Example' (or gettext_lazy('Example')), or None.",
                id="useauth.E050",
            )
        ]

    @override_settings(USEAUTH_SITE_LOGO=True)
    def test_e051(self):
        assert check_site() == [
            Error(
                "USEAUTH_SITE_LOGO should be None or a static file path or URL; got True.",
                hint="Set USEAUTH_SITE_LOGO = 'myapp/logo.svg' (a static file) or "
                "'https://cdn.example.com/logo.svg', or None.",
                id="useauth.E051",
            )
        ]

    @override_settings(USEAUTH_SITE_URL="")
    def test_e052(self):
        assert check_site() == [
            Error(
                "USEAUTH_SITE_URL should be None or a URL or URL name; got ''.",
                hint="Set USEAUTH_SITE_URL = '/' or a URL name such as 'home', or None "
                "for no link back.",
                id="useauth.E052",
            )
        ]

    @override_settings(USEAUTH_FAVICON=gettext_lazy("favicon.ico"))
    def test_e053(self):
        # Only the name may be a lazy translation: a file's path is not translated.
        [error] = check_site()
        assert error.id == "useauth.E053"
        assert error.msg.startswith(
            "USEAUTH_FAVICON should be None or a static file path or URL; got "
        )
        assert error.hint == (
            "Set USEAUTH_FAVICON = 'myapp/favicon.svg' (a static file) or a URL, "
            "or None for the icon shipped with django-useauth."
        )
