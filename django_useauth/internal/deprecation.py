"""Old import paths kept for one release, each with a ``DeprecationWarning``."""

from __future__ import annotations

import warnings
from importlib import import_module
from typing import Any


def moved(module: str, name: str, new_homes: dict[str, str]) -> Any:
    """Answer ``module.name`` from its new home, with a ``DeprecationWarning``; the ``__getattr__`` of an old path."""
    home = new_homes.get(name)
    if home is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    warnings.warn(
        f"{module}.{name} moved to {home}.{name}; the old path will be removed "
        "in django-useauth 0.2.",
        DeprecationWarning,
        stacklevel=3,
    )
    return getattr(import_module(home), name)
