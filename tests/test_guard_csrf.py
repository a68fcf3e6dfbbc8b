"""``@auth_required`` and ``AuthRequiredMixin`` CSRF-check what nothing else checked.

A view exempt from ``CsrfViewMiddleware`` (``@csrf_exempt``, as DRF's and
django-ninja's views are) that a guard lets in on the session cookie must not
accept a forged cross-site ``POST``. A view the middleware checked is not
checked twice, and the guest-only guards check nothing.
"""

from __future__ import annotations

from unittest import mock

from django.conf import settings
from django.http import HttpRequest
from django.http import HttpResponse
from django.test import AsyncClient
from django.test import TestCase
from django.test import override_settings
from django.urls import include
from django.urls import path
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from django_useauth import decorators
from django_useauth.decorators import auth_required
from django_useauth.decorators import unauthenticated_only
from django_useauth.internal.csrf import csrf_refusal
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


@csrf_exempt
@auth_required(csrf_check=False)
def opted_out(request: HttpRequest) -> HttpResponse:
    WRITES.append("opted_out")
    return HttpResponse("written")


class OptedOutView(AuthRequiredMixin, View):
    auth_csrf_check = False

    def post(self, request: HttpRequest) -> HttpResponse:
        WRITES.append("opted_out_mixin")
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
    path("opted-out/", opted_out),
    path("opted-out-mixin/", csrf_exempt(OptedOutView.as_view())),
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
        with (
            mock.patch.object(decorators, "csrf_refusal", wraps=csrf_refusal) as spy,
        ):
            # CsrfViewMiddleware refuses the forged request before the guard...
            assert self.client.post("/checked/").status_code == 403
            # ...and accepts the genuine one, which the guard lets through.
            token = csrf_token(self.client)
            response = self.client.post("/checked/", headers={"X-CSRFToken": token})
            assert response.content == b"written"
            assert spy.call_count == 0
            # An exempt view: the guard checks, once.
            self.client.post("/exempt/", headers={"X-CSRFToken": token})
            assert spy.call_count == 1
        assert WRITES == ["checked", "exempt"]

    def test_json_clients_get_json(self):
        csrf_token(self.client)
        for route in ("/exempt/", "/mixin/"):
            with self.subTest(route):
                response = self.client.post(
                    route, headers={"Accept": "application/json"}
                )
                assert response.status_code == 403
                assert response.json() == {"detail": "CSRF Failed: CSRF token missing."}
                assert "no-store" in response["Cache-Control"]
        assert WRITES == []

    def test_opting_out(self):
        # csrf_check=False / auth_csrf_check = False: a view with a protection
        # of its own (a payment provider's signed POST back, say).
        for route in ("/opted-out/", "/opted-out-mixin/"):
            with self.subTest(route):
                assert self.client.post(route).content == b"written"
        assert WRITES == ["opted_out", "opted_out_mixin"]

    def test_without_csrf_view_middleware_the_guard_still_checks(self):
        # (Check useauth.E005 asks for the middleware; the guard does not
        # rely on it having read the CSRF cookie.)
        middleware = [m for m in settings.MIDDLEWARE if "CsrfViewMiddleware" not in m]
        token = csrf_token(self.client)  # signed in, with a CSRF cookie
        with override_settings(MIDDLEWARE=middleware):
            client = csrf_client()  # a new client loads the middleware anew
            client.cookies = self.client.cookies
            assert client.post("/checked/").status_code == 403
            response = client.post("/checked/", headers={"X-CSRFToken": token})
            assert response.content == b"written"
        assert WRITES == ["checked"]
