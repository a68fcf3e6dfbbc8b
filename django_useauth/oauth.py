"""OAuth and OpenID Connect through social-auth (``docs/oauth.md``).

The endpoints run social-core with :class:`UseAuthStrategy`; a project that
sets ``SOCIAL_AUTH_STRATEGY`` for its own social-auth views may subclass it.
Failures are logged by the ``django_useauth.oauth`` logger.
"""

from __future__ import annotations

from django_useauth.internal.oauth import UseAuthStrategy

__all__ = ["UseAuthStrategy"]
