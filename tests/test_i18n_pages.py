"""The built-in pages in every shipped language: nothing a visitor can read is left in English.

Each page is rendered in English and in each language (``Accept-Language``,
through ``LocaleMiddleware``) with as much on it as it can show: an error,
the expired-form message, the credentials form and an OAuth provider, the
site's name and logo. Every visible text and readable attribute of the
translation that is also in the English page is untranslated, unless it is a
name (of the site, a provider or the user).
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.test import TestCase
from django.utils import translation
from django.utils.translation import to_language

from tests.i18n_utils import LANGUAGES
from tests.i18n_utils import RTL
from tests.i18n_utils import locale_middleware
from tests.utils import GITHUB
from tests.utils import make_user
from tests.utils import sign_in

#: Names, the same in every language.
NAMES = frozenset({"Acme", "GitHub", "Ada Lovelace", "ada@example.com", "testserver"})

#: The attributes a screen reader reads out or a browser shows.
READABLE_ATTRIBUTES = frozenset({"alt", "aria-label", "placeholder", "title"})

#: Inputs whose ``value`` is their label.
BUTTON_INPUTS = frozenset({"button", "reset", "submit"})

SITE = {
    "USEAUTH_SITE_NAME": "Acme",
    "USEAUTH_SITE_LOGO": "https://acme.example/logo.png",
}

#: The sign-in page's variants: (name, query, settings).
SIGN_IN_PAGES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "sign-in page with every method and both errors",
        "?error=CredentialsSignin&csrf=true&callbackUrl=/p",
        {**GITHUB, **SITE},
    ),
    (
        "sign-in page by email, with a logo but no site name",
        "?error=OAuthSignin",
        {
            "USEAUTH_CREDENTIALS_FIELDS": ["email", "password"],
            "USEAUTH_SITE_LOGO": "https://acme.example/logo.png",
        },
    ),
    (
        "sign-in page without methods",
        "",
        {
            "USEAUTH_CREDENTIALS_ENABLED": False,
            "AUTHENTICATION_BACKENDS": ["django.contrib.auth.backends.ModelBackend"],
        },
    ),
]

ERROR_CODES = (
    "Default",
    "Configuration",
    "AccessDenied",
    "Verification",
    "InvalidProvider",
)


class Readable(HTMLParser):
    """The texts of a page a visitor can read, and the attributes of its ``<html>``."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.texts: set[str] = set()
        self.root: dict[str, str | None] = {}
        self._hidden = 0
        self.feed(html)
        self.close()

    def _add(self, text: str | None) -> None:
        words = " ".join((text or "").split())
        # Punctuation alone ("·", ".") is no text to translate.
        if any(character.isalpha() for character in words):
            self.texts.add(words)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.root = attributes if tag == "html" else self.root
        self._hidden += tag in ("script", "style")
        for name in READABLE_ATTRIBUTES.intersection(attributes):
            self._add(attributes[name])
        if tag == "input" and attributes.get("type") in BUTTON_INPUTS:
            self._add(attributes.get("value"))

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._add(data)


class ReadableTests(TestCase):
    def test_texts_and_readable_attributes(self):
        page = Readable(
            '<html lang="de" dir="ltr"><head><title>Titel · Acme</title>'
            "<style>p { color: red }</style><script>let x = 'code';</script></head>"
            '<body><img alt="Logo" src="x.png"><p title="Hinweis">Ein  Satz\n mehr.</p>'
            '<input type="submit" value="Senden"><input type="text" value="Ada">'
            '<span aria-label="Menü">·</span><input placeholder="Suche"></body></html>'
        )
        assert page.root == {"lang": "de", "dir": "ltr"}
        assert page.texts == {
            "Titel · Acme",
            "Logo",
            "Hinweis",
            "Ein Satz mehr.",
            "Senden",
            "Menü",
            "Suche",
        }


@locale_middleware()
class PagesTests(TestCase):
    def setUp(self):
        # LocaleMiddleware activates the request's language in this thread
        # and leaves it active; the tests after this one need the default.
        self.addCleanup(translation.deactivate)

    def page(self, url: str, language: str) -> Readable:
        response = self.client.get(url, headers={"Accept-Language": language})
        assert response["Content-Language"] == language
        return Readable(response.content.decode())

    def assert_translated(self, name: str, url: str) -> None:
        english = self.page(url, "en")
        assert english.root.get("lang") == "en"
        assert english.root.get("dir") == "ltr"
        assert english.texts - NAMES, name
        for language in LANGUAGES:
            code = to_language(language)
            with self.subTest(name, language=language):
                page = self.page(url, code)
                assert page.root.get("lang") == code, "<html lang> is not the language"
                assert page.root.get("dir") == ("rtl" if language in RTL else "ltr")
                untranslated = sorted((english.texts & page.texts) - NAMES)
                assert not untranslated, f"{name}, {language}: {untranslated}"

    def test_sign_in_page(self):
        for name, query, settings in SIGN_IN_PAGES:
            with self.settings(**settings):
                self.assert_translated(name, f"/api/auth/signin{query}")

    def test_sign_out_page(self):
        make_user()
        sign_in(self.client)
        with self.settings(**SITE):
            self.assert_translated(
                "sign-out page", "/api/auth/signout?csrf=true&callbackUrl=/p"
            )

    def test_error_page(self):
        with self.settings(**SITE):
            for code in ERROR_CODES:
                self.assert_translated(
                    f"{code} error page", f"/api/auth/error?error={code}"
                )
