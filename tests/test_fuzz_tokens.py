"""Fuzzing token mode (``/api/token``) against django_useauth/token_openapi.json on a live demo server.

The demo project runs under gunicorn in a subprocess, as in test_fuzz.py, with
a fresh SQLite database, the demo user, ``USEAUTH_OPENAPI=true`` (the document
is loaded from there, with ``servers`` naming the server) and
``USEAUTH_TOKEN_REGISTER=true``.

Every operation is fuzzed with schemathesis' stateless generation, a bounded
and reproducible number of examples each: signed in, then signed out. Signed
in, every request carries a live access token of the demo user from a real
``POST login``; ``POST refresh`` gets the current refresh token, a used one or
only what was generated, and ``POST logout`` the live access token, the
current refresh token or both, a new sign-in replacing whatever a case
revoked. Signed out, a request carries only what was generated, and a few
explicit cases add refused real tokens (revoked, used). Every response must
pass tests/token_openapi_utils.py's checks (no server error; a documented
status, content type, headers and body), and the answers to real tokens must
be the documented ones. Failures are collected and reported together, each
with a curl command that reproduces it.

Password hashing (the demo keeps Django's PBKDF2) is most of the cost: each
phase's sign-ins come from an address of their own (``X-Forwarded-For``,
trusted by ``USEAUTH_TRUSTED_PROXY_COUNT=1``), whose failures are throttled
after ``IP_FAILURES``, and the real sign-ins from another address.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

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
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.case import Case
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.browser import artifact
from tests.live import DEMO_PASSWORD
from tests.live import DEMO_USERNAME
from tests.live import DemoProject
from tests.schema import operations
from tests.token_openapi_utils import JSON
from tests.token_openapi_utils import checks
from tests.token_openapi_utils import load
from tests.utils import FORM

#: Examples per operation, signed in and signed out.
SIGNED_IN_EXAMPLES = 6
SIGNED_OUT_EXAMPLES = 20

#: Fewer for a signed-in POST logout: each one ends the sign-in, and the next
#: real sign-in hashes a password.
SIGNED_IN_LOGOUTS = 2

#: Failed sign-ins from one address before the throttle answers 429: each
#: one before hashes a password.
IP_FAILURES = 2

#: Where the fuzzed requests come from, per phase, and the real sign-ins.
SIGNED_IN_ADDRESS = "192.0.2.1"
SIGNED_OUT_ADDRESS = "192.0.2.2"
DEVICE_ADDRESS = "198.51.100.1"

#: Where the signed-in requests of an operation take their tokens from (the
#: others send the live access token, "bearer"): the current refresh token,
#: a used one of the live family, or the access token alone with a generated
#: body; the access token, the refresh token or both. Signed out, a request
#: sends what was generated ("generated") or a real refused token ("refused").
SOURCES = {
    "/refresh": ("current", "used", "bearer"),
    "/logout": ("bearer", "refresh", "both"),
}

DEMO_CREDENTIALS: dict[str, Any] = {
    "username": DEMO_USERNAME,
    "password": DEMO_PASSWORD,
}


class TokenDemoServer(DemoProject):
    """The demo project under gunicorn on a free loopback port, with token mode's settings."""

    def __init__(self, directory: Path) -> None:
        super().__init__(
            "fuzz-tokens",
            f"sqlite:///{directory / 'db.sqlite3'}",
            artifact("fuzz-tokens-server.log"),
            DJANGO_ENV="development",
            DEBUG="false",
            CACHE_URL="locmemcache://",
            USEAUTH_CACHE_KEY_PREFIX=f"useauth-fuzz-tokens-{uuid.uuid4().hex}",
            AUTH_DEMO_IDP_ID="",
            USEAUTH_OPENAPI="true",
            USEAUTH_TOKEN_REGISTER="true",
            USEAUTH_TRUSTED_PROXY_COUNT="1",
            USEAUTH_THROTTLE_IP_FAILURES=str(IP_FAILURES),
        )

    def start(self) -> None:
        self.setup()
        self.serve(
            "-m",
            "gunicorn",
            "testproject.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            # One process: the throttle and the revocation marks live in its
            # memory (locmem).
            "--workers",
            "1",
            "--threads",
            "4",
        )


class Device:
    """A real token sign-in of the demo user: its current tokens, and those it has given up."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.token = ""
        self.refresh_token = ""
        self.live = False
        self.sign_ins = 0
        #: Refresh tokens exchanged by a refresh, of any family.
        self.used: list[str] = []
        #: Those of the current family.
        self.family_used: list[str] = []
        #: Access tokens of revoked families.
        self.revoked: list[str] = []

    def sign_in(self) -> None:
        response = requests.post(
            f"{self.base}/login",
            json=DEMO_CREDENTIALS,
            headers={"X-Forwarded-For": DEVICE_ADDRESS},
            timeout=30,
        )
        assert response.status_code == 200, (response.status_code, response.text)
        self.token = response.json()["token"]
        self.refresh_token = response.json()["refreshToken"]
        self.live = True
        self.sign_ins += 1
        self.family_used = []

    def ensure_live(self) -> None:
        if not self.live:
            self.sign_in()

    def refreshed(self, body: dict[str, Any]) -> None:
        self.used.append(self.refresh_token)
        self.family_used.append(self.refresh_token)
        self.token = body["token"]
        self.refresh_token = body["refreshToken"]

    def revoked_now(self) -> None:
        self.revoked.append(self.token)
        self.live = False


class TokenFuzzTests(SimpleTestCase):
    server: TokenDemoServer
    schema: OpenApiSchema

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        directory = Path(tempfile.mkdtemp(prefix="useauth-fuzz-tokens-"))
        cls.addClassCleanup(shutil.rmtree, directory, True)
        cls.server = TokenDemoServer(directory)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()
        cls.schema = schemathesis.openapi.from_url(
            f"{cls.server.origin}/api/token/openapi.json"
        )
        # The curl commands of failures show the tokens and field names they
        # sent (a throwaway server's): no "[Filtered]".
        cls.schema.config.output.sanitization.update(enabled=False)

    def setUp(self) -> None:
        self.base = f"{self.server.origin}/api/token"
        self.cases = 0
        self.failures: list[str] = []
        self.seen: Counter[tuple[str, int]] = Counter()

    def fail_case(self, case: Case[Any], response: Response, reason: str) -> None:
        self.failures.append(
            f"{case.operation.label} -> {response.status_code}\n"
            f"{case.as_curl_command()}\n{reason}"
        )

    def check(self, case: Case[Any], response: Response) -> None:
        """Run the checks; keep a failure, with the request that reproduces it."""
        self.seen[case.operation.label, response.status_code] += 1
        try:
            case.validate_response(response, checks=checks())
        except FailureGroup as failure:
            self.fail_case(case, response, str(failure))

    def expect(
        self, case: Case[Any], response: Response, status: int, *errors: str
    ) -> None:
        """A request with real tokens must get the documented answer: ``status``, and one of the ``errors`` (a HEAD only the status)."""
        has_body = case.method.upper() != "HEAD"
        body = response.json() if has_body else None
        if response.status_code != status or (
            has_body and errors and body not in [{"error": error} for error in errors]
        ):
            expected = " or ".join((str(status), *errors))
            got = response.text or "(no body)"
            self.fail_case(case, response, f"Expected {expected}, got {got}")

    def set_refresh_token(self, case: Case[Any], value: str) -> None:
        body = case.body if isinstance(case.body, dict) else {}
        case.body = {**body, "refreshToken": value}
        case.media_type = JSON

    def prepare(self, case: Case[Any], device: Device, source: str) -> None:
        """Signed in: the device's tokens, as ``source`` says."""
        if source in ("generated", "refused"):
            return
        device.ensure_live()
        case.headers["Authorization"] = f"Bearer {device.token}"
        if source == "current":
            self.set_refresh_token(case, device.refresh_token)
        elif source == "used":
            if not device.family_used:
                # Nothing used in this family yet: use the current one up.
                response = requests.post(
                    f"{self.base}/refresh",
                    json={"refreshToken": device.refresh_token},
                    timeout=30,
                )
                device.refreshed(response.json())
                case.headers["Authorization"] = f"Bearer {device.token}"
            self.set_refresh_token(case, device.family_used[-1])
        elif source in ("refresh", "both"):
            self.set_refresh_token(case, device.refresh_token)
            if source == "refresh":
                del case.headers["Authorization"]

    def settle(
        self, case: Case[Any], response: Response, device: Device, source: str
    ) -> None:
        """Check the answers to real tokens; follow the device through them."""
        path = case.operation.path
        if source == "refused":
            # Real tokens of revoked families; logout revokes them again. A
            # used refresh token of a family revoked for reuse is a reuse
            # still, of one revoked otherwise only invalid.
            if path == "/session":
                self.expect(case, response, 401, "InvalidToken")
            elif path == "/refresh":
                self.expect(
                    case, response, 401, "InvalidRefreshToken", "RefreshTokenReused"
                )
            else:
                self.expect(case, response, 200)
        elif source == "generated":
            pass
        elif path == "/session":
            self.expect(case, response, 200)
        elif path == "/refresh" and source == "current":
            self.expect(case, response, 200)
            if response.status_code == 200:  # pragma: no branch - expected above
                device.refreshed(response.json())
        elif path == "/refresh" and source == "used":
            self.expect(case, response, 401, "RefreshTokenReused")
            device.revoked_now()
        elif path == "/logout":
            self.expect(case, response, 200)
            device.revoked_now()

    def explicit(
        self,
        operation: APIOperation[Any, Any, Any, Any],
        device: Device,
        *,
        signed_in: bool,
    ) -> list[tuple[Case[Any], str]]:
        """Cases run before the generated ones."""
        found: list[tuple[Case[Any], str]] = []
        if operation.path == "/login":
            # The right credentials: as JSON signed in, as a form signed out.
            media_type = JSON if signed_in else FORM
            case = operation.Case(body=DEMO_CREDENTIALS, media_type=media_type)
            found.append((case, "bearer" if signed_in else "generated"))
        if signed_in:
            # Every source of real tokens at least once (a refresh twice in a row).
            sources = {
                "/refresh": ("current", "current", "used"),
                "/logout": SOURCES["/logout"],
            }
            for source in sources.get(operation.path, ()):
                found.append((operation.Case(media_type=JSON), source))
            return found
        # Signed out: no token, and the real tokens of the revoked families.
        if operation.path == "/session":
            for headers in ({}, {"Authorization": "Bearer "}):
                found.append((operation.Case(headers=headers), "generated"))
            for token in device.revoked[:2]:
                headers = {"Authorization": f"Bearer {token}"}
                found.append((operation.Case(headers=headers), "refused"))
        if operation.path in ("/refresh", "/logout"):
            for value in device.used[:2]:
                case = operation.Case(body={"refreshToken": value}, media_type=JSON)
                found.append((case, "refused"))
        if operation.path == "/logout":
            found.append((operation.Case(), "generated"))
        return found

    def fuzz(
        self,
        operation: APIOperation[Any, Any, Any, Any],
        device: Device,
        *,
        signed_in: bool,
        examples: int,
        address: str,
    ) -> None:
        sources: tuple[str, ...] = ("generated",)
        if signed_in:
            sources = SOURCES.get(operation.path, ("bearer",))
            if operation.path == "/logout":
                examples = SIGNED_IN_LOGOUTS

        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), source=st.sampled_from(sources))
        def run(case: Case[Any], source: str) -> None:
            case.headers["X-Forwarded-For"] = address
            self.prepare(case, device, source)
            # To the server the document names.
            response = case.call(timeout=30)
            self.cases += 1
            self.check(case, response)
            self.settle(case, response, device, source)

        for case, source in self.explicit(operation, device, signed_in=signed_in):
            run = example(case=case, source=source)(run)
        run()

    def fuzz_all(
        self, device: Device, *, signed_in: bool, examples: int, address: str
    ) -> None:
        # Listed from the package's document: the served one leaves out the
        # GET that serves it, as schemathesis does for a schema's own URL.
        for documented in operations(load()):
            operation = self.schema[documented.path][documented.method]
            self.fuzz(
                operation,
                device,
                signed_in=signed_in,
                examples=examples,
                address=address,
            )

    def test_fuzz(self):
        started = time.monotonic()
        device = Device(self.base)
        device.sign_in()
        self.fuzz_all(
            device,
            signed_in=True,
            examples=SIGNED_IN_EXAMPLES,
            address=SIGNED_IN_ADDRESS,
        )
        # Signed out, with what the device's revoked sign-ins left behind.
        assert device.revoked and device.used
        self.fuzz_all(
            device,
            signed_in=False,
            examples=SIGNED_OUT_EXAMPLES,
            address=SIGNED_OUT_ADDRESS,
        )
        elapsed = time.monotonic() - started
        statuses = ", ".join(
            f"{label} {status}: {count}"
            for (label, status), count in sorted(self.seen.items())
        )
        summary = (
            f"schemathesis: {self.cases} cases in {elapsed:.1f}s "
            f"({device.sign_ins} real sign-ins)\n{statuses}"
        )
        print(summary)
        artifact("fuzz-tokens-cases.txt").write_text(f"{summary}\n")
        assert not self.failures, "\n\n".join(self.failures)
        assert self.cases >= 150
        # The real tokens reached the paths they are for.
        assert {
            ("POST /login", 200),
            ("POST /login", 401),
            ("POST /login", 429),
            ("GET /session", 200),
            ("GET /session", 401),
            ("HEAD /session", 200),
            ("HEAD /session", 401),
            ("POST /refresh", 200),
            ("POST /refresh", 401),
            ("POST /logout", 200),
            ("POST /logout", 401),
            ("POST /register", 201),
            ("POST /register", 400),
            ("GET /openapi.json", 200),
            ("HEAD /openapi.json", 200),
        } <= set(self.seen)

    def test_served_document(self):
        self.schema.validate()
        assert self.schema.raw_schema == {
            **load().raw_schema,
            "servers": [{"url": self.base}],
        }

    def test_check(self):
        # A failure is kept with the request that reproduces it: here the
        # document checked as if it were a session object.
        case = self.schema["/session"]["GET"].Case()
        self.check(case, Response.from_any(requests.get(f"{self.base}/openapi.json")))
        [failure] = self.failures
        assert failure.startswith(
            f"GET /session -> 200\ncurl -X GET {self.base}/session"
        )
        assert "Response violates schema" in failure

    def test_expect(self):
        # A real token's answer is checked beyond the document: a 401 is not
        # the 200 a live token must get.
        case = self.schema["/session"]["GET"].Case()
        self.expect(case, Response.from_any(requests.get(f"{self.base}/session")), 200)
        [failure] = self.failures
        assert failure.startswith("GET /session -> 401\n")
        assert failure.endswith('Expected 200, got {"error":"SessionRequired"}')
