"""django_useauth/token_openapi.json as schemathesis loads it, and requests described by its cases through Django's test client.

Shared by test_openapi_tokens.py (the test client) and test_fuzz_tokens.py (a
live server). The checks are schemathesis' conformance checks and its
``not_a_server_error``: unlike ``/api/auth``, token mode documents no 5xx.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import requests
import schemathesis
from django.test import Client
from django.test import TestCase
from schemathesis import Response
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_headers_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

# Imported for its deserializers of text/html and text/plain, so that the
# schemas of Django's HTML pages and of the empty 405 bodies are checked too.
from tests import schema as _cookie_schema  # noqa: F401
from tests.utils import PASSWORD

if TYPE_CHECKING:
    from schemathesis import CheckFunction
    from schemathesis.generation.case import Case
    from schemathesis.specs.openapi.schemas import OpenApiSchema

#: The document, as shipped in the package.
PATH = Path(str(resources.files("django_useauth").joinpath("token_openapi.json")))

#: Token mode's routes as the test client's requests (host ``testserver``) see them.
TOKEN_BASE = "http://testserver/api/token"

JSON = "application/json"


@functools.cache
def load() -> OpenApiSchema:
    """The document, validated against the OpenAPI 3.1 meta-schema (raises if invalid)."""
    loaded = schemathesis.openapi.from_path(PATH)
    loaded.validate()
    return loaded


def checks() -> list[CheckFunction]:
    """No server error, and a documented status, content type, headers and body."""
    return [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]


def send(
    client: Client, case: Case[Any], *, raw: tuple[str, bytes] | None = None
) -> Response:
    """Send ``case`` to ``TOKEN_BASE`` through Django's test client; the response as schemathesis sees one.

    ``raw`` replaces the serialised body with ``(content type, bytes)``, for
    bodies no schema describes (malformed JSON, a form for ``POST refresh``).
    """
    kwargs = case.as_transport_kwargs(base_url=TOKEN_BASE)
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=kwargs["headers"],
        params=kwargs["params"],
        data=kwargs.get("data"),
        json=kwargs.get("json"),
    ).prepare()
    if raw is not None:
        prepared.headers["Content-Type"], prepared.body = raw
    assert prepared.method is not None and prepared.url is not None
    content_type = prepared.headers.get("Content-Type", "")
    response = client.generic(
        prepared.method,
        prepared.url.removeprefix("http://testserver"),
        data=prepared.body or b"",
        content_type=content_type,
        headers={
            name: value
            for name, value in prepared.headers.items()
            if name not in ("Content-Type", "Content-Length")
        },
    )
    headers: dict[str, list[str]] = {}
    for name, value in response.items():
        headers.setdefault(name.lower(), []).append(value)
    cookies = [morsel.OutputString() for morsel in response.cookies.values()]
    # (The token endpoints set none: kept so that a cookie would be checked.)
    headers.update({"set-cookie": cookies} if cookies else {})
    return Response(
        status_code=response.status_code,
        headers=headers,
        content=response.content,
        request=prepared,
        elapsed=0.0,
        verify=True,
        message=response.reason_phrase,
        encoding=response.charset,
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TokenConformanceTestCase(TestCase):
    """Requests described by cases of token_openapi.json; every response must conform to it."""

    def setUp(self):
        # CSRF enforced: token mode must not need it.
        self.client = Client(enforce_csrf_checks=True)

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = NOT_SET,
        media_type: str = JSON,
        headers: dict[str, str] | None = None,
        raw: tuple[str, bytes] | None = None,
    ) -> Response:
        operation = load()[path][method]
        case = operation.Case(
            body=body,
            media_type=media_type if body is not NOT_SET else None,
            headers=headers,
        )
        response = send(self.client, case, raw=raw)
        case.validate_response(response, checks=checks())
        return response

    def post_raw(
        self,
        path: str,
        content: bytes,
        *,
        content_type: str = JSON,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """POST ``content`` as ``content_type``: a body no schema describes."""
        return self.call(
            "POST", path, body={}, headers=headers, raw=(content_type, content)
        )

    def login(self, username: str = "ada") -> dict[str, Any]:
        """``POST login`` as ``username`` (a :func:`~tests.utils.make_user`); the tokens."""
        response = self.call(
            "POST", "/login", body={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        return tokens
