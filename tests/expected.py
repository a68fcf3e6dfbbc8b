"""What the endpoints answer with the test settings, shared by the wire and OpenAPI tests."""

from __future__ import annotations

from typing import Any

#: The session user of ``make_user()``'s user.
ADA = {"name": "Ada Lovelace", "email": "ada@example.com", "image": None}


def credentials_providers(base: str) -> dict[str, Any]:
    """``GET providers`` with only the credentials provider, its URLs under ``base``."""
    return {
        "credentials": {
            "id": "credentials",
            "name": "Credentials",
            "type": "credentials",
            "signinUrl": f"{base}/signin/credentials",
            "callbackUrl": f"{base}/callback/credentials",
        }
    }
