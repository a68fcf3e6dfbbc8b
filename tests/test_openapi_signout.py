"""Sign-out (the signout page and POST) answers as django_useauth/openapi.json documents it."""

from __future__ import annotations

from tests.openapi_utils import JSON
from tests.openapi_utils import ConformanceTestCase
from tests.utils import BASE
from tests.utils import make_user


class SignOutTests(ConformanceTestCase):
    def test_page(self):
        response = self.call("GET", "/signout", query={"callbackUrl": "/after"})
        self.assert_page(response, 200, "Sign out")
        assert self.call("HEAD", "/signout").content == b""

    def test_sign_out(self):
        make_user()
        self.sign_in()
        data = {"csrfToken": self.csrf(), "callbackUrl": "/bye", "json": "true"}
        response = self.post("/signout", data)
        self.assert_url(response, 200, "http://testserver/bye")
        assert self.call("GET", "/session").json() == {}
        response = self.post("/signout", {"csrfToken": self.csrf()}, media_type=JSON)
        self.assert_redirect(response, "http://testserver/")

    def test_failures(self):
        response = self.post("/signout", {"csrfToken": "nope"})
        self.assert_redirect(response, f"{BASE}/signout?csrf=true")
        response = self.post_raw("/signout", b"\xff")
        assert (response.status_code, response.text) == (
            400,
            "Malformed request body.",
        )
