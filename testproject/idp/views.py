"""The demo IdP's home page."""

from __future__ import annotations

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from oauth2_provider.settings import oauth2_settings


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Say what this server is, where its OpenID Connect endpoints are and who is signed in."""
    context = {
        "issuer": oauth2_settings.oidc_issuer(request),
        "discovery_url": request.build_absolute_uri(
            reverse("oauth2_provider:oidc-connect-discovery-info")
        ),
        "jwks_url": request.build_absolute_uri(reverse("oauth2_provider:jwks-info")),
        "has_signing_key": bool(oauth2_settings.OIDC_RSA_PRIVATE_KEY),
    }
    return render(request, "idp/home.html", context)
