"""The demo pages: each shows one way to use ``request.auth`` and its guards."""

from __future__ import annotations

import json
from datetime import UTC
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.http import HttpResponse
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from django_useauth.decorators import auth_required
from django_useauth.decorators import unauthenticated_only
from django_useauth.mixins import AuthRequiredMixin

if TYPE_CHECKING:
    from django_useauth.middleware import AuthDetails

    class AuthHttpRequest(HttpRequest):
        # What AuthMiddleware adds; for the type checker only.
        auth: AuthDetails


@require_safe
def home(request: AuthHttpRequest) -> HttpResponse:
    """Show the session as ``useAuth()`` sees it: status, data and last refresh."""
    return render(request, "demo/home.html")


@require_safe
@auth_required
def protected(request: AuthHttpRequest) -> HttpResponse:
    """Signed in only. Show the query string that survived the sign-in round trip."""
    context = {
        "query_string": request.META.get("QUERY_STRING", ""),
        "query": list(request.GET.lists()),
    }
    return render(request, "demo/protected.html", context)


@require_safe
@unauthenticated_only(navigate_authenticated_to="demo:home")
def guest(request: AuthHttpRequest) -> HttpResponse:
    """Signed out only (nuxt-auth's guest mode); signed-in visitors go home."""
    return render(request, "demo/guest.html")


@require_safe
def tags(request: AuthHttpRequest) -> HttpResponse:
    """Render every tag of ``{% load django_useauth %}``, signed in or out."""
    return render(request, "demo/tags.html")


@require_safe
def client(request: AuthHttpRequest) -> HttpResponse:
    """The browser client (``useauth.js``): sign in and out without a reload, and its live state.

    The state is rendered here as the client will show it, so the first paint
    is already right.
    """
    refreshed = request.auth.last_refreshed_at
    context = {
        "state_data": json.dumps(request.auth.data, indent=2, ensure_ascii=False),
        "state_last_refreshed_at": (
            # As JavaScript's Date.prototype.toISOString() writes it.
            refreshed.astimezone(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
            if refreshed is not None
            else "null"
        ),
    }
    return render(request, "demo/client.html", context)


@require_safe
def client_required(request: AuthHttpRequest) -> HttpResponse:
    """A page that the browser client guards: ``getSession({required: true})``.

    The server does not check the session here; signed out, the page's script
    sends the visitor to the sign-in page and back.
    """
    return render(request, "demo/client_required.html")


@require_safe
def apis(request: AuthHttpRequest) -> HttpResponse:
    """Call the demo's DRF and django-ninja endpoints (testproject/demo/apis.py) from the browser."""
    context = {
        "apis": [
            {
                "id": "drf",
                "name": "Django REST framework",
                "me": reverse("drf_me"),
                "echo": reverse("drf_echo"),
            },
            {
                "id": "ninja",
                "name": "django-ninja",
                "me": reverse("demo-ninja:ninja_me"),
                "echo": reverse("demo-ninja:ninja_echo"),
            },
        ]
    }
    return render(request, "demo/apis.html", context)


class ClassBasedView(AuthRequiredMixin, TemplateView):
    """Signed in only, through ``AuthRequiredMixin`` (first among the bases)."""

    template_name = "demo/class_based.html"
    http_method_names = ["get", "head", "options"]


@never_cache
@require_safe
async def me(request: AuthHttpRequest) -> JsonResponse:
    """Return the session as JSON; ``401`` JSON (or a redirect for browsers) when signed out.

    ``aget_session(required=True)`` raises ``SessionRequired`` for an anonymous
    request, and ``AuthMiddleware`` answers it.
    """
    session = await request.auth.aget_session(required=True)
    refreshed = request.auth.last_refreshed_at
    return JsonResponse(
        {
            "status": request.auth.status,
            "session": session,
            "lastRefreshedAt": refreshed.isoformat() if refreshed else None,
        }
    )
