"""Exceptions of django_useauth."""

from __future__ import annotations

__all__ = ["SessionRequired", "UnknownProvider"]


class SessionRequired(Exception):
    """Raised by ``request.auth.get_session(required=True)`` on an anonymous request.

    ``AuthMiddleware`` turns it into the same answer as ``@auth_required``: a
    redirect to the sign-in page carrying ``callback_url`` (or the request's
    full path) as callbackUrl, an ``HX-Redirect`` for htmx, or a 401 for JSON.
    """

    def __init__(self, callback_url: str | None = None) -> None:
        super().__init__("A signed-in session is required.")
        self.callback_url = callback_url


class UnknownProvider(ValueError):
    """Raised for a provider id that is not configured."""

    def __init__(self, provider_id: str, known: list[str]) -> None:
        choices = ", ".join(known) or "(none configured)"
        super().__init__(f"Unknown provider {provider_id!r}, must be one of: {choices}")
        self.provider_id = provider_id
