"""ATTACKS I3: parameter pollution; the callbackUrl that is used is the one that was validated."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.test import Client

from tests.redirect_utils import SIGN_IN
from tests.redirect_utils import SIGN_OUT
from tests.redirect_utils import UserTestCase
from tests.utils import FORM
from tests.utils import HIDDEN_CALLBACK
from tests.utils import PASSWORD

if TYPE_CHECKING:
    # The test client's response type (with .json()), as django-stubs names it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class ParameterPollutionTests(UserTestCase):
    """ATTACKS I3: the value that is used is the value that was validated."""

    credentials = {"username": "ada", "password": PASSWORD}

    def _sign_in_raw(self, query: str, body: str) -> TestResponse:
        response: TestResponse = Client().post(
            f"{SIGN_IN}?{query}" if query else SIGN_IN,
            f"{urlencode(self.credentials)}&{body}"
            if body
            else urlencode(self.credentials),
            content_type=FORM,
        )
        return response

    def test_query_last_value_is_used(self):
        cases = [
            ("callbackUrl=/ok&callbackUrl=//evil.example", "http://testserver/"),
            ("callbackUrl=//evil.example&callbackUrl=/ok", "http://testserver/ok"),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                response = self._sign_in_raw(query, "")
                assert response.status_code == 302
                assert response["Location"] == expected

    def test_body_last_value_is_used(self):
        cases = [
            ("callbackUrl=%2Fok&callbackUrl=%2F%2Fevil.example", "http://testserver/"),
            (
                "callbackUrl=%2F%2Fevil.example&callbackUrl=%2Fok",
                "http://testserver/ok",
            ),
        ]
        for body, expected in cases:
            with self.subTest(body=body):
                response = self._sign_in_raw("", body)
                assert response.status_code == 302
                assert response["Location"] == expected

    def test_body_wins_over_query(self):
        cases = [
            ("callbackUrl=/query", "callbackUrl=%2Fbody", "http://testserver/body"),
            ("callbackUrl=/ok", "callbackUrl=%2F%2Fevil.example", "http://testserver/"),
            ("callbackUrl=//evil.example", "callbackUrl=%2Fok", "http://testserver/ok"),
        ]
        for query, body, expected in cases:
            with self.subTest(query=query, body=body):
                response = self._sign_in_raw(query, body)
                assert response.status_code == 302
                assert response["Location"] == expected

    def test_json_body_non_string_falls_back_to_query(self):
        cases: list[tuple[dict[str, object], str, str]] = [
            (
                {"callbackUrl": ["/ok"]},
                "callbackUrl=//evil.example",
                "http://testserver/",
            ),
            ({"callbackUrl": 123}, "callbackUrl=/ok", "http://testserver/ok"),
            ({"callbackUrl": {"url": "/ok"}}, "", "http://testserver/"),
        ]
        for body, query, expected in cases:
            with self.subTest(body=body, query=query):
                response = Client().post(
                    f"{SIGN_IN}?{query}",
                    {**self.credentials, **body, "json": True},
                    content_type="application/json",
                )
                assert response.status_code == 200
                assert response.json() == {"url": expected}

    def test_sign_out_query(self):
        cases = [
            ("callbackUrl=/ok&callbackUrl=//evil.example", "http://testserver/"),
            ("callbackUrl=//evil.example&callbackUrl=/ok", "http://testserver/ok"),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                response = Client().post(f"{SIGN_OUT}?{query}", "", content_type=FORM)
                assert response.status_code == 302
                assert response["Location"] == expected

    def test_sign_in_page(self):
        cases = [
            ("callbackUrl=/ok&callbackUrl=//evil.example", None),
            ("callbackUrl=//evil.example&callbackUrl=/ok", "/ok"),
            ("callbackUrl=//evil.example&next=/ok", None),
            ("next=//evil.example&callbackUrl=/ok", "/ok"),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                response = Client().get(f"/api/auth/signin?{query}")
                assert response.status_code == 200
                content = response.content.decode()
                assert HIDDEN_CALLBACK.findall(content) == (
                    [] if expected is None else [expected]
                )
                assert "evil.example" not in content
