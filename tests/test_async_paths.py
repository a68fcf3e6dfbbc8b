"""The async twins on the paths the HTTP tests take synchronously."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.test import TestCase
from django.test import override_settings
from django.utils import timezone

from tests.utils import PASSWORD
from tests.utils import build_request
from tests.utils import make_user


class AsyncSignInTests(TestCase):
    async def request(self, **meta):
        request = await sync_to_async(build_request)()
        request.META.update(meta)
        return request

    @override_settings(USEAUTH_THROTTLE_ACCOUNT_FAILURES=1)
    async def test_throttled(self):
        await sync_to_async(make_user)()
        auth = (await self.request()).auth
        first = await auth.asign_in("credentials", username="ada", password="wrong")
        assert first.error == "CredentialsSignin"
        second = await (await self.request()).auth.asign_in(
            "credentials", username="ada", password=PASSWORD
        )
        assert (second.error, second.status) == ("TooManyAttempts", 429)
        assert second.retry_after is not None

    async def test_double_submit(self):
        await sync_to_async(make_user)()
        # Two requests of one browser (one CSRF secret): the second is refused.
        one = await self.request(CSRF_COOKIE="same-browser-secret")
        two = await self.request(CSRF_COOKIE="same-browser-secret")
        assert (
            await one.auth.asign_in("credentials", username="ada", password=PASSWORD)
        ).ok
        refused = await two.auth.asign_in(
            "credentials", username="ada", password=PASSWORD
        )
        assert (refused.error, refused.status, refused.ok) == (
            "MissingCSRF",
            200,
            False,
        )
        assert refused.url == "http://testserver/api/auth/signin?csrf=true"

    @override_settings(USEAUTH_SIGN_IN_CALLBACK="tests.callbacks.refuse_with_code")
    async def test_refusal_releases_the_claim(self):
        await sync_to_async(make_user)()
        one = await self.request(CSRF_COOKIE="secret-2")
        refused = await one.auth.asign_in(
            "credentials", username="ada", password=PASSWORD
        )
        assert refused.error == "EmailNotVerified"
        with self.settings(USEAUTH_SIGN_IN_CALLBACK=None):
            two = await self.request(CSRF_COOKIE="secret-2")
            assert (
                await two.auth.asign_in(
                    "credentials", username="ada", password=PASSWORD
                )
            ).ok

    async def assert_exception_releases_the_claim(self, step, browser):
        # An exception raised by `step` (during or after authentication)
        # leaves the browser free to sign in again.
        await sync_to_async(make_user)()
        one = await self.request(CSRF_COOKIE=browser)
        with (
            mock.patch(step, side_effect=RuntimeError("store down")),
            self.assertRaisesMessage(RuntimeError, "store down"),
        ):
            await one.auth.asign_in("credentials", username="ada", password=PASSWORD)
        two = await self.request(CSRF_COOKIE=browser)
        assert (
            await two.auth.asign_in("credentials", username="ada", password=PASSWORD)
        ).ok

    async def test_exception_releases_the_claim(self):
        await self.assert_exception_releases_the_claim(
            "django_useauth.internal.actions.aauthenticate_credentials", "secret-3"
        )

    async def test_exception_after_authentication_releases_the_claim(self):
        await self.assert_exception_releases_the_claim(
            "django_useauth.internal.actions.complete_sign_in", "secret-5"
        )

    @override_settings(
        USEAUTH_REDIRECT_CALLBACK="tests.callbacks.redirect_from_the_database"
    )
    async def test_redirect_callback_may_query_the_database(self):
        await sync_to_async(make_user)()
        request = await self.request()
        signed_in = await request.auth.asign_in(
            "credentials", username="ada", password=PASSWORD
        )
        assert (signed_in.ok, signed_in.url) == (True, "http://testserver/users/1/")
        signed_out = await request.auth.asign_out()
        assert signed_out.url == "http://testserver/users/1/"

    async def test_auser_after_a_sign_in_signal_from_other_code(self):
        # Code that sends user_logged_in without setting request.user leaves
        # the lazy user: request.auser() loads it in a thread.
        user = await sync_to_async(make_user)()
        await sync_to_async(self.client.force_login)(user)
        cookie = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        request = await sync_to_async(build_request)(
            {settings.SESSION_COOKIE_NAME: cookie}
        )
        await sync_to_async(user_logged_in.send)(
            sender=type(user), request=request, user=user
        )
        current = await request.auser()
        assert (current.is_authenticated, current.pk) == (True, user.pk)

    def test_exception_releases_the_claim_sync(self):
        make_user()
        one = build_request()
        one.META["CSRF_COOKIE"] = "secret-4"
        with (
            mock.patch(
                "django_useauth.internal.actions.authenticate_credentials",
                side_effect=RuntimeError("db down"),
            ),
            self.assertRaisesMessage(RuntimeError, "db down"),
        ):
            one.auth.sign_in("credentials", username="ada", password=PASSWORD)
        two = build_request()
        two.META["CSRF_COOKIE"] = "secret-4"
        assert two.auth.sign_in("credentials", username="ada", password=PASSWORD).ok

    def test_no_browser_identity_no_claim(self):
        make_user()
        # No CSRF cookie and no session yet (the Python API from a bare request).
        for _ in range(2):
            assert (
                build_request()
                .auth.sign_in("credentials", username="ada", password=PASSWORD)
                .ok
            )


class AsyncReadTests(TestCase):
    async def signed_in_key(self) -> str:
        """Sign in through ``asign_in()``; return the saved session's key."""
        request = await sync_to_async(build_request)()
        assert (
            await request.auth.asign_in(
                "credentials", username="ada", password=PASSWORD
            )
        ).ok
        await sync_to_async(request.session.save)()
        key: str | None = request.session.session_key
        assert key is not None
        return key

    async def test_deactivated_user_session_is_deleted(self):
        user = await sync_to_async(make_user)()
        key = await self.signed_in_key()
        user.is_active = False
        await sync_to_async(user.save)()
        again = await sync_to_async(build_request)({"sessionid": key})
        assert await again.auth.aget_session() is None
        from django.contrib.sessions.models import Session

        assert not await Session.objects.filter(session_key=key).aexists()

    async def test_session_past_the_absolute_cap_is_deleted(self):
        await sync_to_async(make_user)()
        key = await self.signed_in_key()
        within = await sync_to_async(build_request)({"sessionid": key})
        with self.settings(USEAUTH_ABSOLUTE_MAX_AGE=3600):
            assert await within.auth.aget_session() is not None
        later = timezone.now() + timedelta(hours=1)
        past = await sync_to_async(build_request)({"sessionid": key})
        with (
            self.settings(USEAUTH_ABSOLUTE_MAX_AGE=3600),
            mock.patch(
                "django_useauth.internal.lifetime.timezone.now", return_value=later
            ),
        ):
            assert await past.auth.aget_session() is None
        from django.contrib.sessions.models import Session

        assert not await Session.objects.filter(session_key=key).aexists()

    @override_settings(USEAUTH_SESSION_CACHE="sessions")
    async def test_signed_out_with_the_session_cache(self):
        request = await sync_to_async(build_request)()
        assert await request.auth.aget_session() is None
