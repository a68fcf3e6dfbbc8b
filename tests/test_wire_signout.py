"""The NextAuth v4 wire contract: signOut({redirect: false, callbackUrl: "/after-logout"}).

The browser and the checks are in tests/wire_utils.py.
"""

from __future__ import annotations

from tests.wire_utils import WireTestCase
from tests.wire_utils import assert_no_store
from tests.wire_utils import assert_session
from tests.wire_utils import assert_session_cookie_deleted
from tests.wire_utils import json_body


class WireTests(WireTestCase):
    def test_sign_out(self) -> None:
        self.signed_in()
        old_session = self.browser.http.cookies["sessionid"]
        token = self.csrf_token()
        response = self.browser.post_form(
            "signout",
            [("csrfToken", token), ("callbackUrl", "/after-logout"), ("json", "true")],
        )
        assert json_body(response, 200) == {"url": f"{self.origin}/after-logout"}
        assert_no_store(response)
        assert_session_cookie_deleted(response)
        assert self.session() == {}
        # The old session cookie is dead on the server too.
        replay = self.new_browser()
        replay.http.cookies.set("sessionid", old_session)
        response = replay.fetch_data("session")
        assert json_body(response, 200) == {}
        # An unknown session token: {} and the cookie cleared.
        assert_session_cookie_deleted(response)

    def test_sign_out_signed_out(self) -> None:
        token = self.csrf_token()
        response = self.browser.post_form(
            "signout",
            [("csrfToken", token), ("callbackUrl", "/after-logout"), ("json", "true")],
        )
        assert json_body(response, 200) == {"url": f"{self.origin}/after-logout"}

    def test_sign_out_csrf_failure(self) -> None:
        self.signed_in()
        response = self.browser.post_form(
            "signout", [("callbackUrl", "/after-logout"), ("json", "true")]
        )
        assert json_body(response, 200) == {"url": f"{self.base}/signout?csrf=true"}
        assert_session(self.session())
