"""Signing out: the confirmation page and POST signout."""

from __future__ import annotations

from django.contrib.sessions.models import Session as SessionRow
from django.test import TestCase
from django.test import override_settings

from tests.utils import assert_never_cached
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import sign_in


def session_without_name(*, session, **kwargs):
    """A ``USEAUTH_SESSION_CALLBACK`` whose user has an email and no name."""
    return {**session, "user": {**session["user"], "name": None}}


class SignOutTests(TestCase):
    def setUp(self):
        make_user()
        self.client = csrf_client()
        sign_in(self.client)

    def test_page_does_not_sign_out(self):
        response = self.client.get("/api/auth/signout?callbackUrl=/bye")
        assert response.status_code == 200
        assert_never_cached(response)
        html = response.content.decode()
        assert (
            '<form class="useauth-sign-out" method="post" action="/api/auth/signout">'
            in html
        )
        assert '<input type="hidden" name="callbackUrl" value="/bye">' in html
        assert (
            "<p>You are signed in as <strong><bdi>Ada Lovelace</bdi></strong>.</p>"
            in html
        )
        assert "Are you sure you want to sign out?" in html
        # Cancel goes back to where the visitor came from.
        assert (
            '<a class="useauth-button useauth-button-secondary" href="/bye">Cancel</a>'
            in html
        )
        assert self.client.get("/api/auth/session").json() != {}

    @override_settings(
        USEAUTH_SESSION_CALLBACK="tests.test_views_signout.session_without_name"
    )
    def test_page_names_the_user_by_email_without_a_name(self):
        html = self.client.get("/api/auth/signout").content.decode()
        assert (
            "You are signed in as <strong><bdi>ada@example.com</bdi></strong>." in html
        )
        # Without a callbackUrl, Cancel goes to the site.
        assert 'useauth-button-secondary" href="/">Cancel</a>' in html

    @override_settings(USEAUTH_SITE_URL=None)
    def test_page_signed_out(self):
        html = csrf_client().get("/api/auth/signout").content.decode()
        assert "You are signed in" not in html
        assert "Are you sure you want to sign out?" in html
        # Nowhere to go back to: no Cancel.
        assert "Cancel" not in html

    def test_page_csrf_message(self):
        html = self.client.get("/api/auth/signout?csrf=true").content.decode()
        assert "The form expired. Please try again." in html

    def test_sign_out_json(self):
        key = self.client.cookies["sessionid"].value
        response = self.client.post(
            "/api/auth/signout",
            {
                "csrfToken": csrf_token(self.client),
                "callbackUrl": "/after-logout",
                "json": "true",
            },
        )
        assert response.status_code == 200
        assert_never_cached(response)
        assert response.json() == {"url": "http://testserver/after-logout"}
        assert response.cookies["sessionid"].value == ""
        assert not SessionRow.objects.filter(session_key=key).exists()
        assert self.client.get("/api/auth/session").json() == {}

    def test_sign_out_redirect(self):
        response = self.client.post(
            "/api/auth/signout", {"csrfToken": csrf_token(self.client)}
        )
        assert response.status_code == 302
        assert response["Location"] == "http://testserver/"

    def test_signed_out_already(self):
        client = csrf_client()
        response = client.post(
            "/api/auth/signout",
            {
                "csrfToken": csrf_token(client),
                "callbackUrl": "/after-logout",
                "json": "true",
            },
        )
        assert response.json() == {"url": "http://testserver/after-logout"}

    def test_malformed_body(self):
        response = self.client.post(
            "/api/auth/signout", b"{", content_type="application/json"
        )
        assert response.status_code == 400
        assert self.client.get("/api/auth/session").json() != {}

    @override_settings(USEAUTH_PAGES_SIGN_OUT="/goodbye/")
    def test_custom_page(self):
        response = self.client.get("/api/auth/signout?callbackUrl=/x&csrf=true")
        assert response["Location"] == "/goodbye/?callbackUrl=%2Fx&csrf=true"
        assert_never_cached(response)
        response = self.client.get("/api/auth/signout")
        assert response["Location"] == "/goodbye/"
