"""Fuzzing ``/api/auth`` against django_useauth/openapi.json on a live demo server.

The demo project runs under gunicorn in a subprocess, as in test_servers.py,
with a fresh SQLite database, the demo user and a GitHub provider (which builds
its authorize URL and checks the OAuth state without a network; the flow never
gets as far as a token request). With ``USEAUTH_OPENAPI=true`` it serves the
document, which is loaded from there: the package's file with ``servers``
naming the server, where the requests go.

Every operation is fuzzed with schemathesis' stateless generation, a bounded
and reproducible number of examples each: signed in (as the demo user) and
then signed out, for ``signin/{provider}`` and ``callback/{provider}`` with
``credentials``, ``github`` and a generated id. The email provider is on, as
the demo has it, with paths of its own (``signin/email``, ``callback/email``,
``verify-request``): the demo's console backend writes each e-mail to the
server's log (the send limits keep them few), and the demo user's last link
is read from there and opened. The POSTs that check CSRF carry
the real ``csrftoken`` cookie and get the matching token in the ``csrfToken``
field, in the ``X-CSRFToken`` header, or only what was generated. Every
response must pass tests/schema.py's checks: no server error but the documented
``error=Configuration`` page, and a documented status, content type, headers
and body. Failures are collected and reported together, each with a curl
command that reproduces it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import requests
import schemathesis
from django.test import SimpleTestCase
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import Response
from schemathesis.core import NotSet
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.case import Case
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests import schema
from tests.browser import artifact
from tests.expected import DEMO_USER
from tests.live import DEMO_PASSWORD
from tests.live import DEMO_USERNAME
from tests.live import DemoProject
from tests.utils import FORM

#: Examples per operation (and provider id), signed in and signed out.
SIGNED_IN_EXAMPLES = 6
SIGNED_OUT_EXAMPLES = 15

#: The POSTs that run Django's CSRF check.
CSRF_CHECKED = {
    "/session",
    "/signin/{provider}",
    "/signin/email",
    "/callback/{provider}",
    "/callback/email",
    "/signout",
}

#: Where a POST's CSRF token comes from: the csrfToken field, the X-CSRFToken
#: header, or only what schemathesis generated (almost always a failure).
TOKEN_SOURCES = ("field", "header", "generated")

#: Known values for some parameters. The document lists the error codes and
#: the shapes of a callbackUrl, but its schemas also take any string, so
#: generation almost never comes up with them on its own.
SCHEMAS = schema.load().raw_schema["components"]["schemas"]
ERROR_CODES: list[str] = SCHEMAS["ErrorCode"]["anyOf"][0]["enum"]
CALLBACK_URLS = [
    "/",
    "/after?x=1#top",
    "//evil.example/",
    "/\\evil.example",
    "/..//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
]
#: Addresses for the email provider: the demo user's (in two spellings) and
#: one without an account.
DEMO_EMAIL = str(DEMO_USER["email"])
EMAILS = [DEMO_EMAIL, DEMO_EMAIL.upper(), "nobody@example.com"]
#: The POSTs whose body has an ``email`` field.
EMAIL_BODIES = {"/signin/email", "/callback/email"}
#: The most sign-in e-mails the demo user can be sent in a run: the default
#: USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS, which the demo keeps (and a run is
#: shorter than the window).
DEMO_USER_EMAILS = 5


class DemoServer(DemoProject):
    """The demo project under gunicorn on a free loopback port."""

    def __init__(self, directory: Path) -> None:
        super().__init__(
            "fuzz",
            f"sqlite:///{directory / 'db.sqlite3'}",
            artifact("fuzz-server.log"),
            DJANGO_ENV="development",
            DEBUG="false",
            CACHE_URL="locmemcache://",
            USEAUTH_CACHE_KEY_PREFIX=f"useauth-fuzz-{uuid.uuid4().hex}",
            # No demo IdP; GitHub needs no network for what is fuzzed here.
            AUTH_DEMO_IDP_ID="",
            AUTH_GITHUB_ID="fuzz-client",
            AUTH_GITHUB_SECRET="fuzz-secret",
            USEAUTH_OPENAPI="true",
            # E-mail sign-in as `make run` has it (whatever .env says): each
            # e-mail written to the log, none sent anywhere. Only the demo
            # user has an account, and unknown addresses get no e-mail.
            USEAUTH_EMAIL_ENABLED="true",
            EMAIL_URL="consolemail://",
            USEAUTH_EMAIL_NOTIFY_UNKNOWN="false",
        )

    def emails(self) -> list[str]:
        """The e-mails the demo's console backend has written to the log so far."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return re.findall(r"^Subject: .*$", text, flags=re.MULTILINE)

    def last_link(self) -> str | None:
        """The query of the last sign-in link in the log, if there is one."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        links = re.findall(rf"{self.origin}/api/auth/callback/email\?(\S+)", text)
        return links[-1] if links else None

    def start(self) -> None:
        self.setup()
        self.serve(
            "-m",
            "gunicorn",
            "testproject.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            # One process: the sign-in throttle counts in its memory.
            "--workers",
            "1",
            "--threads",
            "4",
        )


class Browser:
    """A cookie jar on the live server and a CSRF token that goes with it."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.token = ""
        self.refresh_token()

    def refresh_token(self) -> None:
        response = self.session.get(f"{self.base}/csrf")
        self.token = response.json()["csrfToken"]

    @property
    def cookies(self) -> dict[str, str]:
        return {cookie.name: cookie.value or "" for cookie in self.session.cookies}

    def sign_in(self) -> None:
        response = self.session.post(
            f"{self.base}/callback/credentials",
            data={
                "csrfToken": self.token,
                "username": DEMO_USERNAME,
                "password": DEMO_PASSWORD,
                "json": "true",
            },
        )
        assert response.status_code == 200, (response.status_code, response.text)
        # login() rotated the CSRF secret.
        self.refresh_token()

    def is_signed_in(self) -> bool:
        return bool(self.session.get(f"{self.base}/session").json())


class FuzzTests(SimpleTestCase):
    server: DemoServer
    schema: OpenApiSchema

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        directory = Path(tempfile.mkdtemp(prefix="useauth-fuzz-"))
        cls.addClassCleanup(shutil.rmtree, directory, True)
        cls.server = DemoServer(directory)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()
        cls.schema = schemathesis.openapi.from_url(
            f"{cls.server.origin}/api/auth/openapi.json"
        )

    def setUp(self) -> None:
        self.base = f"{self.server.origin}/api/auth"
        self.cases = 0
        self.failures: list[str] = []

    def prepare(self, case: Case[Any], browser: Browser, source: str) -> None:
        """Send the browser's cookies, and its CSRF token from ``source``."""
        # Generated cookies (a random sessionid, say) stay unless the browser
        # has its own.
        case.cookies = {**case.cookies, **browser.cookies}
        if source == "field":
            case.headers.pop("X-CSRFToken", None)
            body = case.body if isinstance(case.body, dict) else {}
            case.body = {**body, "csrfToken": browser.token}
            if case.media_type is None:
                case.media_type = FORM
        elif source == "header":
            case.headers["X-CSRFToken"] = browser.token

    def hints(
        self, operation: APIOperation[Any, Any, Any, Any]
    ) -> st.SearchStrategy[dict[str, str]]:
        """Known values for the operation's ``error``, ``callbackUrl`` and ``email`` parameters (or fields), each maybe."""
        query = {p.name for p in operation.iter_parameters() if p.location == "query"}
        optional: dict[str, st.SearchStrategy[str]] = {}
        if "email" in query or operation.path in EMAIL_BODIES:
            optional["email"] = st.sampled_from(EMAILS)
        if "callbackUrl" in query:
            optional["callbackUrl"] = st.one_of(
                st.sampled_from(CALLBACK_URLS),
                st.text(max_size=20).map(lambda text: f"/{text}"),
                st.text(max_size=20).map(lambda text: f"{self.server.origin}/{text}"),
            )
        if "error" in query and operation.path != "/callback/{provider}":
            optional["error"] = st.sampled_from(ERROR_CODES).flatmap(
                lambda code: st.sampled_from([code, code.lower(), code.upper()])
            )
        return st.fixed_dictionaries({}, optional=optional)

    def explicit(
        self, operation: APIOperation[Any, Any, Any, Any]
    ) -> list[tuple[Case[Any], str]]:
        """Cases run before the generated ones, with their token source.

        The error page with each code; an e-mail for the demo user; and its
        link (the last one in the server's log), opened by GET and HEAD.
        """
        if operation.path == "/error":
            return [
                (operation.Case(query={"error": code}), "generated")
                for code in ERROR_CODES
            ]
        if operation.label == "POST /signin/email":
            body: dict[str, Any] = {"email": DEMO_EMAIL, "json": "true"}
            return [(operation.Case(body=body, media_type=FORM), "field")]
        link = self.server.last_link()
        if operation.path == "/callback/email" and link and operation.method != "post":
            return [(operation.Case(query=dict(parse_qsl(link))), "generated")]
        return []

    def apply(self, case: Case[Any], hints: dict[str, str]) -> None:
        """Put the hints in the query, or a posted callbackUrl or email in the body (which they are read from)."""
        for field in ("callbackUrl", "email"):
            if isinstance(case.body, dict) and field in hints:
                case.body = {**case.body, field: hints.pop(field)}
        case.query = {**case.query, **hints}

    def check(self, case: Case[Any], response: Response) -> None:
        """Run the checks; keep a failure, with the request that reproduces it."""
        try:
            case.validate_response(response, checks=schema.checks())
        except FailureGroup as failure:
            self.failures.append(
                f"{case.operation.label} -> {response.status_code}\n"
                f"{case.as_curl_command()}\n{failure}"
            )

    def fuzz(
        self,
        operation: APIOperation[Any, Any, Any, Any],
        browser: Browser,
        *,
        provider: str | None,
        examples: int,
        keep_signed_in: bool,
    ) -> None:
        path_parameters = None if provider is None else {"provider": provider}
        csrf = operation.method == "post" and operation.path in CSRF_CHECKED
        sources = st.sampled_from(TOKEN_SOURCES) if csrf else st.just("generated")

        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=operation.as_strategy(path_parameters=path_parameters),
            source=sources,
            hints=self.hints(operation),
        )
        def run(case: Case[Any], source: str, hints: dict[str, str]) -> None:
            self.apply(case, hints)
            self.prepare(case, browser, source)
            # To the server the document names.
            response = case.call()
            self.cases += 1
            self.check(case, response)
            if keep_signed_in and csrf and not browser.is_signed_in():
                # A POST signout (or a session it ended): sign in again.
                browser.sign_in()

        for case, source in self.explicit(operation):
            run = example(case=case, source=source, hints={})(run)
        run()

    def fuzz_all(self, browser: Browser, *, examples: int, signed_in: bool) -> None:
        # Listed from the package's document: the served one leaves out the
        # GET that serves it, as schemathesis does for a schema's own URL.
        for documented in schema.operations(schema.load()):
            operation = self.schema[documented.path][documented.method]
            providers: list[str | None] = [None]
            if "{provider}" in operation.path:
                providers = ["credentials", "github", None]
            for provider in providers:
                self.fuzz(
                    operation,
                    browser,
                    provider=provider,
                    examples=examples,
                    keep_signed_in=signed_in,
                )

    def test_fuzz(self):
        started = time.monotonic()
        # Signed in first: the signed-out failures would soon throttle the
        # demo user's sign-ins from this IP.
        browser = Browser(self.base)
        browser.sign_in()
        self.fuzz_all(browser, examples=SIGNED_IN_EXAMPLES, signed_in=True)
        assert browser.is_signed_in()
        self.fuzz_all(Browser(self.base), examples=SIGNED_OUT_EXAMPLES, signed_in=False)
        elapsed = time.monotonic() - started
        summary = f"schemathesis: {self.cases} cases in {elapsed:.1f}s"
        print(summary)
        artifact("fuzz-cases.txt").write_text(f"{summary}\n")
        assert self.cases >= 300
        assert not self.failures, "\n\n".join(self.failures)
        # The demo user's e-mails were written to the log, no more than the
        # send limit lets through; no other address has an account.
        assert 1 <= len(self.server.emails()) <= DEMO_USER_EMAILS

    def test_served_document(self):
        self.schema.validate()
        assert self.schema.raw_schema == {
            **schema.load().raw_schema,
            "servers": [{"url": self.base}],
        }

    def test_check(self):
        # A failure is kept with the request that reproduces it: here the
        # providers map checked as if it were GET csrf's token.
        case = self.schema["/csrf"]["GET"].Case()
        self.check(case, Response.from_any(requests.get(f"{self.base}/providers")))
        [failure] = self.failures
        assert failure.startswith(f"GET /csrf -> 200\ncurl -X GET {self.base}/csrf")
        assert "Response violates schema" in failure

    def test_prepare(self):
        # The three token sources on a POST without a generated body.
        browser = Browser(self.base)
        operation = self.schema["/signout"]["POST"]
        for source, body, token in [
            ("field", {"csrfToken": browser.token}, None),
            ("header", None, browser.token),
            ("generated", None, None),
        ]:
            case = operation.Case(headers={"X-CSRFToken": "generated"})
            self.prepare(case, browser, source)
            assert case.cookies == browser.cookies
            assert (None if isinstance(case.body, NotSet) else case.body) == body
            assert case.headers.get("X-CSRFToken", "generated") == (
                token or "generated"
            )
