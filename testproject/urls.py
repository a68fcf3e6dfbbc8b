"""URLs of the demo project: the demo pages, ``/api/auth/``, the demo APIs and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include
from django.urls import path

from testproject.demo import apis

urlpatterns = [
    path("", include("testproject.demo.urls")),
    path("api/auth/", include("django_useauth.urls")),
    # Token mode: nuxt-auth's local provider, SPAs on other origins, mobile apps.
    path("api/token/", include("django_useauth.token_urls")),
    # The same session in Django REST framework and django-ninja.
    path("api/drf/me", apis.drf_me, name="drf_me"),
    path("api/drf/echo", apis.drf_echo, name="drf_echo"),
    path("api/ninja/", apis.ninja_api.urls),
    path("admin/", admin.site.urls),
]
