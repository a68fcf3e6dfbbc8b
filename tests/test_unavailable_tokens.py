"""Revoking token families while ``USEAUTH_TOKEN_REVOCATION_CACHE`` cannot be told (issue 16).

The revocation in the database always happens; the cache's mark tells every
server to refuse the family's access tokens before they expire. A mark that
cannot be written is logged and reported (``mark_revoked`` answers
``False``); a sign-out is then not reported done (``StoreUnavailable``, a
503: asked again once the cache is back, it is). The endpoint's side is
TOK23 in tests/attacks/test_tokens.py.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import caches
from django.test import Client
from django.test import TestCase
from django.test import override_settings

from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal import token_families
from django_useauth.models import TokenFamily
from tests.outage_utils import LOCMEM
from tests.outage_utils import caches_with
from tests.outage_utils import no_cool_down
from tests.tokens_utils import TOKEN_LOGOUT
from tests.tokens_utils import bearer
from tests.tokens_utils import token_login
from tests.utils import make_user
from tests.utils import post_json

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
LOGGER = "django_useauth.internal.token_families"


@override_settings(USEAUTH_TOKEN_REVOCATION_CACHE="revocations")
class RevocationCacheDownTests(TestCase):
    """The revocation cache on a real Redis client, at a closed port."""

    def setUp(self):
        self.enterContext(override_settings(CACHES=caches_with("revocations")))
        self.family = token_families.start(make_user(), backend=MODEL_BACKEND).family

    def reason(self) -> str:
        return TokenFamily.objects.get(pk=self.family).revoked_reason

    def test_the_mark_fails_logged_without_a_traceback(self):
        with self.assertLogs(LOGGER, "WARNING") as logs:
            assert token_families.mark_revoked(self.family) is False
        [record] = logs.records
        assert self.family in record.getMessage()
        assert "(StoreUnavailable)" in record.getMessage()
        # The outage itself is logged once by django_useauth.outages.
        assert not record.exc_info

    def test_a_sign_out_revokes_then_raises(self):
        with self.assertLogs(LOGGER, "WARNING"), pytest.raises(StoreUnavailable):
            token_families.revoke(self.family)
        assert self.reason() == "sign-out"

    def test_other_revocations_do_not_raise(self):
        with self.assertLogs(LOGGER, "WARNING"):
            assert token_families.revoke(self.family, reason="revoked") is True
        assert self.reason() == "revoked"


class RevocationCacheErrorTests(TestCase):
    """The cache answers, with an error that is no outage (a bug, a value it cannot store)."""

    def test_logged_with_its_traceback(self):
        family = token_families.start(make_user(), backend=MODEL_BACKEND).family
        broken = ValueError("cannot store this value")
        with (
            mock.patch.object(caches["default"], "set", side_effect=broken),
            self.assertLogs(LOGGER, "WARNING") as logs,
        ):
            assert token_families.mark_revoked(family) is False
        [record] = logs.records
        assert "(ValueError)" in record.getMessage()
        assert record.exc_info is not None
        assert record.exc_info[1] is broken


@override_settings(USEAUTH_TOKEN_REVOCATION_CACHE="revocations")
class LogoutWithTheCacheDownTests(TestCase):
    """``POST /api/token/logout`` with a Bearer header, as nuxt-auth's local provider sends it."""

    def setUp(self):
        make_user()
        self.pair = token_login(Client())

    def test_the_family_is_revoked_and_the_answer_is_json_503(self):
        self.enterContext(no_cool_down())
        with override_settings(CACHES=caches_with("revocations")):
            response = post_json(
                Client(),
                TOKEN_LOGOUT,
                {"refreshToken": self.pair["refreshToken"]},
                headers=bearer(self.pair["token"]),
            )
        # JSON without Accept: application/json (token mode speaks JSON only).
        assert response.status_code == 503
        assert response.json() == {"error": "ServiceUnavailable"}
        assert response["Retry-After"] == "5"
        family = token_families.family_of(self.pair["refreshToken"])
        assert family is not None and family.revoked_reason == "sign-out"
        # Asked again with the cache back: done.
        with override_settings(CACHES=caches_with(revocations=LOCMEM)):
            again = post_json(
                Client(), TOKEN_LOGOUT, {"refreshToken": self.pair["refreshToken"]}
            )
        assert again.status_code == 200
