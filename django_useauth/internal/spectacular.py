"""drf-spectacular: the OpenAPI security scheme of ``UseAuthAuthentication``.

Imported by ``django_useauth.rest_framework`` when drf-spectacular is
installed; defining the class registers it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.drainage import set_override
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from django_useauth.rest_framework import UseAuthAuthentication


class UseAuthScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    # Subclasses of UseAuthAuthentication are described the same way.
    # drf-spectacular's own scheme for SessionAuthentication, our base class,
    # matches that class only, so it never describes ours.
    target_class = "django_useauth.rest_framework.UseAuthAuthentication"
    match_subclasses = True
    # Two schemes, either of which is enough: the session cookie and a Bearer
    # access token of token mode.
    name = ["useAuthSession", "useAuthBearer"]

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[str]]]:
        return [{name: []} for name in self.name]

    def get_security_definition(
        self, auto_schema: Any
    ) -> dict[str, str] | list[dict[str, str]]:
        return [self._session(), _BEARER]

    @staticmethod
    def _session() -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": (
                "The session cookie that /api/auth/ sets at sign-in. Unsafe "
                "methods also need Django's CSRF token in the X-CSRFToken "
                "header (GET /api/auth/csrf answers one)."
            ),
        }


_BEARER = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": (
        "An access token of token mode (POST /api/token/login, "
        "POST /api/token/refresh), in the Authorization header."
    ),
}


# drf-spectacular registers the scheme under each authentication class it
# meets, and warns ("Encountered 2 components with identical names ... and
# different identities") when a project uses the class and a subclass, or two
# subclasses: they are the same scheme, with the same definition (it depends
# on settings only). The override is inherited by every subclass.
set_override(UseAuthAuthentication, "suppress_collision_warning", True)
