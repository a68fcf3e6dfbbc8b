from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.urls import include
from django.urls import path

from tests import views

urlpatterns = [
    path("api/auth/", include("django_useauth.urls")),
    path("api/token/", include("django_useauth.token_urls")),
    path("protected/", views.protected, name="protected"),
    path("aprotected/", views.async_protected, name="async_protected"),
    path("custom-callback/", views.custom_callback, name="custom_callback"),
    path("guest/", views.guest, name="guest"),
    path("aguest/", views.async_guest, name="async_guest"),
    path("guest-to/", views.guest_to_named, name="guest_to_named"),
    path("cbv/", views.ProtectedView.as_view(), name="cbv"),
    path("acbv/", views.AsyncProtectedView.as_view(), name="acbv"),
    path("cbv-guest/", views.GuestView.as_view(), name="cbv_guest"),
    path("acbv-guest/", views.AsyncGuestView.as_view(), name="acbv_guest"),
    path("required/", views.required_session, name="required_session"),
    path("arequired/", views.async_required_session, name="async_required_session"),
    path("status/", views.status, name="status"),
    path("astatus/", views.async_status, name="async_status"),
    path("untouched/", views.untouched, name="untouched"),
    path("plain/", views.plain, name="plain"),
    path("whoami/", views.whoami, name="whoami"),
    path("awhoami/", views.async_whoami, name="async_whoami"),
    path("guarded-whoami/", views.guarded_whoami, name="guarded_whoami"),
    path("aguarded-whoami/", views.async_guarded_whoami, name="async_guarded_whoami"),
    # Other doors to the same accounts: Django's login view (the admin's
    # form), an API that authenticates on each request, one that breaks.
    path("login/", LoginView.as_view(), name="login"),
    path("basic/", views.basic_auth, name="basic_auth"),
    path("abasic/", views.async_basic_auth, name="async_basic_auth"),
    path("wrapped-basic/", views.wrapped_basic_auth, name="wrapped_basic_auth"),
    path("basic-twice/", views.basic_auth_twice, name="basic_auth_twice"),
    path("broken-auth/", views.authenticate_then_fail, name="broken_auth"),
    # Browser tests: pages using useauth.js, and the bundled next-auth client.
    path("page/<slug:name>/", views.page, name="page"),
    path("nextauth/<str:name>", views.nextauth_file, name="nextauth_file"),
]
