"""ATTACKS E1–E4: user enumeration."""

from __future__ import annotations

import json
import re
from unittest import mock

from django.contrib.auth import hashers
from social_django.models import UserSocialAuth

from tests.attacks.base import FAILED
from tests.attacks.base import THROTTLED
from tests.attacks.base import WINDOW
from tests.attacks.base import AttackTestCase
from tests.attacks.base import assert_json
from tests.attacks.base import frozen_time
from tests.attacks.base import outcome
from tests.attacks.base import post_credentials
from tests.attacks.base import session_json
from tests.expected import credentials_providers
from tests.utils import BASE
from tests.utils import NEVER_CACHE
from tests.utils import PASSWORD
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user

CSRF_FIELD = re.compile(rb'name="csrfToken" value="[A-Za-z0-9]{64}"')


class EnumerationTests(AttackTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
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
        "empty username and password": ("", ""),
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

    # E3 in part: there is no sign-up and no password reset to enumerate
    # through; these are the endpoints that exist (providers, error page,
    # sign-in page).
    def test_E3_other_endpoints_reveal_nothing(self):
        providers = self.client.get("/api/auth/providers")
        assert_json(providers, 200, credentials_providers(BASE))
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
