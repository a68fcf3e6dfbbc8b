"""``auth=useauth`` in async django-ninja operations.

``useauth`` is sync; Ninja runs it through ``sync_to_async`` before an async
operation, where it loads the session, so the operation reads
``request.auth.status``, ``.data`` and ``.last_refreshed_at`` without
``aget_session()`` and without ``SynchronousOnlyOperation``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import skipIf

from asgiref.sync import sync_to_async
from django.test import AsyncClient
from django.test import TestCase
from django.test import override_settings
from django.utils import timezone

from django_useauth.internal.lifetime import REFRESHED_AT_KEY
from django_useauth.internal.lifetime import format_expires
from tests.ninja_utils import BEARER
from tests.ninja_utils import CSRF_FAILED
from tests.ninja_utils import NINJA_URLS
from tests.ninja_utils import NINJA_VERSION
from tests.ninja_utils import UNAUTHORIZED
from tests.ninja_utils import VIA_BEARER
from tests.ninja_utils import VIA_SESSION
from tests.ninja_utils import described
from tests.ninja_utils import first_name
from tests.utils import JSON
from tests.utils import ROLES_CALLBACK
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import past_its_end
from tests.utils import read_session
from tests.utils import refreshed_at
from tests.utils import session_exists
from tests.utils import session_key
from tests.utils import sign_in
from tests.utils import signed_in_ago
from tests.utils import store

#: The async operation with ``auth=useauth`` on the operation, its Router, the NinjaAPI.
AME = {
    "operation": "/ninja/ops/ame",
    "router": "/ninja/router/session/ame",
    "api": "/ninja/api/ame",
}

#: Async POSTs that rename the user.
ARENAME = {"operation": "/ninja/ops/arename", "api": "/ninja/api/arename"}


class Browser:
    """A signed-in browser: the sync client that signed in, and an async client with its cookies."""

    def __init__(self, client, token):
        self.client = client
        self.token = token
        self.async_client = AsyncClient(enforce_csrf_checks=True)
        self.async_client.cookies = client.cookies

    async def get(self, url, **headers):
        return await self.async_client.get(url, headers=headers)

    async def post(self, url, data=None, **headers):
        body = json.dumps(data) if data is not None else ""
        return await self.async_client.post(
            url, body, content_type=JSON, headers=headers
        )


async def browser(*, signed_in=True):
    client = csrf_client()
    if signed_in:
        await sync_to_async(sign_in)(client)
    token = await sync_to_async(csrf_token)(client)
    return Browser(client, token)


@sync_to_async
def stored_lifetime(key):
    """The stored session's refresh stamp and expiry date."""
    session = store(key)
    return session[REFRESHED_AT_KEY], session.get_expiry_date()


async def afirst_name():
    return await sync_to_async(first_name)()


@NINJA_URLS
class AsyncSignedOutTests(TestCase):
    async def test_401(self):
        anonymous = await browser(signed_in=False)
        for place, url in AME.items():
            with self.subTest(place):
                response = await anonymous.get(url)
                assert response.status_code == 401
                assert response.json() == UNAUTHORIZED

    async def test_post_is_401_not_403(self):
        await sync_to_async(make_user)()
        anonymous = await browser(signed_in=False)
        for place, url in ARENAME.items():
            with self.subTest(place):
                response = await anonymous.post(url, {"name": "Mallory"})
                assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
        assert await afirst_name() == "Ada"

    async def test_bearer_decides(self):
        anonymous = await browser(signed_in=False)
        accepted = await anonymous.post("/ninja/ops/aeither", **BEARER)
        assert accepted.json() == VIA_BEARER
        refused = await anonymous.post("/ninja/ops/aeither")
        assert (refused.status_code, refused.json()) == (401, UNAUTHORIZED)


@NINJA_URLS
class AsyncSignedInTests(TestCase):
    async def signed_in(self, **extra):
        await sync_to_async(make_user)(**extra)
        return await browser()

    async def test_request_auth_is_loaded(self):
        ada = await self.signed_in()
        session = await sync_to_async(read_session)(ada.client)
        stamp, _expiry = await stored_lifetime(session_key(ada.client))
        for place, url in AME.items():
            with self.subTest(place):
                response = await ada.get(url)
                assert response.status_code == 200
                assert response.json() == described(session, stamp)

    async def test_post_without_csrf_is_403_and_changes_nothing(self):
        ada = await self.signed_in()
        for place, url in ARENAME.items():
            with self.subTest(place):
                response = await ada.post(url, {"name": "Mallory"})
                assert (response.status_code, response.json()) == (403, CSRF_FAILED)
        assert await afirst_name() == "Ada"

    async def test_post_with_csrf(self):
        ada = await self.signed_in()
        for place, url in ARENAME.items():
            with self.subTest(place):
                response = await ada.post(
                    url, {"name": place}, **{"X-CSRFToken": ada.token}
                )
                assert (response.status_code, response.json()) == (
                    200,
                    {"renamed": place},
                )
                assert await afirst_name() == place

    async def test_csrf_exempt(self):
        ada = await self.signed_in()
        response = await ada.post("/ninja/ops/aexempt-rename?name=Grace")
        assert (response.status_code, response.json()) == (200, {"renamed": "Grace"})
        assert await afirst_name() == "Grace"

    async def test_second_callback_signed_in(self):
        ada = await self.signed_in()
        session = await ada.post("/ninja/ops/aeither", **{"X-CSRFToken": ada.token})
        assert session.json() == VIA_SESSION
        refused = await ada.post("/ninja/ops/aeither", **BEARER)
        assert (refused.status_code, refused.json()) == (403, CSRF_FAILED)

    @override_settings(USEAUTH_SESSION_CALLBACK=ROLES_CALLBACK)
    async def test_roles_without_the_role(self):
        ada = await self.signed_in()
        response = await ada.get("/ninja/ops/aeditor")
        assert (response.status_code, response.json()) == (403, {"detail": "Forbidden"})

    @override_settings(USEAUTH_SESSION_CALLBACK=ROLES_CALLBACK)
    async def test_roles_with_the_role(self):
        ada = await self.signed_in(is_staff=True)
        response = await ada.get("/ninja/ops/aeditor")
        assert (response.status_code, response.json()) == (200, {"roles": ["editor"]})

    @override_settings(USEAUTH_SESSION_CALLBACK=ROLES_CALLBACK)
    async def test_roles_signed_out(self):
        anonymous = await browser(signed_in=False)
        response = await anonymous.get("/ninja/ops/aeditor")
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


@NINJA_URLS
class AsyncSessionEndTests(TestCase):
    async def signed_in(self):
        self.user = await sync_to_async(make_user)()
        ada = await browser()
        self.key = session_key(ada.client)
        return ada

    async def assert_ended(self, ada, url="/ninja/ops/ame"):
        response = await ada.get(url)
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
        assert not await sync_to_async(session_exists)(self.key)

    async def test_browser_session_past_its_end(self):
        ada = await self.signed_in()
        await sync_to_async(past_its_end)(ada.client)
        await self.assert_ended(ada)

    @override_settings(USEAUTH_ABSOLUTE_MAX_AGE=timedelta(days=1))
    async def test_signed_in_before_the_absolute_max_age(self):
        ada = await self.signed_in()
        await sync_to_async(signed_in_ago)(ada.client, timedelta(days=2))
        await self.assert_ended(ada, "/ninja/api/ame")

    async def test_deactivated_user(self):
        ada = await self.signed_in()
        self.user.is_active = False
        await self.user.asave()
        await self.assert_ended(ada, "/ninja/router/session/ame")

    async def test_sliding_refresh(self):
        ada = await self.signed_in()
        old = timezone.now() - timedelta(days=2, minutes=1)
        await sync_to_async(refreshed_at)(ada.client, old)
        body = (await ada.get("/ninja/ops/ame")).json()
        stamp, expiry = await stored_lifetime(self.key)
        # As GET /api/auth/session refreshes (tests/test_ninja_auth.py).
        assert stamp == (old + timedelta(days=2)).isoformat()
        assert body["lastRefreshedAt"] == stamp
        assert body["data"]["expires"] == format_expires(expiry)
        assert expiry > timezone.now() + timedelta(days=29, hours=23)


@NINJA_URLS
class AsyncAuthenticateTests(TestCase):
    """A ``UseAuth`` subclass with ``async def authenticate`` (querying the database): Ninja awaits the callback."""

    async def signed_in(self, **extra):
        await sync_to_async(make_user)(**extra)
        return await browser()

    async def test_async_operation(self):
        staff = await self.signed_in(is_staff=True)
        response = await staff.get("/ninja/ops/aasync-authenticate")
        assert response.status_code == 200
        body = response.json()
        assert (body["type"], body["status"]) == ("AuthDetails", "authenticated")
        assert body["data"] == await sync_to_async(read_session)(staff.client)

    async def test_async_operation_refused(self):
        ada = await self.signed_in()
        response = await ada.get("/ninja/ops/aasync-authenticate")
        assert (response.status_code, response.json()) == (
            403,
            {"detail": "Staff only"},
        )

    async def test_async_operation_signed_out(self):
        anonymous = await browser(signed_in=False)
        # A cookie, so that the session store is read.
        anonymous.async_client.cookies["sessionid"] = "x" * 32
        response = await anonymous.get("/ninja/ops/aasync-authenticate")
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED)

    async def test_async_operation_csrf(self):
        staff = await self.signed_in(is_staff=True)
        url = "/ninja/ops/aasync-authenticate-rename"
        refused = await staff.post(url, {"name": "Mallory"})
        assert (refused.status_code, refused.json()) == (403, CSRF_FAILED)
        assert await afirst_name() == "Ada"
        accepted = await staff.post(
            url, {"name": "Grace"}, **{"X-CSRFToken": staff.token}
        )
        assert (accepted.status_code, accepted.json()) == (200, {"renamed": "Grace"})
        assert await afirst_name() == "Grace"


@NINJA_URLS
@skipIf(
    NINJA_VERSION < (1, 7, 1),
    "an async def authenticate() in a sync operation needs django-ninja 1.7.1 or newer",
)
class AsyncAuthenticateInSyncOperationTests(TestCase):
    """The same ``async def authenticate`` in a sync operation: Ninja runs the callback to completion.

    django-ninja 1.5 and 1.6 call it twice through ``async_to_sync`` and leave
    a coroutine never awaited, so they do not support it.
    """

    def test_sync_operation(self):
        make_user(is_staff=True)
        sign_in(self.client)
        response = self.client.get("/ninja/ops/async-authenticate")
        assert response.status_code == 200
        assert response.json()["status"] == "authenticated"

    def test_sync_operation_refused_and_signed_out(self):
        assert self.client.get("/ninja/ops/async-authenticate").json() == UNAUTHORIZED
        make_user()
        sign_in(self.client)
        response = self.client.get("/ninja/ops/async-authenticate")
        assert (response.status_code, response.json()) == (
            403,
            {"detail": "Staff only"},
        )
