"""The error page answers as django_useauth/openapi.json documents it, and its error=Configuration is the only 500 the checks accept."""

from __future__ import annotations

from typing import Any

import requests
from django.test import SimpleTestCase
from django.test import override_settings
from schemathesis import Response
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.case import Case

from tests import schema
from tests.openapi_utils import HTML
from tests.openapi_utils import ConformanceTestCase
from tests.utils import BASE


class ErrorPageTests(ConformanceTestCase):
    def test_codes(self):
        pages = [
            (None, 200, "<h1>Error</h1>"),
            ("Default", 200, "<h1>Error</h1>"),
            ("<script>", 200, "<h1>Error</h1>"),
            ("AccessDenied", 403, "<h1>Access Denied</h1>"),
            ("verification", 403, "The sign in link is no longer valid."),
            ("InvalidProvider", 404, "This sign-in method is not available."),
            ("Configuration", 500, "<h1>Server error</h1>"),
            ("CONFIGURATION", 500, "<h1>Server error</h1>"),
        ]
        for code, status, text in pages:
            with self.subTest(code=code):
                query = {} if code is None else {"error": code}
                self.assert_page(self.call("GET", "/error", query=query), status, text)
                head = self.call("HEAD", "/error", query=query)
                assert (head.status_code, head.content) == (status, b"")

    def test_sign_in_errors(self):
        query = {"error": "CredentialsSignin", "callbackUrl": "/after"}
        response = self.call("GET", "/error", query=query)
        self.assert_redirect(
            response, "/api/auth/signin?error=CredentialsSignin&callbackUrl=%2Fafter"
        )

    @override_settings(USEAUTH_PAGES_ERROR="/oops/")
    def test_custom_page(self):
        response = self.call("GET", "/error", query={"error": "configuration"})
        self.assert_redirect(response, "/oops/?error=Configuration")


class ServerErrorCheckTests(SimpleTestCase):
    """The one 500 the checks accept is the documented error=Configuration page."""

    def response(self, case: Case[Any], status: int) -> Response:
        prepared = requests.Request(**case.as_transport_kwargs(base_url=BASE))
        return Response(
            status_code=status,
            headers={
                "content-type": [HTML],
                "cache-control": ["no-store"],
                "vary": ["Cookie"],
            },
            content=b"<h1>Server error</h1>",
            request=prepared.prepare(),
            elapsed=0.0,
            verify=True,
        )

    def test_configuration(self):
        for method in ("GET", "HEAD"):
            for query in (
                {"error": "configuration"},
                {"error": ["x", "Configuration"]},
            ):
                case = schema.load()["/error"][method].Case(query=query)
                case.validate_response(self.response(case, 500), checks=schema.checks())

    def test_other_server_errors(self):
        cases = [
            schema.load()["/error"]["GET"].Case(query={"error": "Default"}),
            schema.load()["/error"]["GET"].Case(
                query={"error": ["Configuration", "x"]}
            ),
            schema.load()["/error"]["GET"].Case(),
            schema.load()["/session"]["GET"].Case(query={"error": "Configuration"}),
        ]
        for case in cases:
            with self.subTest(case=case), self.assertRaises(FailureGroup) as raised:
                case.validate_response(
                    self.response(case, 500),
                    checks=[schema.no_undocumented_server_error],
                )
            assert "Undocumented server error: 500" in str(raised.exception)
