"""The ``/api/auth`` routes. Mount them with ``path("api/auth/", include("django_useauth.urls"))``.

Route names follow NextAuth's REST actions. A provider route accepts a
trailing slash, as Auth.js does; any other path is a 404.
"""

from __future__ import annotations

from django.urls import path
from django.urls import re_path

from django_useauth import views

app_name = "useauth"

urlpatterns = [
    # First: GET session is by far the most requested, and Django tries the
    # routes in order.
    path("session", views.session, name="session"),
    path("csrf", views.csrf, name="csrf"),
    path("providers", views.providers, name="providers"),
    path("signin", views.signin, name="signin"),
    re_path(
        r"^signin/(?P<provider>[^/]+)/?\Z",
        views.signin_provider,
        name="signin_provider",
    ),
    re_path(r"^callback/(?P<provider>[^/]+)/?\Z", views.callback, name="callback"),
    path("signout", views.signout, name="signout"),
    path("error", views.error, name="error"),
    path("verify-request", views.verify_request, name="verify_request"),
    path("_log", views.log, name="log"),
    path("openapi.json", views.openapi, name="openapi"),
]
