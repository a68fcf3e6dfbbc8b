"""Query counts of DRF requests authenticated by ``UseAuthAuthentication``, pinned.

A signed-in DRF ``GET`` costs exactly what a signed-in ``GET
/api/auth/session`` costs, measured in the same test: on the ``db`` session
engine (SQLite) the session row and the user. With the session payload in
``USEAUTH_SESSION_CACHE`` on the cache engine (``CACHED_SESSIONS``) both cost
nothing, and ``request.user`` stays lazy: only a view (or a permission such
as DRF's ``IsAuthenticated``) that reads it pays one query for the user.
``IsSignedIn`` reads none.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import caches
from django.test import TestCase
from django.test import override_settings
from django.utils import timezone

from tests.drf_utils import DRF_URLS
from tests.utils import CACHED_SESSIONS
from tests.utils import csrf_client
from tests.utils import csrf_headers
from tests.utils import make_user
from tests.utils import refreshed_at
from tests.utils import sign_in


class _Base(TestCase):
    def setUp(self):
        caches["sessions"].clear()
        self.addCleanup(caches["sessions"].clear)
        make_user()
        self.client = csrf_client()

    def session(self):
        response = self.client.get("/api/auth/session")
        assert response.status_code == 200
        return response.json()

    def drf(self, url, status=200):
        response = self.client.get(url)
        assert response.status_code == status, response.content
        return response.json()


@override_settings(**DRF_URLS)
class DbStoreTests(_Base):
    """The db engine: the session row, then the user."""

    def test_signed_out_costs_nothing(self):
        with self.assertNumQueries(0):
            assert self.session() == {}
        with self.assertNumQueries(0):
            self.drf("/drf/me/", status=401)

    def test_signed_in_get_costs_what_the_session_endpoint_costs(self):
        sign_in(self.client)
        with self.assertNumQueries(2):
            session = self.session()
        with self.assertNumQueries(2):
            assert self.drf("/drf/me/")["data"] == session
        with self.assertNumQueries(2):
            assert self.drf("/drf/fn/me/")["data"] == session
        with self.assertNumQueries(2):
            assert self.drf("/drf/notes/")["owner"] == "ada@example.com"

    def test_reading_request_user_costs_nothing_more(self):
        # The session read loaded the user already.
        sign_in(self.client)
        with self.assertNumQueries(2):
            self.session()
        with self.assertNumQueries(2):
            assert self.drf("/drf/username/") == {"username": "ada"}
        with self.assertNumQueries(2):
            self.drf("/drf/is-authenticated/")

    def test_drf_s_session_authentication_with_get_auth(self):
        sign_in(self.client)
        with self.assertNumQueries(2):
            self.session()
        with self.assertNumQueries(2):
            assert self.drf("/drf/default/")["status"] == "authenticated"

    def test_refresh_costs_the_session_endpoint_s_write(self):
        # A due session: read, user, and the session row's UPDATE (in a
        # savepoint, inside the test's transaction), on both.
        sign_in(self.client)
        old = timezone.now() - timedelta(days=1, minutes=1)
        refreshed_at(self.client, old)
        with self.assertNumQueries(5):
            self.session()
        refreshed_at(self.client, old)
        with self.assertNumQueries(5):
            self.drf("/drf/me/")
        # Refreshed: the next read writes nothing.
        with self.assertNumQueries(2):
            self.drf("/drf/me/")

    def test_post_with_csrf(self):
        # The reads, and the view's own write to the session.
        sign_in(self.client)
        headers = csrf_headers(self.client)
        with self.assertNumQueries(5):
            response = self.client.post("/drf/me/", headers=headers)
        assert response.status_code == 201

    def test_post_refused_by_csrf_writes_nothing(self):
        sign_in(self.client)
        with self.assertNumQueries(2):
            response = self.client.post("/drf/me/")
        assert response.status_code == 403


@override_settings(**DRF_URLS, **CACHED_SESSIONS)
class CachedSessionsTests(_Base):
    """The cache engine, the payload in USEAUTH_SESSION_CACHE: no SQL at all."""

    def setUp(self):
        super().setUp()
        sign_in(self.client)
        # The first read checks the session the Django way and fills the cache.
        self.first = self.session()

    def test_signed_in_get_costs_what_the_session_endpoint_costs(self):
        with self.assertNumQueries(0):
            assert self.session() == self.first
        with self.assertNumQueries(0):
            body = self.drf("/drf/me/")
        assert body["status"] == "authenticated"
        assert body["data"] == self.first
        with self.assertNumQueries(0):
            assert self.drf("/drf/fn/me/")["data"] == self.first
        with self.assertNumQueries(0):
            assert self.drf("/drf/notes/")["owner"] == "ada@example.com"

    def test_reading_request_user_loads_it(self):
        with self.assertNumQueries(0):
            self.session()
        with self.assertNumQueries(1):
            assert self.drf("/drf/username/") == {"username": "ada"}

    def test_is_signed_in_reads_no_user_is_authenticated_does(self):
        with self.assertNumQueries(0):
            self.drf("/drf/me/")
        with self.assertNumQueries(1):
            self.drf("/drf/is-authenticated/")

    def test_drf_s_session_authentication_loads_the_user(self):
        # DRF's SessionAuthentication reads request.user; get_auth() does not.
        with self.assertNumQueries(1):
            assert self.drf("/drf/default/")["status"] == "authenticated"

    def test_signed_out_costs_nothing(self):
        signed_out = csrf_client()
        with self.assertNumQueries(0):
            response = signed_out.get("/drf/me/")
        assert response.status_code == 401


@override_settings(
    **DRF_URLS,
    SESSION_ENGINE="django.contrib.sessions.backends.db",
    USEAUTH_SESSION_CACHE="default",
)
class DbStoreWithCachedPayloadTests(_Base):
    """The db engine, the payload cached: only the session row."""

    def setUp(self):
        super().setUp()
        caches["default"].clear()
        self.addCleanup(caches["default"].clear)
        sign_in(self.client)
        self.session()

    def test_signed_in_get_costs_what_the_session_endpoint_costs(self):
        with self.assertNumQueries(1):
            session = self.session()
        with self.assertNumQueries(1):
            assert self.drf("/drf/me/")["data"] == session
        with self.assertNumQueries(2):
            self.drf("/drf/username/")
