"""The provider registry: which sign-in methods exist, by NextAuth id.

Provider ids come from URLs, so they are only ever looked up here by exact
match; nothing imports or loads a backend by a name taken from a request.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal
from typing import TypedDict

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string
from social_core.backends.base import BaseAuth

from django_useauth.conf import conf
from django_useauth.internal.redirects import absolute_url

if TYPE_CHECKING:
    from django.http import HttpRequest


#: The id of the credentials provider, as in NextAuth's default configuration.
CREDENTIALS_ID = "credentials"

#: The id of the email provider, as in NextAuth's default configuration.
EMAIL_ID = "email"

#: What a provider id may look like; anything else is unknown without a lookup.
PROVIDER_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")

ProviderType = Literal["credentials", "email", "oauth"]

#: A social-core backend class.
SocialBackend = type[BaseAuth[Any]]


class ProviderJSON(TypedDict):
    """One entry of ``GET /api/auth/providers``."""

    id: str
    name: str
    type: ProviderType
    signinUrl: str
    callbackUrl: str


@dataclass(frozen=True)
class Provider:
    """A configured sign-in method; ``backend`` is the social-core backend of an OAuth provider."""

    id: str
    name: str
    type: ProviderType
    backend: SocialBackend | None = None

    def to_json(self, request: HttpRequest) -> ProviderJSON:
        """Return the ``GET providers`` entry, with absolute URLs on the site origin."""
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "signinUrl": absolute_url(
                request, reverse("useauth:signin_provider", args=[self.id])
            ),
            "callbackUrl": absolute_url(
                request, reverse("useauth:callback", args=[self.id])
            ),
        }


def get_providers() -> dict[str, Provider]:
    """Return the enabled providers by id: credentials first, then email, then the social-core backends in order.

    A backend whose name is not a valid provider id (or is ``credentials`` or
    ``email``) is left out; check ``useauth.E008`` reports it.
    """
    providers: dict[str, Provider] = {}
    if conf.CREDENTIALS_ENABLED:
        providers[CREDENTIALS_ID] = Provider(
            CREDENTIALS_ID, conf.CREDENTIALS_NAME, "credentials"
        )
    if conf.EMAIL_ENABLED:
        providers[EMAIL_ID] = Provider(EMAIL_ID, conf.EMAIL_NAME, "email")
    for name, backend in social_backends().items():
        if name not in (CREDENTIALS_ID, EMAIL_ID) and PROVIDER_ID_RE.fullmatch(name):
            providers[name] = Provider(name, backend.title or name, "oauth", backend)
    return providers


def social_backends() -> dict[str, SocialBackend]:
    """Return the social-core backends of ``AUTHENTICATION_BACKENDS`` by name, in order."""
    return _social_backends(tuple(settings.AUTHENTICATION_BACKENDS))


@functools.cache
def _social_backends(paths: tuple[str, ...]) -> dict[str, SocialBackend]:
    # Keyed by the setting's value, so override_settings needs no cache clearing.
    backends: dict[str, SocialBackend] = {}
    for path in paths:
        try:
            backend = import_string(path)
        except ImportError:
            # authenticate() reports a broken entry; the provider list skips it.
            continue
        if isinstance(backend, type) and issubclass(backend, BaseAuth):
            backends.setdefault(backend.name, backend)
    return backends


def get_provider(provider_id: str) -> Provider | None:
    """Return the provider with exactly this id, or ``None``."""
    if not PROVIDER_ID_RE.fullmatch(provider_id):
        return None
    return get_providers().get(provider_id)


def providers_json(request: HttpRequest) -> dict[str, ProviderJSON]:
    """Return the body of ``GET /api/auth/providers``."""
    return {
        provider_id: provider.to_json(request)
        for provider_id, provider in get_providers().items()
    }
