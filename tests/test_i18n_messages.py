"""The error texts and API messages are translated into the request's language; the wire codes are not."""

from __future__ import annotations

from django.test import RequestFactory
from django.test import SimpleTestCase
from django.test import TestCase
from django.test import override_settings
from django.utils import translation

from django_useauth.internal.csrf import csrf_refusal
from django_useauth.internal.error_codes import error_page
from django_useauth.pages import sign_in_error_message
from tests.expected import SIGN_IN_ERRORS
from tests.i18n_utils import LANGUAGES
from tests.i18n_utils import locale_middleware
from tests.utils import BASE
from tests.utils import JSON
from tests.utils import make_user
from tests.utils import sign_in

ERROR_PAGES = (
    "Default",
    "Configuration",
    "AccessDenied",
    "Verification",
    "InvalidProvider",
)

DE_CREDENTIALS_SIGNIN = (
    "Die Anmeldung ist fehlgeschlagen. Prüfen Sie, ob Ihre Angaben korrekt sind."
)


class TextsTests(SimpleTestCase):
    def test_sign_in_error_messages(self):
        for code in [*sorted(SIGN_IN_ERRORS), "Unknown"]:
            english = sign_in_error_message(code)
            for language in LANGUAGES:
                with (
                    self.subTest(code, language=language),
                    translation.override(language),
                ):
                    translated = sign_in_error_message(code)
                    assert translated
                    assert translated != english

    def test_error_pages(self):
        for code in ERROR_PAGES:
            english = error_page(code)
            for language in LANGUAGES:
                with (
                    self.subTest(code, language=language),
                    translation.override(language),
                ):
                    page = error_page(code)
                    assert page.code == english.code
                    assert page.heading != english.heading
                    assert len(page.paragraphs) == len(english.paragraphs)
                    assert not set(page.paragraphs) & set(english.paragraphs)

    def test_translated_when_read(self):
        # Nothing is frozen at import: each call speaks the active language.
        with translation.override("de"):
            assert sign_in_error_message("CredentialsSignin") == DE_CREDENTIALS_SIGNIN
            assert error_page("AccessDenied").heading == "Zugriff verweigert"
        with translation.override("fr"):
            assert error_page("AccessDenied").heading == "Accès refusé"
        assert error_page("AccessDenied").heading == "Access Denied"
        assert isinstance(sign_in_error_message("CredentialsSignin"), str)

    def test_csrf_failure_detail_stays_in_drfs_words(self):
        # As DRF's SessionAuthentication: "CSRF Failed: <Django's reason>",
        # English in every language.
        request = RequestFactory().post("/", headers={"Accept": JSON})
        with translation.override("de"):
            response = csrf_refusal(request)
        assert response is not None
        assert response.status_code == 403
        assert response.content == b'{"detail":"CSRF Failed: CSRF cookie not set."}'


@locale_middleware()
class RequestLanguageTests(TestCase):
    def setUp(self):
        # LocaleMiddleware activates the request's language in this thread
        # and leaves it active; the tests after this one need the default.
        self.addCleanup(translation.deactivate)

    def test_sign_in_page_follows_accept_language(self):
        response = self.client.get(
            "/api/auth/signin",
            {"error": "CredentialsSignin"},
            headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"},
        )
        assert response.status_code == 200
        assert response["Content-Language"] == "de"
        assert DE_CREDENTIALS_SIGNIN in response.content.decode()

    def test_error_page_follows_accept_language(self):
        response = self.client.get(
            "/api/auth/error",
            {"error": "AccessDenied"},
            headers={"Accept-Language": "fr"},
        )
        assert response.status_code == 403
        html = response.content.decode()
        assert "<h1>Accès refusé</h1>" in html
        assert "Vous n’êtes pas autorisé à vous connecter." in html

    def test_malformed_body(self):
        response = self.client.post(
            "/api/auth/callback/credentials",
            b"{not json",
            content_type=JSON,
            headers={"Accept-Language": "ja"},
        )
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode() == "リクエスト本文の形式が正しくありません。"

    def test_wire_codes_are_not_translated(self):
        make_user()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
        response = sign_in(self.client, password="wrong")
        assert response.status_code == 401
        assert response.json() == {
            "url": f"{BASE}/error?error=CredentialsSignin&provider=credentials"
        }


@override_settings(LANGUAGE_CODE="es")
class LanguageCodeTests(TestCase):
    def test_pages_follow_language_code_without_locale_middleware(self):
        response = self.client.get(
            "/api/auth/error",
            {"error": "Verification"},
            headers={"Accept-Language": "de"},
        )
        assert response.status_code == 403
        assert "<h1>No se puede iniciar sesión</h1>" in response.content.decode()
