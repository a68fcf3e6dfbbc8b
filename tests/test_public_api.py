"""The public API: docs/api.md, the modules' ``__all__`` and the deprecated paths agree."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import warnings
from pathlib import Path

import pytest
from django.test import SimpleTestCase

import django_useauth
from django_useauth import internal

ROOT = Path(__file__).resolve().parent.parent
API = (ROOT / "docs" / "api.md").read_text()
_ROW = re.compile(r"^\| (`django_useauth[^|]*) \| [^|]* \| ([^|]*) \|$", re.MULTILINE)
_NAME = re.compile(r"`([\w.]+)`")
_DOTTED = re.compile(r"\bdjango_useauth(?:\.\w+)+")

#: Old paths kept for one release: (module, name) -> new module.
DEPRECATED = {
    ("django_useauth.session", "Session"): "django_useauth.middleware",
    ("django_useauth.session", "SessionUser"): "django_useauth.middleware",
    ("django_useauth.actions", "SignInResult"): "django_useauth.middleware",
    ("django_useauth.actions", "SignOutResult"): "django_useauth.middleware",
    ("django_useauth.errors", "sign_in_error_message"): "django_useauth.pages",
}
_SHIMS = {module for module, _ in DEPRECATED}
#: Modules Django or the project's settings name, documented on the page's last lines.
_WIRING = {
    "django_useauth.apps",
    "django_useauth.defaults",
    "django_useauth.views",
    "django_useauth.token_views",
    "django_useauth.management.commands.cleartokens",
}
#: URLconfs: include()d, not imported from.
_URLCONFS = {"django_useauth.urls", "django_useauth.token_urls"}
#: The module whose public class Django finds by the app's name, not by import.
_REGISTERED = {"django_useauth.apps", "django_useauth.management.commands.cleartokens"}


def _documented() -> dict[str, set[str]]:
    # module -> the names its row lists
    rows: dict[str, set[str]] = {}
    for modules, names in _ROW.findall(API):
        for module in _NAME.findall(modules):
            rows[module] = set(_NAME.findall(names))
    return rows


def _public_modules() -> list[str]:
    found = []
    for info in pkgutil.walk_packages(django_useauth.__path__, "django_useauth."):
        name = info.name
        if name.startswith(("django_useauth.internal", "django_useauth.migrations")):
            continue
        if info.ispkg or name in _SHIMS:
            continue
        found.append(name)
    return sorted(found)


class PublicApiTests(SimpleTestCase):
    def test_every_public_module_is_documented(self):
        documented = set(_documented())
        for name in _public_modules():
            assert name in documented or name in _WIRING, name
            if name in _WIRING:
                assert f"`{name}`" in API, name

    def test_documented_names_are_exactly_each_modules_all(self):
        for module_name, names in _documented().items():
            module = importlib.import_module(module_name)
            exported = set(getattr(module, "__all__", ()))
            if module_name in _URLCONFS:
                assert not names  # a URLconf: include()d, not imported from
                continue
            assert names == exported, module_name

    def test_public_modules_define_no_undocumented_public_names(self):
        # A function or class a public module defines is exported and
        # documented, or its name starts with "_" (or it is in internal/).
        for name in _public_modules():
            module = importlib.import_module(name)
            exported = set(getattr(module, "__all__", ()))
            for attribute, value in vars(module).items():
                if attribute.startswith("_") or not (
                    inspect.isfunction(value) or inspect.isclass(value)
                ):
                    continue
                if getattr(value, "__module__", None) != name:
                    continue  # imported, not defined here
                with self.subTest(f"{name}.{attribute}"):
                    assert attribute in exported or name in _REGISTERED, attribute

    def test_internal_modules_export_nothing(self):
        for info in pkgutil.walk_packages(
            internal.__path__, "django_useauth.internal."
        ):
            module = importlib.import_module(info.name)
            assert not hasattr(module, "__all__"), info.name

    def test_paths_named_in_the_docs_exist(self):
        texts = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
        seen = set()
        for path in texts:
            text = path.read_text()
            if path.name == "api.md":
                text = text.split("## Deprecated paths")[0]
            seen.update(_DOTTED.findall(text))
        assert seen
        for dotted in sorted(seen):
            with self.subTest(dotted), warnings.catch_warnings():
                warnings.simplefilter("error", DeprecationWarning)
                _resolve(dotted)


def _resolve(dotted: str) -> object:
    # The longest importable module prefix, then attributes.
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            target = getattr(target, attribute)
        return target
    raise AssertionError(dotted)  # pragma: no cover - django_useauth imports


class DeprecatedPathTests(SimpleTestCase):
    def test_old_paths_warn_and_answer_the_new_object(self):
        for (old, name), new in DEPRECATED.items():
            with self.subTest(f"{old}.{name}"):
                module = importlib.import_module(old)
                with pytest.warns(
                    DeprecationWarning, match=f"{old}.{name} moved to {new}"
                ):
                    moved = getattr(module, name)
                assert moved is getattr(importlib.import_module(new), name)
                assert (
                    f"`{old}.{name}`" in API
                    or f"`{old}.{name}`, `." in API
                    or old in API
                )

    def test_unknown_names_still_raise_attribute_error(self):
        for old in sorted(_SHIMS):
            module = importlib.import_module(old)
            with pytest.raises(AttributeError, match="no attribute 'missing'"):
                module.missing  # noqa: B018
