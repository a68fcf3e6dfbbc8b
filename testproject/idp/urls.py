"""URLs of the demo IdP: the toolkit at ``/o/``, sign-in and sign-out, a home page.

Only the toolkit's protocol endpoints are mounted (authorize, token, revoke,
introspect, device, the OpenID Connect discovery, JWKS, userinfo and logout
views, and the RFC 8414 metadata). Its application and token management pages
are left out: the one client is created by ``manage.py seed_idp``, not by users
signed in here.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include
from django.urls import path
from oauth2_provider import urls as oauth2_urls

from testproject.idp import views

oauth2_patterns = [
    *oauth2_urls.metadata_urlpatterns,
    *oauth2_urls.base_urlpatterns,
    *oauth2_urls.oidc_urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="idp/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path(
        "accounts/logout/",
        auth_views.LogoutView.as_view(),
        name="logout",
    ),
    path("o/", include((oauth2_patterns, oauth2_urls.app_name))),
]
