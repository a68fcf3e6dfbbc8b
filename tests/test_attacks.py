"""Every attack of ATTACKS.md (groups A, C-M, N1-N3, O and P) as a test over HTTP.

Each test is named after its attack id and asserts the safe outcome exactly:
status, body, headers, cookies and the session's state afterwards. Group B and
N4 (the OAuth flow) are in ``tests/test_attacks_oauth.py``. Every request that
a CSRF check guards is sent by ``Client(enforce_csrf_checks=True)``.

====  ==========================================================================
id    test (``<Class>.<method>``), or why none
====  ==========================================================================
A1    CsrfTests.test_A1_signin_provider_without_token
A2    CsrfTests.test_A2_credentials_without_token
A3    CsrfTests.test_A3_token_from_another_session
A4    CsrfTests.test_A4_signout_without_token
A5    CsrfTests.test_A5_session_update_without_token
A6    CsrfTests.test_A6_cross_origin_post_over_https
A7    CsrfTests.test_A7_csrf_token_rotates_on_sign_in
A8    CsrfTests.test_A8_simple_request_content_type
B1    test_attacks_oauth.py: OAuthAttackTests.test_B1_oauth_start_by_get
B2    test_attacks_oauth.py: OAuthAttackTests.test_B2_callback_without_state_or_with_wrong_state
B3    test_attacks_oauth.py: OAuthAttackTests.test_B3_callback_with_no_flow_started
B4    test_attacks_oauth.py: OAuthAttackTests.test_B4_state_replay
B5    test_attacks_oauth.py: OAuthAttackTests.test_B5_state_from_another_provider
B6    test_attacks_oauth.py: OAuthAttackTests.test_B6_account_linking_by_csrf_while_signed_in
B7    test_attacks_oauth.py: OAuthAttackTests.test_B7_association_by_email
B8    test_attacks_oauth.py: OAuthAttackTests.test_B8_uid_compared_case_sensitively_over_http,
      ProviderUidTests.test_B8_uid_compared_case_sensitively_in_storage
B9    test_attacks_oauth.py: OAuthAttackTests.test_B9_partial_pipeline_resume_from_another_browser,
      OAuthAttackTests.test_B9_external_resume_asks_for_confirmation_first
B10   test_attacks_oauth.py: OAuthAttackTests.test_B10_oauth_error_passthrough
C1    SessionLifecycleTests.test_C1_fixation_via_planted_anonymous_session
C2    SessionLifecycleTests.test_C2_fixation_over_oauth_sign_in
C3    SessionLifecycleTests.test_C3_attacker_chosen_session_key
C4    SessionLifecycleTests.test_C4_sign_out_really_invalidates
C5    SessionLifecycleTests.test_C5_password_change_ends_other_sessions
C6    SessionLifecycleTests.test_C6_deactivated_user
C7    SessionLifecycleTests.test_C7_idle_timeout,
      SessionLifecycleTests.test_C7_absolute_lifetime,
      SessionLifecycleTests.test_C7_cap_set_after_sign_in,
      SessionLifecycleTests.test_C7_expires_never_past_max_age
C8    SessionLifecycleTests.test_C8_sign_out_wipes_a_pending_oauth_flow
      (no MFA or partial sign-up exists: see "C8" below)
C9    SessionLifecycleTests.test_C9_session_cookie_never_cached
D1    BruteForceTests.test_D1_per_account_throttle,
      BruteForceTests.test_D1_throttle_in_redirect_mode
D2    BruteForceTests.test_D2_per_ip_throttle
D3    BruteForceTests.test_D3_case_and_unicode_variants_share_the_counter
D4    BruteForceTests.test_D4_spoofed_x_forwarded_for
D5    BruteForceTests.test_D5_success_does_not_reset_other_counters
D6    BruteForceTests.test_D6_lockout_is_not_a_denial_of_service
E1    EnumerationTests.test_E1_same_answer_for_every_failure
E2    EnumerationTests.test_E2_one_hash_per_attempt
E3    EnumerationTests.test_E3_other_endpoints_reveal_nothing
      (no sign-up or password reset exists: see "E3" below)
E4    EnumerationTests.test_E4_throttle_does_not_reveal_existence
F1    CookieTests.test_F1_session_cookie_attributes
F2    CookieTests.test_F2_csrf_cookie_and_no_helper_cookies
F3    CookieTests.test_F3_no_secret_in_a_url
F4    CookieTests.test_F4_cookie_sizes
G1    ResponseHeaderTests.test_G1_auth_responses_are_not_cacheable
G2    ResponseHeaderTests.test_G2_shared_cache_does_not_mix_users
G3    ResponseHeaderTests.test_G3_json_content_type_and_nosniff
G4    ResponseHeaderTests.test_G4_minimal_session_payload
G5    ResponseHeaderTests.test_G5_error_page_does_not_reflect_input
G6    ResponseHeaderTests.test_G6_template_tags_escape_user_data
H1    CorsTests.test_H1_no_cors_for_foreign_origins
H2    CorsTests.test_H2_preflight
H3    CorsTests.test_H3_origin_is_not_an_authenticator
I1    RedirectTests.test_I1_no_callback_url_leaves_the_site
I2    RedirectTests.test_I2_stored_callback_url_is_checked_again,
      RedirectTests.test_I2_stored_callback_url_checked_on_failure
I3    RedirectTests.test_I3_parameter_pollution
I4    RedirectTests.test_I4_auth_required_builds_a_relative_callback_url,
      RedirectTests.test_I4_path_starting_with_two_slashes
I5    RedirectTests.test_I5_front_end_on_another_origin
J1    MethodTests.test_J1_unknown_and_unsafe_methods
J2    MethodTests.test_J2_head
J3    MethodTests.test_J3_options
J4    MethodTests.test_J4_get_on_post_only_actions
K1    RequestBodyTests.test_K1_oversized_body
K2    RequestBodyTests.test_K2_too_many_fields
K3    RequestBodyTests.test_K3_huge_field_values
K4    RequestBodyTests.test_K4_malformed_bodies
K5    RequestBodyTests.test_K5_content_types
K6    RequestBodyTests.test_K6_type_confusion
L1    ProviderIdTests.test_L1_unknown_provider
L2    ProviderIdTests.test_L2_path_traversal_and_encoded_ids
L3    ProviderIdTests.test_L3_action_confusion
M1    CredentialInputTests.test_M1_sql_looking_usernames
M2    CredentialInputTests.test_M2_nul_and_control_characters
M3    CredentialInputTests.test_M3_unicode_equivalence
M4    CredentialInputTests.test_M4_whitespace_is_not_trimmed
M5    CredentialInputTests.test_M5_secrets_not_logged,
      CredentialInputTests.test_M5_error_reports_hide_the_password
N1    ConcurrencyTests.test_N1_parallel_reads_never_call_the_provider
      (no server-side token refresh exists: see "N1" below)
N2    ConcurrencyTests.test_N2_sign_out_racing_a_session_update
N3    ConcurrencyTests.test_N3_double_submit_of_credentials
N4    test_attacks_oauth.py: OAuthAttackTests.test_N4_oauth_callback_replay_in_parallel,
      OAuthAttackTests.test_N4_oauth_callback_replay_in_parallel_refused_one_last
O1    HostTests.test_O1_foreign_host
O2    HostTests.test_O2_forwarded_host_is_ignored
O3    HostTests.test_O3_underscore_headers_under_asgi
P1    FailClosedTests.test_P1_broken_session_store,
      FailClosedTests.test_P1_broken_session_callback,
      FailClosedTests.test_P1_unreachable_token_endpoint,
      FailClosedTests.test_P1_missing_client_credentials,
      FailClosedTests.test_P1_secret_key_rotated_without_fallback
P2    FailClosedTests.test_P2_malformed_authorization_header
P3    FailClosedTests.test_P3_session_shaped_junk_cookie
====  ==========================================================================
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
import unicodedata
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import timedelta
from functools import partial
from html import escape
from html import unescape
from importlib import import_module
from typing import TYPE_CHECKING
from typing import Any
from unittest import mock
from urllib.parse import parse_qs
from urllib.parse import quote
from urllib.parse import urlencode
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth import hashers
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session as SessionRow
from django.contrib.sessions.serializers import JSONSerializer
from django.core import signing
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpRequest
from django.http import HttpResponse
from django.template import engines
from django.test import AsyncClient
from django.test import Client
from django.test import LiveServerTestCase
from django.test import TestCase
from django.test import override_settings
from django.test.client import FakePayload
from django.urls import path
from django.urls import re_path
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.debug import ExceptionReporter
from django.views.decorators.debug import sensitive_variables
from social_core import exceptions as social
from social_core.backends.base import BaseAuth
from social_core.backends.github import GithubOAuth2
from social_core.backends.oauth import BaseOAuth2
from social_core.storage import UserMixin
from social_django.models import UserSocialAuth

from django_useauth import oauth
from django_useauth.checks import check_providers
from django_useauth.checks import check_session_engine
from django_useauth.session import REFRESHED_AT_KEY
from django_useauth.session import format_expires
from django_useauth.signals import session_updated
from tests import callbacks
from tests import urls as test_urls
from tests import views as test_views
from tests.live import LiveClientMixin
from tests.redirect_corpus import CORPUS
from tests.redirect_corpus import RedirectCase
from tests.utils import GITHUB
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import sign_in

if TYPE_CHECKING:
    # The test client's response type (with .json()), as django-stubs names it.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

# -- Attacks that do not apply, in part or at all ------------------------------
#
# C8: django-useauth has no multi-step login: no MFA, and no partial
#     social-auth pipeline step in its default pipeline (a project that adds one
#     is covered by B9 in tests/test_attacks_oauth.py). The only pending state is
#     a started OAuth flow (state and callbackUrl in the session), and
#     test_C8_sign_out_wipes_a_pending_oauth_flow checks that sign-out wipes it.
#
# E3: there is no sign-up and no password reset endpoint, so nothing to
#     enumerate through them. test_E3_other_endpoints_reveal_nothing covers the
#     endpoints that exist (providers, error page, sign-in page).
#
# N1: nothing refreshes provider tokens on the server: GET session and the
#     middleware never call a provider. test_N1_parallel_reads_never_call_the_provider
#     checks exactly that under concurrency (and that parallel reads of a session
#     due for its NextAuth-style extension all agree and none signs the user out).
#
# F1 (preferably the __Host- prefix): the session cookie is Django's
#     SESSION_COOKIE_NAME ("sessionid"); a project may rename it to
#     "__Host-sessionid". The attributes the prefix requires (Secure, Path=/,
#     no Domain) are asserted.

BASE = "http://testserver/api/auth"
CREDENTIALS = "/api/auth/callback/credentials"
SESSION = "/api/auth/session"
SIGN_OUT = "/api/auth/signout"
CSRF = "/api/auth/csrf"
FORM = "application/x-www-form-urlencoded"
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
HOME = {"url": "http://testserver/"}
ADA = {"name": "Ada Lovelace", "email": "ada@example.com", "image": None}
FAILED = {"url": f"{BASE}/error?error=CredentialsSignin&provider=credentials"}
THROTTLED = {"url": f"{BASE}/error?error=TooManyAttempts&provider=credentials"}
SIGN_IN_CSRF = {"url": f"{BASE}/signin?csrf=true"}
SIGN_OUT_CSRF = {"url": f"{BASE}/signout?csrf=true"}
MALFORMED = b"Malformed request body."
WINDOW = 15 * 60
CANARY = "CANARY-8c1f2e9d4b7a"
#: Every /api/auth route and the methods it allows.
ROUTES = {
    "/api/auth/csrf": "GET, HEAD",
    "/api/auth/providers": "GET, HEAD",
    "/api/auth/session": "GET, HEAD, POST",
    "/api/auth/signin": "GET, HEAD",
    "/api/auth/signin/credentials": "GET, HEAD, POST",
    "/api/auth/signin/github": "GET, HEAD, POST",
    "/api/auth/callback/credentials": "GET, HEAD, POST",
    "/api/auth/callback/github": "GET, HEAD, POST",
    "/api/auth/signout": "GET, HEAD, POST",
    "/api/auth/error": "GET, HEAD",
    "/api/auth/_log": "POST",
    "/api/auth/openapi.json": "GET, HEAD",
}
UNKNOWN_ROUTES = (
    "/api/auth/",
    "/api/auth/verify-request",
    "/api/auth/error/Configuration",
    "/api/auth/session/",
)
#: A local-memory cache whose clock the throttle tests move with time.time().
CLOCKED_CACHE = "useauth-attacks-clocked"


# -- Helpers ---------------------------------------------------------------------


def store(key: str | None = None) -> SessionBase:
    """The configured engine's session store (for ``key``)."""
    engine = import_module(settings.SESSION_ENGINE)
    session: SessionBase = engine.SessionStore(key)
    return session


def plant_session(client: Client, **values: Any) -> str:
    """Save a server-side session holding ``values`` and give ``client`` its cookie."""
    session = store()
    session.update(values)
    session.save()
    key = session.session_key
    assert key is not None
    client.cookies["sessionid"] = key
    return key


def session_key(client: Client) -> str:
    return client.cookies["sessionid"].value


def session_json(client: Client, **extra: Any) -> Any:
    """``GET /api/auth/session``: always 200."""
    response = client.get(SESSION, **extra)
    assert response.status_code == 200
    return response.json()


def post_credentials(
    client: Client,
    token: str | None,
    username: str,
    password: str = "wrong",
    *,
    json_mode: bool = True,
    ip: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
    secure: bool = False,
    **extra: str,
) -> TestResponse:
    """``POST callback/credentials`` urlencoded, as next-auth/react sends it."""
    data = {"username": username, "password": password, **extra}
    if token is not None:
        data["csrfToken"] = token
    if json_mode:
        data["json"] = "true"
    response: TestResponse = client.post(
        CREDENTIALS,
        urlencode(data),
        content_type=FORM,
        REMOTE_ADDR=ip,
        secure=secure,
        headers=headers,
    )
    return response


def post_json(client: Client, route: str, body: object, **extra: Any) -> TestResponse:
    response: TestResponse = client.post(
        route, json.dumps(body), content_type="application/json", **extra
    )
    return response


def outcome(response: TestResponse) -> tuple[int, Any, str | None]:
    """What a throttled client learns: status, JSON body, Retry-After."""
    return response.status_code, response.json(), response.get("Retry-After")


def assert_json(response: Any, status: int, body: object) -> None:
    """A JSON answer: status, content type, nosniff and the whole body."""
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json() == body


def assert_never_cached(response: TestResponse) -> None:
    assert response["Cache-Control"] == NEVER_CACHE
    assert "Cookie" in [part.strip() for part in response["Vary"].split(",")]
    assert response.has_header("Expires")


def assert_no_cors(response: TestResponse) -> None:
    assert not [
        name for name in response.headers if name.lower().startswith("access-control-")
    ]


def cached_middleware() -> list[str]:
    """MIDDLEWARE with Django's whole-site cache around it."""
    return [
        "django.middleware.cache.UpdateCacheMiddleware",
        *settings.MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]


def clocked_caches() -> dict[str, Any]:
    return {
        **settings.CACHES,
        CLOCKED_CACHE: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": CLOCKED_CACHE,
        },
    }


@contextmanager
def frozen_time() -> Iterator[list[float]]:
    """Freeze ``time.time()`` (the throttle's clock, and a local-memory cache's); move it via ``[0]``."""
    now = [float(int(time.time()))]
    with mock.patch("time.time", lambda: now[0]):
        yield now


@contextmanager
def frozen_now() -> Iterator[list[datetime]]:
    """Freeze ``django.utils.timezone.now()`` (sessions and their stores); move it via ``[0]``."""
    now = [timezone.now()]
    with mock.patch("django.utils.timezone.now", lambda: now[0]):
        yield now


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def all_logs() -> Iterator[list[str]]:
    """Every record of every logger at DEBUG, formatted with any traceback; filled on exit."""
    recorder = _Recorder()
    loggers = [
        logging.getLogger(),
        *(
            logger
            for logger in logging.Logger.manager.loggerDict.values()
            if isinstance(logger, logging.Logger)
        ),
    ]
    saved = [
        (logger, logger.level, logger.propagate, logger.disabled) for logger in loggers
    ]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        # Each record reaches the recorder once, at the first logger it meets.
        logger.propagate = False
        logger.disabled = False
        logger.addHandler(recorder)
    lines: list[str] = []
    try:
        yield lines
    finally:
        for logger, level, propagate, disabled in saved:
            logger.removeHandler(recorder)
            logger.setLevel(level)
            logger.propagate = propagate
            logger.disabled = disabled
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines.extend(formatter.format(record) for record in recorder.records)


def fake_oauth_success(user: User) -> Callable[..., HttpResponse]:
    """A ``do_complete`` that signs ``user`` in and ends on the flow's success URL."""

    def complete(backend: Any, login: Any, **kwargs: Any) -> HttpResponse:
        login(backend, user, None)
        response: HttpResponse = backend.strategy.redirect(
            backend.setting("LOGIN_REDIRECT_URL")
        )
        return response

    return complete


def tags_page(request: HttpRequest) -> HttpResponse:
    """Every template tag of ``{% load django_useauth %}``, and the ``auth`` context variable."""
    template = engines["django"].from_string(TAGS_PAGE)
    return HttpResponse(template.render(request=request))


TAGS_PAGE = """{% load django_useauth %}<head>{% useauth_script %}</head>
<p id="status">{% auth_status %}</p>
<p id="name">{% auth_user %}</p>
<p id="email">{% auth_user "email" %}</p>
<p id="context">{{ auth.data.user.name }}</p>
<a id="url" href="{% sign_in_url %}">sign in</a>
{% sign_in_link "Sign in" %}
{% sign_out_form "Sign out" %}
{% provider_buttons %}
{% credentials_form %}"""


class TagsUrlconf:
    """The test URLs plus ``/tags/`` (G6)."""

    urlpatterns = [*test_urls.urlpatterns, path("tags/", tags_page)]


class TwoSlashUrlconf:
    """The test URLs plus a catch-all to an ``auth_required`` view, so that ``//evil.example/…`` reaches it (I4)."""

    urlpatterns = [*test_urls.urlpatterns, re_path(r"^.*$", test_views.protected)]


class ExplodingBackend(ModelBackend):
    """An authentication backend whose user database is down (M5)."""

    @sensitive_variables("password")
    def authenticate(self, request, username=None, password=None, **kwargs):
        raise DatabaseError("the user database is down")


CSRF_FIELD = re.compile(rb'name="csrfToken" value="[A-Za-z0-9]{64}"')
HIDDEN_CALLBACK = re.compile(
    r'<input type="hidden" name="callbackUrl" value="([^"]*)">'
)


# -- A ---------------------------------------------------------------------------


class CsrfTests(TestCase):
    """A. CSRF on state-changing endpoints."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()

    def setUp(self):
        self.client = csrf_client()

    @override_settings(**GITHUB)
    def test_A1_signin_provider_without_token(self):
        token = csrf_token(self.client)
        # A valid CSRF cookie, but no token (or a wrong one) in the form.
        redirect = self.client.post(
            "/api/auth/signin/github", {"callbackUrl": "/after"}
        )
        assert redirect.status_code == 302
        assert redirect["Location"] == f"{BASE}/signin?csrf=true"
        assert_never_cached(redirect)
        for body in (
            {"callbackUrl": "/after", "json": "true"},
            {"csrfToken": "x" * 64, "json": "true"},
            {"csrfToken": "", "json": "true"},
        ):
            with self.subTest(body=body):
                assert_json(
                    self.client.post("/api/auth/signin/github", body), 200, SIGN_IN_CSRF
                )
        # No authorize URL, and no state or callbackUrl written: no session at all.
        assert "sessionid" not in self.client.cookies
        assert SessionRow.objects.count() == 0
        # The same request with the token does start the flow.
        started = self.client.post("/api/auth/signin/github", {"csrfToken": token})
        assert started["Location"].startswith(
            "https://github.com/login/oauth/authorize?"
        )
        assert any(key.startswith("github_") for key in self.client.session.keys())  # noqa: SIM118

    def test_A2_credentials_without_token(self):
        for has_csrf_cookie in (False, True):
            with self.subTest(has_csrf_cookie=has_csrf_cookie):
                victim = csrf_client()
                if has_csrf_cookie:
                    csrf_token(victim)
                form = post_credentials(
                    victim, None, "ada", PASSWORD, json_mode=False, callbackUrl="/after"
                )
                assert form.status_code == 302
                assert form["Location"] == f"{BASE}/signin?csrf=true"
                assert_never_cached(form)
                as_json = post_credentials(victim, None, "ada", PASSWORD)
                assert_json(as_json, 200, SIGN_IN_CSRF)
                assert "sessionid" not in victim.cookies
                assert session_json(victim) == {}
        assert SessionRow.objects.count() == 0

    def test_A3_token_from_another_session(self):
        attacker = csrf_client()
        token = csrf_token(attacker)
        sign_in(self.client)
        key = session_key(self.client)
        assert_json(
            self.client.post(SIGN_OUT, {"csrfToken": token, "json": "true"}),
            200,
            SIGN_OUT_CSRF,
        )
        redirect = self.client.post(SIGN_OUT, {"csrfToken": token})
        assert redirect.status_code == 302
        assert redirect["Location"] == f"{BASE}/signout?csrf=true"
        assert_json(
            post_json(self.client, SESSION, {"csrfToken": token, "data": {}}), 400, {}
        )
        assert session_json(self.client)["user"] == ADA
        assert store().exists(key)

    def test_A4_signout_without_token(self):
        sign_in(self.client)
        key = session_key(self.client)
        redirect = self.client.post(SIGN_OUT, {"callbackUrl": "/bye"})
        assert redirect.status_code == 302
        assert redirect["Location"] == f"{BASE}/signout?csrf=true"
        assert_json(self.client.post(SIGN_OUT, {"json": "true"}), 200, SIGN_OUT_CSRF)
        # GET only renders the confirmation page.
        page = self.client.get(SIGN_OUT)
        assert page.status_code == 200
        assert page["Content-Type"] == "text/html; charset=utf-8"
        assert_never_cached(page)
        assert b'<form class="useauth-sign-out" method="post"' in page.content
        assert session_json(self.client)["user"] == ADA
        assert store().exists(key)
        # With the token it signs out.
        done = self.client.post(
            SIGN_OUT, {"csrfToken": csrf_token(self.client), "json": "true"}
        )
        assert_json(done, 200, HOME)
        assert session_json(self.client) == {}
        assert not store().exists(key)

    @override_settings(USEAUTH_SESSION_CALLBACK="tests.callbacks.session")
    def test_A5_session_update_without_token(self):
        callbacks.calls.clear()
        self.addCleanup(callbacks.calls.clear)
        received: list[object] = []

        def receiver(sender: object, data: object, **kwargs: object) -> None:
            received.append(data)

        session_updated.connect(receiver)
        self.addCleanup(session_updated.disconnect, receiver)
        sign_in(self.client)
        key = session_key(self.client)
        before = session_json(self.client)
        stored = dict(store(key).items())
        for body in (
            {"data": {"theme": "dark"}},
            {"csrfToken": "x" * 64, "data": {"theme": "dark"}},
            {"csrfToken": ["x"], "data": {"theme": "dark"}},
        ):
            with self.subTest(body=body):
                response = post_json(self.client, SESSION, body)
                assert_json(response, 400, {})
                assert_never_cached(response)
        assert_json(self.client.post(SESSION, {"data": "x"}), 400, {})
        assert received == []
        assert {call["trigger"] for call in callbacks.calls} == {"read"}
        assert session_json(self.client) == before
        assert dict(store(key).items()) == stored
        # With the token, the update reaches the session callback.
        token = csrf_token(self.client)
        response = post_json(
            self.client, SESSION, {"csrfToken": token, "data": {"theme": "dark"}}
        )
        assert response.status_code == 200
        assert response.json()["theme"] == "dark"
        assert received == [{"theme": "dark"}]

    def test_A6_cross_origin_post_over_https(self):
        https: dict[str, Any] = {"secure": True}
        token = self.client.get(CSRF, **https).json()["csrfToken"]
        signed = post_credentials(
            self.client,
            token,
            "ada",
            PASSWORD,
            headers={"Origin": "https://testserver"},
            **https,
        )
        assert_json(signed, 200, {"url": "https://testserver/"})
        key = session_key(self.client)
        token = self.client.get(CSRF, **https).json()["csrfToken"]
        for origin in ("https://evil.example", "null"):
            with self.subTest(origin=origin):
                headers = {"Origin": origin}
                login_csrf = csrf_client()
                login_token = login_csrf.get(CSRF, **https).json()["csrfToken"]
                with self.assertLogs("django.security.csrf", logging.WARNING) as logs:
                    sign_in_attempt = post_credentials(
                        login_csrf,
                        login_token,
                        "ada",
                        PASSWORD,
                        headers=headers,
                        **https,
                    )
                    sign_out = self.client.post(
                        SIGN_OUT,
                        {"csrfToken": token, "json": "true"},
                        headers=headers,
                        **https,
                    )
                    update = post_json(
                        self.client,
                        SESSION,
                        {"csrfToken": token, "data": {}},
                        headers=headers,
                        **https,
                    )
                assert_json(
                    sign_in_attempt,
                    200,
                    {"url": "https://testserver/api/auth/signin?csrf=true"},
                )
                assert_json(
                    sign_out,
                    200,
                    {"url": "https://testserver/api/auth/signout?csrf=true"},
                )
                assert_json(update, 400, {})
                reason = f"Origin checking failed - {origin} does not match any trusted origins."
                assert logs.output == [
                    f"WARNING:django.security.csrf:Forbidden ({reason}): {route}"
                    for route in (CREDENTIALS, SIGN_OUT, SESSION)
                ]
                assert "sessionid" not in login_csrf.cookies
                assert session_json(self.client, **https)["user"] == ADA
                assert store().exists(key)
        # Only an origin the project trusts is let through.
        trusting = csrf_client()
        trusted_token = trusting.get(CSRF, **https).json()["csrfToken"]
        with self.settings(CSRF_TRUSTED_ORIGINS=["https://evil.example"]):
            trusted = post_credentials(
                trusting,
                trusted_token,
                "ada",
                PASSWORD,
                headers={"Origin": "https://evil.example"},
                **https,
            )
        assert_json(trusted, 200, {"url": "https://testserver/"})

    def test_A7_csrf_token_rotates_on_sign_in(self):
        old_token = csrf_token(self.client)
        old_cookie = self.client.cookies["csrftoken"].value
        response = post_credentials(self.client, old_token, "ada", PASSWORD)
        assert_json(response, 200, HOME)
        new_cookie = response.cookies["csrftoken"].value
        assert new_cookie != old_cookie
        assert self.client.cookies["csrftoken"].value == new_cookie
        # The token captured before sign-in cannot be replayed after it.
        replay = self.client.post(SIGN_OUT, {"csrfToken": old_token, "json": "true"})
        assert_json(replay, 200, SIGN_OUT_CSRF)
        assert session_json(self.client)["user"] == ADA
        fresh = self.client.post(
            SIGN_OUT, {"csrfToken": csrf_token(self.client), "json": "true"}
        )
        assert_json(fresh, 200, HOME)

    def test_A8_simple_request_content_type(self):
        token = csrf_token(self.client)
        for body in (
            urlencode({"username": "ada", "password": PASSWORD}),
            urlencode(
                {
                    "csrfToken": token,
                    "username": "ada",
                    "password": PASSWORD,
                    "json": "true",
                }
            ),
        ):
            with self.subTest(body=body):
                response = self.client.post(
                    CREDENTIALS, body, content_type="text/plain"
                )
                # Not parsed, so no token: CSRF-rejected (and not in JSON mode).
                assert response.status_code == 302
                assert response["Location"] == f"{BASE}/signin?csrf=true"
        assert "sessionid" not in self.client.cookies
        assert session_json(self.client) == {}


# -- C ---------------------------------------------------------------------------


class SessionLifecycleTests(TestCase):
    """C. Session fixation, session lifecycle, logout."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()

    def setUp(self):
        self.client = csrf_client()

    def assert_replay_anonymous(self, key: str) -> None:
        """A copy of the cookie ``key`` reads as signed out."""
        replay = csrf_client()
        replay.cookies["sessionid"] = key
        assert session_json(replay) == {}

    def assert_dead(self, key: str) -> None:
        """A replay of the cookie ``key`` is anonymous, and ``key`` is gone from the store."""
        self.assert_replay_anonymous(key)
        assert not store().exists(key)

    def test_C1_fixation_via_planted_anonymous_session(self):
        key = plant_session(self.client, planted="by the attacker")
        assert session_json(self.client) == {}
        assert store().exists(key)
        assert_json(sign_in(self.client), 200, HOME)
        new = session_key(self.client)
        assert new != key
        assert store().exists(new)
        self.assert_dead(key)
        assert session_json(self.client)["user"] == ADA

    @override_settings(**GITHUB)
    def test_C2_fixation_over_oauth_sign_in(self):
        # The OAuth start saves an anonymous session (state, callbackUrl).
        start = self.client.post(
            "/api/auth/signin/github",
            {"csrfToken": csrf_token(self.client), "callbackUrl": "/after"},
        )
        assert start.status_code == 302
        key = session_key(self.client)
        assert store().exists(key)
        with mock.patch.object(oauth, "do_complete", fake_oauth_success(self.user)):
            response = self.client.get("/api/auth/callback/github?code=x&state=y")
        assert response.status_code == 302
        assert response["Location"] == "http://testserver/after"
        new = session_key(self.client)
        assert new != key
        self.assert_dead(key)
        assert session_json(self.client)["user"] == ADA

    def test_C3_attacker_chosen_session_key(self):
        chosen = "attackerchosen0123456789abcdef"
        self.client.cookies["sessionid"] = chosen
        response = self.client.get(SESSION)
        assert_json(response, 200, {})
        # The unknown cookie is deleted, and no row was created for it.
        assert response.cookies["sessionid"].value == ""
        assert not store().exists(chosen)
        self.client.cookies["sessionid"] = chosen
        assert_json(sign_in(self.client), 200, HOME)
        new = session_key(self.client)
        assert new != chosen
        assert len(new) == 32
        assert store().exists(new)
        assert not store().exists(chosen)

    def test_C4_sign_out_really_invalidates(self):
        sign_in(self.client)
        key = session_key(self.client)
        copy = csrf_client()
        copy.cookies["sessionid"] = key
        assert session_json(copy)["user"] == ADA
        response = self.client.post(
            SIGN_OUT, {"csrfToken": csrf_token(self.client), "json": "true"}
        )
        assert_json(response, 200, HOME)
        assert response.cookies["sessionid"].value == ""
        assert response.cookies["sessionid"]["max-age"] == 0
        assert not SessionRow.objects.filter(session_key=key).exists()
        self.assert_dead(key)
        assert session_json(copy) == {}
        # The engine that cannot do this is refused.
        with self.settings(
            SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"
        ):
            assert [message.id for message in check_session_engine()] == [
                "useauth.E006"
            ]

    def test_C5_password_change_ends_other_sessions(self):
        other = csrf_client()
        sign_in(self.client)
        sign_in(other)
        keys = [session_key(self.client), session_key(other)]
        user = User.objects.get(username="ada")
        user.set_password("a brand new passphrase")
        user.save()
        assert session_json(other) == {}
        assert session_json(self.client) == {}
        for key in keys:
            self.assert_dead(key)
        fresh = csrf_client()
        assert_json(
            post_credentials(fresh, csrf_token(fresh), "ada", PASSWORD), 401, FAILED
        )
        assert_json(
            post_credentials(fresh, csrf_token(fresh), "ada", "a brand new passphrase"),
            200,
            HOME,
        )

    def test_C6_deactivated_user(self):
        sign_in(self.client)
        key = session_key(self.client)
        User.objects.filter(username="ada").update(is_active=False)
        assert session_json(self.client) == {}
        fresh = csrf_client()
        assert_json(
            post_credentials(fresh, csrf_token(fresh), "ada", PASSWORD), 401, FAILED
        )
        # The session ended on the server when it was found deactivated:
        # reactivating the account does not bring it back.
        User.objects.filter(username="ada").update(is_active=True)
        self.assert_dead(key)

    @override_settings(USEAUTH_MAX_AGE=30 * 60, USEAUTH_UPDATE_AGE=0)
    def test_C7_idle_timeout(self):
        # A 30-minute idle timeout: every read extends the session by 30 minutes.
        with frozen_now() as now:
            start = now[0]
            sign_in(self.client)
            key = session_key(self.client)
            for minutes in (20, 45):
                now[0] = start + timedelta(minutes=minutes)
                body = session_json(self.client)
                assert body["user"] == ADA
                assert body["expires"] == format_expires(now[0] + timedelta(minutes=30))
            now[0] = start + timedelta(minutes=75, seconds=1)
            assert session_json(self.client) == {}
            self.assert_replay_anonymous(key)

    @override_settings(
        USEAUTH_MAX_AGE=8 * 3600,
        USEAUTH_UPDATE_AGE=3600,
        USEAUTH_ABSOLUTE_MAX_AGE=12 * 3600,
    )
    def test_C7_absolute_lifetime(self):
        # Active every hour, so each read is due and extends the session, but
        # never past 12 hours after sign-in (NIST 800-63B AAL2).
        with frozen_now() as now:
            start = now[0]
            sign_in(self.client)
            key = session_key(self.client)
            cap = start + timedelta(hours=12)
            for hours in range(1, 12):
                now[0] = start + timedelta(hours=hours)
                body = session_json(self.client)
                assert body["user"] == ADA
                assert body["expires"] == format_expires(
                    min(now[0] + timedelta(hours=8), cap)
                )
            now[0] = cap
            assert session_json(self.client) == {}
            self.assert_replay_anonymous(key)

    def test_C7_cap_set_after_sign_in(self):
        # A session signed in before the cap was configured (or lowered) ends
        # on its next read once it is past it, and is deleted on the server.
        with frozen_now() as now:
            start = now[0]
            sign_in(self.client)
            key = session_key(self.client)
            now[0] = start + timedelta(hours=13)
            assert session_json(self.client)["user"] == ADA
            with self.settings(USEAUTH_ABSOLUTE_MAX_AGE=12 * 3600):
                assert session_json(self.client) == {}
                assert not store().exists(key)
                self.assert_replay_anonymous(key)

    def test_C7_expires_never_past_max_age(self):
        # The defaults (30 days, extended at most daily), with a read every 23 hours.
        with frozen_now() as now:
            start = now[0]
            sign_in(self.client)
            key = session_key(self.client)
            expires = start
            for reads in range(1, 41):
                now[0] = start + timedelta(hours=23 * reads)
                body = session_json(self.client)
                assert body["user"] == ADA
                expires = datetime.fromisoformat(body["expires"])
                assert now[0] < expires <= now[0] + timedelta(days=30)
            # expires is cut to milliseconds.
            now[0] = expires + timedelta(milliseconds=1)
            assert session_json(self.client) == {}
            self.assert_replay_anonymous(key)

    @override_settings(**GITHUB)
    def test_C8_sign_out_wipes_a_pending_oauth_flow(self):
        token = csrf_token(self.client)
        start = self.client.post(
            "/api/auth/signin/github",
            {"csrfToken": token, "callbackUrl": "/after", "json": "true"},
        )
        state = parse_qs(urlsplit(start.json()["url"]).query)["state"][0]
        key = session_key(self.client)
        assert f"github_oauth2_state_{state}" in store(key)
        assert store(key)["_useauth_callback_url:github"] == "/after"
        assert_json(
            self.client.post(SIGN_OUT, {"csrfToken": token, "json": "true"}), 200, HOME
        )
        self.assert_dead(key)
        with (
            mock.patch.object(GithubOAuth2, "request_access_token") as exchange,
            self.assertLogs("django_useauth.oauth", logging.WARNING),
        ):
            response = self.client.get(
                f"/api/auth/callback/github?code=x&state={state}"
            )
        assert response.status_code == 302
        assert response["Location"] == f"{BASE}/error?error=OAuthCallback"
        exchange.assert_not_called()
        assert session_json(self.client) == {}

    def test_C9_session_cookie_never_cached(self):
        sign_in(self.client)
        key = session_key(self.client)
        with self.settings(
            MIDDLEWARE=cached_middleware(), SESSION_SAVE_EVERY_REQUEST=True
        ):
            as_a = self.client.get("/plain/")
            assert as_a.status_code == 200
            assert as_a.content == b"plain"
            assert as_a.cookies["sessionid"].value == key
            assert "Cookie" in as_a["Vary"]
            # Not stored: the cache middleware left it without its own headers.
            assert not as_a.has_header("Cache-Control")
            assert not as_a.has_header("Expires")
            anonymous = Client()
            as_b = anonymous.get("/plain/")
            assert as_b.status_code == 200
            assert as_b.content == b"plain"
            assert "sessionid" not in as_b.cookies
            # B's own (cookie-less) response is the one stored.
            assert as_b["Cache-Control"] == "max-age=600"
            again = anonymous.get("/plain/")
            assert "sessionid" not in again.cookies
            assert session_json(anonymous) == {}
        assert session_json(self.client)["user"] == ADA


# -- D ---------------------------------------------------------------------------


class BruteForceTests(TestCase):
    """D. Brute force and credential stuffing."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()

    def setUp(self):
        self.client = csrf_client()
        self.token = csrf_token(self.client)

    def attempt(
        self, username: str, password: str = "wrong", **kwargs: Any
    ) -> TestResponse:
        return post_credentials(self.client, self.token, username, password, **kwargs)

    def test_D1_per_account_throttle(self):
        with frozen_time():
            answers = [
                outcome(self.attempt("ada", ip=f"10.1.{n // 200}.{n % 200 + 1}"))
                for n in range(120)
            ]
            assert (
                answers
                == [(401, FAILED, None)] * 10 + [(429, THROTTLED, str(WINDOW))] * 110
            )
            # The right password still fails, from any address, while throttled.
            right = self.attempt("ada", PASSWORD, ip="10.2.0.1")
        assert_json(right, 429, THROTTLED)
        assert right["Retry-After"] == str(WINDOW)
        assert_never_cached(right)
        assert "sessionid" not in self.client.cookies
        assert session_json(self.client) == {}

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=2)
    def test_D1_throttle_in_redirect_mode(self):
        with frozen_time():
            failed = [self.attempt("ada", json_mode=False) for _ in range(2)]
            throttled = self.attempt("ada", PASSWORD, json_mode=False)
        assert [
            (r.status_code, r["Location"], r.get("Retry-After")) for r in failed
        ] == [(302, FAILED["url"], None)] * 2
        assert throttled.status_code == 302
        assert throttled["Location"] == THROTTLED["url"]
        assert throttled["Retry-After"] == str(WINDOW)
        assert_never_cached(throttled)
        error = self.client.get(throttled["Location"])
        assert error.status_code == 302
        assert error["Location"] == "/api/auth/signin?error=TooManyAttempts"
        page = self.client.get(error["Location"])
        assert b"Too many failed attempts. Try again later." in page.content
        assert session_json(self.client) == {}

    def test_D2_per_ip_throttle(self):
        for n in (7, 42, 99):
            make_user(f"user{n}")
        with frozen_time():
            answers = [
                outcome(self.attempt(f"user{n}", ip="10.3.0.1")) for n in range(120)
            ]
        assert (
            answers == [(401, FAILED, None)] * 50 + [(429, THROTTLED, str(WINDOW))] * 70
        )
        # The address is throttled whatever the account; the account is not.
        assert_json(self.attempt("ada", PASSWORD, ip="10.3.0.1"), 429, THROTTLED)
        assert session_json(self.client) == {}
        assert_json(self.attempt("ada", PASSWORD, ip="10.3.0.2"), 200, HOME)

    def test_D3_case_and_unicode_variants_share_the_counter(self):
        make_user("alice", email="alice@example.com")
        variants = ["Alice", "alice", "ALICE", "ａｌｉｃｅ"]
        answers = [
            outcome(self.attempt(variants[n % 4], ip=f"10.4.0.{n + 1}"))
            for n in range(10)
        ]
        assert [status for status, _, _ in answers] == [401] * 10
        for n, variant in enumerate(variants):
            with self.subTest(variant=variant):
                response = self.attempt(variant, PASSWORD, ip=f"10.4.1.{n + 1}")
                assert_json(response, 429, THROTTLED)
        assert session_json(self.client) == {}
        # Another account is not affected.
        assert_json(self.attempt("ada", PASSWORD, ip="10.4.2.1"), 200, HOME)

    @override_settings(USEAUTH_THROTTLE_IP_FAILURES=5)
    def test_D4_spoofed_x_forwarded_for(self):
        def statuses(remote: str, forwarded: list[str]) -> list[int]:
            return [
                self.attempt(
                    f"d4-{remote}-{n}", ip=remote, headers={"X-Forwarded-For": value}
                ).status_code
                for n, value in enumerate(forwarded)
            ]

        # No trusted proxy: the header is ignored, REMOTE_ADDR is throttled.
        rotating = [f"1.2.3.{n}" for n in range(8)]
        assert statuses("10.5.0.1", rotating) == [401] * 5 + [429] * 3
        with self.settings(USEAUTH_TRUSTED_PROXY_COUNT=1):
            # The address the proxy appended (rightmost) is the client's.
            assert (
                statuses("10.5.0.2", [f"6.6.6.6, 1.2.4.{n}" for n in range(8)])
                == [401] * 8
            )
            # What the client put left of it is ignored.
            assert statuses("10.5.0.3", [f"1.2.5.{n}, 5.5.5.5" for n in range(8)]) == (
                [401] * 5 + [429] * 3
            )
            # Without the header (a request that bypassed the proxy): REMOTE_ADDR.
            direct = post_credentials(
                self.client, self.token, "d4-direct", ip="10.5.0.1"
            )
            assert_json(direct, 429, THROTTLED)

    def test_D5_success_does_not_reset_other_counters(self):
        make_user("victim")
        make_user("attacker")
        here: dict[str, Any] = {"ip": "10.6.0.1"}
        assert {self.attempt("victim", **here).status_code for _ in range(9)} == {401}
        assert {self.attempt("attacker", **here).status_code for _ in range(9)} == {401}
        attacker = csrf_client()
        assert_json(
            post_credentials(
                attacker, csrf_token(attacker), "attacker", PASSWORD, **here
            ),
            200,
            HOME,
        )
        # The victim's count went on from 9.
        assert_json(self.attempt("victim", **here), 401, FAILED)
        assert_json(self.attempt("victim", PASSWORD, **here), 429, THROTTLED)
        # The attacker's own count was cleared by the success.
        assert [self.attempt("attacker", **here).status_code for _ in range(11)] == [
            401
        ] * 10 + [429]

    def test_D6_lockout_is_not_a_denial_of_service(self):
        victim = csrf_client()
        sign_in(victim)
        with (
            self.settings(
                CACHES=clocked_caches(), USEAUTH_THROTTLE_CACHE=CLOCKED_CACHE
            ),
            frozen_time() as now,
        ):
            caches[CLOCKED_CACHE].clear()
            start = now[0]
            for n in range(10):
                self.attempt("ada", ip=f"10.7.0.{n + 1}")
            locked = self.attempt("ada", PASSWORD, ip="10.7.1.1")
            assert_json(locked, 429, THROTTLED)
            assert locked["Retry-After"] == str(WINDOW)
            # The victim's existing session keeps working.
            assert session_json(victim)["user"] == ADA
            update = post_json(
                victim, SESSION, {"csrfToken": csrf_token(victim), "data": {}}
            )
            assert update.status_code == 200
            assert update.json()["user"] == ADA
            assert victim.get("/protected/").content == b"protected"
            # The lock ends with the window.
            for elapsed, retry_after in ((600, "300"), (WINDOW - 1, "1")):
                now[0] = start + elapsed
                response = self.attempt("ada", PASSWORD, ip="10.7.1.2")
                assert_json(response, 429, THROTTLED)
                assert response["Retry-After"] == retry_after
            now[0] = start + WINDOW
            assert_json(self.attempt("ada", PASSWORD, ip="10.7.1.3"), 200, HOME)
        assert session_json(self.client)["user"] == ADA


# -- E ---------------------------------------------------------------------------


class EnumerationTests(TestCase):
    """E. User enumeration."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()
        make_user("inactive", is_active=False)
        oauth_only = make_user("oauthonly")
        oauth_only.set_unusable_password()
        oauth_only.save()
        UserSocialAuth.objects.create(user=oauth_only, provider="github", uid="4242")

    cases = {
        "unknown user": ("nobody", PASSWORD),
        "wrong password": ("ada", "wrong"),
        "inactive, right password": ("inactive", PASSWORD),
        "inactive, wrong password": ("inactive", "wrong"),
        "oauth-only user": ("oauthonly", PASSWORD),
        "oauth-only user, empty password": ("oauthonly", ""),
    }

    def test_E1_same_answer_for_every_failure(self):
        for json_mode in (True, False):
            answers = set()
            for name, (username, password) in self.cases.items():
                with self.subTest(json_mode=json_mode, case=name):
                    client = csrf_client()
                    response = post_credentials(
                        client,
                        csrf_token(client),
                        username,
                        password,
                        json_mode=json_mode,
                    )
                    answers.add(
                        (
                            response.status_code,
                            response.content,
                            response.get("Location"),
                            tuple(sorted(response.cookies)),
                            response["Content-Type"],
                            response["Cache-Control"],
                            response["Vary"],
                        )
                    )
                    assert session_json(client) == {}
            if json_mode:
                assert answers == {
                    (
                        401,
                        json.dumps(FAILED, separators=(",", ":")).encode(),
                        None,
                        (),
                        "application/json",
                        NEVER_CACHE,
                        "Cookie",
                    )
                }
            else:
                assert answers == {
                    (
                        302,
                        b"",
                        FAILED["url"],
                        (),
                        "text/html; charset=utf-8",
                        NEVER_CACHE,
                        "Cookie",
                    )
                }

    def test_E2_one_hash_per_attempt(self):
        hasher_class = type(hashers.get_hasher())
        for name, (username, password) in {
            **self.cases,
            "right password": ("ada", PASSWORD),
        }.items():
            with self.subTest(case=name):
                client = csrf_client()
                token = csrf_token(client)
                with mock.patch.object(
                    hasher_class,
                    "encode",
                    autospec=True,
                    side_effect=hasher_class.encode,
                ) as encode:
                    response = post_credentials(client, token, username, password)
                assert encode.call_count == 1
                assert response.status_code == (
                    200 if name == "right password" else 401
                )

    def test_E3_other_endpoints_reveal_nothing(self):
        providers = self.client.get("/api/auth/providers")
        assert_json(
            providers,
            200,
            {
                "credentials": {
                    "id": "credentials",
                    "name": "Credentials",
                    "type": "credentials",
                    "signinUrl": f"{BASE}/signin/credentials",
                    "callbackUrl": f"{BASE}/callback/credentials",
                }
            },
        )
        answers = set()
        for who in ("ada", "nobody", "ada@example.com", "nobody@example.com"):
            error = self.client.get(
                f"/api/auth/error?error=CredentialsSignin&username={who}&email={who}"
            )
            page = self.client.get(f"/api/auth/error?error=AccessDenied&username={who}")
            sign_in_page = self.client.get(
                f"/api/auth/signin?error=CredentialsSignin&username={who}"
            )
            answers.add(
                (
                    error.status_code,
                    error["Location"],
                    page.status_code,
                    page.content,
                    # The masked CSRF token differs on every render.
                    CSRF_FIELD.sub(b"", sign_in_page.content),
                )
            )
            assert who.encode() not in page.content + sign_in_page.content
        assert len(answers) == 1
        assert answers.pop()[:3] == (
            302,
            "/api/auth/signin?error=CredentialsSignin",
            403,
        )

    def test_E4_throttle_does_not_reveal_existence(self):
        client = csrf_client()
        token = csrf_token(client)
        with frozen_time():
            sequences = {
                username: [
                    outcome(
                        post_credentials(client, token, username, ip=f"10.8.{n}.{i}")
                    )
                    for i in range(11)
                ]
                for n, username in enumerate(("ada", "nobody"))
            }
            right = [
                outcome(
                    post_credentials(client, token, username, PASSWORD, ip="10.8.9.9")
                )
                for username in ("ada", "nobody")
            ]
        assert sequences["ada"] == sequences["nobody"]
        assert sequences["ada"] == [(401, FAILED, None)] * 10 + [
            (429, THROTTLED, str(WINDOW))
        ]
        assert right == [(429, THROTTLED, str(WINDOW))] * 2


# -- F ---------------------------------------------------------------------------


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
class CookieTests(TestCase):
    """F. Cookies."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()

    def setUp(self):
        self.client = csrf_client()
        self.https: dict[str, Any] = {
            "secure": True,
            "headers": {"Origin": "https://testserver"},
        }

    def sign_in_over_https(self) -> TestResponse:
        token = self.client.get(CSRF, secure=True).json()["csrfToken"]
        response = post_credentials(self.client, token, "ada", PASSWORD, **self.https)
        assert_json(response, 200, {"url": "https://testserver/"})
        return response

    def test_F1_session_cookie_attributes(self):
        cookie = self.sign_in_over_https().cookies["sessionid"]
        assert cookie["httponly"] is True
        assert cookie["secure"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
        header = cookie.OutputString()
        assert "HttpOnly" in header
        assert "Secure" in header
        assert "SameSite=Lax" in header
        assert "Domain" not in header

    @override_settings(**GITHUB)
    def test_F2_csrf_cookie_and_no_helper_cookies(self):
        issued = self.client.get(CSRF, secure=True).cookies["csrftoken"]
        rotated = self.sign_in_over_https().cookies["csrftoken"]
        for cookie in (issued, rotated):
            assert cookie["secure"] is True
            assert cookie["samesite"] == "Lax"
            assert cookie["path"] == "/"
            assert cookie["domain"] == ""
        # The whole credentials and OAuth flows set no cookie but these two.
        client = csrf_client()
        responses = [client.get(CSRF, secure=True)]
        token = responses[0].json()["csrfToken"]
        responses += [
            client.post(
                "/api/auth/signin/github",
                {"csrfToken": token, "callbackUrl": "/x"},
                **self.https,
            ),
            post_credentials(client, token, "ada", "wrong", **self.https),
            post_credentials(client, token, "ada", PASSWORD, **self.https),
        ]
        token = client.get(CSRF, secure=True).json()["csrfToken"]
        responses.append(client.post(SIGN_OUT, {"csrfToken": token}, **self.https))
        assert [response.status_code for response in responses] == [
            200,
            302,
            401,
            200,
            302,
        ]
        assert {name for response in responses for name in response.cookies} == {
            "csrftoken",
            "sessionid",
        }

    @override_settings(**GITHUB)
    def test_F3_no_secret_in_a_url(self):
        client = csrf_client()
        token = csrf_token(client)
        wrong = "wrong secret"
        failed = post_credentials(
            client, token, "ada", wrong, json_mode=False, callbackUrl="/p"
        )
        urls = [
            failed["Location"],
            client.get(failed["Location"])["Location"],
            post_credentials(client, token, "ada", wrong, callbackUrl="/p").json()[
                "url"
            ],
            client.post(
                "/api/auth/signin/github", {"csrfToken": token, "json": "true"}
            ).json()["url"],
        ]
        signed = post_credentials(
            client, token, "ada", PASSWORD, json_mode=False, callbackUrl="/p"
        )
        urls.append(signed["Location"])
        secrets = [token, client.cookies["csrftoken"].value, session_key(client)]
        token = csrf_token(client)
        urls.append(
            client.post(SIGN_OUT, {"csrfToken": token, "json": "true"}).json()["url"]
        )
        secrets.append(token)
        for password in (PASSWORD, wrong):
            secrets += [password, quote(password), urlencode({"p": password})[2:]]
        for url in urls:
            for secret in secrets:
                assert secret not in url, (url, secret)
        # Credentials by GET are refused and never authenticate.
        by_get = csrf_client()
        query = urlencode(
            {"csrfToken": csrf_token(by_get), "username": "ada", "password": PASSWORD}
        )
        response = by_get.get(f"{CREDENTIALS}?{query}")
        assert response.status_code == 405
        assert response["Allow"] == "POST"
        # Nor in the query string of a POST.
        posted = by_get.post(
            f"{CREDENTIALS}?{query}", {"csrfToken": csrf_token(by_get), "json": "true"}
        )
        assert_json(posted, 401, FAILED)
        assert "sessionid" not in by_get.cookies
        assert session_json(by_get) == {}

    def test_F4_cookie_sizes(self):
        response = self.sign_in_over_https()
        for name in ("sessionid", "csrftoken"):
            assert len(response.cookies[name].OutputString()) < 4096, name
        assert len(self.client.cookies["sessionid"].value) == 32


# -- G ---------------------------------------------------------------------------


class ResponseHeaderTests(TestCase):
    """G. JSON endpoints, caching, response headers."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()

    def setUp(self):
        self.client = csrf_client()

    def test_G1_auth_responses_are_not_cacheable(self):
        client = self.client
        responses = {
            "GET session, signed out": client.get(SESSION),
            "GET csrf": client.get(CSRF),
            "HEAD session": client.head(SESSION),
            "POST session, CSRF failure": post_json(client, SESSION, {"data": {}}),
            "POST callback, CSRF failure": post_credentials(
                client, None, "ada", PASSWORD
            ),
            "POST callback, failure": post_credentials(
                client, csrf_token(client), "ada"
            ),
            "POST callback, failure, 302": post_credentials(
                client, csrf_token(client), "ada", json_mode=False
            ),
            "POST callback, success": post_credentials(
                client, csrf_token(client), "ada", PASSWORD
            ),
            "GET session, signed in": client.get(SESSION),
            "POST session": post_json(
                client, SESSION, {"csrfToken": csrf_token(client), "data": {}}
            ),
            "POST signout, CSRF failure": client.post(SIGN_OUT, {"json": "true"}),
            "POST signout": client.post(SIGN_OUT, {"csrfToken": csrf_token(client)}),
            "POST callback, success, 302": post_credentials(
                client, csrf_token(client), "ada", PASSWORD, json_mode=False
            ),
            "POST signout, JSON": client.post(
                SIGN_OUT, {"csrfToken": csrf_token(client), "json": "true"}
            ),
        }
        for name, response in responses.items():
            with self.subTest(name):
                assert response.status_code in (200, 302, 400, 401)
                assert_never_cached(response)

    def test_G2_shared_cache_does_not_mix_users(self):
        make_user("bob", first_name="Bob", last_name="", email="bob@example.com")
        ada = csrf_client()
        sign_in(ada)
        bob = csrf_client()
        sign_in(bob, "bob")
        bob.cookies["lang"] = "fr"
        stranger = Client()
        stranger.cookies["lang"] = "fr"
        with self.settings(MIDDLEWARE=cached_middleware()):
            for _ in range(2):
                assert session_json(ada)["user"] == ADA
                assert session_json(bob)["user"]["name"] == "Bob"
                assert session_json(stranger) == {}
                assert session_json(Client()) == {}
                # A page that embeds the session varies by cookie.
                assert ada.get("/status/").json()["data"]["user"] == ADA
                assert bob.get("/status/").json()["data"]["user"]["name"] == "Bob"
                assert stranger.get("/status/").json()["status"] == "unauthenticated"
                assert Client().get("/status/").json()["status"] == "unauthenticated"

    @override_settings(**GITHUB)
    def test_G3_json_content_type_and_nosniff(self):
        client = self.client
        token = csrf_token(client)
        responses = [
            client.get(CSRF),
            client.get("/api/auth/providers"),
            client.get(SESSION),
            client.get(f"{SESSION}?callback=alert"),
            post_json(client, SESSION, {"data": {}}),
            post_credentials(client, None, "ada", PASSWORD),
            post_credentials(client, token, "ada"),
            client.post(
                "/api/auth/signin/github", {"csrfToken": token, "json": "true"}
            ),
            client.post("/api/auth/signin/nope", {"csrfToken": token, "json": "true"}),
            client.get("/protected/", headers={"Accept": "application/json"}),
            post_credentials(client, token, "ada", PASSWORD),
            client.get(SESSION),
            post_json(client, SESSION, {"csrfToken": csrf_token(client), "data": {}}),
            client.post(SIGN_OUT, {"csrfToken": csrf_token(client), "json": "true"}),
        ]
        for response in responses:
            with self.subTest(path=response.request["PATH_INFO"]):
                assert response["Content-Type"] == "application/json"
                assert response["X-Content-Type-Options"] == "nosniff"
                assert isinstance(json.loads(response.content), dict)
                assert response.content.startswith(b"{")

    def test_G4_minimal_session_payload(self):
        UserSocialAuth.objects.create(
            user=self.user,
            provider="github",
            uid="4242",
            extra_data={
                "access_token": "gho_accesstoken",
                "refresh_token": "ghr_refreshtoken",
                "id_token": "eyJidtoken",
            },
        )
        sign_in(self.client)
        response = self.client.get(SESSION)
        body = response.json()
        assert body == {"user": ADA, "expires": body["expires"]}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["expires"])
        user = User.objects.get(username="ada")
        for secret in (
            user.password,
            "gho_accesstoken",
            "ghr_refreshtoken",
            "eyJidtoken",
            session_key(self.client),
        ):
            assert secret.encode() not in response.content

    def test_G5_error_page_does_not_reflect_input(self):
        hostile = self.client.get(
            "/api/auth/error", {"error": "<script>alert(1)</script>"}
        )
        assert hostile.status_code == 200
        assert b"<h1>Error</h1>" in hostile.content
        assert b"alert(1)" not in hostile.content
        assert b"<script" not in hostile.content
        injected = self.client.get("/api/auth/error?error=Configuration%0d%0aX:1")
        assert injected.status_code == 200
        assert not injected.has_header("X")
        assert b"X:1" not in injected.content
        for code, status in (
            ("AccessDenied", 403),
            ("accessdenied", 403),
            ("Verification", 403),
            ("Configuration", 500),
            ("InvalidProvider", 404),
            ("Default", 200),
            ("Nope", 200),
        ):
            with self.subTest(code=code):
                response = self.client.get(
                    "/api/auth/error",
                    {"error": code, "callbackUrl": "javascript:alert(1)"},
                )
                assert response.status_code == status
                assert response["Content-Type"] == "text/html; charset=utf-8"
                assert_never_cached(response)
                assert b"javascript" not in response.content
        sign_in_page = self.client.get(
            "/api/auth/signin", {"error": "<script>alert(1)</script>"}
        )
        assert (
            b'<p class="useauth-error" role="alert">Unable to sign in.</p>'
            in sign_in_page.content
        )
        assert b"alert(1)" not in sign_in_page.content
        with self.settings(USEAUTH_PAGES_ERROR="/custom-error/"):
            custom = self.client.get(
                "/api/auth/error?error=%3Cscript%3E&callbackUrl=//evil.example"
            )
        assert custom.status_code == 302
        assert custom["Location"] == "/custom-error/?error=Default"

    @override_settings(ROOT_URLCONF=TagsUrlconf, **GITHUB)
    def test_G6_template_tags_escape_user_data(self):
        first = "<img src=x onerror=alert(1)>"
        last = '"><script>alert(2)</script>'
        email = '"onmouseover="alert(3)"@example.com'
        make_user("mallory", first_name=first, last_name=last, email=email)
        sign_in(self.client, "mallory")
        response = self.client.get('/tags/?q="><svg onload=alert(4)>')
        assert response.status_code == 200
        html = response.content.decode()
        for raw in (
            "<img",
            "<script>alert",
            "<svg",
            'onmouseover="alert',
            "onload=alert(4)>",
        ):
            assert raw not in html, raw
        name = f"{first} {last}"
        assert '<p id="status">authenticated</p>' in html
        assert f'<p id="name">{escape(name)}</p>' in html
        assert f'<p id="context">{escape(name)}</p>' in html
        assert f'<p id="email">{escape(email)}</p>' in html
        data = re.search(
            r'<script id="useauth-data" type="application/json">(.*?)</script>', html
        )
        assert data is not None
        assert "<" not in data.group(1)
        assert json.loads(data.group(1))["session"]["user"] == {
            "name": name,
            "email": email,
            "image": None,
        }
        callback_urls = HIDDEN_CALLBACK.findall(html)
        assert (
            len(callback_urls) == 3
        )  # sign-out form, provider button, credentials form
        assert {unescape(value) for value in callback_urls} == {
            "/tags/?q=%22%3E%3Csvg%20onload=alert(4)%3E"
        }
        assert (
            'href="/api/auth/signin?callbackUrl=%2Ftags%2F%3Fq%3D%2522%253E%253Csvg%2520onload%3Dalert%284%29%253E"'
            in html
        )


# -- H ---------------------------------------------------------------------------


class CorsTests(TestCase):
    """H. CORS and Origin."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()

    def setUp(self):
        self.client = csrf_client()

    def test_H1_no_cors_for_foreign_origins(self):
        for origin in ("https://evil.example", "null", "http://testserver"):
            with self.subTest(origin=origin):
                headers = {"Origin": origin}
                assert_no_cors(self.client.get(SESSION, headers=headers))
                assert_no_cors(self.client.get(CSRF, headers=headers))
                assert_no_cors(self.client.get("/api/auth/providers", headers=headers))
        sign_in(self.client)
        response = self.client.get(SESSION, headers={"Origin": "https://evil.example"})
        assert response.json()["user"] == ADA
        assert_no_cors(response)

    def test_H2_preflight(self):
        for route, allow in ROUTES.items():
            for origin in ("https://evil.example", "null"):
                with self.subTest(route=route, origin=origin):
                    response = self.client.options(
                        route,
                        headers={
                            "Origin": origin,
                            "Access-Control-Request-Method": "POST",
                            "Access-Control-Request-Headers": "content-type, x-csrftoken",
                        },
                    )
                    assert response.status_code == 405
                    assert response["Allow"] == allow
                    assert_no_cors(response)

    @override_settings(**GITHUB)
    def test_H3_origin_is_not_an_authenticator(self):
        same_origin = {"Origin": "http://testserver"}
        csrf_token(self.client)
        assert_json(
            post_credentials(self.client, None, "ada", PASSWORD, headers=same_origin),
            200,
            SIGN_IN_CSRF,
        )
        assert_json(
            self.client.post(
                "/api/auth/signin/github", {"json": "true"}, headers=same_origin
            ),
            200,
            SIGN_IN_CSRF,
        )
        # No cookie at all, a token from elsewhere.
        stranger = csrf_client()
        token = csrf_token(csrf_client())
        assert_json(
            post_credentials(stranger, token, "ada", PASSWORD, headers=same_origin),
            200,
            SIGN_IN_CSRF,
        )
        assert session_json(self.client) == {}
        assert session_json(stranger) == {}
        sign_in(self.client)
        assert_json(
            self.client.post(SIGN_OUT, {"json": "true"}, headers=same_origin),
            200,
            SIGN_OUT_CSRF,
        )
        assert_json(
            post_json(self.client, SESSION, {"data": {}}, headers=same_origin), 400, {}
        )
        assert session_json(self.client)["user"] == ADA


# -- I ---------------------------------------------------------------------------


def assert_stays_on_site(url: str, case: RedirectCase) -> None:
    """``url`` cannot take a browser off the request's site, nor run script."""
    assert not any(unicodedata.category(char).startswith("C") for char in url)
    parts = urlsplit(url)
    assert parts.scheme in (("https",) if case.secure else ("http", "https"))
    assert parts.netloc.lower() == case.host
    assert not parts.path.replace("\\", "/").startswith("//")


class RedirectTests(TestCase):
    """I. Redirect targets (callbackUrl / next)."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()

    def setUp(self):
        self.client = csrf_client()

    def test_I1_no_callback_url_leaves_the_site(self):
        # Exact outcomes per value are in tests/test_redirects.py; here, the
        # property over the whole corpus, for each sink a browser navigates to.
        for case in CORPUS:
            with self.subTest(value=case.value, secure=case.secure, host=case.host):
                client = Client()
                site: dict[str, Any] = {
                    "secure": case.secure,
                    "headers": {"host": case.host},
                }
                body = {
                    "username": "ada",
                    "password": PASSWORD,
                    "json": "true",
                    "callbackUrl": case.value,
                }
                signed_in = client.post(
                    CREDENTIALS, urlencode(body), content_type=FORM, **site
                )
                assert signed_in.status_code == 200
                assert_stays_on_site(signed_in.json()["url"], case)
                out = {"callbackUrl": case.value}
                redirect = client.post(
                    SIGN_OUT, urlencode(out), content_type=FORM, **site
                )
                assert redirect.status_code == 302
                assert_stays_on_site(redirect["Location"], case)
                as_json = client.post(
                    SIGN_OUT,
                    urlencode({**out, "json": "true"}),
                    content_type=FORM,
                    **site,
                )
                assert as_json.status_code == 200
                assert_stays_on_site(as_json.json()["url"], case)

    @override_settings(**GITHUB)
    def test_I2_stored_callback_url_is_checked_again(self):
        for value in (
            "//evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\\evil.example",
            "/.//evil.example",
            "/x\r\nSet-Cookie: a=b",
        ):
            with self.subTest(value=value):
                client = Client()
                plant_session(client, **{"_useauth_callback_url:github": value})
                with mock.patch.object(
                    oauth, "do_complete", fake_oauth_success(self.user)
                ):
                    response = client.get("/api/auth/callback/github?code=x&state=y")
                assert response.status_code == 302
                assert response["Location"] == "http://testserver/"
                assert "_useauth_callback_url:github" not in client.session
                assert session_json(client)["user"] == ADA

    @override_settings(**GITHUB)
    def test_I2_stored_callback_url_checked_on_failure(self):
        client = Client()
        plant_session(client, **{"_useauth_callback_url:github": "//evil.example"})
        with (
            mock.patch.object(
                oauth, "do_complete", side_effect=social.AuthCanceled(None)
            ),
            self.assertLogs("django_useauth.oauth", logging.WARNING),
        ):
            response = client.get("/api/auth/callback/github?code=x&state=y")
        assert response.status_code == 302
        assert session_json(client) == {}
        page = client.get(response["Location"])
        assert page.status_code == 403
        assert b"evil.example" not in page.content
        # The stored value is checked before it is put in the error URL, as a
        # posted one is (it is dropped, not passed on).
        assert response["Location"] == f"{BASE}/error?error=AccessDenied"

    @override_settings(**GITHUB)
    def test_I3_parameter_pollution(self):
        credentials = urlencode(
            {"username": "ada", "password": PASSWORD, "json": "true"}
        )
        for query, body, expected in (
            ("callbackUrl=/ok&callbackUrl=//evil.example", "", "http://testserver/"),
            ("callbackUrl=//evil.example&callbackUrl=/ok", "", "http://testserver/ok"),
            ("callbackUrl=/ok", "callbackUrl=%2F%2Fevil.example", "http://testserver/"),
            ("callbackUrl=//evil.example", "callbackUrl=%2Fok", "http://testserver/ok"),
            (
                "",
                "callbackUrl=%2Fok&callbackUrl=%2F%2Fevil.example",
                "http://testserver/",
            ),
            (
                "",
                "callbackUrl=%2F%2Fevil.example&callbackUrl=%2Fok",
                "http://testserver/ok",
            ),
        ):
            with self.subTest(query=query, body=body):
                client = csrf_client()
                data = f"csrfToken={csrf_token(client)}&{credentials}" + (
                    f"&{body}" if body else ""
                )
                response = client.post(
                    f"{CREDENTIALS}?{query}", data, content_type=FORM
                )
                assert_json(response, 200, {"url": expected})
        # The OAuth start keeps the value it validated, or nothing.
        for query, body, stored in (
            ("callbackUrl=/ok", "callbackUrl=%2F%2Fevil.example", None),
            ("callbackUrl=//evil.example", "callbackUrl=%2Fok", "/ok"),
            ("", "callbackUrl=%2Fok&callbackUrl=%2F%2Fevil.example", None),
        ):
            with self.subTest(query=query, body=body):
                client = csrf_client()
                data = f"csrfToken={csrf_token(client)}&{body}"
                client.post(f"/api/auth/signin/github?{query}", data, content_type=FORM)
                assert client.session.get("_useauth_callback_url:github") == stored
        page = self.client.get(
            "/api/auth/signin?callbackUrl=/ok&callbackUrl=//evil.example"
        )
        assert HIDDEN_CALLBACK.findall(page.content.decode()) == []
        assert b"evil.example" not in page.content

    def test_I4_auth_required_builds_a_relative_callback_url(self):
        response = self.client.get("/protected/?x=1", headers={"host": "localhost"})
        assert response.status_code == 302
        assert (
            response["Location"]
            == "/api/auth/signin?callbackUrl=%2Fprotected%2F%3Fx%3D1"
        )
        page = self.client.get(response["Location"])
        [callback_url] = HIDDEN_CALLBACK.findall(page.content.decode())
        signed = post_credentials(
            self.client,
            csrf_token(self.client),
            "ada",
            PASSWORD,
            json_mode=False,
            callbackUrl=unescape(callback_url),
        )
        assert signed["Location"] == "http://testserver/protected/?x=1"
        assert self.client.get(signed["Location"]).content == b"protected"

    @override_settings(ROOT_URLCONF=TwoSlashUrlconf)
    def test_I4_path_starting_with_two_slashes(self):
        response = self.client.get("/", PATH_INFO="//evil.example/protected/")
        assert response.status_code == 302
        assert response["Location"] == "/api/auth/signin"
        page = self.client.get(response["Location"])
        assert HIDDEN_CALLBACK.findall(page.content.decode()) == []
        signed = post_credentials(
            self.client, csrf_token(self.client), "ada", PASSWORD, json_mode=False
        )
        assert signed["Location"] == "http://testserver/"

    def test_I5_front_end_on_another_origin(self):
        host: dict[str, Any] = {"headers": {"host": "localhost:8000"}}

        def sign_in_to(callback_url: str) -> Any:
            client = Client()
            body = {
                "username": "ada",
                "password": PASSWORD,
                "json": "true",
                "callbackUrl": callback_url,
            }
            signed = client.post(
                CREDENTIALS, urlencode(body), content_type=FORM, **host
            ).json()["url"]
            out = client.post(
                SIGN_OUT,
                urlencode({"callbackUrl": callback_url, "json": "true"}),
                content_type=FORM,
                **host,
            )
            return signed, out.json()["url"]

        fallback = "http://localhost:8000/"
        assert sign_in_to("http://localhost:3000/x") == (fallback, fallback)
        with self.settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=["http://localhost:3000"]):
            assert (
                sign_in_to("http://localhost:3000/x")
                == ("http://localhost:3000/x",) * 2
            )
            for value in (
                "http://localhost:3001/x",
                "https://localhost:3000/x",
                "//localhost:3000/x",
                "http://localhost:3000@evil.example/",
            ):
                with self.subTest(value=value):
                    assert sign_in_to(value) == (fallback, fallback)


# -- J ---------------------------------------------------------------------------


class MethodTests(TestCase):
    """J. HTTP methods."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()

    def setUp(self):
        self.client = csrf_client()

    @override_settings(**GITHUB)
    def test_J1_unknown_and_unsafe_methods(self):
        sign_in(self.client)
        key = session_key(self.client)
        stored = dict(store(key).items())
        body = urlencode(
            {
                "csrfToken": csrf_token(self.client),
                "username": "ada",
                "password": PASSWORD,
            }
        )
        for method in ("PUT", "PATCH", "DELETE", "TRACE", "FOO"):
            for route, allow in ROUTES.items():
                with self.subTest(method=method, route=route):
                    response = self.client.generic(
                        method, route, body, content_type=FORM
                    )
                    assert response.status_code == 405
                    assert response["Allow"] == allow
                    assert response.content == b""
            for route in UNKNOWN_ROUTES:
                with self.subTest(method=method, route=route):
                    assert self.client.generic(method, route).status_code == 404
        assert session_json(self.client)["user"] == ADA
        assert dict(store(key).items()) == stored

    def test_J2_head(self):
        fresh = csrf_client()
        head = fresh.head(CSRF)
        assert head.status_code == 200
        assert head.content == b""
        issued = head.cookies["csrftoken"].value
        assert fresh.get(CSRF).cookies["csrftoken"].value == issued
        sign_in(self.client)
        key = session_key(self.client)
        stored = dict(store(key).items())
        cookie = self.client.cookies["csrftoken"].value
        for route in (SESSION, CSRF):
            with self.subTest(route=route):
                get = self.client.get(route)
                head = self.client.head(route)
                assert head.status_code == 200
                assert head.content == b""
                for header in (
                    "Content-Type",
                    "Cache-Control",
                    "Vary",
                    "X-Content-Type-Options",
                ):
                    assert head[header] == get[header]
        assert self.client.head(SIGN_OUT).status_code == 200
        callback = self.client.head(CREDENTIALS)
        assert callback.status_code == 405
        assert callback["Allow"] == "POST"
        assert self.client.cookies["csrftoken"].value == cookie
        assert session_json(self.client)["user"] == ADA
        assert dict(store(key).items()) == stored

    @override_settings(**GITHUB)
    def test_J3_options(self):
        sign_in(self.client)
        key = session_key(self.client)
        stored = dict(store(key).items())
        for route, allow in ROUTES.items():
            with self.subTest(route=route):
                response = self.client.options(
                    route, headers={"Origin": "https://evil.example"}
                )
                assert response.status_code == 405
                assert response["Allow"] == allow
                assert_no_cors(response)
        for route in UNKNOWN_ROUTES:
            with self.subTest(route=route):
                assert self.client.options(route).status_code == 404
        assert session_json(self.client)["user"] == ADA
        assert dict(store(key).items()) == stored

    @override_settings(**GITHUB)
    def test_J4_get_on_post_only_actions(self):
        start = self.client.get("/api/auth/signin/github?callbackUrl=/x")
        assert start.status_code == 200
        assert start["Content-Type"] == "text/html; charset=utf-8"
        assert b"Sign in with GitHub" in start.content
        assert b"github.com" not in start.content
        assert "sessionid" not in self.client.cookies
        credentials = self.client.get(f"{CREDENTIALS}?username=ada&password=x")
        assert credentials.status_code == 405
        assert credentials["Allow"] == "POST"
        sign_in(self.client)
        assert self.client.get(SIGN_OUT).status_code == 200
        assert session_json(self.client)["user"] == ADA


# -- K ---------------------------------------------------------------------------


class RequestBodyTests(TestCase):
    """K. Request bodies and content types."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()

    def setUp(self):
        self.client = csrf_client()
        self.token = csrf_token(self.client)

    def credentials(self, **extra: str) -> dict[str, str]:
        return {
            "csrfToken": self.token,
            "username": "ada",
            "password": PASSWORD,
            **extra,
        }

    def test_K1_oversized_body(self):
        padding = "x" * (3 * 1024 * 1024)
        for route in (CREDENTIALS, SIGN_OUT, SESSION):
            for content_type, body in (
                (FORM, urlencode(self.credentials(padding=padding))),
                ("application/json", json.dumps(self.credentials(padding=padding))),
            ):
                with (
                    self.subTest(route=route, content_type=content_type),
                    self.assertLogs("django.security.RequestDataTooBig", logging.ERROR),
                ):
                    response = self.client.post(route, body, content_type=content_type)
                    assert response.status_code == 400
                    assert "sessionid" not in response.cookies
        assert session_json(self.client) == {}

    def test_K2_too_many_fields(self):
        fields = self.credentials(**{f"f{n}": "x" for n in range(1001)})
        for content_type, body in ((FORM, urlencode(fields)), (None, fields)):
            with (
                self.subTest(content_type=content_type),
                self.assertLogs("django.security.TooManyFieldsSent", logging.ERROR),
            ):
                if content_type is None:
                    response = self.client.post(CREDENTIALS, body)  # multipart
                else:
                    response = self.client.post(
                        CREDENTIALS, body, content_type=content_type
                    )
                assert response.status_code == 400
        assert session_json(self.client) == {}

    def test_K3_huge_field_values(self):
        hasher_class = type(hashers.get_hasher())
        for name, username, password in (
            ("10k-character username", "\ufdfa" * 10_000, PASSWORD),
            ("10k-character username of ASCII", "a" * 10_000, PASSWORD),
            ("1 MB password", "ada", "p" * 1_000_000),
            ("both", "\ufdfa" * 10_000, "p" * 1_000_000),
        ):
            with (
                self.subTest(name),
                mock.patch.object(
                    hasher_class,
                    "encode",
                    autospec=True,
                    side_effect=hasher_class.encode,
                ) as encode,
            ):
                started = time.perf_counter()
                response = post_credentials(self.client, self.token, username, password)
                elapsed = time.perf_counter() - started
                assert_json(response, 401, FAILED)
                assert encode.call_count == 1
                assert elapsed < 2
        assert session_json(self.client) == {}

    @override_settings(**GITHUB)
    def test_K4_malformed_bodies(self):
        malformed = [
            ("application/json", b"{bad json"),
            ("application/json", b'{"username": "\xff\xfe"}'),
            ("application/json", b"[1, 2]"),
            ("application/json", b"null"),
            ("application/json", b'"csrfToken"'),
            ("application/vnd.api+json", b"{"),
            ("multipart/form-data", b"csrfToken=x&username=ada"),
            # Deeper than the parser's recursion limit.
            ("application/json", b'{"username": ' + b"[" * 100_000),
            # A lone surrogate parses, but is not text anything can encode.
            ("application/json", b'{"username": "\\ud800", "password": "x"}'),
            ("application/json", b'{"password": "\\udfff", "username": "ada"}'),
            ("application/json", b'{"data": {"name": "\\ud800"}}'),
        ]
        for route in (CREDENTIALS, "/api/auth/signin/github", SIGN_OUT, SESSION):
            for content_type, body in malformed:
                with self.subTest(route=route, content_type=content_type, body=body):
                    response = self.client.post(route, body, content_type=content_type)
                    assert response.status_code == 400
                    assert_never_cached(response)
                    if route == SESSION:
                        assert_json(response, 400, {})
                    else:
                        assert response.content == MALFORMED
        # Well-formed but 5,000 levels deep: malformed where Python's JSON
        # parser cannot go that deep (3.11), an ordinary body without a CSRF
        # token where it can (3.12 and later). Never a 500.
        deep = b'{"json": true, "data": ' + b"[" * 5000 + b"]" * 5000 + b"}"
        for route, refused in (
            (CREDENTIALS, SIGN_IN_CSRF),
            ("/api/auth/signin/github", SIGN_IN_CSRF),
            (SIGN_OUT, SIGN_OUT_CSRF),
        ):
            with self.subTest(route=route, body="deep"):
                response = self.client.post(
                    route, deep, content_type="application/json"
                )
                assert_never_cached(response)
                compact = json.dumps(refused, separators=(",", ":")).encode()
                assert (response.status_code, response.content) in {
                    (400, MALFORMED),
                    (200, compact),
                }
        assert_json(
            self.client.post(SESSION, deep, content_type="application/json"), 400, {}
        )
        # An unknown provider's callback answers its 404 whatever the body.
        for content_type, body in malformed:
            with self.subTest(route="callback/nosuch", body=body):
                unknown = self.client.post(
                    "/api/auth/callback/nosuch", body, content_type=content_type
                )
                assert unknown.status_code == 404
        # Bodies that parse, with junk in them: the generic failure.
        prefix = f"csrfToken={self.token}&json=true&".encode()
        for body in (
            prefix + b"username=\xff\xfe&password=x",
            prefix + b"username=%zz&password=%zz",
            prefix + b"username=ada&password=%ff%fe",
            prefix + b"username=ada&password=%",
        ):
            with self.subTest(body=body):
                response = self.client.post(CREDENTIALS, body, content_type=FORM)
                assert_json(response, 401, FAILED)
        assert session_json(self.client) == {}

    def test_K5_content_types(self):
        fields = {"username": "ada", "password": PASSWORD, "json": "true"}

        def post(client: Client, token: str | None, content_type: str) -> TestResponse:
            data = {**fields, "csrfToken": token} if token else dict(fields)
            if content_type == "application/json":
                return post_json(client, CREDENTIALS, data)
            if content_type == FORM:
                return client.post(CREDENTIALS, urlencode(data), content_type=FORM)
            return client.post(CREDENTIALS, data)  # multipart

        # Each accepted content type is CSRF-checked, then signs in.
        for content_type in ("application/json", FORM, "multipart"):
            with self.subTest(content_type=content_type):
                client = csrf_client()
                token = csrf_token(client)
                assert_json(post(client, None, content_type), 200, SIGN_IN_CSRF)
                assert session_json(client) == {}
                assert_json(post(client, token, content_type), 200, HOME)
                assert session_json(client)["user"] == ADA
        # No content type, or one Django does not parse: an empty body, so no
        # token (CSRF-rejected) even when the body carries one...
        for content_type in ("", "text/plain", "application/xml"):
            with self.subTest(content_type=content_type):
                client = csrf_client()
                body = urlencode({**fields, "csrfToken": csrf_token(client)})
                response = client.generic(
                    "POST", CREDENTIALS, body, content_type=content_type
                )
                assert response.status_code == 302
                assert response["Location"] == SIGN_IN_CSRF["url"]
                # ...and with the token in the header, no credentials.
                response = client.generic(
                    "POST",
                    CREDENTIALS,
                    body,
                    content_type=content_type,
                    headers={"X-CSRFToken": csrf_token(client)},
                )
                assert response.status_code == 302
                assert response["Location"] == FAILED["url"]
                assert session_json(client) == {}

    def test_K6_type_confusion(self):
        for fields in (
            {"username": ["ada", "b"], "password": {"$ne": ""}, "callbackUrl": ["/x"]},
            {"username": {"$gt": ""}, "password": PASSWORD},
            {"username": ["ada"], "password": PASSWORD},
            {"username": "ada", "password": [PASSWORD]},
            {"username": 1, "password": 1},
            {"username": None, "password": None},
            {"username": True, "password": PASSWORD},
            {"username": "ada"},
        ):
            with self.subTest(fields=fields):
                response = post_json(
                    self.client,
                    CREDENTIALS,
                    {"csrfToken": self.token, "json": True, **fields},
                )
                assert_json(response, 401, FAILED)
        # A token that is not a string is no token.
        no_token = post_json(
            self.client,
            CREDENTIALS,
            {**self.credentials(), "csrfToken": [self.token], "json": "true"},
        )
        assert_json(no_token, 200, SIGN_IN_CSRF)
        # A json flag that is not true or "true" is not JSON mode.
        redirect = post_json(
            self.client,
            CREDENTIALS,
            {**self.credentials(password="x"), "json": ["true"]},
        )
        assert redirect.status_code == 302
        assert redirect["Location"] == FAILED["url"]
        assert session_json(self.client) == {}
        # A callbackUrl that is not a string is ignored.
        signed = post_json(
            self.client,
            CREDENTIALS,
            {
                **self.credentials(),
                "json": True,
                "callbackUrl": {"url": "//evil.example"},
            },
        )
        assert_json(signed, 200, HOME)


# -- L ---------------------------------------------------------------------------


@override_settings(**GITHUB)
class ProviderIdTests(TestCase):
    """L. Provider ids."""

    def setUp(self):
        self.client = csrf_client()
        self.token = csrf_token(self.client)

    def assert_invalid_provider(self, response: TestResponse, provider: str) -> None:
        assert response.status_code == 404
        assert not response.has_header("Location")
        assert provider.encode() not in response.content
        assert escape(provider).encode() not in response.content

    def test_L1_unknown_provider(self):
        for provider in ("doesnotexist", "<img src=x onerror=alert(1)>"):
            with self.subTest(provider=provider):
                route = quote(provider, safe="")
                as_json = self.client.post(
                    f"/api/auth/signin/{route}",
                    {"csrfToken": self.token, "json": "true"},
                )
                assert_json(
                    as_json, 404, {"url": f"{BASE}/error?error=InvalidProvider"}
                )
                for response in (
                    self.client.post(
                        f"/api/auth/signin/{route}", {"csrfToken": self.token}
                    ),
                    self.client.get(f"/api/auth/callback/{route}?code=x&state=y"),
                    self.client.post(f"/api/auth/callback/{route}?code=x&state=y"),
                ):
                    self.assert_invalid_provider(response, provider)
                    assert response["Content-Type"] == "text/html; charset=utf-8"
                    assert b"This sign-in method is not available." in response.content
                callback_json = self.client.post(
                    f"/api/auth/callback/{route}", {"json": "true"}
                )
                assert_json(
                    callback_json, 404, {"url": f"{BASE}/error?error=InvalidProvider"}
                )
        assert "sessionid" not in self.client.cookies

    def test_L2_path_traversal_and_encoded_ids(self):
        routes = [
            "/api/auth/signin/..%2F..%2Fadmin",
            "/api/auth/callback/%2e%2e",
            "/api/auth/signin/github%2F..%2Fcredentials",
            "/api/auth/signin/credentials%00",
            "/api/auth/signin/github%00",
            "/api/auth/signin/GITHUB",
            "/api/auth/callback/GITHUB",
            f"/api/auth/signin/{quote('ｇｉｔｈｕｂ')}",
            "/api/auth/signin/social_core.backends.github.GithubOAuth2",
            "/api/auth/signin/django.contrib.auth.backends.ModelBackend",
            "/api/auth/signin/github%20",
        ]
        with mock.patch(
            "django_useauth.providers.import_string", wraps=import_string
        ) as imported:
            for route in routes:
                with self.subTest(route=route):
                    response = self.client.post(
                        route, {"csrfToken": self.token, "json": "true"}
                    )
                    assert response.status_code == 404
                    assert not response.has_header("Location")
                    assert b"github.com" not in response.content
        # Nothing was imported by a name from a request.
        assert {call.args[0] for call in imported.call_args_list} <= set(
            settings.AUTHENTICATION_BACKENDS
        )
        assert "sessionid" not in self.client.cookies
        # The only other spelling of an id that resolves: a trailing slash, as in Auth.js.
        trailing = self.client.post(
            "/api/auth/signin/github/", {"csrfToken": self.token, "json": "true"}
        )
        assert trailing.json()["url"].startswith(
            "https://github.com/login/oauth/authorize?"
        )

    def test_L3_action_confusion(self):
        for route in (
            "/api/auth/signinn",
            "/api/auth/auth/signin",
            "/api/auth/signin/github/extra",
            "/api/auth/callback/github/extra",
            "/api/auth/sessions",
            "/api/auth/signin/",
            "/api/auth/callback/",
        ):
            with self.subTest(route=route):
                assert self.client.get(route).status_code == 404
                assert (
                    self.client.post(
                        route, {"csrfToken": self.token, "json": "true"}
                    ).status_code
                    == 404
                )
        assert "sessionid" not in self.client.cookies


# -- M ---------------------------------------------------------------------------


class CredentialInputTests(TestCase):
    """M. Usernames and passwords."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()
        make_user("admin", email="admin@example.com")

    def setUp(self):
        self.client = csrf_client()
        self.token = csrf_token(self.client)

    def test_M1_sql_looking_usernames(self):
        usernames = [
            "' OR '1'='1",
            "admin'--",
            'admin" OR 1=1 --',
            "%",
            "_",
            "*",
            "admin%",
            "ad_in",
            "%@example.com",
            "_dmin@example.com",
            "' OR 1=1; DROP TABLE auth_user; --",
        ]
        for backends in (
            ["django.contrib.auth.backends.ModelBackend"],
            ["django_useauth.backends.UsernameOrEmailBackend"],
        ):
            with self.settings(AUTHENTICATION_BACKENDS=backends):
                for username in usernames:
                    with self.subTest(backends=backends, username=username):
                        response = post_credentials(
                            self.client, self.token, username, PASSWORD
                        )
                        assert_json(response, 401, FAILED)
        assert session_json(self.client) == {}
        assert User.objects.count() == 2

    def test_M2_nul_and_control_characters(self):
        values = [
            "ada\x00",
            "ada\r\nX: y",
            "\u202eada",
            "ada\x00\r\nX: y",
            "\x00",
            "ada\x1b[31m",
        ]
        with all_logs() as lines:
            for value in values:
                with self.subTest(value=value):
                    assert_json(
                        post_credentials(self.client, self.token, value, PASSWORD),
                        401,
                        FAILED,
                    )
                    redirect = post_credentials(
                        self.client, self.token, value, PASSWORD, json_mode=False
                    )
                    assert redirect.status_code == 302
                    assert redirect["Location"] == FAILED["url"]
                    as_json = post_json(
                        self.client,
                        CREDENTIALS,
                        {
                            "csrfToken": self.token,
                            "json": True,
                            "username": value,
                            "password": PASSWORD,
                        },
                    )
                    assert_json(as_json, 401, FAILED)
                    # As a password, too.
                    assert_json(
                        post_credentials(
                            self.client, self.token, "ada", PASSWORD + value
                        ),
                        401,
                        FAILED,
                    )
        assert session_json(self.client) == {}
        assert (
            "django.request WARNING Unauthorized: /api/auth/callback/credentials"
            in lines
        )
        for line in lines:
            for raw in ("\r", "\x00", "\u202e", "\x1b", "X: y"):
                assert raw not in line, (line, raw)

    def test_M3_unicode_equivalence(self):
        make_user("alice", first_name="Alice", last_name="", email="alice@example.com")
        for username in (
            "ALICE",
            "alice\u200b",
            "\u0430lice",
            "al\u0130ce",
            "ali\u0307ce",
            "alice\u0301",
        ):
            with self.subTest(username=username):
                assert_json(
                    post_credentials(self.client, self.token, username, PASSWORD),
                    401,
                    FAILED,
                )
        assert session_json(self.client) == {}
        # NFKC, as Django's login form (UsernameField) and registration do.
        assert_json(
            post_credentials(self.client, self.token, "ａｌｉｃｅ", PASSWORD), 200, HOME
        )
        assert session_json(self.client)["user"] == {
            "name": "Alice",
            "email": "alice@example.com",
            "image": None,
        }

    def test_M4_whitespace_is_not_trimmed(self):
        for username, password in (
            (" ada", PASSWORD),
            ("ada ", PASSWORD),
            ("ada\t", PASSWORD),
            ("ada\u00a0", PASSWORD),
            ("ada", f" {PASSWORD}"),
            ("ada", f"{PASSWORD} "),
            ("ada", PASSWORD.upper()),
        ):
            with self.subTest(username=username, password=password):
                assert_json(
                    post_credentials(self.client, self.token, username, password),
                    401,
                    FAILED,
                )
        spaced = make_user("spaced")
        spaced.set_password("  padded Secret  ")
        spaced.save()
        for password in ("padded Secret", "  padded secret  ", "padded Secret  "):
            with self.subTest(password=password):
                assert_json(
                    post_credentials(self.client, self.token, "spaced", password),
                    401,
                    FAILED,
                )
        assert session_json(self.client) == {}
        assert_json(
            post_credentials(self.client, self.token, "spaced", "  padded Secret  "),
            200,
            HOME,
        )

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=3)
    def test_M5_secrets_not_logged(self):
        canary_user = make_user("canary")
        canary_user.set_password(CANARY)
        canary_user.save()
        keys = []
        with all_logs() as lines:
            assert_json(
                post_credentials(self.client, self.token, "ada", CANARY), 401, FAILED
            )
            assert_json(
                post_credentials(self.client, self.token, "nobody", CANARY), 401, FAILED
            )
            assert_json(
                post_credentials(self.client, self.token, "canary\x00", CANARY),
                401,
                FAILED,
            )
            with self.settings(
                USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.broken_sign_in"
            ):
                refused = post_credentials(self.client, self.token, "canary", CANARY)
            assert_json(refused, 403, {"url": f"{BASE}/error?error=AccessDenied"})
            assert_json(
                post_credentials(self.client, self.token, "canary", CANARY), 200, HOME
            )
            keys.append(session_key(self.client))
            assert session_json(self.client)["user"]["email"] == "canary@example.com"
            for _ in range(4):
                post_credentials(self.client, csrf_token(self.client), "ada", CANARY)
            assert_json(
                post_credentials(self.client, csrf_token(self.client), "ada", CANARY),
                429,
                THROTTLED,
            )
        assert any("USEAUTH_SIGN_IN_CALLBACK raised" in line for line in lines)
        assert any("Traceback" in line for line in lines)
        for line in lines:
            assert CANARY not in line
            for key in keys:
                assert key not in line

    @override_settings(AUTHENTICATION_BACKENDS=["tests.test_attacks.ExplodingBackend"])
    def test_M5_error_reports_hide_the_password(self):
        # The report Django's logging mails to ADMINS (or an error tracker
        # collects) when the user database is down during a sign-in.
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        token = csrf_token(client)
        with self.assertLogs("django.request", logging.ERROR) as logs:
            response = post_credentials(client, token, "ada", CANARY, json_mode=False)
        assert response.status_code == 500
        [record] = logs.records
        assert record.exc_info is not None
        exc_type, exc_value, traceback = record.exc_info
        request = record.request  # type: ignore[attr-defined]
        reporter = ExceptionReporter(
            request, exc_type, exc_value, traceback, is_email=True
        )
        text = reporter.get_traceback_text()
        html = reporter.get_traceback_html()
        assert "the user database is down" in text
        assert "password" in text
        assert {"text report": CANARY in text, "HTML report": CANARY in html} == {
            "text report": False,
            "HTML report": False,
        }


# -- N ---------------------------------------------------------------------------


@override_settings(SESSION_ENGINE="django_useauth.sessions.cache")
class ConcurrencyTests(LiveClientMixin, LiveServerTestCase):
    """N. Concurrency and races."""

    def setUp(self):
        self.user = make_user()

    def signed_in(self) -> tuple[dict[str, str], str]:
        """The cookies of a fresh sign-in, and a CSRF token for them."""
        token, csrf_cookie = self.csrf()
        response = self.send(
            "POST",
            CREDENTIALS,
            {"csrftoken": csrf_cookie},
            data={
                "csrfToken": token,
                "username": "ada",
                "password": PASSWORD,
                "json": "true",
            },
        )
        assert response.json() == {"url": f"{self.live_server_url}/"}
        cookies = {
            "csrftoken": response.cookies["csrftoken"],
            "sessionid": response.cookies["sessionid"],
        }
        token, _ = self.csrf(cookies)
        return cookies, token

    def make_due(self, key: str) -> None:
        """Make the session due for its extension on the next read."""
        session = store(key)
        session[REFRESHED_AT_KEY] = (
            timezone.now() - timedelta(days=2, hours=1)
        ).isoformat()
        session.save()

    def test_N1_parallel_reads_never_call_the_provider(self):
        UserSocialAuth.objects.create(
            user=self.user,
            provider="github",
            uid="4242",
            extra_data={
                "access_token": "expired",
                "refresh_token": "r",
                "expires": 1,
                "auth_time": 0,
            },
        )
        cookies, _ = self.signed_in()
        self.make_due(cookies["sessionid"])
        with (
            mock.patch.object(BaseAuth, "request") as upstream,
            mock.patch.object(BaseOAuth2, "refresh_token") as refresh,
            mock.patch.object(UserMixin, "refresh_token") as stored_refresh,
        ):
            responses = self.at_once(
                *[partial(self.send, "GET", SESSION, cookies)] * 10
            )
        assert [response.status_code for response in responses] == [200] * 10
        bodies = [response.json() for response in responses]
        assert all(body["user"] == ADA for body in bodies)
        assert len({body["expires"] for body in bodies}) == 1
        upstream.assert_not_called()
        refresh.assert_not_called()
        stored_refresh.assert_not_called()
        assert self.send("GET", SESSION, cookies).json() == bodies[0]

    def test_N2_sign_out_racing_a_session_update(self):
        # Django's cache engines lose this race now and then (check
        # useauth.W005); tests/test_sessions.py replays their losing
        # interleaving deterministically.
        for engine in (
            "django_useauth.sessions.cache",
            "django_useauth.sessions.cached_db",
            "django.contrib.sessions.backends.db",
        ):
            with self.subTest(engine=engine), self.settings(SESSION_ENGINE=engine):
                self.sign_out_racing_a_session_update()

    def sign_out_racing_a_session_update(self):
        for _ in range(5):
            cookies, token = self.signed_in()
            key = cookies["sessionid"]
            self.make_due(key)
            sign_out, update = self.at_once(
                partial(
                    self.send,
                    "POST",
                    SIGN_OUT,
                    cookies,
                    data={"csrfToken": token, "json": "true"},
                ),
                partial(
                    self.send,
                    "POST",
                    SESSION,
                    cookies,
                    json={"csrfToken": token, "data": {"x": 1}},
                ),
            )
            assert sign_out.status_code == 200
            assert sign_out.json() == {"url": f"{self.live_server_url}/"}
            # Before the sign-out (the session), after it ({}), or interrupted by it (400).
            assert update.status_code in (200, 400)
            assert not store().exists(key)
            assert self.send("GET", SESSION, {"sessionid": key}).json() == {}
            assert not store().exists(key)

    def test_N3_double_submit_of_credentials(self):
        live_per_round = []
        for _ in range(3):
            token, csrf_cookie = self.csrf()
            planted = store()
            planted["visited"] = "/pricing"
            planted.save()
            before = planted.session_key
            assert before is not None
            cookies = {"csrftoken": csrf_cookie, "sessionid": before}
            post = partial(
                self.send,
                "POST",
                CREDENTIALS,
                cookies,
                data={
                    "csrfToken": token,
                    "username": "ada",
                    "password": PASSWORD,
                    "json": "true",
                },
            )
            responses = self.at_once(post, post)
            # Both succeed, or one fails cleanly.
            assert all(response.status_code < 500 for response in responses)
            assert any(response.status_code == 200 for response in responses)
            # The pre-login key is dead...
            assert not store().exists(before)
            assert self.send("GET", SESSION, {"sessionid": before}).json() == {}
            # ...and at most one signed-in session came out of it.
            issued = {
                response.cookies.get("sessionid") or "" for response in responses
            } - {""}
            live = sorted(
                key
                for key in issued
                if store(key).get("_auth_user_id") == str(self.user.pk)
            )
            live_per_round.append(live)
        assert all(len(live) <= 1 for live in live_per_round), live_per_round


# -- O ---------------------------------------------------------------------------


async def asgi_request(
    client: AsyncClient,
    method: str,
    route: str,
    raw_headers: list[tuple[bytes, bytes]],
    body: bytes = b"",
) -> Any:
    """A request whose ASGI header names are sent exactly as given.

    ``AsyncClient``'s ``headers=`` turns ``_`` into ``-``; an ASGI server passes
    the names a client sent as they are.
    """
    headers = [(b"host", b"testserver"), *raw_headers]
    if body:
        headers += [
            (b"content-type", FORM.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
    return await client.request(
        method=method,
        path=route,
        query_string="",
        headers=headers,
        _body_file=FakePayload(body),
    )


@override_settings(**GITHUB)
class HostTests(TestCase):
    """O. Host header and absolute URLs."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()

    def setUp(self):
        self.client = csrf_client()

    def test_O1_foreign_host(self):
        token = csrf_token(self.client)
        for headers, extra_settings in (
            ({"host": "evil.example"}, {}),
            ({"X-Forwarded-Host": "evil.example"}, {"USE_X_FORWARDED_HOST": True}),
        ):
            for route in [
                *ROUTES,
                "/protected/",
                "/api/auth/signin/nope",
                "/api/auth/nope",
            ]:
                for method in ("get", "post"):
                    with (
                        self.subTest(headers=headers, route=route, method=method),
                        self.settings(**extra_settings),
                        self.assertLogs(
                            "django.security.DisallowedHost", logging.ERROR
                        ),
                    ):
                        response = getattr(self.client, method)(
                            route, {"csrfToken": token}, headers=headers
                        )
                        assert response.status_code == 400
                        assert not response.has_header("Location")
                        assert b"evil.example" not in response.content
        assert session_json(self.client) == {}

    def test_O2_forwarded_host_is_ignored(self):
        forwarded = {
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Port": "8443",
            "Forwarded": "host=evil.example;proto=https",
        }
        providers = self.client.get("/api/auth/providers", headers=forwarded).json()
        assert {
            url
            for entry in providers.values()
            for url in (entry["signinUrl"], entry["callbackUrl"])
        } == {
            f"{BASE}/signin/credentials",
            f"{BASE}/callback/credentials",
            f"{BASE}/signin/github",
            f"{BASE}/callback/github",
        }
        token = csrf_token(self.client)
        start = self.client.post(
            "/api/auth/signin/github",
            {"csrfToken": token, "json": "true"},
            headers=forwarded,
        )
        redirect_uri = parse_qs(urlsplit(start.json()["url"]).query)["redirect_uri"][0]
        assert redirect_uri.startswith(f"{BASE}/callback/github")
        assert_json(
            post_credentials(self.client, token, "ada", headers=forwarded), 401, FAILED
        )
        assert_json(
            post_credentials(self.client, token, "ada", PASSWORD, headers=forwarded),
            200,
            HOME,
        )
        out = self.client.post(
            SIGN_OUT,
            {"csrfToken": csrf_token(self.client), "json": "true"},
            headers=forwarded,
        )
        assert_json(out, 200, HOME)
        required = self.client.get(
            "/protected/", headers={**forwarded, "Accept": "application/json"}
        )
        assert_json(
            required,
            401,
            {
                "error": "SessionRequired",
                "url": f"{BASE}/signin?callbackUrl=%2Fprotected%2F",
            },
        )

    @override_settings(
        USEAUTH_TRUSTED_PROXY_COUNT=1,
        USEAUTH_THROTTLE_IP_FAILURES=3,
        USE_X_FORWARDED_HOST=True,
    )
    async def test_O3_underscore_headers_under_asgi(self):
        client = AsyncClient(enforce_csrf_checks=True)
        token = (await client.get(CSRF)).json()["csrfToken"]

        async def attempt(n: int, header: bytes) -> int:
            body = urlencode(
                {
                    "csrfToken": token,
                    "username": f"o3-{n}",
                    "password": "x",
                    "json": "true",
                }
            ).encode()
            response = await asgi_request(
                client, "POST", CREDENTIALS, [(header, f"1.2.3.{n}".encode())], body
            )
            status: int = response.status_code
            return status

        # Dropped: every attempt comes from the ASGI client address (127.0.0.1).
        spoofed = [
            await attempt(n, name)
            for n, name in enumerate(
                [b"x_forwarded_for", b"x-forwarded_for", b"x_forwarded-for"] * 2
            )
        ]
        assert spoofed == [401, 401, 401, 429, 429, 429]
        # The hyphenated header the proxy sets is honoured.
        assert [await attempt(n, b"x-forwarded-for") for n in range(10, 14)] == [
            401
        ] * 4
        for name in (b"x-forwarded_host", b"x_forwarded_host"):
            providers = await asgi_request(
                client, "GET", "/api/auth/providers", [(name, b"localhost")]
            )
            assert (
                providers.json()["credentials"]["signinUrl"]
                == f"{BASE}/signin/credentials"
            )
        honoured = await asgi_request(
            client, "GET", "/api/auth/providers", [(b"x-forwarded-host", b"localhost")]
        )
        assert (
            honoured.json()["credentials"]["signinUrl"]
            == "http://localhost/api/auth/signin/credentials"
        )


# -- P ---------------------------------------------------------------------------


class FailClosedTests(TestCase):
    """P. Fail closed."""

    user: User

    @classmethod
    def setUpTestData(cls):
        cls.user = make_user()

    def setUp(self):
        self.client = csrf_client()

    def assert_anonymous(self, client: Client, **extra: Any) -> None:
        """``request.auth`` is falsy everywhere, and ``auth_required`` sends to sign-in."""
        assert_json(client.get(SESSION, **extra), 200, {})
        assert client.get("/status/", **extra).json() == {
            "status": "unauthenticated",
            "data": None,
            "lastRefreshedAt": None,
            "bool": False,
        }
        protected = client.get("/protected/", **extra)
        assert protected.status_code == 302
        assert protected["Location"] == "/api/auth/signin?callbackUrl=%2Fprotected%2F"

    def test_P1_broken_session_store(self):
        sign_in(self.client)
        engine = import_module(settings.SESSION_ENGINE)
        with (
            mock.patch.object(
                engine.SessionStore,
                "load",
                side_effect=DatabaseError("the session store is down"),
            ),
            self.assertLogs("django_useauth.middleware", logging.ERROR) as logs,
        ):
            self.assert_anonymous(self.client)
        assert {line.splitlines()[0] for line in logs.output} == {
            "ERROR:django_useauth.middleware:Could not load the session; treating the request as signed out."
        }
        assert session_json(self.client)["user"] == ADA

    def test_P1_broken_session_callback(self):
        sign_in(self.client)
        for callback in (
            "tests.callbacks.broken_session",
            "tests.callbacks.not_a_dict",
        ):
            with (
                self.subTest(callback=callback),
                self.settings(USEAUTH_SESSION_CALLBACK=callback),
                self.assertLogs("django_useauth.middleware", logging.ERROR),
            ):
                self.assert_anonymous(self.client)

    @override_settings(**GITHUB)
    def test_P1_unreachable_token_endpoint(self):
        start = self.client.post(
            "/api/auth/signin/github",
            {
                "csrfToken": csrf_token(self.client),
                "callbackUrl": "/after",
                "json": "true",
            },
        )
        state = parse_qs(urlsplit(start.json()["url"]).query)["state"][0]
        with (
            mock.patch.object(
                BaseAuth, "request", side_effect=requests.ConnectionError("unreachable")
            ) as upstream,
            self.assertLogs("django_useauth.oauth", logging.ERROR),
        ):
            response = self.client.get(
                f"/api/auth/callback/github?code=x&state={state}"
            )
        upstream.assert_called_once()
        assert response.status_code == 302
        assert (
            response["Location"]
            == f"{BASE}/error?error=OAuthCallback&callbackUrl=%2Fafter"
        )
        self.assert_anonymous(self.client)

    @override_settings(AUTHENTICATION_BACKENDS=GITHUB["AUTHENTICATION_BACKENDS"])
    def test_P1_missing_client_credentials(self):
        assert [message.id for message in check_providers()] == ["useauth.E009"]
        start = self.client.post(
            "/api/auth/signin/github",
            {"csrfToken": csrf_token(self.client), "json": "true"},
        )
        assert start.status_code == 200
        with self.assertLogs("django_useauth.oauth", logging.WARNING):
            callback = self.client.get("/api/auth/callback/github?code=x&state=y")
        assert callback.status_code == 302
        assert callback["Location"] == f"{BASE}/error?error=OAuthCallback"
        self.assert_anonymous(self.client)

    def test_P1_secret_key_rotated_without_fallback(self):
        sign_in(self.client)
        rotated = csrf_client()
        sign_in(rotated)
        with self.settings(
            SECRET_KEY="a-rotated-secret-key",
            SECRET_KEY_FALLBACKS=[settings.SECRET_KEY],
        ):
            assert session_json(rotated)["user"] == ADA
        with (
            self.settings(SECRET_KEY="a-rotated-secret-key", SECRET_KEY_FALLBACKS=[]),
            self.assertLogs("django.security.SuspiciousSession", logging.WARNING),
        ):
            self.assert_anonymous(self.client)

    def test_P2_malformed_authorization_header(self):
        signed_in = csrf_client()
        sign_in(signed_in)
        basic = base64.b64encode(f"ada:{PASSWORD}".encode()).decode()
        for value in (
            "Bearer %E0%A4%A",
            "Bearer",
            "Bearer ",
            "Bearer " + "a" * 100_000,
            f"Basic {basic}",
            "Basic !!!",
            'Digest username="ada"',
            "\u00e9\u00e9",
        ):
            with self.subTest(value=value[:40]):
                headers = {"Authorization": value}
                self.assert_anonymous(self.client, headers=headers)
                assert session_json(signed_in, headers=headers)["user"] == ADA

    def test_P3_session_shaped_junk_cookie(self):
        token = csrf_token(self.client)
        forged = signing.dumps(
            {
                "_auth_user_id": str(self.user.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": self.user.get_session_auth_hash(),
            },
            salt="django.contrib.sessions.backends.signed_cookies",
            serializer=JSONSerializer,
            compress=True,
        )
        for value in (self.client.cookies["csrftoken"].value, token, forged):
            with self.subTest(value=value):
                client = csrf_client()
                client.cookies["sessionid"] = value
                response = client.get(SESSION)
                assert_json(response, 200, {})
                assert response.cookies["sessionid"].value == ""
                client.cookies["sessionid"] = value
                self.assert_anonymous(client)
                assert not store().exists(value)
