"""URLs of the demo project: the demo pages, ``/api/auth/`` and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include
from django.urls import path

urlpatterns = [
    path("", include("testproject.demo.urls")),
    path("api/auth/", include("django_useauth.urls")),
    path("admin/", admin.site.urls),
]
