"""R11: a visitor cannot make the server log an ERROR (and mail ADMINS) with a query string.

``GET error?error=Configuration`` answers NextAuth v4's 500 page, but the
request is recorded by ``django.request`` at WARNING, like the 4xx pages, not
at ERROR. A misconfiguration the server itself finds is logged at ERROR where
it is found. Real server errors still reach ``django.request`` at ERROR: the
two tests side by side prove the mechanism (Django's ``_has_been_logged``).
"""

from __future__ import annotations

import logging
from unittest import mock

import django
from django.core import mail
from django.http import HttpRequest
from django.http import HttpResponse
from django.test import Client
from django.test import TestCase
from django.test import override_settings
from django.urls import include
from django.urls import path
from social_core import exceptions as social

from django_useauth.internal import oauth
from tests.utils import GITHUB


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def answers_500(request: HttpRequest) -> HttpResponse:
    return HttpResponse("down", status=500)


urlpatterns = [
    path("api/auth/", include("django_useauth.urls")),
    path("broken/", broken),
    path("answers-500/", answers_500),
]

# Django 6.0 takes plain addresses (and 6.1 deprecates the pairs 5.2 needs).
ADMINS = (
    ["ops@example.com"] if django.VERSION >= (6, 0) else [("Ops", "ops@example.com")]
)


CODES = ("configuration", "Configuration", "CONFIGURATION")


@override_settings(ROOT_URLCONF=__name__, ADMINS=ADMINS)
class ConfigurationPageTests(TestCase):
    def test_R11_configuration_page_is_not_logged_at_error(self):
        for code in CODES:
            for method in ("get", "head"):
                with (
                    self.subTest(code=code, method=method),
                    self.assertNoLogs("django.request", logging.ERROR),
                ):
                    response = getattr(self.client, method)(
                        "/api/auth/error", {"error": code}
                    )
                    assert response.status_code == 500

    async def test_R11_configuration_page_is_not_logged_at_error_async(self):
        with self.assertNoLogs("django.request", logging.ERROR):
            response = await self.async_client.get(
                "/api/auth/error?error=configuration"
            )
        assert response.status_code == 500

    def test_R11_configuration_page_keeps_its_500_and_a_warning(self):
        with self.assertLogs("django.request", logging.WARNING) as logs:
            response = self.client.get("/api/auth/error?error=configuration")
        assert response.status_code == 500
        assert b"<h1>Server error</h1>" in response.content
        assert [(r.levelno, r.getMessage()) for r in logs.records] == [
            (logging.WARNING, "Internal Server Error: /api/auth/error")
        ]
        assert logs.records[0].status_code == 500  # type: ignore[attr-defined]

    def test_R11_configuration_page_mails_no_admin(self):
        # Django's default logging: mail_admins on the "django" logger at ERROR.
        for _ in range(3):
            self.client.get("/api/auth/error?error=configuration")
        assert mail.outbox == []

    def test_R11_real_server_errors_still_log_and_mail(self):
        client = Client(raise_request_exception=False)
        for url in ("/broken/", "/answers-500/"):
            with self.subTest(url=url):
                mail.outbox = []
                with self.assertLogs("django.request", logging.ERROR) as logs:
                    response = client.get(url)
                assert response.status_code == 500
                assert [r.getMessage() for r in logs.records] == [
                    f"Internal Server Error: {url}"
                ]
                client.get(url)
                assert len(mail.outbox) == 1

    async def test_R11_real_server_errors_still_log_async(self):
        with self.assertLogs("django.request", logging.ERROR):
            response = await self.async_client.get("/answers-500/")
        assert response.status_code == 500

    def test_R11_other_error_pages_keep_djangos_log(self):
        # Below 500, django.request's own WARNING line is left as it is.
        for code, status in (("AccessDenied", 403), ("InvalidProvider", 404)):
            with self.assertLogs("django.request", logging.WARNING) as logs:
                response = self.client.get("/api/auth/error", {"error": code})
            assert response.status_code == status
            assert len(logs.records) == 1


@override_settings(**GITHUB)
class ServerFoundMisconfigurationTests(TestCase):
    # NEEDS the oauth.py change handed to the lead (a misconfiguration found
    # at the callback is logged at ERROR, with social-core's detail):
    # expected to fail until then, and an unexpected success (a failure)
    # after, so that this marker goes with the change.
    def test_R11_misconfiguration_is_logged_at_error_where_found(self):
        failure = social.AuthConfigurationError(
            None,
            "the client secret is empty",
            code="missing_setting",
            parameter="SOCIAL_AUTH_GITHUB_SECRET",
        )
        with (
            mock.patch.object(oauth, "do_complete", side_effect=failure),
            self.assertLogs("django_useauth.oauth", logging.WARNING) as logs,
        ):
            response = self.client.get("/api/auth/callback/github?code=x&state=y")
        assert response["Location"] == (
            "http://testserver/api/auth/error?error=Configuration"
        )
        (record,) = logs.records
        message = record.getMessage()
        # One assertion, last: what fails until the change is in.
        assert (
            record.levelno,
            "missing_setting" in message,
            "SOCIAL_AUTH_GITHUB_SECRET" in message,
            "the client secret is empty" in message,
        ) == (logging.ERROR, True, True, True)
