"""The check of ``TEMPLATES``: the template tags get the request from the context."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Warning

_REQUEST_PROCESSOR = "django.template.context_processors.request"


def check_templates(**kwargs: Any) -> list[CheckMessage]:
    """W001: a DjangoTemplates backend must have the request context processor the tags need."""
    engines: list[dict[str, Any]] = settings.TEMPLATES
    for engine in engines:
        if engine.get("BACKEND") != "django.template.backends.django.DjangoTemplates":
            continue
        processors = engine.get("OPTIONS", {}).get("context_processors", [])
        if _REQUEST_PROCESSOR in processors:
            return []
    return [
        Warning(
            f"No DjangoTemplates backend in TEMPLATES has {_REQUEST_PROCESSOR!r}; "
            "the django_useauth template tags render nothing without the request.",
            hint=f"Add {_REQUEST_PROCESSOR!r} to OPTIONS['context_processors'] of your DjangoTemplates backend.",
            id="useauth.W001",
        )
    ]
