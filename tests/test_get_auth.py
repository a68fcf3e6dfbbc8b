"""``get_auth(request)``: the request's AuthDetails, whatever became of ``request.auth``.

DRF's ``Request.auth`` setter writes through to the ``HttpRequest``,
django-ninja assigns its ``auth=`` callback's result, and a project may do
either; the decorators, mixins, template tags and context processor read
:func:`get_auth` and keep answering. Without ``AuthMiddleware`` every one of
them raises the documented ``ImproperlyConfigured``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.http import HttpResponse
from django.template import Context
from django.template import RequestContext
from django.template import Template
from django.test import RequestFactory
from django.test import TestCase

from django_useauth.context_processors import auth as auth_context
from django_useauth.decorators import auth_required
from django_useauth.decorators import unauthenticated_only
from django_useauth.middleware import AuthDetails
from django_useauth.middleware import AuthMiddleware
from django_useauth.middleware import get_auth
from tests import views
from tests.utils import auth_request
from tests.utils import make_user

MISSING = "AuthMiddleware did not run for this request: add 'django_useauth.middleware.AuthMiddleware' to MIDDLEWARE"


def _render(template: str, request: HttpRequest) -> str:
    return Template("{% load django_useauth %}" + template).render(
        Context({"request": request})
    )


def _signed_in_request() -> HttpRequest:
    request = auth_request(RequestFactory().get("/page/"))
    login(request, make_user(), "django.contrib.auth.backends.ModelBackend")
    return request


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


class ReplacedTests(TestCase):
    """``request.auth`` replaced as DRF (``None``) or Ninja (the user) replace it."""

    def replacements(self, request: HttpRequest) -> list[object]:
        return [None, request.user, "token"]

    def test_get_auth_answers_the_middleware_s_object(self):
        request = _signed_in_request()
        details = request.auth  # type: ignore[attr-defined]
        assert isinstance(details, AuthDetails)
        for replacement in self.replacements(request):
            request.auth = replacement  # type: ignore[attr-defined]
            assert get_auth(request) is details
            assert get_auth(request).status == "authenticated"

    def test_decorators_keep_working(self):
        protected = auth_required(_ok)
        guest_only = unauthenticated_only(_ok)
        signed_in = _signed_in_request()
        signed_out = auth_request(RequestFactory().get("/page/"))
        for request in (signed_in, signed_out):
            for replacement in self.replacements(request):
                request.auth = replacement  # type: ignore[attr-defined]
                with self.subTest(signed_in=request is signed_in, auth=replacement):
                    allowed = protected(request)
                    refused = guest_only(request)
                    if request is signed_in:
                        assert allowed.content == b"ok"
                        assert refused.status_code == 302
                    else:
                        assert allowed.status_code == 302
                        assert allowed["Location"].startswith("/api/auth/signin?")
                        assert refused.content == b"ok"

    async def test_async_decorator_keeps_working(self):
        request = auth_request(RequestFactory().get("/aprotected/"))
        request.auth = AnonymousUser()  # type: ignore[attr-defined]
        response = await views.async_protected(request)
        assert response.status_code == 302

    def test_mixin_keeps_working(self):
        request = _signed_in_request()
        request.auth = None  # type: ignore[attr-defined]
        assert views.ProtectedView.as_view()(request).content == b"cbv"

    def test_tags_and_context_processor_keep_working(self):
        request = _signed_in_request()
        request.auth = None  # type: ignore[attr-defined]
        assert _render("{% auth_status %}", request) == "authenticated"
        assert _render("{% auth_user 'email' %}", request) == "ada@example.com"
        assert '"email": "ada@example.com"' in _render("{% useauth_script %}", request)
        assert auth_context(request)["auth"] == get_auth(request)
        assert auth_context(request)["auth"].status == "authenticated"

    def test_login_after_the_replacement_reloads_the_details(self):
        request = auth_request(RequestFactory().get("/page/"))
        assert get_auth(request).status == "unauthenticated"
        request.auth = None  # type: ignore[attr-defined]
        login(request, make_user(), "django.contrib.auth.backends.ModelBackend")
        assert get_auth(request).status == "authenticated"


class MissingMiddlewareTests(TestCase):
    """A request ``AuthMiddleware`` never saw: ``ImproperlyConfigured``, never ``AttributeError``."""

    def request(self) -> HttpRequest:
        return RequestFactory().get("/page/")

    def test_get_auth(self):
        with self.assertRaisesMessage(ImproperlyConfigured, MISSING):
            get_auth(self.request())

    def test_decorators(self):
        for view in (views.protected, views.guest):
            with (
                self.subTest(view.__name__),
                self.assertRaisesMessage(ImproperlyConfigured, MISSING),
            ):
                view(self.request())

    async def test_async_decorators(self):
        for view in (views.async_protected, views.async_guest):
            with self.assertRaisesMessage(ImproperlyConfigured, MISSING):
                await view(self.request())

    def test_mixins(self):
        for view in (views.ProtectedView, views.GuestView):
            with (
                self.subTest(view.__name__),
                self.assertRaisesMessage(ImproperlyConfigured, MISSING),
            ):
                view.as_view()(self.request())

    async def test_async_mixins(self):
        for view in (views.AsyncProtectedView, views.AsyncGuestView):
            with self.assertRaisesMessage(ImproperlyConfigured, MISSING):
                await view.as_view()(self.request())

    def test_tags_that_read_the_session(self):
        for tag in ("auth_status", "auth_user", "useauth_script"):
            with (
                self.subTest(tag),
                self.assertRaisesMessage(ImproperlyConfigured, MISSING),
            ):
                _render(f"{{% {tag} %}}", self.request())

    def test_context_processor(self):
        # Lazy: a template that never reads `auth` renders; reading it raises.
        context = auth_context(self.request())
        with self.assertRaisesMessage(ImproperlyConfigured, MISSING):
            bool(context["auth"])

    def test_templates_that_do_not_read_auth_render(self):
        request = self.request()
        template = Template("hello {% if request %}world{% endif %}")
        context = RequestContext(request, {})
        assert template.render(context) == "hello world"
        with self.assertRaisesMessage(ImproperlyConfigured, MISSING):
            Template("{{ auth.status }}").render(RequestContext(request, {}))


class AppNotInstalledTests(TestCase):
    """``AuthMiddleware`` without ``django_useauth`` in ``INSTALLED_APPS``: said when Django builds it."""

    def test_refused_at_start_up(self):
        installed = [app for app in settings.INSTALLED_APPS if app != "django_useauth"]
        with (
            self.modify_settings(INSTALLED_APPS={"remove": ["django_useauth"]}),
            self.assertRaisesMessage(
                ImproperlyConfigured,
                "'django_useauth' is not in INSTALLED_APPS: add it",
            ),
        ):
            self.assertEqual(settings.INSTALLED_APPS, installed)
            AuthMiddleware(_ok)
