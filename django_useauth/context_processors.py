"""Template context processor: ``django_useauth.context_processors.auth``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

    from django_useauth.middleware import AuthDetails

__all__ = ["auth"]


def auth(request: HttpRequest) -> dict[str, AuthDetails | None]:
    """Expose ``request.auth`` as ``auth`` (``{{ auth.status }}``, ``{{ auth.data.user.name }}``, ``{% if auth %}``).

    It stays lazy: a template that never reads ``auth`` costs no query.
    """
    return {"auth": getattr(request, "auth", None)}
