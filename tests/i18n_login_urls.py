"""A URLconf serving Django's default ``LOGIN_URL`` inside ``i18n_patterns()`` (W022)."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.contrib.auth.views import LoginView
from django.urls import include
from django.urls import path

urlpatterns = [
    path("api/auth/", include("django_useauth.urls")),
    *i18n_patterns(path("accounts/login/", LoginView.as_view())),
]
