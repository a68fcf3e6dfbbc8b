"""URLs of the benchmark's Django project: the endpoints under test."""

from __future__ import annotations

from django.conf import settings
from django.urls import include
from django.urls import path

from benchmarks.site import views

urlpatterns = [
    path("api/auth/", include("django_useauth.urls")),
    path("api/token/", include("django_useauth.token_urls")),
    path("bench/plain-session", views.plain_session, name="plain_session"),
    path("bench/untouched", views.untouched, name="untouched"),
    path("bench/protected", views.protected, name="protected"),
]

if getattr(settings, "ALLAUTH", False):
    urlpatterns += [
        path("accounts/", include("allauth.urls")),
        path("_allauth/", include("allauth.headless.urls")),
    ]
