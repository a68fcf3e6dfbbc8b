"""Django's ``SessionMiddleware``, answering ``503`` when the session cannot be saved.

``"django_useauth.sessions.middleware.SessionMiddleware"`` replaces
``"django.contrib.sessions.middleware.SessionMiddleware"`` in ``MIDDLEWARE``.
Django's saves a changed session after the view has answered, where an error
is a ``500``; with the engines of ``django_useauth.sessions`` a store that
cannot be reached then raises
:class:`~django_useauth.exceptions.StoreUnavailable`, which this answers
with the ``503`` that ``AuthMiddleware`` gives for the same outage anywhere
else (``Retry-After``; the cookie is left alone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.sessions import middleware

from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal.unavailable import unavailable_response

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http import HttpResponse

__all__ = ["SessionMiddleware"]


class SessionMiddleware(middleware.SessionMiddleware):
    """``SessionMiddleware`` whose failed save is a ``503``, not a ``500``."""

    def process_response(
        self, request: HttpRequest, response: HttpResponse
    ) -> HttpResponse:
        """Save the session as Django does; answer ``503`` if its store cannot be reached."""
        try:
            return super().process_response(request, response)
        except StoreUnavailable:
            return unavailable_response(request)
