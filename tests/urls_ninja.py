"""The URLconf of the django-ninja tests: ``@override_settings(ROOT_URLCONF="tests.urls_ninja")``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern
from django.urls import include
from django.urls import path

from django_useauth.decorators import auth_required
from tests.ninja_api import django_auth_api
from tests.ninja_api import operations
from tests.ninja_api import router_api
from tests.ninja_api import whole_api

# Read once: before 1.7, django-ninja refuses a second read of an API's urls
# (its registry of URL namespaces) unless NINJA_SKIP_REGISTRY is set.
django_auth_urls = django_auth_api.urls


def operation_view(name: str) -> Callable[..., Any]:
    """The Django view django-ninja made for ``django_auth_api``'s operation ``name``."""
    patterns, _app_name, _namespace = django_auth_urls
    views = {p.name: p.callback for p in patterns if isinstance(p, URLPattern)}
    return views[name]


urlpatterns = [
    path("api/auth/", include("django_useauth.urls")),
    path("ninja/ops/", operations.urls),
    path("ninja/django/", django_auth_urls),
    path("ninja/router/", router_api.urls),
    path("ninja/api/", whole_api.urls),
    # @auth_required around a whole django-ninja view (checked before Ninja's
    # django_auth replaces request.auth), its operation rendering the tags.
    path("ninja/wrapped-page/", auth_required(operation_view("django_page"))),
]
