"""CSRF on DRF requests that ``UseAuthAuthentication`` authenticates.

DRF's views are exempt from Django's ``CsrfViewMiddleware``; a session
cookie must still not be enough for an unsafe method. As DRF's
``SessionAuthentication`` does, a signed-in request with an unsafe method
needs Django's CSRF token (the ``csrfToken`` of ``GET /api/auth/csrf`` in an
``X-CSRFToken`` header, or the form field), and fails with ``403``
``"CSRF Failed: …"`` without running the view. A signed-out request is not
checked: it is ``401``, never ``403``.
"""

from __future__ import annotations

from django.test import TestCase
from django.test import override_settings

from tests.drf_utils import DRF_URLS
from tests.drf_utils import assert_challenged
from tests.drf_utils import detail
from tests.drf_views import NOTES_KEY
from tests.drf_views import WRITES_KEY
from tests.utils import csrf_client
from tests.utils import csrf_headers
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import read_session
from tests.utils import session_key
from tests.utils import sign_in
from tests.utils import signed_in_client
from tests.utils import stored

UNSAFE = ("post", "put", "patch", "delete")


def snapshot(client):
    """``client``'s session key and stored data."""
    session = stored(client)
    return session.session_key, dict(session.items()), session.get_expiry_date()


@override_settings(**DRF_URLS)
class SignedInTests(TestCase):
    def setUp(self):
        make_user()
        self.client = signed_in_client()

    def assert_refused(self, response, reason):
        assert response.status_code == 403
        assert detail(response) == f"CSRF Failed: {reason}"

    def test_missing_token(self):
        # (AuthRequiredMixin on an APIView answers before DRF: test_drf_views.)
        cases = [(method, "/drf/me/") for method in UNSAFE] + [
            ("post", "/drf/fn/me/"),
        ]
        for method, url in cases:
            with self.subTest(method=method, url=url):
                before = snapshot(self.client)
                response = getattr(self.client, method)(url)
                self.assert_refused(response, "CSRF token missing.")
                # The view did not run, the session is as it was, and still
                # signed in.
                after = snapshot(self.client)
                assert after == before
                assert WRITES_KEY not in after[1]
                assert read_session(self.client) != {}

    def test_missing_cookie(self):
        # The session cookie alone, as a cross-site form would send it.
        forged = csrf_client()
        forged.cookies["sessionid"] = session_key(self.client)
        before = snapshot(self.client)
        response = forged.post("/drf/me/", headers={"X-CSRFToken": "x" * 64})
        self.assert_refused(response, "CSRF cookie not set.")
        assert snapshot(self.client) == before

    def test_wrong_token(self):
        response = self.client.post("/drf/me/", headers={"X-CSRFToken": "x" * 64})
        self.assert_refused(
            response, "CSRF token from the 'X-Csrftoken' HTTP header incorrect."
        )
        assert WRITES_KEY not in stored(self.client)

    def test_token_from_the_csrf_endpoint(self):
        headers = csrf_headers(self.client)
        expected = {"post": 201, "put": 200, "patch": 200, "delete": 200}
        for writes, method in enumerate(UNSAFE, start=1):
            with self.subTest(method=method):
                response = getattr(self.client, method)("/drf/me/", headers=headers)
                assert response.status_code == expected[method]
                assert response.json() == {
                    "method": method.upper(),
                    "writes": writes,
                }
        assert stored(self.client)[WRITES_KEY] == len(UNSAFE)

    def test_token_in_a_function_view(self):
        response = self.client.post("/drf/fn/me/", headers=csrf_headers(self.client))
        assert response.status_code == 201
        assert stored(self.client)[WRITES_KEY] == 1

    def test_token_as_the_form_field(self):
        response = self.client.post(
            "/drf/me/", {"csrfmiddlewaretoken": csrf_token(self.client)}
        )
        assert response.status_code == 201

    def test_viewset_create(self):
        refused = self.client.post("/drf/notes/", {"text": "forged"})
        self.assert_refused(refused, "CSRF token missing.")
        assert NOTES_KEY not in stored(self.client)
        created = self.client.post(
            "/drf/notes/", {"text": "hello"}, headers=csrf_headers(self.client)
        )
        assert created.status_code == 201
        assert created.json() == {"owner": "ada@example.com", "id": 0}
        assert self.client.get("/drf/notes/0/").json() == {
            "owner": "ada@example.com",
            "text": "hello",
        }

    def test_sign_out_needs_the_token(self):
        key = session_key(self.client)
        self.assert_refused(self.client.post("/drf/sign-out/"), "CSRF token missing.")
        assert stored(self.client).session_key == key
        assert read_session(self.client) != {}

    def test_safe_methods_need_none(self):
        for method in ("get", "head", "options"):
            with self.subTest(method=method):
                response = getattr(self.client, method)("/drf/me/")
                assert response.status_code == 200

    def test_not_checked_by_the_test_client_default(self):
        # Django's test client skips CSRF checks unless asked: DRF's check
        # honours that, as Django's middleware does (so the other tests use
        # csrf_client()).
        lenient = self.client_class()
        sign_in(lenient)
        assert lenient.post("/drf/me/").status_code == 201


@override_settings(**DRF_URLS)
class SignedOutTests(TestCase):
    def setUp(self):
        self.client = csrf_client()

    def test_unsafe_method_without_token_is_401(self):
        for method in UNSAFE:
            with self.subTest(method=method):
                assert_challenged(getattr(self.client, method)("/drf/me/"))

    def test_viewset_create_is_401(self):
        assert_challenged(self.client.post("/drf/notes/", {"text": "x"}))

    def test_ended_session_is_401(self):
        # A cookie naming no session (signed out elsewhere, expired).
        self.client.cookies["sessionid"] = "x" * 32
        assert_challenged(self.client.post("/drf/me/"))

    def test_with_a_token_still_401(self):
        assert_challenged(
            self.client.post("/drf/me/", headers=csrf_headers(self.client))
        )
