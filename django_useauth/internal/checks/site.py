"""The site's look on the built-in pages: ``USEAUTH_SITE_*`` and ``USEAUTH_FAVICON``.

``check_site``: each is ``None`` or a non-empty string (E050–E053); the site's
name may also be a lazy translation (``gettext_lazy``), its URL a
``reverse_lazy()``. Every built-in page renders all four, so what would fail
there is an error here: a URL name that does not reverse (E052: every page
answers 500), and a static file that no staticfiles finder finds (E051,
E053: a broken image, or a 500 under ``ManifestStaticFilesStorage``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import NamedTuple

from django.apps import apps
from django.contrib.staticfiles import finders
from django.core.checks import CheckMessage
from django.core.checks import Error
from django.urls import NoReverseMatch
from django.urls import reverse
from django.utils.functional import Promise

from django_useauth.conf import conf
from django_useauth.internal.assets import is_static_path
from django_useauth.internal.checks.values import invalid


class _Setting(NamedTuple):
    name: str
    value: object
    # Whether a lazy value (a Promise) is accepted.
    lazy: bool
    constraint: str
    hint: str
    id: str
    # What fails on the page for a value of the right shape, or None.
    problem: Callable[[_Setting], Error | None] | None = None


def _is_text(value: object, *, lazy: bool = False) -> bool:
    # A non-empty string; `lazy` also accepts gettext_lazy("…") and
    # reverse_lazy("…"), which are only turned into a string (and checked)
    # when read.
    if lazy and isinstance(value, Promise):
        return True
    return isinstance(value, str) and bool(value.strip())


def _url_problem(setting: _Setting) -> Error | None:
    # What the pages' resolve_url() would raise on: a lazy URL that does not
    # reverse, or a value without "/" or "." (so not a URL) that is not a URL
    # name either.
    fails = "so every built-in page fails with NoReverseMatch (a 500)"
    hint = (
        "Set USEAUTH_SITE_URL to a URL name of this project, a path such as "
        "'/', a URL, or reverse_lazy('name'); or None for no link back."
    )
    try:
        text = str(setting.value)
    except NoReverseMatch:
        return Error(
            f"USEAUTH_SITE_URL should be a URL or a URL name; it is a reverse_lazy() "
            f"that does not reverse, {fails}.",
            hint=hint,
            id=setting.id,
        )
    if "/" in text or "." in text:
        return None
    try:
        reverse(text)
    except NoReverseMatch:
        return Error(
            f"USEAUTH_SITE_URL should be a URL or a URL name; {text!r} is not a "
            f"URL name of this project, {fails}.",
            hint=hint,
            id=setting.id,
        )
    return None


def _file_problem(setting: _Setting) -> Error | None:
    # Without django.contrib.staticfiles, static() only joins STATIC_URL and
    # the path, and nothing here knows which files the server has.
    if not apps.is_installed("django.contrib.staticfiles"):
        return None
    name, path = setting.name, str(setting.value)
    if not is_static_path(path) or finders.find(path):
        return None
    return Error(
        f"{name} should be a URL, an absolute path or a static file that exists; "
        f"no staticfiles finder finds {path!r}, so the built-in pages show a "
        "missing image, or fail with ValueError (a 500) under "
        "ManifestStaticFilesStorage.",
        hint=f"Put {path!r} in an app's static/ directory or in STATICFILES_DIRS, "
        f"or set {name} to its URL.",
        id=setting.id,
    )


def check_site(**kwargs: Any) -> list[CheckMessage]:
    """E050–E053: the site's name, logo, link and favicon on the built-in pages, and the URL name and static files they name."""
    settings = (
        _Setting(
            "USEAUTH_SITE_NAME",
            conf.SITE_NAME,
            True,
            "None or a non-empty string",
            "Set USEAUTH_SITE_NAME = 'Example' (or gettext_lazy('Example')), or None.",
            "useauth.E050",
        ),
        _Setting(
            "USEAUTH_SITE_LOGO",
            conf.SITE_LOGO,
            False,
            "None or a static file path or URL",
            "Set USEAUTH_SITE_LOGO = 'myapp/logo.svg' (a static file) or "
            "'https://cdn.example.com/logo.svg', or None.",
            "useauth.E051",
            _file_problem,
        ),
        _Setting(
            "USEAUTH_SITE_URL",
            conf.SITE_URL,
            True,
            "None or a URL or URL name",
            "Set USEAUTH_SITE_URL = '/' or a URL name such as 'home', or None "
            "for no link back.",
            "useauth.E052",
            _url_problem,
        ),
        _Setting(
            "USEAUTH_FAVICON",
            conf.FAVICON,
            False,
            "None or a static file path or URL",
            "Set USEAUTH_FAVICON = 'myapp/favicon.svg' (a static file) or a URL, "
            "or None for the icon shipped with django-useauth.",
            "useauth.E053",
            _file_problem,
        ),
    )
    errors: list[CheckMessage] = []
    for setting in settings:
        if setting.value is None:
            continue
        if not _is_text(setting.value, lazy=setting.lazy):
            errors.append(
                invalid(
                    setting.name,
                    setting.value,
                    setting.constraint,
                    setting.hint,
                    setting.id,
                )
            )
        elif setting.problem is not None and (error := setting.problem(setting)):
            errors.append(error)
    return errors
