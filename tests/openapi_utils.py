"""Requests described by schemathesis cases, sent through Django's test client, for the test_openapi_*.py files.

Each request is described by a schemathesis ``Case`` of its operation in
django_useauth/openapi.json, and the response must pass the conformance checks
of tests/schema.py (status, content type, headers, body schema).
"""

from __future__ import annotations

from typing import Any

import requests
from django.test import Client
from django.test import TestCase
from schemathesis import Response
from schemathesis.core import NOT_SET
from schemathesis.generation.case import Case

from tests import schema
from tests.utils import BASE
from tests.utils import FORM
from tests.utils import PASSWORD

HTML = "text/html; charset=utf-8"
JSON = "application/json"


def send(
    client: Client,
    case: Case[Any],
    *,
    raw: tuple[str, bytes] | None = None,
) -> Response:
    """Send ``case`` through Django's test client; answer the response as schemathesis sees one.

    ``raw`` replaces the serialised body with ``(content type, bytes)``, for
    bodies no schema describes (malformed JSON).
    """
    kwargs = case.as_transport_kwargs(base_url=BASE)
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
    body = prepared.body or b""
    response = client.generic(
        prepared.method,
        prepared.url.removeprefix("http://testserver"),
        data=body,
        content_type=prepared.headers.get("Content-Type", ""),
        headers={
            name: value
            for name, value in prepared.headers.items()
            if name not in ("Content-Type", "Content-Length")
        },
    )
    headers: dict[str, list[str]] = {}
    for name, value in response.items():
        headers.setdefault(name.lower(), []).append(value)
    for morsel in response.cookies.values():
        headers.setdefault("set-cookie", []).append(morsel.OutputString())
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


def header(response: Response, name: str) -> str:
    values = response.headers[name.lower()]
    assert len(values) == 1, values
    return values[0]


class ConformanceTestCase(TestCase):
    """Requests described by schemathesis cases; every response must conform to the document."""

    def setUp(self):
        self.client = Client(enforce_csrf_checks=True)

    def call(
        self,
        method: str,
        path: str,
        *,
        provider: str | None = None,
        query: dict[str, Any] | None = None,
        body: Any = NOT_SET,
        media_type: str | None = None,
        headers: dict[str, str] | None = None,
        raw: tuple[str, bytes] | None = None,
    ) -> Response:
        operation = schema.load()[path][method]
        case = operation.Case(
            path_parameters=None if provider is None else {"provider": provider},
            query=query,
            body=body,
            media_type=media_type if body is not NOT_SET else None,
            headers=headers,
        )
        response = send(self.client, case, raw=raw)
        case.validate_response(response, checks=schema.checks())
        return response

    def post_raw(
        self, path: str, content: bytes, *, provider: str | None = None
    ) -> Response:
        """POST ``content`` as ``application/json``: a body no schema describes, such as malformed JSON."""
        return self.call(
            "POST",
            path,
            provider=provider,
            body={},
            media_type=JSON,
            raw=(JSON, content),
        )

    def csrf(self) -> str:
        token: str = self.call("GET", "/csrf").json()["csrfToken"]
        return token

    def post(
        self,
        path: str,
        data: dict[str, Any],
        *,
        provider: str | None = None,
        media_type: str = FORM,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        return self.call(
            "POST",
            path,
            provider=provider,
            body=data,
            media_type=media_type,
            query=query,
            headers=headers,
        )

    def sign_in(self, **extra: Any) -> Response:
        data = {"csrfToken": self.csrf(), "username": "ada", "password": PASSWORD}
        return self.post(
            "/callback/{provider}", {**data, **extra}, provider="credentials"
        )

    def assert_url(self, response: Response, status: int, url: str) -> None:
        assert response.status_code == status
        assert response.json() == {"url": url}

    def assert_redirect(self, response: Response, url: str) -> None:
        assert response.status_code == 302
        assert header(response, "Location") == url

    def assert_page(self, response: Response, status: int, text: str) -> None:
        assert response.status_code == status
        assert header(response, "Content-Type") == HTML
        assert text in response.text
