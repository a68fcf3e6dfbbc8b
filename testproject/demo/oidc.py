"""The demo's OpenID Connect provider: the local IdP of ``testproject/idp``."""

from __future__ import annotations

from django.http import HttpResponse
from social_core.backends.open_id_connect import OpenIdConnectAuth


class DemoIdP(OpenIdConnectAuth[HttpResponse]):
    """Sign in through the demo identity provider (django-oauth-toolkit).

    A named subclass of social-core's generic OpenID Connect backend, so that
    the provider id is ``demo-idp`` and its settings are
    ``SOCIAL_AUTH_DEMO_IDP_*``. ``make run`` starts the IdP; the endpoint,
    client id and secret come from ``AUTH_DEMO_IDP_*`` (see ``.env.example``).
    """

    name = "demo-idp"
    title = "Demo IdP"
