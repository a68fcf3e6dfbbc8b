"""What the endpoints answer with the test settings (and the demo project), shared by the tests that expect it."""

from __future__ import annotations

from typing import Any

#: The session user of ``make_user()``'s user.
ADA = {"name": "Ada Lovelace", "email": "ada@example.com", "image": None}

#: The session user of the demo project's ``seed_demo`` user (tests/live.py).
DEMO_USER = {"name": "Demo User", "email": "demo@example.com", "image": None}

#: The session user of the IdP's user (tests/idp.py).
IDP_USER = {"name": "Ida Provider", "email": "idp-demo@example.com", "image": None}

#: Codes that ``GET error`` sends on to the sign-in page (PROTOCOL.md section 2).
SIGN_IN_ERRORS = [
    "Signin",
    "OAuthSignin",
    "OAuthCallback",
    "OAuthCreateAccount",
    "EmailCreateAccount",
    "Callback",
    "OAuthAccountNotLinked",
    "EmailSignin",
    "CredentialsSignin",
    "SessionRequired",
]


def provider(base: str, provider_id: str, name: str, kind: str) -> dict[str, str]:
    """One entry of ``GET providers``, its URLs under ``base``."""
    return {
        "id": provider_id,
        "name": name,
        "type": kind,
        "signinUrl": f"{base}/signin/{provider_id}",
        "callbackUrl": f"{base}/callback/{provider_id}",
    }


def credentials_providers(base: str) -> dict[str, Any]:
    """``GET providers`` with only the credentials provider, its URLs under ``base``."""
    return {"credentials": provider(base, "credentials", "Credentials", "credentials")}


def github_provider(base: str) -> dict[str, str]:
    """The entry of ``GET providers`` for tests.utils.GITHUB's provider."""
    return provider(base, "github", "GitHub", "oauth")
