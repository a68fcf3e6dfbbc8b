"""The caches beside the session store while they cannot be reached (issue 16): the throttle's and ``USEAUTH_SESSION_CACHE``.

The sign-in limits fail closed (a ``503``) unless ``USEAUTH_THROTTLE_FAIL_OPEN``;
the cache of session users reads like a miss (the user comes from the
database). Each cache is Django's ``RedisCache`` on a closed loopback port.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import RequestFactory
from django.test import TestCase
from django.test import override_settings

from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal.throttle import reserve
from tests.outage_utils import LOCMEM
from tests.outage_utils import RETRY_AFTER
from tests.outage_utils import caches_with
from tests.outage_utils import stores_down
from tests.outage_utils import unreachable_redis
from tests.test_unavailable import ERROR_URL
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import read_session
from tests.utils import sign_in


class ThrottleTests(TestCase):
    """The limits' cache (``USEAUTH_THROTTLE_CACHE``, ``default``) is down."""

    def setUp(self):
        make_user()
        self.client = csrf_client()

    @stores_down("default")
    def test_sign_ins_are_refused_with_a_503(self):
        response = sign_in(self.client)
        assert response.status_code == 503
        assert response["Retry-After"] == RETRY_AFTER
        assert response.json() == {"url": ERROR_URL}
        data = {
            "csrfToken": csrf_token(self.client),
            "username": "ada",
            "password": PASSWORD,
        }
        response = self.client.post("/api/auth/callback/credentials", data)
        assert response.status_code == 503
        assert response["Retry-After"] == RETRY_AFTER
        assert b"Service unavailable" in response.content
        assert read_session(self.client) == {}

    @stores_down("default", USEAUTH_THROTTLE_FAIL_OPEN=True)
    def test_fail_open_lets_a_sign_in_through(self):
        response = sign_in(self.client)
        assert response.status_code == 200
        assert response.json() == {"url": "http://testserver/"}
        assert read_session(self.client)["user"]["email"] == "ada@example.com"

    @stores_down("default", USEAUTH_THROTTLE_ENABLED=False)
    def test_the_double_submit_claim_fails_closed_too(self):
        # With the limits off, the claim of the browser's pre-login identity
        # (one sign-in per double submit) is the first use of the cache.
        response = sign_in(self.client)
        assert response.status_code == 503
        assert response.json() == {"url": ERROR_URL}
        assert read_session(self.client) == {}

    @stores_down(
        "default", USEAUTH_THROTTLE_ENABLED=False, USEAUTH_THROTTLE_FAIL_OPEN=True
    )
    def test_the_claim_fails_open_with_the_limits(self):
        response = sign_in(self.client)
        assert response.status_code == 200
        assert read_session(self.client)["user"]["email"] == "ada@example.com"

    @stores_down("default", USEAUTH_THROTTLE_FAIL_OPEN=True)
    def test_fail_open_still_refuses_a_wrong_password(self):
        response = sign_in(self.client, password="wrong")
        assert response.status_code == 401
        assert read_session(self.client) == {}


@override_settings(
    SESSION_ENGINE="django_useauth.sessions.db",
    USEAUTH_SESSION_CACHE="users",
    CACHES=caches_with(users=LOCMEM),
)
class SessionUserCacheTests(TestCase):
    """``USEAUTH_SESSION_CACHE`` on a cache that is down: a miss, not an outage of the session."""

    def setUp(self):
        self.user = make_user()
        self.client = csrf_client()
        assert sign_in(self.client).status_code == 200
        # Its entry was written to local memory, which is not asked again.
        self.enterContext(
            override_settings(CACHES=caches_with(users=unreachable_redis()))
        )

    def test_a_sign_in_goes_on_without_the_cache(self):
        assert sign_in(csrf_client()).status_code == 200

    def test_signed_in_reads_come_from_the_database(self):
        for _ in range(2):
            # The session's row and the user's row, each time: no entry was
            # written, none is read.
            with self.assertNumQueries(2):
                session = read_session(self.client)
            assert session["user"]["email"] == "ada@example.com"

    async def test_async_signed_in_reads_come_from_the_database(self):
        self.async_client.cookies = self.client.cookies
        response = await self.async_client.get("/astatus/")
        assert response.json()["status"] == "authenticated"

    def test_a_changed_user_is_not_saved_while_its_copy_may_survive(self):
        with pytest.raises(StoreUnavailable), transaction.atomic():
            self.user.first_name = "Grace"
            self.user.save()
        assert User.objects.get(pk=self.user.pk).first_name == "Ada"


class GivingPlacesBackTests(TestCase):
    """Giving places back is best effort: silent while the limits' cache is down."""

    def test_release_and_signed_in(self):
        request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.9")
        attempt = reserve(request, {"username": "ada", "password": "x"})
        assert attempt.places
        with stores_down("default"):
            attempt.signed_in()
        assert attempt.places == ()
