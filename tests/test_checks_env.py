"""Providers from ``django_useauth.env.oauth_settings()`` that it left out: W020, W021, and E009's hint."""

from __future__ import annotations

from unittest import mock

import environ
from django.core.checks import Warning
from django.test import SimpleTestCase
from django.test import override_settings

from django_useauth import checks
from django_useauth.env import OAuthSettings
from django_useauth.env import oauth_settings

THROTTLE = "django_useauth.backends.ThrottleBackend"
MODEL = "django.contrib.auth.backends.ModelBackend"
GITHUB = "social_core.backends.github.GithubOAuth2"
GOOGLE = "social_core.backends.google.GoogleOAuth2"
OIDC = "social_core.backends.open_id_connect.OpenIdConnectAuth"
PROVIDERS = {"GITHUB": GITHUB, "GOOGLE": GOOGLE, "OIDC": OIDC}


def from_env(
    environment: dict[str, str], env: environ.Env | None = None
) -> OAuthSettings:
    with mock.patch.dict("os.environ", environment, clear=True):
        return oauth_settings(env or environ.Env(), PROVIDERS)


def ids() -> list[str]:
    return [str(message.id) for message in checks.check_providers()]


class RecordTests(SimpleTestCase):
    def test_every_provider_with_its_missing_variables(self):
        oauth = from_env(
            {
                "AUTH_GITHUB_ID": "gh",
                "AUTH_GITHUB_SECRET": "ghs",
                "AUTH_GOOGLE_ID": "only-an-id",
                "AUTH_OIDC_SECRET": "",
            }
        )
        assert oauth.backends == [GITHUB]
        assert oauth.settings["USEAUTH_OAUTH_ENV"] == {
            "GITHUB": {"backend": GITHUB, "missing": []},
            "GOOGLE": {"backend": GOOGLE, "missing": ["AUTH_GOOGLE_SECRET"]},
            "OIDC": {
                "backend": OIDC,
                "missing": ["AUTH_OIDC_ID", "AUTH_OIDC_SECRET"],
            },
        }

    def test_an_empty_record_without_providers(self):
        assert oauth_settings(environ.Env(), {}) == OAuthSettings(
            backends=[], settings={"USEAUTH_OAUTH_ENV": {}}
        )


class EnvProvidersTests(SimpleTestCase):
    def configure(
        self, oauth: OAuthSettings, backends: list[str] | None = None
    ) -> override_settings:
        # What the documented settings.py does with the result.
        if backends is None:
            backends = [THROTTLE, *oauth.backends, MODEL]
        return override_settings(AUTHENTICATION_BACKENDS=backends, **oauth.settings)

    def test_quiet_when_every_provider_is_on_or_off(self):
        oauth = from_env({"AUTH_GITHUB_ID": "gh", "AUTH_GITHUB_SECRET": "ghs"})
        with self.configure(oauth):
            assert ids() == []
        # No settings from oauth_settings() at all: nothing recorded.
        assert ids() == []

    def test_w020_id_without_secret(self):
        oauth = from_env({"AUTH_GITHUB_ID": "gh", "AUTH_GITHUB_SECRET": " "})
        assert oauth.backends == []
        with self.configure(oauth):
            assert checks.check_providers() == [
                Warning(
                    "AUTH_GITHUB_ID is set but AUTH_GITHUB_SECRET is unset or empty, "
                    "so django_useauth.env.oauth_settings() left "
                    "'social_core.backends.github.GithubOAuth2' out: there is no "
                    "'github' provider (SOCIAL_AUTH_GITHUB_SECRET is not set).",
                    hint="Set AUTH_GITHUB_SECRET to the OAuth app's client secret, or "
                    "unset AUTH_GITHUB_ID to switch the provider off.",
                    id="useauth.W020",
                )
            ]

    def test_an_empty_id_switches_a_provider_off(self):
        # The demo's way to turn its IdP off: AUTH_DEMO_IDP_ID= beside a
        # secret that has a default.
        env = environ.Env(AUTH_GITHUB_SECRET=(str, "default-secret"))
        oauth = from_env({"AUTH_GITHUB_ID": ""}, env)
        assert oauth.backends == []
        with self.configure(oauth):
            assert ids() == []

    def test_w021_backend_left_out_of_authentication_backends(self):
        oauth = from_env({"AUTH_GITHUB_ID": "gh", "AUTH_GITHUB_SECRET": "ghs"})
        with self.configure(oauth, [THROTTLE, MODEL]):
            assert checks.check_providers() == [
                Warning(
                    "django_useauth.env.oauth_settings() set 'github' up from "
                    "AUTH_GITHUB_ID and AUTH_GITHUB_SECRET, but "
                    "'social_core.backends.github.GithubOAuth2' is not in "
                    "AUTHENTICATION_BACKENDS: there is no 'github' provider.",
                    hint="Add the backends it enabled: AUTHENTICATION_BACKENDS = "
                    "['django_useauth.backends.ThrottleBackend', *oauth.backends, "
                    "'django.contrib.auth.backends.ModelBackend'].",
                    id="useauth.W021",
                )
            ]

    def test_e009_names_the_variable(self):
        # An OpenID Connect provider without AUTH_OIDC_ISSUER is enabled (its
        # ID and secret are set) and lacks its endpoint.
        oauth = from_env(
            {
                "AUTH_OIDC_ID": "id",
                "AUTH_OIDC_SECRET": "secret",
                "AUTH_GITHUB_ID": "gh",
                "AUTH_GITHUB_SECRET": "ghs",
            }
        )
        with self.configure(oauth):
            messages = checks.check_providers()
        assert [message.id for message in messages] == ["useauth.E009"]
        assert messages[0].msg == (
            "The provider 'oidc' "
            "(social_core.backends.open_id_connect.OpenIdConnectAuth) should have "
            "SOCIAL_AUTH_OIDC_OIDC_ENDPOINT set."
        )
        assert messages[0].hint == (
            "Set AUTH_OIDC_ISSUER in the environment, which "
            "django_useauth.env.oauth_settings() reads."
        )

    def test_e009_for_a_provider_set_up_by_hand(self):
        # GitLab is not among the providers given to oauth_settings(); Google
        # is, so its variables are named even though its backend was added
        # by hand.
        gitlab = "social_core.backends.gitlab.GitLabOAuth2"
        oauth = from_env({"AUTH_GITHUB_ID": "gh", "AUTH_GITHUB_SECRET": "ghs"})
        with self.configure(oauth, [THROTTLE, GITHUB, gitlab, GOOGLE, MODEL]):
            messages = checks.check_providers()
        assert [message.id for message in messages] == [
            "useauth.E009",
            "useauth.E009",
        ]
        assert [message.hint for message in messages] == [
            "Set them in settings, e.g. from AUTH_<PROVIDER>_ID and "
            "AUTH_<PROVIDER>_SECRET with django_useauth.env.oauth_settings().",
            "Set AUTH_GOOGLE_ID and AUTH_GOOGLE_SECRET in the environment, which "
            "django_useauth.env.oauth_settings() reads.",
        ]
