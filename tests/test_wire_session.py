"""The NextAuth v4 wire contract: getCsrfToken, getProviders, getSession and useSession().update.

The browser and the checks are in tests/wire_utils.py.
"""

from __future__ import annotations

from tests.expected import credentials_providers
from tests.utils import TOKEN_RE
from tests.wire_utils import WireTestCase
from tests.wire_utils import assert_no_store
from tests.wire_utils import assert_session
from tests.wire_utils import cookie_attributes
from tests.wire_utils import json_body
from tests.wire_utils import set_cookies


class WireTests(WireTestCase):
    # getCsrfToken, getProviders, getSession

    def test_get_csrf_token(self) -> None:
        assert "csrftoken" not in self.browser.http.cookies
        response = self.browser.fetch_data("csrf")
        data = json_body(response, 200)
        assert data == {"csrfToken": data["csrfToken"]}
        first = data["csrfToken"]
        assert TOKEN_RE.fullmatch(first)
        assert_no_store(response)
        cookie = set_cookies(response)["csrftoken"]
        attributes = cookie_attributes(cookie)
        assert attributes["path"] == "/"
        assert attributes["samesite"].lower() == "lax"
        secret = self.browser.http.cookies["csrftoken"]

        # Asked again, the cookie keeps its secret; a new mask of it is as good.
        second = self.csrf_token()
        assert self.browser.http.cookies["csrftoken"] == secret
        response = self.browser.post_json(
            "session", {"csrfToken": first, "data": {"name": "x"}}
        )
        assert json_body(response, 200) == {}
        response = self.browser.post_json(
            "session", {"csrfToken": second, "data": {"name": "x"}}
        )
        assert json_body(response, 200) == {}

    def test_get_providers(self) -> None:
        response = self.browser.fetch_data("providers")
        assert json_body(response, 200) == credentials_providers(self.base)
        assert set_cookies(response) == {}

    def test_get_session_signed_out(self) -> None:
        response = self.browser.fetch_data("session")
        assert json_body(response, 200) == {}
        assert_no_store(response)
        # What nuxt-auth means to send; it must change nothing.
        response = self.browser.fetch_data("session", callbackUrl="/protected")
        assert json_body(response, 200) == {}
        assert_no_store(response)
        assert "sessionid" not in self.browser.http.cookies

    def test_head_session_and_csrf(self) -> None:
        for path in ("session", "csrf"):
            with self.subTest(path=path):
                get = self.browser.fetch_data(path)
                head = self.browser.http.head(
                    self.browser.url(f"/api/auth/{path}"),
                    headers={"Content-Type": "application/json"},
                )
                assert head.status_code == 200, (path, head.status_code)
                assert head.content == b""
                for name in ("Content-Type", "Cache-Control", "Vary"):
                    assert head.headers.get(name) == get.headers[name], name

    # useSession().update(data)

    def test_update_session(self) -> None:
        self.signed_in()
        token = self.csrf_token()
        response = self.browser.post_json(
            "session", {"csrfToken": token, "data": {"name": "Renamed"}}
        )
        data = json_body(response, 200)
        # NextAuth's default callbacks ignore data: the session comes back as it was.
        assert_session(data)
        assert_no_store(response)

        response = self.browser.post_json("session", {"data": {"name": "Renamed"}})
        assert json_body(response, 400) == {}
        assert_session(self.session())

    def test_update_session_signed_out(self) -> None:
        token = self.csrf_token()
        response = self.browser.post_json(
            "session", {"csrfToken": token, "data": {"name": "Renamed"}}
        )
        assert json_body(response, 200) == {}
        response = self.browser.post_json("session", {"data": {"name": "Renamed"}})
        assert json_body(response, 400) == {}
