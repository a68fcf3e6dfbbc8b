from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import JsonResponse
from django.shortcuts import render
from django.views import View

from django_useauth.decorators import auth_required
from django_useauth.decorators import unauthenticated_only
from django_useauth.mixins import AuthRequiredMixin
from django_useauth.mixins import UnauthenticatedOnlyMixin


@auth_required
def protected(request: HttpRequest) -> HttpResponse:
    return HttpResponse("protected")


@auth_required
async def async_protected(request: HttpRequest) -> HttpResponse:
    return HttpResponse("async protected")


@auth_required(callback_url="/after/")
def custom_callback(request: HttpRequest) -> HttpResponse:
    return HttpResponse("custom")


@unauthenticated_only
def guest(request: HttpRequest) -> HttpResponse:
    return HttpResponse("guest")


@unauthenticated_only(navigate_authenticated_to="/protected/")
async def async_guest(request: HttpRequest) -> HttpResponse:
    return HttpResponse("async guest")


@unauthenticated_only(navigate_authenticated_to="protected")
def guest_to_named(request: HttpRequest) -> HttpResponse:
    return HttpResponse("guest")


class ProtectedView(AuthRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("cbv")


class AsyncProtectedView(AuthRequiredMixin, View):
    auth_callback_url = "/after/"

    async def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("async cbv")


class GuestView(UnauthenticatedOnlyMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("cbv guest")


class AsyncGuestView(UnauthenticatedOnlyMixin, View):
    navigate_authenticated_to = "/protected/"

    async def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("async cbv guest")


def required_session(request: HttpRequest) -> HttpResponse:
    data = request.auth.get_session(required=True)  # type: ignore[attr-defined]
    return JsonResponse(data)


async def async_required_session(request: HttpRequest) -> HttpResponse:
    data = await request.auth.aget_session(required=True, callback_url="/elsewhere/")  # type: ignore[attr-defined]
    return JsonResponse(data)


def status(request: HttpRequest) -> HttpResponse:
    auth = request.auth  # type: ignore[attr-defined]
    return JsonResponse(
        {
            "status": auth.status,
            "data": auth.data,
            "lastRefreshedAt": auth.last_refreshed_at
            and auth.last_refreshed_at.isoformat(),
            "bool": bool(auth),
        }
    )


async def async_status(request: HttpRequest) -> HttpResponse:
    auth = request.auth  # type: ignore[attr-defined]
    await auth.aget_session()
    return JsonResponse({"status": auth.status, "data": auth.data})


def untouched(request: HttpRequest) -> HttpResponse:
    return HttpResponse("untouched")


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("plain")


def page(request: HttpRequest, name: str) -> HttpResponse:
    """A page of tests/templates/pages/, for the browser tests.

    The ``csp`` page is served under a strict Content-Security-Policy with a
    nonce, which ``{% useauth_script %}`` takes from the ``csp_nonce`` variable.
    """
    if name != "csp":
        return render(request, f"pages/{name}.html")
    nonce = "useauth-test-nonce"
    response = render(request, "pages/csp.html", {"csp_nonce": nonce})
    response["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'nonce-{nonce}'"
    )
    return response


def nextauth_file(request: HttpRequest, name: str) -> HttpResponse:
    """A file of the next-auth bundle directory (setting USEAUTH_TEST_NEXTAUTH_DIR), from the site's origin."""
    directory = Path(getattr(settings, "USEAUTH_TEST_NEXTAUTH_DIR", "/nonexistent"))
    path = (directory / name).resolve()
    if path.parent != directory.resolve() or not path.is_file():
        raise Http404(name)
    content_type = "text/html" if name.endswith(".html") else "text/javascript"
    return HttpResponse(
        path.read_bytes(), content_type=f"{content_type}; charset=utf-8"
    )


def basic_auth(request: HttpRequest) -> HttpResponse:
    """An API that checks a password on every request without signing in (as Basic authentication does)."""
    from django.contrib.auth import authenticate

    user = authenticate(
        request,
        username=request.POST.get("username"),
        password=request.POST.get("password"),
    )
    return HttpResponse(status=200 if user is not None else 401)


def authenticate_then_fail(request: HttpRequest) -> HttpResponse:
    """A view that authenticates and then breaks."""
    from django.contrib.auth import authenticate

    authenticate(request, username="ada", password=request.POST.get("password"))
    raise RuntimeError("after authenticate()")


async def async_basic_auth(request: HttpRequest) -> HttpResponse:
    """:func:`basic_auth` in an async view."""
    from django.contrib.auth import aauthenticate

    user = await aauthenticate(
        request,
        username=request.POST.get("username"),
        password=request.POST.get("password"),
    )
    return HttpResponse(status=200 if user is not None else 401)


class _WrappedRequest:
    """What DRF's ``Request`` looks like to ``authenticate()``: a wrapper around the HttpRequest."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def __getattr__(self, name: str) -> object:
        return getattr(self._request, name)


def wrapped_basic_auth(request: HttpRequest) -> HttpResponse:
    """:func:`basic_auth` with the request wrapped, as DRF's authentication classes call it."""
    from django.contrib.auth import authenticate

    user = authenticate(
        _WrappedRequest(request),  # type: ignore[arg-type]
        username=request.POST.get("username"),
        password=request.POST.get("password"),
    )
    return HttpResponse(status=200 if user is not None else 401)


def basic_auth_twice(request: HttpRequest) -> HttpResponse:
    """Two password checks in one request: the posted one, then a wrong one for "bob"."""
    from django.contrib.auth import authenticate

    first = authenticate(
        request,
        username=request.POST.get("username"),
        password=request.POST.get("password"),
    )
    second = authenticate(request, username="bob", password="wrong")
    return HttpResponse(f"{200 if first else 401} {200 if second else 401}".encode())


def whoami(request: HttpRequest) -> HttpResponse:
    """A view that knows only ``request.user`` (as the admin and ``@login_required`` do)."""
    user = request.user
    return HttpResponse(user.get_username() if user.is_authenticated else "anonymous")


async def async_whoami(request: HttpRequest) -> HttpResponse:
    """:func:`whoami` with ``await request.auser()``."""
    user = await request.auser()
    return HttpResponse(user.get_username() if user.is_authenticated else "anonymous")


@auth_required
def guarded_whoami(request: HttpRequest) -> HttpResponse:
    """:func:`whoami` behind ``@auth_required``, which lends a Bearer request its token's user."""
    return whoami(request)


@auth_required
async def async_guarded_whoami(request: HttpRequest) -> HttpResponse:
    """:func:`async_whoami` behind ``@auth_required``."""
    return await async_whoami(request)
