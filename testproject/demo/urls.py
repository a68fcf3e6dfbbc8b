"""The demo pages, namespaced ``demo``."""

from __future__ import annotations

from django.urls import path

from testproject.demo import views

app_name = "demo"

urlpatterns = [
    path("", views.home, name="home"),
    path("protected/", views.protected, name="protected"),
    path("guest/", views.guest, name="guest"),
    path("tags/", views.tags, name="tags"),
    path("client/", views.client, name="client"),
    path("client/required/", views.client_required, name="client_required"),
    path("apis/", views.apis, name="apis"),
    path("class-based/", views.ClassBasedView.as_view(), name="class_based"),
    path("api/me/", views.me, name="me"),
]
