"""OAuth providers without a network: URLs, errors, checks and configuration.

The round trips against a real identity provider are in test_oidc.py.
"""

from __future__ import annotations

import logging
from unittest import mock
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from django.http import HttpResponse
from django.test import SimpleTestCase
from django.test import TestCase
from django.test import override_settings
from social_core import exceptions as social
from social_core.backends.github import GithubOAuth2

from django_useauth import checks
from django_useauth.env import oauth_settings
from django_useauth.internal.oauth import error_code
from django_useauth.internal.providers import get_providers
from django_useauth.oauth import UseAuthStrategy
from tests.expected import credentials_providers
from tests.expected import github_provider
from tests.utils import BASE
from tests.utils import GITHUB
from tests.utils import auth_request
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import fake_oauth_success
from tests.utils import make_user
from tests.utils import sign_in


def state_keys(session):
    # SessionBase is not iterable; keys() is its way to list them.
    return [key for key in session.keys() if "state" in key]  # noqa: SIM118


@override_settings(**GITHUB)
class ProvidersTests(TestCase):
    def test_listed(self):
        response = self.client.get("/api/auth/providers")
        assert response.json() == {
            **credentials_providers(BASE),
            "github": github_provider(BASE),
        }

    def test_sign_in_page_has_a_button(self):
        html = self.client.get("/api/auth/signin?callbackUrl=/p").content.decode()
        assert (
            '<form class="useauth-provider" method="post" action="/api/auth/signin/github">'
            in html
        )
        assert "Sign in with GitHub</button>" in html
        assert '<p class="useauth-divider"><span>or</span></p>' in html

    @override_settings(
        AUTHENTICATION_BACKENDS=[
            "no.such.Backend",
            "social_core.backends.github.GithubOAuth2",
            "social_core.backends.github.GithubOAuth2",
            "tests.test_oauth.BadNameBackend",
            "tests.test_oauth.CredentialsNamedBackend",
        ]
    )
    def test_unimportable_duplicate_and_bad_names_skipped(self):
        assert list(get_providers()) == ["credentials", "github"]


class BadNameBackend(GithubOAuth2[HttpResponse]):
    name = "Bad Name"


class CredentialsNamedBackend(GithubOAuth2[HttpResponse]):
    name = "credentials"


@override_settings(**GITHUB)
class SignInStartTests(TestCase):
    def setUp(self):
        self.client = csrf_client()

    def test_json_mode_answers_the_authorize_url(self):
        token = csrf_token(self.client)
        response = self.client.post(
            "/api/auth/signin/github?login=octocat&scope=evil",
            {"csrfToken": token, "callbackUrl": "/after?x=1", "json": "true"},
        )
        assert response.status_code == 200
        url = urlsplit(response.json()["url"])
        assert (url.scheme, url.netloc, url.path) == (
            "https",
            "github.com",
            "/login/oauth/authorize",
        )
        query = parse_qs(url.query)
        assert query["client_id"] == ["gh-client"]
        assert query["redirect_uri"][0].startswith(
            "http://testserver/api/auth/callback/github"
        )
        # Request data never overrides the scope (social-core's allow-list is empty).
        assert "evil" not in query.get("scope", [""])[0]
        assert "state" in query
        session = self.client.session
        assert session["_useauth_callback_url:github"] == "/after?x=1"
        assert any(key.startswith("github_") for key in state_keys(session))

    @override_settings(
        SOCIAL_AUTH_GITHUB_AUTH_EXTRA_ARGUMENTS={"login": "", "allow_signup": "false"},
        SOCIAL_AUTH_GITHUB_AUTH_EXTRA_ARGUMENTS_OVERRIDE_ALLOWLIST=["login"],
    )
    def test_allow_listed_authorization_params_pass_through(self):
        # signIn("github", {}, {login: "octocat", allow_signup: "true", scope: "evil"})
        response = self.client.post(
            "/api/auth/signin/github?login=octocat&allow_signup=true&scope=evil",
            {"csrfToken": csrf_token(self.client), "json": "true"},
        )
        query = parse_qs(urlsplit(response.json()["url"]).query)
        assert query["login"] == ["octocat"]
        assert query["allow_signup"] == ["false"]  # configured, not allow-listed
        assert "evil" not in query.get("scope", [""])[0]

    def test_redirect_mode(self):
        response = self.client.post(
            "/api/auth/signin/github", {"csrfToken": csrf_token(self.client)}
        )
        assert response.status_code == 302
        assert response["Location"].startswith(
            "https://github.com/login/oauth/authorize?"
        )
        assert "no-store" in response["Cache-Control"]

    def test_hostile_callback_url_not_stored(self):
        self.client.post(
            "/api/auth/signin/github",
            {"csrfToken": csrf_token(self.client), "callbackUrl": "//evil.example/x"},
        )
        assert "_useauth_callback_url:github" not in self.client.session

    def test_csrf_required(self):
        csrf_token(self.client)
        response = self.client.post("/api/auth/signin/github", {"json": "true"})
        assert response.json() == {"url": "http://testserver/api/auth/signin?csrf=true"}
        assert not state_keys(self.client.session)

    def test_get_never_starts_a_flow(self):
        response = self.client.get("/api/auth/signin/github")
        assert response.status_code == 200
        assert b"Sign in with GitHub" in response.content
        assert not state_keys(self.client.session)

    def test_failure_to_build_the_url(self):
        with (
            mock.patch.object(
                GithubOAuth2,
                "auth_url",
                side_effect=social.AuthConfigurationError(None, "boom"),
            ),
            self.assertLogs("django_useauth.oauth", logging.WARNING) as logs,
        ):
            response = self.client.post(
                "/api/auth/signin/github",
                {"csrfToken": csrf_token(self.client), "json": "true"},
            )
        assert response.status_code == 200
        assert response.json() == {
            "url": "http://testserver/api/auth/error?error=OAuthSignin"
        }
        assert "OAuth sign-in with 'github' failed" in logs.output[0]

    def test_failure_redirect_mode(self):
        with (
            mock.patch.object(
                GithubOAuth2, "auth_url", side_effect=RuntimeError("boom")
            ),
            self.assertLogs("django_useauth.oauth", logging.ERROR),
        ):
            response = self.client.post(
                "/api/auth/signin/github", {"csrfToken": csrf_token(self.client)}
            )
        assert (
            response["Location"] == "http://testserver/api/auth/error?error=OAuthSignin"
        )

    def test_html_sign_in_page_backend(self):
        with (
            mock.patch.object(GithubOAuth2, "uses_redirect", return_value=False),
            mock.patch.object(
                GithubOAuth2, "auth_html", return_value="<form>auto</form>"
            ),
        ):
            token = csrf_token(self.client)
            page = self.client.post("/api/auth/signin/github", {"csrfToken": token})
            as_json = self.client.post(
                "/api/auth/signin/github", {"csrfToken": token, "json": "true"}
            )
        assert page.status_code == 200
        assert page.content == b"<form>auto</form>"
        assert as_json.json() == {
            "url": "http://testserver/api/auth/error?error=OAuthSignin"
        }

    def test_python_api(self):
        from django.test import RequestFactory

        request = auth_request(RequestFactory().post("/"))
        result = request.auth.sign_in("github", callback_url="/x")  # type: ignore[attr-defined]
        assert result.ok is True
        assert result.error is None
        assert result.status == 200
        assert result.url.startswith("https://github.com/login/oauth/authorize?")
        assert request.session["_useauth_callback_url:github"] == "/x"

    async def test_python_api_async(self):
        from asgiref.sync import sync_to_async
        from django.test import RequestFactory

        request = auth_request(RequestFactory().post("/"))
        result = await request.auth.asign_in("github")  # type: ignore[attr-defined]
        assert result.url.startswith("https://github.com/")
        assert (
            await sync_to_async(request.session.get)("_useauth_callback_url:github")
            is None
        )


@override_settings(**GITHUB)
class CallbackTests(TestCase):
    def test_provider_error_access_denied(self):
        client = csrf_client()
        client.post(
            "/api/auth/signin/github",
            {"csrfToken": csrf_token(client), "callbackUrl": "/p"},
        )
        with self.assertLogs("django_useauth.oauth", logging.WARNING) as logs:
            response = client.get(
                "/api/auth/callback/github?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C/script%3E"
            )
        assert response.status_code == 302
        assert (
            response["Location"]
            == "http://testserver/api/auth/error?error=AccessDenied&callbackUrl=%2Fp"
        )
        assert "no-store" in response["Cache-Control"]
        page = client.get(response["Location"])
        assert page.status_code == 403
        assert b"script" not in page.content
        assert "authorization_declined" in logs.output[0]
        assert client.get("/api/auth/session").json() == {}

    def forged_callback(self) -> None:
        """An attacker's callback URL, for a flow never started here: OAuthCallback."""
        with self.assertLogs("django_useauth.oauth", logging.WARNING):
            response = self.client.get(
                "/api/auth/callback/github?code=ATTACKER&state=ANY"
            )
        assert (
            response["Location"]
            == "http://testserver/api/auth/error?error=OAuthCallback"
        )

    def test_no_flow_started(self):
        self.forged_callback()
        assert self.client.get("/api/auth/session").json() == {}

    def test_signed_in_user_stays_signed_in(self):
        make_user()
        sign_in(self.client)
        self.forged_callback()
        assert (
            self.client.get("/api/auth/session").json()["user"]["name"]
            == "Ada Lovelace"
        )

    def test_head_does_not_run_the_callback(self):
        response = self.client.head("/api/auth/callback/github?code=x&state=y")
        assert response.status_code == 405
        assert response["Allow"] == "GET, POST"

    def test_unexpected_error_after_sign_in_is_undone(self):
        from django_useauth.internal import oauth

        user = make_user()

        def fake_complete(backend, login, **kwargs):
            login(backend, user, None)
            raise RuntimeError("pipeline bug after login")

        with (
            mock.patch.object(oauth, "do_complete", fake_complete),
            self.assertLogs("django_useauth.oauth", logging.ERROR),
        ):
            response = self.client.get("/api/auth/callback/github?code=x&state=y")
        assert response["Location"] == "http://testserver/api/auth/error?error=Callback"
        assert self.client.get("/api/auth/session").json() == {}

    def test_interrupted_pipeline_response_passes_through(self):
        from django.http import HttpResponseRedirect

        from django_useauth.internal import oauth

        session = self.client.session
        session["_useauth_callback_url:github"] = "/p"
        session.save()
        self.client.cookies["sessionid"] = session.session_key  # type: ignore[assignment]
        with mock.patch.object(
            oauth, "do_complete", return_value=HttpResponseRedirect("/ask-email/")
        ):
            response = self.client.get("/api/auth/callback/github?code=x&state=y")
        assert response["Location"] == "/ask-email/"
        # The flow resumes later, so its callbackUrl is kept.
        assert self.client.session["_useauth_callback_url:github"] == "/p"

    def test_success_uses_the_stored_callback_url_checked_again(self):
        from django_useauth.internal import oauth

        user = make_user()
        session = self.client.session
        # I2: a stored value is checked when it is used.
        session["_useauth_callback_url:github"] = "//evil.example"
        session.save()
        self.client.cookies["sessionid"] = session.session_key  # type: ignore[assignment]

        with mock.patch.object(oauth, "do_complete", fake_oauth_success(user)):
            response = self.client.get("/api/auth/callback/github?code=x&state=y")
        assert response["Location"] == "http://testserver/"
        assert "_useauth_callback_url:github" not in self.client.session
        assert (
            self.client.get("/api/auth/session").json()["user"]["name"]
            == "Ada Lovelace"
        )


class StrategyTests(TestCase):
    def test_outcome_urls(self):
        from django.test import RequestFactory

        request = RequestFactory().get("/")
        request.session = mock.Mock()
        strategy = UseAuthStrategy(mock.Mock(), request)
        strategy.success_url = "http://testserver/next"
        strategy.error_params = {"callbackUrl": "/next"}
        for name in (
            "LOGIN_REDIRECT_URL",
            "NEW_USER_REDIRECT_URL",
            "NEW_ASSOCIATION_REDIRECT_URL",
        ):
            assert strategy.setting(name) == "http://testserver/next"
        assert strategy.setting("INACTIVE_USER_URL") == (
            "http://testserver/api/auth/error?error=AccessDenied&callbackUrl=%2Fnext"
        )
        assert strategy.setting("LOGIN_ERROR_URL") == (
            "http://testserver/api/auth/error?error=Callback&callbackUrl=%2Fnext"
        )
        with self.settings(SOCIAL_AUTH_SANITIZE_REDIRECTS=False):
            assert strategy.setting("SANITIZE_REDIRECTS") is False

    def test_social_cores_redirect_field_is_hidden(self):
        # social-core's own redirect value would get around our policy: it is
        # never read from the request, stored or read back (see test_oidc.py).
        from django.test import RequestFactory

        from django_useauth.internal.oauth import _NO_REDIRECT_FIELD

        request = RequestFactory().post(
            "/", {_NO_REDIRECT_FIELD: "//evil.example", "keep": "1"}
        )
        request.session = {}  # type: ignore[assignment]
        strategy = UseAuthStrategy(mock.Mock(), request)
        assert strategy.request_data() == {"keep": "1"}
        strategy.session_set(_NO_REDIRECT_FIELD, "//evil.example")
        strategy.session_set("other", "value")
        assert request.session == {"other": "value"}
        request.session[_NO_REDIRECT_FIELD] = "//evil.example"
        assert strategy.session_get(_NO_REDIRECT_FIELD, "") == ""
        assert strategy.session_get("other") == "value"


class ErrorCodeTests(SimpleTestCase):
    def test_mapping(self):
        import requests

        cases = [
            (social.AuthCanceled(None, code="authorization_declined"), "AccessDenied"),
            (
                social.AuthPolicyError(None, code="authentication_disallowed"),
                "AccessDenied",
            ),
            (
                social.AuthAssociationError(None, code="identity_in_use"),
                "OAuthAccountNotLinked",
            ),
            (
                social.AuthConfigurationError(
                    None, code="invalid_setting", provider_code="invalid_request"
                ),
                "Callback",
            ),
            (
                social.AuthConfigurationError(None, code="missing_setting"),
                "Configuration",
            ),
            (
                social.AuthSessionError(None, code="session_context_missing"),
                "OAuthCallback",
            ),
            (social.AuthResponseError(None), "OAuthCallback"),
            (social.AuthCredentialError(None), "OAuthCallback"),
            (social.AuthInputError(None), "OAuthCallback"),
            (requests.ConnectionError("down"), "OAuthCallback"),
            (social.AuthProviderError(None), "Callback"),
            (social.AuthUnknownError(None), "Callback"),
            (KeyError("x"), "Callback"),
        ]
        for exc, code in cases:
            assert error_code(exc) == code, exc


class ChecksTests(SimpleTestCase):
    def ids(self):
        return [message.id for message in checks.check_providers()]

    def test_defaults(self):
        assert self.ids() == []

    @override_settings(**GITHUB)
    def test_configured(self):
        assert self.ids() == []

    @override_settings(
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django_useauth",
        ],
        **GITHUB,
    )
    def test_e007(self):
        assert self.ids() == ["useauth.E007"]

    @override_settings(
        AUTHENTICATION_BACKENDS=[
            "tests.test_oauth.BadNameBackend",
            "tests.test_oauth.CredentialsNamedBackend",
        ]
    )
    def test_e008(self):
        messages = checks.check_providers()
        assert [m.id for m in messages] == ["useauth.E008", "useauth.E008"]
        assert "'Bad Name'" in messages[0].msg

    @override_settings(
        AUTHENTICATION_BACKENDS=["social_core.backends.github.GithubOAuth2"]
    )
    def test_e009(self):
        messages = checks.check_providers()
        assert [m.id for m in messages] == ["useauth.E009"]
        assert messages[0].msg == (
            "The provider 'github' (social_core.backends.github.GithubOAuth2) should have "
            "SOCIAL_AUTH_GITHUB_KEY, SOCIAL_AUTH_GITHUB_SECRET set."
        )

    @override_settings(
        AUTHENTICATION_BACKENDS=[
            "social_core.backends.open_id_connect.OpenIdConnectAuth"
        ],
        SOCIAL_AUTH_OIDC_KEY="k",
        SOCIAL_AUTH_SECRET="global secret",
    )
    def test_e009_oidc_endpoint(self):
        messages = checks.check_providers()
        assert [m.id for m in messages] == ["useauth.E009"]
        assert "SOCIAL_AUTH_OIDC_OIDC_ENDPOINT set" in messages[0].msg

    @override_settings(
        AUTHENTICATION_BACKENDS=["social_core.backends.open_id.OpenIdAuth"]
    )
    def test_non_oauth_backends_need_no_keys(self):
        assert self.ids() == []

    @override_settings(USEAUTH_CREDENTIALS_ENABLED=False)
    def test_e021(self):
        assert self.ids() == ["useauth.E021"]


class EnvTests(SimpleTestCase):
    def test_two_variables_enable_a_provider(self):
        import environ

        providers = {
            "GITHUB": "social_core.backends.github.GithubOAuth2",
            "GOOGLE": "social_core.backends.google.GoogleOAuth2",
            "IDP": "social_core.backends.open_id_connect.OpenIdConnectAuth",
        }
        environment = {
            "AUTH_GITHUB_ID": "gh",
            "AUTH_GITHUB_SECRET": "ghs",
            "AUTH_GOOGLE_ID": "only-an-id",
            "AUTH_IDP_ID": "idp",
            "AUTH_IDP_SECRET": "idps",
            "AUTH_IDP_ISSUER": "https://idp.example/o/",
            "AUTH_IDP_SCOPE": "groups, offline_access,",
        }
        with mock.patch.dict("os.environ", environment, clear=True):
            result = oauth_settings(environ.Env(), providers)
        assert result.backends == [
            "social_core.backends.github.GithubOAuth2",
            "social_core.backends.open_id_connect.OpenIdConnectAuth",
        ]
        assert result.settings == {
            "SOCIAL_AUTH_GITHUB_KEY": "gh",
            "SOCIAL_AUTH_GITHUB_SECRET": "ghs",
            "SOCIAL_AUTH_OIDC_KEY": "idp",
            "SOCIAL_AUTH_OIDC_SECRET": "idps",
            "SOCIAL_AUTH_OIDC_OIDC_ENDPOINT": "https://idp.example/o",
            "SOCIAL_AUTH_OIDC_SCOPE": ["groups", "offline_access"],
            # What the system checks read (tests/test_checks_env.py).
            "USEAUTH_OAUTH_ENV": {
                "GITHUB": {"backend": providers["GITHUB"], "missing": []},
                "GOOGLE": {
                    "backend": providers["GOOGLE"],
                    "missing": ["AUTH_GOOGLE_SECRET"],
                },
                "IDP": {"backend": providers["IDP"], "missing": []},
            },
        }

    def test_scheme_defaults_and_empty_values(self):
        import environ

        with mock.patch.dict("os.environ", {"AUTH_GITHUB_SECRET": " "}, clear=True):
            env = environ.Env(AUTH_GITHUB_ID=(str, "default-id"))
            result = oauth_settings(
                env, {"GITHUB": "social_core.backends.github.GithubOAuth2"}
            )
        assert result.backends == []

    def test_not_a_backend(self):
        import environ
        from django.core.exceptions import ImproperlyConfigured

        with self.assertRaisesMessage(
            ImproperlyConfigured,
            "'django.contrib.auth.backends.ModelBackend' (for AUTH_X_ID)",
        ):
            oauth_settings(
                environ.Env(), {"X": "django.contrib.auth.backends.ModelBackend"}
            )
