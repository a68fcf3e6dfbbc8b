"""The OpenAPI description of ``/api/auth`` as schemathesis loads it, and the checks run on responses.

Shared by the test_openapi_*.py files (responses of the Django test client) and
test_fuzz.py (a live server). ``checks()`` are schemathesis' conformance checks
plus :func:`no_undocumented_server_error`, which replaces its
``not_a_server_error``: the error page answers ``error=Configuration`` with a
500, as NextAuth v4 does, and the document says so.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import schemathesis
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_headers_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

if TYPE_CHECKING:
    from schemathesis import CheckContext
    from schemathesis import CheckFunction
    from schemathesis import Response
    from schemathesis.core.deserialization import DeserializationContext
    from schemathesis.generation.case import Case
    from schemathesis.schemas import APIOperation
    from schemathesis.specs.openapi.schemas import OpenApiSchema

#: The document, as shipped in the package.
PATH = Path(str(resources.files("django_useauth").joinpath("openapi.json")))


@schemathesis.deserializer("text/plain", "text/html")
def _text(ctx: DeserializationContext, response: Response) -> str:
    # So that the schemas of the text bodies (the empty 405 and _log bodies)
    # are checked too; schemathesis skips them without a deserializer.
    return response.content.decode(response.encoding or "utf-8")


@functools.cache
def load() -> OpenApiSchema:
    """The document, validated against the OpenAPI 3.1 meta-schema (raises if invalid)."""
    schema = schemathesis.openapi.from_path(PATH)
    schema.validate()
    return schema


def operations(loaded: OpenApiSchema) -> list[APIOperation[Any, Any, Any, Any]]:
    """Every operation of ``loaded`` (an error if one could not be read)."""
    found = []
    for result in loaded.get_all_operations():
        assert isinstance(result, Ok), result
        found.append(result.ok())
    return found


def no_undocumented_server_error(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> bool | None:
    """schemathesis' ``not_a_server_error``, except for the documented ``GET|HEAD error?error=Configuration``."""
    if response.status_code < 500:
        return None
    # The query as sent decides; the view reads the last ``error`` (QueryDict.get).
    sent = parse_qs(urlsplit(response.request.url or "").query, keep_blank_values=True)
    code = sent.get("error", [""])[-1]
    assert (
        case.path == "/error"
        and case.method in ("GET", "HEAD")
        and code.lower() == "configuration"
    ), f"Undocumented server error: {response.status_code}"
    return None


def checks() -> list[CheckFunction]:
    return [
        no_undocumented_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]
