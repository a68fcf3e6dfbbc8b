"""``@auth_required`` and ``AuthRequiredMixin`` CSRF-check what nothing else checked.

A view exempt from ``CsrfViewMiddleware`` (``@csrf_exempt``, as DRF's and
django-ninja's views are) that a guard lets in on the session cookie must not
accept a forged cross-site ``POST``. A view the middleware checked is not
checked twice, and the guest-only guards check nothing.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http import HttpResponse
from django.test import AsyncClient
from django.test import TestCase
from django.test import override_settings
from django.urls import include
from django.urls import path
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from django_useauth.decorators import auth_required
from django_useauth.decorators import unauthenticated_only
from django_useauth.mixins import AuthRequiredMixin
from tests.utils import csrf_client
from tests.utils import csrf_token
from tests.utils import make_user
from tests.utils import sign_in

WRITES: list[str] = []


@csrf_exempt
@auth_required
def exempt(request: HttpRequest) -> HttpResponse:
    WRITES.append("exempt")
    return HttpResponse("written")


@csrf_exempt
@auth_required
async def async_exempt(request: HttpRequest) -> HttpResponse:
    WRITES.append("async_exempt")
    return HttpResponse("written")


@auth_required
def checked(request: HttpRequest) -> HttpResponse:
    WRITES.append("checked")
    return HttpResponse("written")


@csrf_exempt
@unauthenticated_only
def guest(request: HttpRequest) -> HttpResponse:
    WRITES.append("guest")
    return HttpResponse("written")


class ExemptView(AuthRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        WRITES.append("mixin")
        return HttpResponse("written")


class AsyncExemptView(AuthRequiredMixin, View):
    async def post(self, request: HttpRequest) -> HttpResponse:
        WRITES.append("async_mixin")
        return HttpResponse("written")


urlpatterns = [
    path("api/auth/", include("django_useauth.urls")),
    path("exempt/", exempt),
    path("async-exempt/", async_exempt),
    path("checked/", checked),
    path("guest/", guest),
    path("mixin/", csrf_exempt(ExemptView.as_view())),
    path("async-mixin/", csrf_exempt(AsyncExemptView.as_view())),
]

GUARDED = ("/exempt/", "/async-exempt/", "/mixin/", "/async-mixin/")


@override_settings(ROOT_URLCONF=__name__)
class GuardCsrfTests(TestCase):
    def setUp(self):
        make_user()
        self.client = csrf_client()
        sign_in(self.client)
        WRITES.clear()

    def test_forged_post_is_refused(self):
        csrf_token(self.client)  # the CSRF cookie, as the victim's browser has it
        for route in GUARDED:
            with self.subTest(route):
                response = self.client.post(route)
                assert response.status_code == 403
                assert b"CSRF verification failed" in response.content
        assert WRITES == []

    async def test_forged_post_is_refused_async(self):
        # The same in an async request: the check runs in a thread.
        client = AsyncClient(enforce_csrf_checks=True)
        client.cookies = self.client.cookies  # signed in, with a CSRF cookie
        await client.get("/api/auth/csrf")
        for route in ("/async-exempt/", "/async-mixin/"):
            response = await client.post(route)
            assert response.status_code == 403
            assert b"CSRF verification failed" in response.content
        assert WRITES == []

    def test_post_with_the_token_passes(self):
        for route in GUARDED:
            with self.subTest(route):
                token = csrf_token(self.client)
                response = self.client.post(route, headers={"X-CSRFToken": token})
                assert response.content == b"written"
        assert len(WRITES) == len(GUARDED)

    def test_safe_methods_need_no_token(self):
        assert self.client.get("/exempt/").content == b"written"

    def test_signed_out_is_sent_to_sign_in_not_csrf_checked(self):
        signed_out = csrf_client()
        response = signed_out.post("/exempt/")
        assert response.status_code == 302
        assert response["Location"].startswith("/api/auth/signin?")
        assert WRITES == []

    def test_guest_only_views_check_nothing(self):
        assert csrf_client().post("/guest/").content == b"written"

    def test_a_view_the_middleware_checked_is_not_checked_again(self):
        # CsrfViewMiddleware refuses the forged request before the guard...
        assert self.client.post("/checked/").status_code == 403
        # ...and accepts the genuine one, which the guard then lets through.
        token = csrf_token(self.client)
        response = self.client.post("/checked/", headers={"X-CSRFToken": token})
        assert response.content == b"written"
        assert WRITES == ["checked"]
