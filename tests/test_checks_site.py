"""Check ``check_site``: the site's name, logo, link and favicon on the built-in pages (E050–E053)."""

from __future__ import annotations

from django.core.checks import Error
from django.test import SimpleTestCase
from django.test import modify_settings
from django.test import override_settings
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy

from django_useauth.internal.checks.site import check_site


class SiteChecksTests(SimpleTestCase):
    def test_defaults_pass(self):
        assert check_site() == []

    @override_settings(
        USEAUTH_SITE_NAME=gettext_lazy("Example"),
        USEAUTH_SITE_LOGO="django_useauth/icon.svg",
        USEAUTH_SITE_URL="protected",
        USEAUTH_FAVICON="https://cdn.example.com/favicon.ico",
    )
    def test_valid(self):
        # A static file that exists, a URL name of tests/urls.py, a URL.
        assert check_site() == []

    def test_urls_and_paths_as_written(self):
        # What resolve_url() and the pages use as written: a value with "/" or
        # ".", a URL, an absolute path, a data: URL; nothing is looked up.
        for url in ("/", "/shop/", "https://example.com", "shop.html", "../up"):
            with self.settings(USEAUTH_SITE_URL=url):
                assert check_site() == [], url
        for path in (
            "https://cdn.example.com/logo.svg",
            "http://cdn.example.com/logo.svg",
            "/media/logo.png",
            "data:image/svg+xml,%3Csvg%3E",
        ):
            with self.settings(USEAUTH_SITE_LOGO=path, USEAUTH_FAVICON=path):
                assert check_site() == [], path

    @override_settings(USEAUTH_SITE_URL=reverse_lazy("protected"))
    def test_reverse_lazy(self):
        # As LOGIN_URL often is: resolve_url() reads it at request time.
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

    @override_settings(USEAUTH_SITE_URL="hom")
    def test_e052_url_name_that_does_not_reverse(self):
        # Without "/" or ".", resolve_url() raises NoReverseMatch on every
        # built-in page (the error page too).
        assert check_site() == [
            Error(
                "USEAUTH_SITE_URL should be a URL or a URL name; 'hom' is not a URL "
                "name of this project, so every built-in page fails with "
                "NoReverseMatch (a 500).",
                hint="Set USEAUTH_SITE_URL to a URL name of this project, a path "
                "such as '/', a URL, or reverse_lazy('name'); or None for no link back.",
                id="useauth.E052",
            )
        ]

    @override_settings(USEAUTH_SITE_URL=reverse_lazy("hom"))
    def test_e052_reverse_lazy_that_does_not_reverse(self):
        [error] = check_site()
        assert error.id == "useauth.E052"
        assert error.msg == (
            "USEAUTH_SITE_URL should be a URL or a URL name; it is a reverse_lazy() "
            "that does not reverse, so every built-in page fails with "
            "NoReverseMatch (a 500)."
        )

    @override_settings(USEAUTH_SITE_URL=gettext_lazy("hom"))
    def test_e052_lazy_string_that_is_not_a_url_name(self):
        [error] = check_site()
        assert error.id == "useauth.E052"
        assert "'hom' is not a URL name of this project" in error.msg

    @override_settings(USEAUTH_SITE_URL=3)
    def test_e052_not_a_string(self):
        [error] = check_site()
        assert (
            error.msg == "USEAUTH_SITE_URL should be None or a URL or URL name; got 3."
        )

    @override_settings(
        USEAUTH_SITE_LOGO="shop/logo.svg", USEAUTH_FAVICON="shop/favicon.ico"
    )
    def test_e051_e053_missing_static_files(self):
        assert check_site() == [
            Error(
                "USEAUTH_SITE_LOGO should be a URL, an absolute path or a static file "
                "that exists; no staticfiles finder finds 'shop/logo.svg', so the "
                "built-in pages show a missing image, or fail with ValueError (a 500) "
                "under ManifestStaticFilesStorage.",
                hint="Put 'shop/logo.svg' in an app's static/ directory or in "
                "STATICFILES_DIRS, or set USEAUTH_SITE_LOGO to its URL.",
                id="useauth.E051",
            ),
            Error(
                "USEAUTH_FAVICON should be a URL, an absolute path or a static file "
                "that exists; no staticfiles finder finds 'shop/favicon.ico', so the "
                "built-in pages show a missing image, or fail with ValueError (a 500) "
                "under ManifestStaticFilesStorage.",
                hint="Put 'shop/favicon.ico' in an app's static/ directory or in "
                "STATICFILES_DIRS, or set USEAUTH_FAVICON to its URL.",
                id="useauth.E053",
            ),
        ]

    @override_settings(
        USEAUTH_SITE_LOGO="shop/logo.svg",
        STORAGES={
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            }
        },
    )
    def test_e051_under_manifest_storage(self):
        # In production (DEBUG off) static() raises ValueError for a file the
        # manifest lacks, and every built-in page answers 500: the check finds
        # the file missing before that, whatever the storage.
        assert [error.id for error in check_site()] == ["useauth.E051"]

    @modify_settings(INSTALLED_APPS={"remove": "django.contrib.staticfiles"})
    @override_settings(USEAUTH_SITE_LOGO="shop/logo.svg")
    def test_static_files_unchecked_without_staticfiles(self):
        # static() then joins STATIC_URL and the path; the files may be
        # served by another server.
        assert check_site() == []

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
