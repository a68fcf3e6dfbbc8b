"""Template context processor: ``django_useauth.context_processors.auth``."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import cast

from django.utils.functional import SimpleLazyObject

from django_useauth.middleware import get_auth

if TYPE_CHECKING:
    from django.http import HttpRequest

    from django_useauth.middleware import AuthDetails

__all__ = ["auth"]


def auth(request: HttpRequest) -> dict[str, AuthDetails]:
    """Expose the request's :class:`~django_useauth.middleware.AuthDetails` as ``auth`` (``{{ auth.status }}``, ``{{ auth.data.user.name }}``, ``{% if auth %}``).

    It is :func:`~django_useauth.middleware.get_auth`'s answer, so DRF or
    django-ninja replacing ``request.auth`` does not change it. It stays lazy:
    a template that never reads ``auth`` costs no query, and renders for a
    request ``AuthMiddleware`` did not see (a test's ``RequestFactory``, an
    error page); reading ``auth`` then raises ``ImproperlyConfigured``.
    """
    # SimpleLazyObject proxies bool(), attributes and comparisons.
    return {"auth": cast("AuthDetails", SimpleLazyObject(lambda: get_auth(request)))}
