"""Token mode's routes, named as nuxt-auth's ``local`` provider expects them.

Mount them where the front end's ``baseURL`` points, apart from the cookie
endpoints: ``path("api/token/", include("django_useauth.token_urls"))``.
"""

from __future__ import annotations

from django.urls import path

from django_useauth import token_views

app_name = "useauth_token"

urlpatterns = [
    # First: GET session is by far the most requested.
    path("session", token_views.session, name="session"),
    path("login", token_views.login, name="login"),
    path("refresh", token_views.refresh, name="refresh"),
    path("logout", token_views.logout, name="logout"),
    path("register", token_views.register, name="register"),
    path("openapi.json", token_views.openapi, name="openapi"),
]
