"""The OpenAPI descriptions shipped with the package, as the ``openapi.json`` endpoints serve them."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any


@functools.cache
def _shipped(name: str) -> dict[str, Any]:
    # Read once per process and file.
    text = resources.files("django_useauth").joinpath(name).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def for_server(name: str, base: str) -> dict[str, Any]:
    """Return the shipped description ``name`` with ``servers`` naming ``base``, the absolute URL the routes are mounted at."""
    return {**_shipped(name), "servers": [{"url": base}]}
