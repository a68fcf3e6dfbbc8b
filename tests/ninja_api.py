"""django-ninja APIs for the tests of ``django_useauth.ninja`` (mounted by tests/urls_ninja.py).

Four ``NinjaAPI`` instances, each with its own ``urls_namespace``, which keeps
their URL names and OpenAPI views apart (django-ninja before 1.7 also keeps a
registry of the namespaces whose ``urls`` were read, and refuses a second
read: tests/urls_ninja.py reads each once):

``operations``
    ``auth=`` on each operation: ``useauth``, a Bearer callback beside it, the
    roles pattern, a ``csrf_exempt`` operation.
``django_auth_api``
    Ninja's own ``django_auth`` (``request.auth`` becomes the user), with
    ``get_auth()``, ``@auth_required`` and the template tags in the operations.
``router_api``
    ``auth=useauth`` on a ``Router``; another router stays public.
``whole_api``
    ``auth=useauth`` on the ``NinjaAPI``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja import Router
from ninja import Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security import django_auth

from django_useauth.decorators import auth_required
from django_useauth.middleware import AuthDetails
from django_useauth.middleware import get_auth
from django_useauth.ninja import UseAuth
from django_useauth.ninja import useauth
from django_useauth.ninja import useauth_bearer

#: The one token :class:`BearerToken` accepts.
BEARER_TOKEN = "ninja-test-token"


class Rename(Schema):
    name: str


class BearerToken(HttpBearer):
    """A second ``auth=`` callback: accepts ``Authorization: Bearer <BEARER_TOKEN>``."""

    def authenticate(self, request: HttpRequest, token: str) -> dict[str, str] | None:
        return {"token": token} if token == BEARER_TOKEN else None


class EditorAuth(UseAuth):
    """The documented roles pattern: signed in with the ``editor`` role, else 403."""

    def authenticate(self, request: HttpRequest, key: str | None) -> AuthDetails:
        auth = super().authenticate(request, key)
        # The pattern of docs/apis.md. The session object's TypedDict knows no
        # "roles" (the callback adds it), and data is None when signed out.
        if auth is not None and "editor" in auth.data["user"].get("roles", ()):  # type: ignore[index, operator]
            return auth
        raise HttpError(403, "Forbidden")


class EditorOrNext(UseAuth):
    """Returns ``None`` without the ``editor`` role: 401, or the next ``auth=`` callback decides."""

    def authenticate(self, request: HttpRequest, key: str | None) -> AuthDetails | None:
        auth = super().authenticate(request, key)
        if auth is not None and "editor" in auth.data["user"].get("roles", ()):  # type: ignore[index, operator]
            return auth
        return None


class AsyncStaffAuth(UseAuth):
    """An ``async def authenticate`` that queries the database: staff only, else 403.

    In a sync operation (``/async-authenticate``) it needs django-ninja 1.7.1
    or newer, which awaits the callback's coroutine there.
    """

    async def authenticate(self, request: HttpRequest, key: str | None) -> AuthDetails:  # type: ignore[override]
        auth = super().authenticate(request, key)
        # Signed in: the session is loaded, so data answers from memory here.
        assert auth is not None
        assert auth.data is not None
        email = auth.data["user"]["email"]
        if await User.objects.filter(email=email, is_staff=True).aexists():
            return auth
        raise HttpError(403, "Staff only")


class CookieKey(UseAuth):
    """Answers the ``key`` Ninja's cookie schemes pass, as ``request.auth``."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return {"key": key, "status": get_auth(request).status}


editor_auth = EditorAuth()
async_staff_auth = AsyncStaffAuth()


def describe(request: HttpRequest) -> dict[str, Any]:
    """``request.auth`` as the operation sees it (its attributes read synchronously)."""
    auth = request.auth  # type: ignore[attr-defined]
    refreshed = auth.last_refreshed_at
    return {
        "type": type(auth).__name__,
        "isGetAuth": auth is get_auth(request),
        "status": auth.status,
        "data": auth.data,
        "lastRefreshedAt": refreshed.isoformat() if refreshed is not None else None,
    }


def rename_user(request: HttpRequest, name: str) -> dict[str, str]:
    User.objects.filter(username=request.user.get_username()).update(first_name=name)
    return {"renamed": name}


async def arename_user(request: HttpRequest, name: str) -> dict[str, str]:
    user = await request.auser()
    await User.objects.filter(username=user.get_username()).aupdate(first_name=name)
    return {"renamed": name}


# ---------------------------------------------------------------- operations

operations = NinjaAPI(urls_namespace="useauth-ninja-operations", title="operations")


@operations.get("/me", auth=useauth)
def me(request: HttpRequest) -> dict[str, Any]:
    return describe(request)


@operations.get("/ame", auth=useauth)
async def ame(request: HttpRequest) -> dict[str, Any]:
    # No aget_session(): useauth loaded the session before the operation.
    return describe(request)


@operations.get("/public")
def public(request: HttpRequest) -> dict[str, Any]:
    # Without auth=, Ninja leaves request.auth alone.
    auth = get_auth(request)
    return {"status": auth.status, "isRequestAuth": request.auth is auth}  # type: ignore[attr-defined]


@operations.get("/django-auth", auth=django_auth)
def operations_django_auth(request: HttpRequest) -> dict[str, str]:
    # Ninja's own session auth, beside useauth in one API: its 401 is the reference.
    return {"user": request.auth.get_username()}  # type: ignore[attr-defined]


@operations.post("/django-auth-rename", auth=django_auth)
def django_auth_rename(request: HttpRequest, payload: Rename) -> dict[str, str]:
    return rename_user(request, payload.name)


@operations.post("/rename", auth=useauth)
def rename(request: HttpRequest, payload: Rename) -> dict[str, str]:
    return rename_user(request, payload.name)


@operations.post("/arename", auth=useauth)
async def arename(request: HttpRequest, payload: Rename) -> dict[str, str]:
    return await arename_user(request, payload.name)


# Ninja resolves the annotations in the globals of the function it is given,
# here csrf_exempt's wrapper: only builtins resolve there, so the name is a
# query parameter.
@operations.post("/exempt-rename", auth=useauth)
@csrf_exempt
def exempt_rename(request: HttpRequest, name: str) -> dict[str, str]:
    return rename_user(request, name)


@operations.post("/aexempt-rename", auth=useauth)
@csrf_exempt
async def aexempt_rename(request: HttpRequest, name: str) -> dict[str, str]:
    return await arename_user(request, name)


@operations.post("/unchecked-rename", auth=UseAuth(csrf=False))
def unchecked_rename(request: HttpRequest, payload: Rename) -> dict[str, str]:
    return rename_user(request, payload.name)


def _via(request: HttpRequest) -> dict[str, Any]:
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, AuthDetails):
        return {"via": "session", "status": auth.status}
    return {"via": "bearer", "auth": auth}


@operations.api_operation(["GET", "POST"], "/either", auth=[useauth, BearerToken()])
def either(request: HttpRequest) -> dict[str, Any]:
    return _via(request)


@operations.api_operation(["GET", "POST"], "/aeither", auth=[useauth, BearerToken()])
async def aeither(request: HttpRequest) -> dict[str, Any]:
    return _via(request)


@operations.get("/bearer-first", auth=[BearerToken(), useauth])
def bearer_first(request: HttpRequest) -> dict[str, Any]:
    return _via(request)


@operations.api_operation(["GET", "POST"], "/token", auth=useauth_bearer)
def token(request: HttpRequest) -> dict[str, Any]:
    """Token mode's access tokens only (``UseAuthBearer``)."""
    return describe(request)


@operations.get("/atoken", auth=useauth_bearer)
async def atoken(request: HttpRequest) -> dict[str, Any]:
    await request.auth.aget_session()  # type: ignore[attr-defined]
    return describe(request)


@operations.get("/session-or-token", auth=[useauth, useauth_bearer])
def session_or_token(request: HttpRequest) -> dict[str, Any]:
    return describe(request)


@operations.get("/editor", auth=editor_auth)
def editor(request: HttpRequest) -> dict[str, Any]:
    return {"roles": request.auth.data["user"]["roles"]}  # type: ignore[attr-defined]


@operations.get("/aeditor", auth=editor_auth)
async def aeditor(request: HttpRequest) -> dict[str, Any]:
    return {"roles": request.auth.data["user"]["roles"]}  # type: ignore[attr-defined]


@operations.get("/editor-or-next", auth=[EditorOrNext(), BearerToken()])
def editor_or_next(request: HttpRequest) -> dict[str, Any]:
    return _via(request)


@operations.get("/async-authenticate", auth=async_staff_auth)
def async_authenticate(request: HttpRequest) -> dict[str, Any]:
    return describe(request)


@operations.get("/aasync-authenticate", auth=async_staff_auth)
async def aasync_authenticate(request: HttpRequest) -> dict[str, Any]:
    return describe(request)


@operations.post("/aasync-authenticate-rename", auth=async_staff_auth)
async def aasync_authenticate_rename(
    request: HttpRequest, payload: Rename
) -> dict[str, str]:
    return await arename_user(request, payload.name)


@operations.get("/cookie-key", auth=CookieKey())
def cookie_key(request: HttpRequest) -> dict[str, Any]:
    return request.auth  # type: ignore[attr-defined, no-any-return]


# ----------------------------------------------------------- django_auth_api

django_auth_api = NinjaAPI(
    urls_namespace="useauth-ninja-django-auth", title="django_auth"
)


def _get_auth_answer(request: HttpRequest) -> dict[str, Any]:
    auth = get_auth(request)
    data = auth.data
    return {
        # request.user is lazy: __class__ is the user's class.
        "requestAuth": request.auth.__class__.__name__,  # type: ignore[attr-defined]
        "username": request.auth.get_username(),  # type: ignore[attr-defined]
        "isRequestAuth": request.auth is auth,  # type: ignore[attr-defined]
        "status": auth.status,
        "name": data["user"]["name"] if data is not None else None,
    }


@django_auth_api.get("/get-auth", auth=django_auth)
def django_get_auth(request: HttpRequest) -> dict[str, Any]:
    return _get_auth_answer(request)


@django_auth_api.get("/aget-auth", auth=django_auth)
async def django_aget_auth(request: HttpRequest) -> dict[str, Any]:
    await get_auth(request).aget_session()
    return _get_auth_answer(request)


@django_auth_api.get("/guarded", auth=django_auth)
@auth_required
def django_guarded(request: HttpRequest) -> dict[str, str]:
    return {"requestAuth": request.auth.__class__.__name__}  # type: ignore[attr-defined]


@django_auth_api.get("/aguarded", auth=django_auth)
@auth_required
async def django_aguarded(request: HttpRequest) -> dict[str, str]:
    return {"requestAuth": request.auth.__class__.__name__}  # type: ignore[attr-defined]


@django_auth_api.get("/page", auth=django_auth)
def django_page(request: HttpRequest) -> HttpResponse:
    return render(request, "ninja/status.html")


@django_auth_api.get("/apage", auth=django_auth)
async def django_apage(request: HttpRequest) -> HttpResponse:
    await get_auth(request).aget_session()
    return render(request, "ninja/status.html")


# ---------------------------------------------------------------- router_api

router_api = NinjaAPI(urls_namespace="useauth-ninja-router", title="router")

session_router = Router(auth=useauth)
public_router = Router()


@session_router.get("/me")
def router_me(request: HttpRequest) -> dict[str, Any]:
    return describe(request)


@session_router.get("/ame")
async def router_ame(request: HttpRequest) -> dict[str, Any]:
    return describe(request)


@session_router.post("/rename")
def router_rename(request: HttpRequest, payload: Rename) -> dict[str, str]:
    return rename_user(request, payload.name)


@public_router.get("/hello")
def router_hello(request: HttpRequest) -> dict[str, Any]:
    auth = get_auth(request)
    return {"status": auth.status, "isRequestAuth": request.auth is auth}  # type: ignore[attr-defined]


router_api.add_router("/session", session_router)
router_api.add_router("/public", public_router)


# ----------------------------------------------------------------- whole_api

whole_api = NinjaAPI(auth=useauth, urls_namespace="useauth-ninja-api", title="whole")


@whole_api.get("/me")
def api_me(request: HttpRequest) -> dict[str, Any]:
    return describe(request)


@whole_api.get("/ame")
async def api_ame(request: HttpRequest) -> dict[str, Any]:
    return describe(request)


@whole_api.post("/rename")
def api_rename(request: HttpRequest, payload: Rename) -> dict[str, str]:
    return rename_user(request, payload.name)


@whole_api.post("/arename")
async def api_arename(request: HttpRequest, payload: Rename) -> dict[str, str]:
    return await arename_user(request, payload.name)
