"""The checks for a set-up left half done: W019 (the ``auth`` context processor), E040, W022."""

from __future__ import annotations

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib.auth.views import LoginView
from django.core.checks import Error
from django.core.checks import Warning
from django.test import Client
from django.test import SimpleTestCase
from django.test import override_settings
from django.urls import include
from django.urls import path
from django.urls import reverse_lazy
from django.utils import translation

from django_useauth import checks
from tests import views
from tests.i18n_utils import locale_middleware

REQUEST = "django.template.context_processors.request"
AUTH = "django_useauth.context_processors.auth"
DJANGO_TEMPLATES = "django.template.backends.django.DjangoTemplates"
JINJA2 = "django.template.backends.jinja2.Jinja2"

# This module is a URLconf without the endpoints (E040).
urlpatterns = [path("protected/", views.protected)]


class DefaultLanguageUnprefixed:
    # /accounts/login/ in i18n_patterns() that serve the default language bare.
    urlpatterns = [
        path("api/auth/", include("django_useauth.urls")),
        *i18n_patterns(
            path("accounts/login/", LoginView.as_view()), prefix_default_language=False
        ),
    ]


class MountedElsewhere:
    # The endpoints at another prefix, under an instance namespace of its own.
    urlpatterns = [
        path("auth/", include("django_useauth.urls", namespace="auth")),
        path("accounts/login/", LoginView.as_view()),
    ]


def engine(backend: str, *processors: str) -> dict[str, object]:
    return {"BACKEND": backend, "OPTIONS": {"context_processors": list(processors)}}


def template_ids() -> list[str]:
    return [str(message.id) for message in checks.check_templates()]


def endpoint_ids() -> list[str]:
    return [str(message.id) for message in checks.check_endpoints()]


class AuthContextProcessorTests(SimpleTestCase):
    def test_quiet_with_the_test_settings(self):
        assert template_ids() == []

    @override_settings(TEMPLATES=[engine(DJANGO_TEMPLATES, REQUEST)])
    def test_w019(self):
        # The Quickstart's {% if auth %} without the context processor.
        assert checks.check_templates() == [
            Warning(
                "No DjangoTemplates backend in TEMPLATES has "
                "'django_useauth.context_processors.auth', so templates have no "
                "`auth` variable: {% if auth %} is false for a signed-in user, who "
                "is shown 'Sign in' while {% auth_status %} says 'authenticated'.",
                hint="Add 'django_useauth.context_processors.auth' to "
                "OPTIONS['context_processors'] of your DjangoTemplates backend, or "
                "silence useauth.W019 if your templates use only the template tags.",
                id="useauth.W019",
            )
        ]

    def test_w019_looks_at_every_django_templates_backend(self):
        with self.settings(
            TEMPLATES=[engine(JINJA2, AUTH), engine(DJANGO_TEMPLATES, REQUEST)]
        ):
            assert template_ids() == ["useauth.W019"]
        with self.settings(
            TEMPLATES=[
                engine(DJANGO_TEMPLATES, REQUEST),
                engine(DJANGO_TEMPLATES, REQUEST, AUTH),
            ]
        ):
            assert template_ids() == []
        with self.settings(
            TEMPLATES=[{"BACKEND": DJANGO_TEMPLATES}, engine(DJANGO_TEMPLATES)]
        ):
            assert template_ids() == ["useauth.W001", "useauth.W019"]

    def test_no_w019_without_django_templates(self):
        # The variable is the Django templates'; W001 still asks for them.
        for templates in ([], [engine(JINJA2, REQUEST)]):
            with self.settings(TEMPLATES=templates):
                assert template_ids() == ["useauth.W001"]


@override_settings(LOGIN_URL="useauth:signin")
class EndpointsTests(SimpleTestCase):
    def test_quiet_with_the_endpoints_mounted(self):
        assert endpoint_ids() == []

    @override_settings(ROOT_URLCONF=__name__)
    def test_e040(self):
        assert checks.check_endpoints() == [
            Error(
                "ROOT_URLCONF should include 'django_useauth.urls': "
                "reverse('useauth:session') finds nothing, so @auth_required, the "
                "template tags' links and the built-in pages fail with "
                "NoReverseMatch, and /api/auth/ answers 404.",
                hint="Add path('api/auth/', include('django_useauth.urls')) to the "
                "urlpatterns of 'tests.test_checks_setup'.",
                id="useauth.E040",
            )
        ]

    def test_quiet_without_root_urlconf(self):
        # As Django's own URL check: there is no URLconf to look in.
        with self.settings(ROOT_URLCONF=None):
            assert endpoint_ids() == []
        with self.settings(LOGIN_URL="/accounts/login/"):
            del settings.ROOT_URLCONF
            assert endpoint_ids() == []

    @override_settings(ROOT_URLCONF=MountedElsewhere, LOGIN_URL="/accounts/login/")
    def test_any_prefix_and_instance_namespace(self):
        # The app namespace is what reverse("useauth:…") needs; the prefix is
        # the project's choice.
        assert endpoint_ids() == []


class LoginUrlTests(SimpleTestCase):
    def test_w022_default_served_by_nothing(self):
        # The test settings keep Django's default, which tests/urls.py lacks.
        assert checks.check_endpoints() == [
            Warning(
                "LOGIN_URL is Django's default '/accounts/login/', which no URL "
                "pattern serves, so login_required, LoginRequiredMiddleware and the "
                "other views that redirect to LOGIN_URL send visitors to a 404.",
                hint="Set LOGIN_URL = 'useauth:signin', the sign-in page of "
                "django-useauth.",
                id="useauth.W022",
            )
        ]
        with self.settings(ROOT_URLCONF=MountedElsewhere):
            assert endpoint_ids() == []

    def test_w022_name_that_does_not_reverse(self):
        with self.settings(LOGIN_URL="signin"):
            assert checks.check_endpoints()[0].msg == (
                "LOGIN_URL 'signin' is not a URL name of this project, so "
                "login_required, LoginRequiredMiddleware and the other views that "
                "redirect to LOGIN_URL fail with NoReverseMatch."
            )
        with self.settings(LOGIN_URL=reverse_lazy("nope")):
            assert checks.check_endpoints()[0].msg.startswith(
                "LOGIN_URL is a reverse_lazy() that does not reverse, so"
            )

    def test_quiet_when_login_url_leads_somewhere(self):
        for url in (
            "useauth:signin",
            "login",
            reverse_lazy("useauth:signin"),
            # Chosen paths and other hosts are taken on trust.
            "/api/auth/signin",
            "/accounts/sign-in/",
            "https://id.example.com/login",
            "accounts.login",
            None,
        ):
            with self.subTest(url=url), self.settings(LOGIN_URL=url):
                assert endpoint_ids() == []

    @override_settings(ROOT_URLCONF=__name__, LOGIN_URL="useauth:signin")
    def test_e040_alone_when_nothing_is_mounted(self):
        # LOGIN_URL = "useauth:signin" fails too, for the same reason.
        assert endpoint_ids() == ["useauth.E040"]

    @override_settings(
        ROOT_URLCONF="tests.i18n_login_urls", LOGIN_URL="/accounts/login/"
    )
    def test_default_login_url_in_i18n_patterns(self):
        # LocaleMiddleware activates the request's language in this thread
        # and leaves it active; the tests after this one need the default.
        self.addCleanup(translation.deactivate)
        with locale_middleware():
            # It redirects the bare path to the visitor's language.
            response = Client().get("/accounts/login/")
            assert (response.status_code, response["Location"]) == (
                302,
                "/en/accounts/login/",
            )
            assert endpoint_ids() == []
            with translation.override("fr"):
                assert endpoint_ids() == []
        # Without it nothing adds the prefix: a 404.
        assert Client().get("/accounts/login/").status_code == 404
        assert endpoint_ids() == ["useauth.W022"]

    @override_settings(
        ROOT_URLCONF=DefaultLanguageUnprefixed, LOGIN_URL="/accounts/login/"
    )
    def test_default_login_url_unprefixed_for_the_default_language(self):
        assert endpoint_ids() == []
        with translation.override("fr"):
            assert endpoint_ids() == []
