"""Exceptions of django_useauth."""

from __future__ import annotations

__all__ = ["SessionRequired", "StoreUnavailable", "UnknownProvider"]


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


class StoreUnavailable(Exception):
    """Raised when a store the answer depends on cannot be reached right now.

    The session store (its database or cache), the cache of
    ``USEAUTH_SESSION_CACHE`` entries that must be checked, or the cache of
    the sign-in limits. The request is then neither signed in nor signed out:
    ``AuthMiddleware`` (and ``django_useauth.sessions.middleware.SessionMiddleware``)
    answer ``503`` with ``Retry-After``: JSON ``{"error": "ServiceUnavailable",
    "url": <error page>}`` for API requests, the error page for browsers.
    ``store`` names what failed (for logs).
    """

    def __init__(self, store: str) -> None:
        super().__init__(f"The {store} cannot be reached.")
        self.store = store
