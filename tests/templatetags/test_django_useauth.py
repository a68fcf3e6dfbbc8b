from __future__ import annotations

import re

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.template import Context
from django.template import Template
from django.test import RequestFactory
from django.test import SimpleTestCase
from django.test import TestCase
from django.test import override_settings
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from django_useauth.middleware import AuthMiddleware
from django_useauth.templatetags import django_useauth as django_useauth_tags
from django_useauth.templatetags.django_useauth import CURRENT_PAGE
from django_useauth.templatetags.django_useauth import Site
from tests.utils import make_user

TOKEN_RE = re.compile(r'name="csrfToken" value="[A-Za-z0-9]{64}"')


def render(template: str, request: object = None, **extra: object) -> str:
    context = Context({"request": request, **extra} if request is not None else extra)
    rendered = Template("{% load django_useauth %}" + template).render(context)
    # The masked CSRF token differs on every call; pin its shape, then its place.
    assert len(TOKEN_RE.findall(rendered)) == rendered.count('name="csrfToken"')
    return TOKEN_RE.sub('name="csrfToken" value="TOKEN"', rendered)


def make_request(path="/page/?a=1&b=2", user=None):
    request = RequestFactory().get(path)
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    if user is not None:
        request.user = user
        request.session["_auth_user_id"] = str(user.pk)
    AuthMiddleware(lambda r: HttpResponse())(request)
    return request


class TagTests(TestCase):
    def test_auth_status(self):
        assert render("{% auth_status %}", make_request()) == "unauthenticated"
        user = make_user()
        assert render("{% auth_status %}", make_request(user=user)) == "authenticated"
        assert render("{% auth_status %}") == ""

    def test_auth_user(self):
        user = make_user(first_name="<img src=x onerror=alert(1)>", last_name="")
        request = make_request(user=user)
        assert (
            render("{% auth_user %}", request) == "&lt;img src=x onerror=alert(1)&gt;"
        )
        assert render('{% auth_user "email" %}', request) == "ada@example.com"
        assert render('{% auth_user "image" %}', request) == ""
        assert render('{% auth_user "nope" %}', request) == ""
        assert render("{% auth_user %}", make_request()) == ""
        assert render("{% auth_user %}") == ""

    def test_sign_in_url(self):
        request = make_request()
        assert render("{% sign_in_url %}", request) == (
            "/api/auth/signin?callbackUrl=%2Fpage%2F%3Fa%3D1%26b%3D2"
        )
        assert (
            render('{% sign_in_url "/x/" %}', request)
            == "/api/auth/signin?callbackUrl=%2Fx%2F"
        )
        assert render("{% sign_in_url None %}", request) == "/api/auth/signin"
        assert (
            render('{% sign_in_url "//evil.example" %}', request) == "/api/auth/signin"
        )
        assert render("{% sign_in_url %}") == ""

    def test_sign_in_link(self):
        request = make_request()
        assert render("{% sign_in_link %}", request) == (
            '<a class="useauth-sign-in" href="/api/auth/signin?callbackUrl=%2Fpage%2F%3Fa%3D1%26b%3D2">Sign in</a>'
        )
        # Template literals are trusted by Django; variables are escaped.
        assert render(
            "{% sign_in_link label callback_url=None %}", request, label="Log <in>"
        ) == ('<a class="useauth-sign-in" href="/api/auth/signin">Log &lt;in&gt;</a>')
        assert render("{% sign_in_link %}") == ""

    @override_settings(USEAUTH_PAGES_SIGN_IN="/login/")
    def test_sign_in_link_custom_page(self):
        assert render("{% sign_in_link %}", make_request("/p/")) == (
            '<a class="useauth-sign-in" href="/login/?callbackUrl=%2Fp%2F">Sign in</a>'
        )

    def test_sign_out_form(self):
        request = make_request()
        assert render("{% sign_out_form %}", request) == (
            '<form class="useauth-sign-out" method="post" action="/api/auth/signout">'
            '<input type="hidden" name="csrfToken" value="TOKEN">'
            '<input type="hidden" name="callbackUrl" value="/page/?a=1&amp;b=2">'
            '<button type="submit">Sign out</button></form>'
        )
        assert render('{% sign_out_form "Bye" "/" %}', request) == (
            '<form class="useauth-sign-out" method="post" action="/api/auth/signout">'
            '<input type="hidden" name="csrfToken" value="TOKEN">'
            '<input type="hidden" name="callbackUrl" value="/">'
            '<button type="submit">Bye</button></form>'
        )
        assert render("{% sign_out_form %}") == ""

    def test_credentials_form(self):
        assert render("{% credentials_form callback_url=None %}", make_request()) == (
            '<form class="useauth-credentials" method="post" action="/api/auth/callback/credentials">'
            '<input type="hidden" name="csrfToken" value="TOKEN">'
            '<p><label for="useauth-username">Username</label>'
            '<input id="useauth-username" name="username" type="text" dir="auto" autocomplete="username" required></p>'
            '<p><label for="useauth-password">Password</label>'
            '<input id="useauth-password" name="password" type="password" autocomplete="current-password" required></p>'
            '<button type="submit">Sign in</button></form>'
        )
        assert render("{% credentials_form %}") == ""

    def test_credentials_form_refused(self):
        # The inputs point at the page's message about the refused credentials.
        html = render(
            '{% credentials_form callback_url=None error_id="the-error" %}',
            make_request(),
        )
        assert (
            '<input id="useauth-username" name="username" type="text" dir="auto" autocomplete="username" required'
            ' aria-invalid="true" aria-describedby="the-error" autofocus></p>'
        ) in html
        assert (
            '<input id="useauth-password" name="password" type="password" autocomplete="current-password" required'
            ' aria-invalid="true" aria-describedby="the-error"></p>'
        ) in html

    @override_settings(USEAUTH_CREDENTIALS_NAME="Staff account")
    def test_credentials_form_named(self):
        html = render("{% credentials_form %}", make_request())
        assert html.endswith(
            '<button type="submit">Sign in with Staff account</button></form>'
        )

    @override_settings(USEAUTH_CREDENTIALS_FIELDS=["email", "password"])
    def test_default_texts_translated(self):
        # In the language of the request; a text the template gives is its own.
        request = make_request("/p/")
        with translation.override("de"):
            form = render("{% credentials_form %}", request)
            link = render("{% sign_in_link %}", request)
            sign_out = render("{% sign_out_form %}", request)
            own = render('{% sign_out_form "Bye" %}', request)
            email = translation.pgettext("sign-in form field", "Email")
            password = translation.pgettext("sign-in form field", "Password")
        assert f'<label for="useauth-email">{email}</label>' in form
        assert f'<label for="useauth-password">{password}</label>' in form
        assert form.endswith('<button type="submit">Anmelden</button></form>')
        assert link.endswith(">Anmelden</a>")
        assert sign_out.endswith('<button type="submit">Abmelden</button></form>')
        assert own.endswith('<button type="submit">Bye</button></form>')

    @override_settings(
        USEAUTH_CREDENTIALS_FIELDS=["email", "password", "one_time_code"]
    )
    def test_credentials_form_fields(self):
        html = render("{% credentials_form %}", make_request("/p/"))
        assert '<input type="hidden" name="callbackUrl" value="/p/">' in html
        assert (
            '<p><label for="useauth-one_time_code">One time code</label>'
            '<input id="useauth-one_time_code" name="one_time_code" type="text" dir="auto" autocomplete="on" required></p>'
        ) in html

    @override_settings(USEAUTH_CREDENTIALS_ENABLED=False)
    def test_credentials_form_disabled(self):
        assert render("{% credentials_form %}", make_request()) == ""

    def test_provider_buttons(self):
        # Only the credentials provider exists: no OAuth buttons.
        assert render("{% provider_buttons %}", make_request()) == ""
        assert render("{% provider_buttons %}") == ""

    def test_current_page_repr(self):
        assert repr(CURRENT_PAGE) == "<the current page>"

    def test_context_processor(self):
        response = self.client.get("/api/auth/signin")
        assert response.context["auth"].status == "unauthenticated"


class ProviderButtonsTests(TestCase):
    def test_oauth_buttons(self):
        from unittest import mock

        from django_useauth.internal.providers import Provider

        providers = {
            "credentials": Provider("credentials", "Credentials", "credentials"),
            "github": Provider("github", "GitHub <Enterprise>", "oauth"),
        }
        with mock.patch(
            "django_useauth.templatetags.django_useauth.get_providers",
            return_value=providers,
        ):
            html = render("{% provider_buttons %}", make_request("/p/"))
        assert html == (
            '<form class="useauth-provider" method="post" action="/api/auth/signin/github">'
            '<input type="hidden" name="csrfToken" value="TOKEN">'
            '<input type="hidden" name="callbackUrl" value="/p/">'
            '<button type="submit">Sign in with GitHub &lt;Enterprise&gt;</button></form>'
        )
        with (
            mock.patch(
                "django_useauth.templatetags.django_useauth.get_providers",
                return_value=providers,
            ),
            translation.override("de"),
        ):
            html = render("{% provider_buttons %}", make_request("/p/"))
        assert (
            '<button type="submit">Mit GitHub &lt;Enterprise&gt; anmelden</button>'
            in html
        )


class SiteTests(SimpleTestCase):
    def site(self):
        return render(
            "{% useauth_site as site %}"
            "{{ site.name }}|{{ site.logo }}|{{ site.url }}|{{ site.favicon }}"
        )

    def test_defaults(self):
        assert self.site() == "None|None|/|/static/django_useauth/icon.svg"

    @override_settings(
        USEAUTH_SITE_NAME="Example <Shop>",
        USEAUTH_SITE_LOGO="shop/logo.svg",
        USEAUTH_SITE_URL="protected",
        USEAUTH_FAVICON="shop/favicon.ico",
    )
    def test_static_files_and_url_name(self):
        assert self.site() == (
            "Example &lt;Shop&gt;|/static/shop/logo.svg|/protected/|/static/shop/favicon.ico"
        )

    @override_settings(
        USEAUTH_SITE_NAME=gettext_lazy("Sign in"),
        USEAUTH_SITE_LOGO="https://cdn.example.com/logo.svg",
        USEAUTH_SITE_URL="https://example.com/",
        USEAUTH_FAVICON="data:image/svg+xml,%3Csvg%3E",
    )
    def test_urls_as_written(self):
        with translation.override("de"):
            assert self.site() == (
                "Anmelden|https://cdn.example.com/logo.svg|https://example.com/"
                "|data:image/svg+xml,%3Csvg%3E"
            )

    @override_settings(USEAUTH_SITE_URL=None, USEAUTH_SITE_LOGO="/media/logo.png")
    def test_no_link(self):
        assert (
            self.site() == "None|/media/logo.png|None|/static/django_useauth/icon.svg"
        )

    @override_settings(USEAUTH_SITE_NAME="Example", USEAUTH_SITE_URL="protected")
    def test_public_type(self):
        # The tag's value is a documented, public type a page of yours can name.
        assert "Site" in django_useauth_tags.__all__
        assert django_useauth_tags.useauth_site() == Site(
            name="Example",
            logo=None,
            url="/protected/",
            favicon="/static/django_useauth/icon.svg",
        )


class BdiTests(SimpleTestCase):
    def test_escaped_and_isolated(self):
        assert render("{{ name|bdi }}", name="Ada <Shop>!") == (
            "<bdi>Ada &lt;Shop&gt;!</bdi>"
        )

    def test_safe_value_not_escaped_twice(self):
        assert render("{{ name|bdi }}", name=mark_safe("A &amp; B")) == (
            "<bdi>A &amp; B</bdi>"
        )

    def test_empty(self):
        assert render("[{{ name|bdi }}|{{ none|bdi }}]", name="", none=None) == "[|]"

    def test_in_a_translated_sentence(self):
        # The markup is the value's, not the msgid's: "Back to %(name)s".
        html = render(
            "{% load i18n %}{% blocktranslate with name=n|bdi %}Back to {{ name }}"
            "{% endblocktranslate %}",
            n="<Shop>",
        )
        assert html == "Back to <bdi>&lt;Shop&gt;</bdi>"


class UseAuthScriptTests(TestCase):
    def test_signed_out(self):
        assert render("{% useauth_script %}", make_request()) == (
            '<script id="useauth-data" type="application/json">'
            '{"session": null, "lastRefreshedAt": null, "options": '
            '{"basePath": "/api/auth", "refreshOnFocus": true, "refreshInterval": 0}}</script>'
            '<script type="importmap">{"imports": {"django-useauth": "/static/django_useauth/useauth.js"}}</script>'
            '<script type="module" src="/static/django_useauth/useauth.js"></script>'
        )

    def test_signed_in_with_options_and_nonce(self):
        from django_useauth.internal.lifetime import start_session

        user = make_user(first_name="</script><script>alert(1)</script>", last_name="")
        request = make_request(user=user)
        start_session(request.session)
        html = render(
            "{% useauth_script refresh_on_focus=False refresh_interval=60 nonce='n0nce' %}",
            request,
        )
        data = html.split('type="application/json">')[1].split("</script>")[0]
        # json_script escapes <, > and & so the data cannot end the element.
        assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)" in data
        import json

        parsed = json.loads(data)
        assert parsed["session"]["user"]["email"] == "ada@example.com"
        assert parsed["lastRefreshedAt"] == request.auth.last_refreshed_at.isoformat()
        assert parsed["options"] == {
            "basePath": "/api/auth",
            "refreshOnFocus": False,
            "refreshInterval": 60,
        }
        assert html.endswith(
            '<script type="module" src="/static/django_useauth/useauth.js" nonce="n0nce"></script>'
        )

    def test_nonce_from_the_context_or_the_request(self):
        request = make_request()
        assert 'nonce="from-context"' in render(
            "{% useauth_script %}", request, csp_nonce="from-context"
        )
        request.csp_nonce = "from-django-csp"
        assert 'nonce="from-django-csp"' in render("{% useauth_script %}", request)

    def test_negative_interval_is_off(self):
        assert '"refreshInterval": 0' in render(
            "{% useauth_script refresh_interval=-5 %}", make_request()
        )

    def test_without_request(self):
        assert render("{% useauth_script %}") == ""

    def test_without_middleware(self):
        request = RequestFactory().get("/")
        with self.assertRaisesMessage(ImproperlyConfigured, "AuthMiddleware"):
            render("{% useauth_script %}", request)


class FlagTests(TestCase):
    def test_string_flags(self):
        for value, expected in (
            ("false", "false"),
            ("0", "false"),
            ("off", "false"),
            ("true", "true"),
            ("1", "true"),
        ):
            html = render(
                f"{{% useauth_script refresh_on_focus='{value}' %}}", make_request()
            )
            assert f'"refreshOnFocus": {expected}' in html, value
