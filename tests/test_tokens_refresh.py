"""The refresh-token rules: rotation, reuse revokes the family, sign-out, password change, deactivation, expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

from django.test import TestCase
from django.test import override_settings
from django.utils import timezone

from django_useauth.internal.token_families import digest
from django_useauth.models import RefreshToken
from django_useauth.models import TokenFamily
from django_useauth.tokens import issue_tokens
from django_useauth.tokens import revoke_tokens
from tests.utils import PASSWORD
from tests.utils import make_user
from tests.utils import post_json

LOGIN = "/api/token/login"
SESSION = "/api/token/session"
REFRESH = "/api/token/refresh"

Reason = TokenFamily.Reason


class RefreshTestCase(TestCase):
    def setUp(self) -> None:
        self.user = make_user()
        self.tokens = self.login()

    def login(self) -> Any:
        response = post_json(
            self.client, LOGIN, {"username": "ada", "password": PASSWORD}
        )
        assert response.status_code == 200
        return response.json()

    def refresh(self, value: str) -> Any:
        return post_json(self.client, REFRESH, {"refreshToken": value})

    def session_status(self, token: str) -> int:
        status: int = self.client.get(
            SESSION, headers={"Authorization": f"Bearer {token}"}
        ).status_code
        return status

    def assert_refused(self, value: str, code: str = "InvalidRefreshToken") -> None:
        response = self.refresh(value)
        assert response.status_code == 401
        assert response.json() == {"error": code}
        assert not response.cookies

    def family(self) -> TokenFamily:
        return TokenFamily.objects.get()


class RotationTests(RefreshTestCase):
    def test_a_refresh_answers_new_tokens(self) -> None:
        response = self.refresh(self.tokens["refreshToken"])
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"token", "refreshToken", "expires"}
        assert body["refreshToken"] != self.tokens["refreshToken"]
        assert body["token"] != self.tokens["token"]
        assert self.session_status(body["token"]) == 200
        # The same sign-in: one family, two refresh tokens, the first used.
        family = self.family()
        assert family.refresh_tokens.count() == 2
        assert family.refresh_tokens.filter(used_at__isnull=False).count() == 1

    def test_each_new_refresh_token_works_once(self) -> None:
        value = self.tokens["refreshToken"]
        for _ in range(3):
            response = self.refresh(value)
            assert response.status_code == 200
            value = response.json()["refreshToken"]
        assert self.family().revoked_at is None

    def test_reuse_revokes_the_whole_family(self) -> None:
        stolen = self.tokens["refreshToken"]
        owner = self.refresh(stolen).json()
        with self.assertLogs(
            "django_useauth.internal.token_families", "WARNING"
        ) as logs:
            self.assert_refused(stolen, "RefreshTokenReused")
        assert "refreshOnlyToken" in logs.output[0]
        family = self.family()
        assert family.revoked_reason == Reason.REUSE
        # The owner's newer tokens stop too: nobody can tell thief from owner.
        self.assert_refused(owner["refreshToken"])
        assert self.session_status(owner["token"]) == 401
        assert self.session_status(self.tokens["token"]) == 401

    def test_a_loser_whose_clock_read_came_first_is_still_reuse(self) -> None:
        # Two refreshes at once: the loser may have read the clock before the
        # winner claimed the token, at the same instant or even earlier.
        instant = timezone.now()
        for loser_read in (instant, instant - timedelta(milliseconds=1)):
            with self.subTest(loser_read=loser_read):
                TokenFamily.objects.all().delete()
                tokens = self.login()
                with mock.patch("django.utils.timezone.now", return_value=instant):
                    assert self.refresh(tokens["refreshToken"]).status_code == 200
                with mock.patch("django.utils.timezone.now", return_value=loser_read):
                    self.assert_refused(tokens["refreshToken"], "RefreshTokenReused")
                assert self.family().revoked_reason == Reason.REUSE

    def test_a_used_token_of_a_signed_out_family_is_only_invalid(self) -> None:
        # Not reuse: the family ended for another reason first.
        used = self.tokens["refreshToken"]
        current = self.refresh(used).json()
        post_json(
            self.client, "/api/token/logout", {"refreshToken": current["refreshToken"]}
        )
        with self.assertNoLogs("django_useauth.internal.token_families", "WARNING"):
            self.assert_refused(used)
        assert self.family().revoked_reason == Reason.SIGN_OUT

    def test_other_sign_ins_are_untouched(self) -> None:
        other = self.login()
        stolen = self.tokens["refreshToken"]
        self.refresh(stolen)
        self.refresh(stolen)
        assert self.refresh(other["refreshToken"]).status_code == 200
        assert self.session_status(other["token"]) == 200

    def test_unknown_and_malformed(self) -> None:
        self.assert_refused("unknown")
        self.assert_refused(self.tokens["token"])
        for body in (
            {},
            {"refreshToken": ""},
            {"refreshToken": 5},
            {"refreshToken": [1]},
        ):
            with self.subTest(body=body):
                response = post_json(self.client, REFRESH, body)
                assert response.status_code == 400
                assert response.json() == {"error": "MalformedBody"}

    def test_stored_only_as_a_digest(self) -> None:
        stored = list(RefreshToken.objects.values_list("digest", flat=True))
        assert self.tokens["refreshToken"] not in stored
        assert all(len(digest) == 64 for digest in stored)


@override_settings(USEAUTH_TOKEN_ROTATE_REFRESH=False)
class WithoutRotationTests(RefreshTestCase):
    def test_the_refresh_token_stays_and_is_not_answered(self) -> None:
        for _ in range(3):
            response = self.refresh(self.tokens["refreshToken"])
            assert response.status_code == 200
            assert "refreshToken" not in response.json()
            assert self.session_status(response.json()["token"]) == 200
        assert RefreshToken.objects.get().used_at is None


class RevocationTests(RefreshTestCase):
    def test_password_change(self) -> None:
        self.user.set_password("a new password")
        self.user.save()
        # The access token stops at once, as a session would.
        assert self.session_status(self.tokens["token"]) == 401
        self.assert_refused(self.tokens["refreshToken"])
        assert self.family().revoked_reason == Reason.PASSWORD

    def test_deactivation(self) -> None:
        self.user.is_active = False
        self.user.save()
        # Revoked at once, not at the next refresh.
        assert self.family().revoked_reason == Reason.INACTIVE
        assert self.session_status(self.tokens["token"]) == 401
        # Reactivated, the user signs in again; the old sign-in stays ended.
        self.user.is_active = True
        self.user.save()
        assert self.session_status(self.tokens["token"]) == 401
        self.assert_refused(self.tokens["refreshToken"])

    def test_deactivation_through_a_proxy_model(self) -> None:
        from tests.models import StaffUser

        proxy = StaffUser.objects.get(pk=self.user.pk)
        proxy.is_active = False
        proxy.save()
        assert self.family().revoked_reason == Reason.INACTIVE

    def test_saving_an_active_user_revokes_nothing(self) -> None:
        self.user.first_name = "Augusta"
        self.user.save()
        assert self.family().revoked_at is None

    def test_deleted_user(self) -> None:
        self.user.delete()
        assert self.session_status(self.tokens["token"]) == 401
        self.assert_refused(self.tokens["refreshToken"])
        assert not TokenFamily.objects.exists()

    def test_backend_removed_from_the_settings(self) -> None:
        with self.settings(
            AUTHENTICATION_BACKENDS=["django_useauth.backends.ThrottleBackend"]
        ):
            assert self.session_status(self.tokens["token"]) == 401
            self.assert_refused(self.tokens["refreshToken"])
        assert self.family().revoked_reason == Reason.INACTIVE

    def test_revoke_tokens(self) -> None:
        other = self.login()
        assert revoke_tokens(self.user) == 2
        assert revoke_tokens(self.user.pk) == 0
        for tokens in (self.tokens, other):
            assert self.session_status(tokens["token"]) == 401
            self.assert_refused(tokens["refreshToken"])
        assert set(TokenFamily.objects.values_list("revoked_reason", flat=True)) == {
            Reason.REVOKED
        }


class ExpiryTests(RefreshTestCase):
    @override_settings(USEAUTH_TOKEN_ROTATE_REFRESH=False)
    def test_an_expired_refresh_token_without_rotation(self) -> None:
        RefreshToken.objects.update(expires_at=timezone.now())
        self.assert_refused(self.tokens["refreshToken"])
        assert self.family().revoked_at is None

    def test_an_expired_refresh_token(self) -> None:
        RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        # Retried, as a client may: still no reuse to suspect.
        with self.assertNoLogs("django_useauth.internal.token_families", "WARNING"):
            self.assert_refused(self.tokens["refreshToken"])
            self.assert_refused(self.tokens["refreshToken"])
        # Not revoked: the sign-in simply ran out.
        assert self.family().revoked_at is None

    @override_settings(USEAUTH_TOKEN_REFRESH_LIFETIME=3600)
    def test_lifetime_setting(self) -> None:
        row = RefreshToken.objects.get()
        # Issued before the override: 14 days.
        assert row.expires_at - row.created_at == timedelta(days=14)
        new = self.refresh(self.tokens["refreshToken"]).json()
        row = RefreshToken.objects.get(used_at__isnull=True)
        assert row.expires_at - row.created_at == timedelta(hours=1)
        assert self.refresh(new["refreshToken"]).status_code == 200

    @override_settings(USEAUTH_TOKEN_ABSOLUTE_MAX_AGE=timedelta(days=2))
    def test_absolute_max_age_caps_every_rotation(self) -> None:
        tokens = self.login()
        family = TokenFamily.objects.get(
            refresh_tokens__used_at__isnull=True, expires_at__isnull=False
        )
        end = family.expires_at
        assert end is not None
        assert end - family.created_at == timedelta(days=2)
        new = self.refresh(tokens["refreshToken"]).json()
        # 14 days of refresh lifetime, cut to the family's end.
        latest = RefreshToken.objects.filter(family=family).latest("created_at")
        assert latest.expires_at == end
        TokenFamily.objects.filter(pk=family.pk).update(expires_at=timezone.now())
        self.assert_refused(new["refreshToken"])
        family.refresh_from_db()
        assert family.revoked_reason == Reason.EXPIRED

    def test_issue_tokens_from_python(self) -> None:
        # As login(): the backend is needed when several are configured.
        with self.assertRaisesMessage(ValueError, "pass backend="):
            issue_tokens(self.user)
        pair = issue_tokens(
            self.user, backend="django.contrib.auth.backends.ModelBackend"
        )
        assert self.session_status(pair.token) == 200
        assert pair.refresh_token is not None
        assert self.refresh(pair.refresh_token).status_code == 200
        assert pair.as_json()["refreshToken"] == pair.refresh_token


class ClearTokensTests(RefreshTestCase):
    def test_deletes_expired_tokens_and_empty_families(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        live = self.login()
        rotated = self.refresh(live["refreshToken"]).json()
        # The first sign-in's one token has expired; the second has two, one expired.
        first = TokenFamily.objects.get(
            refresh_tokens__digest=digest(self.tokens["refreshToken"])
        )
        RefreshToken.objects.filter(family=first).update(expires_at=timezone.now())
        RefreshToken.objects.filter(used_at__isnull=False).update(
            expires_at=timezone.now()
        )
        out = StringIO()
        call_command("cleartokens", stdout=out)
        assert (
            out.getvalue() == "Deleted 2 expired refresh token(s), 1 token sign-in(s) "
            "and 0 expired e-mail sign-in(s).\n"
        )
        assert TokenFamily.objects.count() == 1
        assert self.refresh(rotated["refreshToken"]).status_code == 200


@override_settings(USEAUTH_TOKEN_REUSE_INTERVAL=10)
class ReuseIntervalTests(RefreshTestCase):
    def test_a_second_use_within_the_interval_gets_tokens_of_its_own(self) -> None:
        first = self.refresh(self.tokens["refreshToken"]).json()
        second = self.refresh(self.tokens["refreshToken"])
        assert second.status_code == 200
        branch = second.json()
        assert branch["refreshToken"] != first["refreshToken"]
        # One family, both branches live.
        assert self.family().revoked_at is None
        for tokens in (first, branch):
            assert self.session_status(tokens["token"]) == 200
            assert self.refresh(tokens["refreshToken"]).status_code == 200

    def test_after_the_interval_it_is_reuse(self) -> None:
        self.refresh(self.tokens["refreshToken"])
        RefreshToken.objects.filter(used_at__isnull=False).update(
            used_at=timezone.now() - timedelta(seconds=11)
        )
        self.assert_refused(self.tokens["refreshToken"], "RefreshTokenReused")
        assert self.family().revoked_reason == Reason.REUSE
