"""What a request gets while the session store cannot be reached (issue 16): a 503, never "signed out".

The store is ``django_useauth.sessions.cache`` on a real Redis client
pointed at a closed loopback port (the ``sessions`` cache alias); the
endpoints, pages, ``request.auth`` and the sign-in forms answer ``503`` with
``Retry-After``, and the session cookie is left alone. The APIs (Bearer,
DRF, django-ninja) are in tests/test_unavailable_apis.py; the throttle and
``USEAUTH_SESSION_CACHE`` in tests/test_unavailable_caches.py.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import redis
from django.core.cache import caches
from django.db import OperationalError
from django.http.response import HttpResponseBase
from django.test import Client
from django.test import TestCase
from django.test import modify_settings
from django.test import override_settings
from django.utils import timezone

from django_useauth.exceptions import StoreUnavailable
from tests.outage_utils import RETRY_AFTER
from tests.outage_utils import database_down
from tests.outage_utils import no_cool_down
from tests.outage_utils import stores_down
from tests.utils import BASE
from tests.utils import JSON
from tests.utils import NEVER_CACHE
from tests.utils import PASSWORD
from tests.utils import assert_json_headers
from tests.utils import build_request
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import refreshed_at
from tests.utils import signed_in_client

#: Where a sign-in or sign-out that found a store down sends the browser.
ERROR_URL = f"{BASE}/error?error=ServiceUnavailable"

#: A session cookie whose session the store would have to be asked about.
KEY = "k" * 32

SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
OUR_SESSION_MIDDLEWARE = "django_useauth.sessions.middleware.SessionMiddleware"


def database_stopped_on_update(*, session, trigger, **kwargs):
    """A ``USEAUTH_SESSION_CALLBACK`` that reads the database on an update, which has stopped (simulated)."""
    if trigger == "update":
        raise OperationalError("server closed the connection unexpectedly")
    return session


def assert_unavailable(response: HttpResponseBase, *, json: object = None) -> None:
    """A 503 of an outage: ``Retry-After``, never cached, the cookie left alone."""
    assert response.status_code == 503
    assert response["Retry-After"] == RETRY_AFTER
    assert response["Cache-Control"] == NEVER_CACHE
    assert "sessionid" not in response.cookies
    if json is not None:
        assert_json_headers(response)
        assert response.json() == json  # type: ignore[attr-defined]


def assert_unavailable_page(response: HttpResponseBase) -> None:
    assert_unavailable(response)
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "Service unavailable" in html
    assert "Try again in a minute." in html


@override_settings(SESSION_ENGINE="django_useauth.sessions.cache")
class EndpointTests(TestCase):
    def setUp(self):
        self.enterContext(stores_down("sessions"))
        self.client.cookies["sessionid"] = KEY

    def test_get_session(self):
        response = self.client.get("/api/auth/session")
        # An empty body on purpose: nuxt-auth's authjs provider takes any
        # other body of a failed GET session for the session.
        assert_unavailable(response, json={})

    def test_post_session(self):
        token = csrf_token(self.client)
        response = self.client.post(
            "/api/auth/session",
            {"csrfToken": token, "data": {"theme": "dark"}},
            content_type="application/json",
        )
        assert_unavailable(response, json={})

    def test_credentials_sign_in(self):
        make_user()
        data = {
            "csrfToken": csrf_token(self.client),
            "username": "ada",
            "password": "correct horse battery staple",
        }
        response = self.client.post(
            "/api/auth/callback/credentials", {**data, "json": "true"}
        )
        assert_unavailable(response, json={"url": ERROR_URL})
        # A form post gets the error page itself, with its 503 (a redirect
        # would let SessionMiddleware save what the action did).
        response = self.client.post("/api/auth/callback/credentials", data)
        assert_unavailable_page(response)

    def test_sign_out(self):
        token = csrf_token(self.client)
        response = self.client.post(
            "/api/auth/signout", {"csrfToken": token, "json": "true"}
        )
        assert_unavailable(response, json={"url": ERROR_URL})
        response = self.client.post("/api/auth/signout", {"csrfToken": token})
        assert_unavailable_page(response)

    def test_the_error_page(self):
        response = self.client.get("/api/auth/error?error=ServiceUnavailable")
        assert response.status_code == 503
        assert "Service unavailable" in response.content.decode()

    def test_signed_out_pages_keep_answering(self):
        # No session cookie: nothing asks the session store, nor the limits'
        # cache (also down here), before a sign-in is attempted.
        client = Client()
        with stores_down("sessions", "default"):
            for url in ("/api/auth/csrf", "/api/auth/signin", "/api/auth/providers"):
                assert client.get(url).status_code == 200, url
            assert "sessionid" not in client.cookies

    def test_logged_at_info_never_error(self):
        with self.assertLogs("django.request", "INFO") as logs:
            self.client.get("/api/auth/session")
            self.client.get("/protected/")
        assert [(r.levelname, r.getMessage()) for r in logs.records] == [
            ("INFO", "Service Unavailable: /api/auth/session"),
            ("INFO", "Service Unavailable: /protected/"),
        ]


@override_settings(SESSION_ENGINE="django_useauth.sessions.cache")
class PageTests(TestCase):
    def setUp(self):
        self.enterContext(stores_down("sessions"))
        self.client.cookies["sessionid"] = KEY

    def test_an_auth_required_page(self):
        # Not the sign-in page: the visitor may well be signed in.
        assert_unavailable_page(self.client.get("/protected/"))
        assert_unavailable_page(self.client.get("/aprotected/"))
        assert_unavailable_page(self.client.get("/cbv/"))

    def test_a_template_reading_request_auth(self):
        assert_unavailable_page(self.client.get("/page/client/"))

    def test_request_auth_in_a_view(self):
        assert_unavailable_page(self.client.get("/status/"))
        assert_unavailable_page(self.client.get("/astatus/"))

    def test_json_clients_get_json(self):
        response = self.client.get(
            "/protected/", headers={"Accept": "application/json"}
        )
        assert_unavailable(
            response, json={"error": "ServiceUnavailable", "url": ERROR_URL}
        )

    def test_htmx_gets_the_page(self):
        response = self.client.get(
            "/protected/", headers={"Accept": "application/json", "HX-Request": "true"}
        )
        assert_unavailable_page(response)


def our_session_middleware() -> modify_settings:
    """``django_useauth.sessions.middleware.SessionMiddleware`` in place of Django's."""
    return modify_settings(
        MIDDLEWARE={"remove": SESSION_MIDDLEWARE, "prepend": OUR_SESSION_MIDDLEWARE}
    )


@override_settings(SESSION_ENGINE="django_useauth.sessions.cache")
class SessionMiddlewareTests(TestCase):
    """A session the view changed, whose save fails: the store went down meanwhile."""

    def setUp(self):
        make_user()
        self.client = signed_in_client()
        self.client.raise_request_exception = False
        # Due for its daily extension: reading it changes it, so it is saved.
        refreshed_at(self.client, timezone.now() - timedelta(days=2))
        self.enterContext(no_cool_down())
        failing = redis.exceptions.ConnectionError("Error 111. Connection refused.")
        self.enterContext(
            mock.patch.object(caches["sessions"], "set", side_effect=failing)
        )

    def get_session(self):
        # A new client: a client loads MIDDLEWARE at its first request.
        client = Client(raise_request_exception=False)
        client.cookies = self.client.cookies
        return client.get("/api/auth/session", headers={"Accept": "application/json"})

    @our_session_middleware()
    def test_ours_answers_503(self):
        with self.assertLogs("django.request", "INFO") as logs:
            response = self.get_session()
        # What GET session answers for an outage it finds itself.
        assert_unavailable(response, json={})
        assert [r.levelname for r in logs.records] == ["INFO"]

    @our_session_middleware()
    def test_a_sign_in_whose_session_cannot_be_saved(self):
        # login() created the new session; its save after the view fails:
        # NextAuth's JSON answer of the endpoint, or the page for a form.
        client = csrf_client()
        client.raise_request_exception = False
        data = {
            "csrfToken": csrf_token(client),
            "username": "ada",
            "password": PASSWORD,
        }
        response = client.post(
            "/api/auth/callback/credentials", {**data, "json": "true"}
        )
        assert_unavailable(response, json={"url": ERROR_URL})
        # (login() rotated the first browser's CSRF token: another browser.)
        client = csrf_client()
        client.raise_request_exception = False
        data["csrfToken"] = csrf_token(client)
        response = client.post("/api/auth/callback/credentials", data)
        assert_unavailable_page(response)

    def test_djangos_answers_500(self):
        with self.assertLogs("django.request", "ERROR"):
            response = self.get_session()
        assert response.status_code == 500


class DjangosEnginesTests(TestCase):
    """Django's own engines raise their client's errors: read as an outage all the same."""

    def setUp(self):
        self.client.cookies["sessionid"] = KEY

    @override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
    def test_cached_db_with_its_cache_down(self):
        # Its copy back to the cache (of a row it found) is not guarded.
        make_user()
        client = signed_in_client()
        with stores_down("sessions"):
            assert_unavailable(client.get("/api/auth/session"), json={})
            assert_unavailable_page(client.get("/protected/"))

    @override_settings(SESSION_ENGINE="django.contrib.sessions.backends.db")
    def test_db_with_its_database_down(self):
        # Simulated under the ORM (see tests/test_sessions_outages.py).
        client = Client(raise_request_exception=False)
        client.cookies["sessionid"] = KEY
        with database_down():
            assert_unavailable(client.get("/api/auth/session"), json={})
            assert_unavailable_page(client.get("/protected/"))


class SessionUpdateTests(TestCase):
    """``POST session`` (``useSession().update``) whose session callback finds the database down."""

    @override_settings(
        USEAUTH_SESSION_CALLBACK=f"{__name__}.database_stopped_on_update"
    )
    def test_503_not_400(self):
        make_user()
        client = signed_in_client()
        body = {"csrfToken": csrf_token(client), "data": {"theme": "dark"}}
        with self.assertLogs("django_useauth.outages", "WARNING"):
            response = client.post("/api/auth/session", body, content_type=JSON)
        # GET session's 503: next-auth's client tries again later.
        assert_unavailable(response, json={})
        assert client.get("/api/auth/session").json()["user"]["name"] == (
            "Ada Lovelace"
        )


class ActionTests(TestCase):
    """``request.auth.sign_in()``: the raw errors of the code it runs (Django's authenticate()) that say a store is down."""

    def test_a_raw_outage_error_is_store_unavailable(self):
        make_user()
        request = build_request()
        with (
            mock.patch(
                "django_useauth.internal.credentials.authenticate",
                side_effect=OperationalError("server closed the connection"),
            ),
            pytest.raises(StoreUnavailable) as raised,
        ):
            request.auth.sign_in("credentials", username="ada", password=PASSWORD)
        assert isinstance(raised.value.__cause__, OperationalError)

    def test_another_error_is_raised_as_it_is(self):
        make_user()
        request = build_request()
        with (
            mock.patch(
                "django_useauth.internal.credentials.authenticate",
                side_effect=RuntimeError("a bug"),
            ),
            pytest.raises(RuntimeError),
        ):
            request.auth.sign_in("credentials", username="ada", password=PASSWORD)
