"""Queries of a django-ninja request with ``auth=useauth``: the same as ``GET /api/auth/session``.

Pinned on SQLite and local memory (``make test``); each test measures the
session endpoint beside the Ninja operation, so a change to either shows.
"""

from __future__ import annotations

from datetime import timedelta

from django.test import TestCase
from django.test import override_settings
from django.utils import timezone

from tests.ninja_utils import NINJA_URLS
from tests.utils import CACHED_SESSIONS
from tests.utils import ROLES_CALLBACK
from tests.utils import csrf_client
from tests.utils import make_user
from tests.utils import post_json
from tests.utils import post_with_csrf
from tests.utils import refreshed_at
from tests.utils import sign_in

#: The sync and async operation with ``auth=useauth`` on the operation, its Router, the NinjaAPI.
URLS = (
    "/ninja/ops/me",
    "/ninja/router/session/me",
    "/ninja/api/me",
    "/ninja/ops/ame",
    "/ninja/router/session/ame",
    "/ninja/api/ame",
)


@NINJA_URLS
class DbStoreQueryTests(TestCase):
    def setUp(self):
        make_user()
        self.client = csrf_client()

    def test_signed_out_without_cookie(self):
        with self.assertNumQueries(0):
            assert self.client.get("/api/auth/session").json() == {}
        for url in URLS:
            with self.subTest(url), self.assertNumQueries(0):
                assert self.client.get(url).status_code == 401

    def test_signed_in(self):
        sign_in(self.client)
        # The session row, then the user.
        with self.assertNumQueries(2):
            session = self.client.get("/api/auth/session").json()
        assert session != {}
        for url in URLS:
            with self.subTest(url), self.assertNumQueries(2):
                response = self.client.get(url)
            assert response.json()["data"] == session

    def test_signed_in_post(self):
        sign_in(self.client)
        post_with_csrf(self.client, "/ninja/ops/rename", {"name": "warm-up"})
        # The session and the user, then the operation's UPDATE.
        with self.assertNumQueries(3):
            response = post_json(
                self.client,
                "/ninja/ops/rename",
                {"name": "Grace"},
                headers={"X-CSRFToken": self.client.cookies["csrftoken"].value},
            )
        assert response.status_code == 200

    def test_refresh_due(self):
        # A due session: read, user, then the session's UPDATE (in a savepoint).
        old = timezone.now() - timedelta(days=2)
        sign_in(self.client)
        refreshed_at(self.client, old)
        with self.assertNumQueries(5):
            assert self.client.get("/api/auth/session").json() != {}
        for url in URLS[:3]:
            with self.subTest(url):
                refreshed_at(self.client, old)
                with self.assertNumQueries(5):
                    assert self.client.get(url).status_code == 200

    @override_settings(USEAUTH_SESSION_CALLBACK=ROLES_CALLBACK)
    def test_roles_subclass(self):
        make_user("grace", is_staff=True)
        sign_in(self.client, "grace")
        with self.assertNumQueries(2):
            assert self.client.get("/api/auth/session").json()["user"]["roles"] == [
                "editor"
            ]
        with self.assertNumQueries(2):
            assert self.client.get("/ninja/ops/editor").status_code == 200

    def test_unknown_cookie(self):
        # The lookup of the unknown session (whose cookie each answer deletes).
        self.client.cookies["sessionid"] = "x" * 32
        with self.assertNumQueries(1):
            assert self.client.get("/api/auth/session").json() == {}
        for url in URLS:
            self.client.cookies["sessionid"] = "x" * 32
            with self.subTest(url), self.assertNumQueries(1):
                assert self.client.get(url).status_code == 401


@NINJA_URLS
@override_settings(**CACHED_SESSIONS)
class CachedSessionsQueryTests(TestCase):
    """The cache engine with the users' payloads cached: no SQL at all, as for the session endpoint."""

    def setUp(self):
        make_user()
        self.client = csrf_client()

    def test_signed_in(self):
        sign_in(self.client)
        # The first read caches the user's payload.
        session = self.client.get("/api/auth/session").json()
        with self.assertNumQueries(0):
            assert self.client.get("/api/auth/session").json() == session
        for url in URLS:
            with self.subTest(url), self.assertNumQueries(0):
                response = self.client.get(url)
            assert response.json()["data"] == session

    def test_signed_out(self):
        for url in URLS:
            with self.subTest(url), self.assertNumQueries(0):
                assert self.client.get(url).status_code == 401

    def test_django_auth_loads_the_user(self):
        # Ninja's django_auth reads request.user: the query useauth spares.
        sign_in(self.client)
        self.client.get("/api/auth/session")
        with self.assertNumQueries(1):
            response = self.client.get("/ninja/ops/django-auth")
        assert response.json() == {"user": "ada"}
        with self.assertNumQueries(0):
            assert self.client.get("/ninja/ops/me").status_code == 200
