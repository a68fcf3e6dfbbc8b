"""Headless Chromium for the browser tests: Debian's ``chromium``, driven by Playwright.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium``
(or ``USEAUTH_CHROMIUM``) with the flags this machine needs and a fresh
profile. Where Chromium or Node.js is missing the browser tests are skipped
with the reason printed, unless ``USEAUTH_REQUIRE_BROWSER=1`` (CI), which makes
them fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from typing import ClassVar
from unittest import mock

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from tests.live import ROOT
from tests.utils import make_user
from tests.utils import skip_or_fail

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from playwright.sync_api import BrowserContext

ARTIFACTS = ROOT / "test-artifacts"

#: The launch flags of the machine probe: no GPU, no network of Chromium's own.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("USEAUTH_CHROMIUM") or shutil.which("chromium")


def missing(*, node: bool = False) -> str | None:
    """Why the browser tests cannot run here, or ``None`` if they can."""
    if chromium_path() is None:
        return "Chromium is not installed (Debian: apt-get install chromium)"
    if node and not (ROOT / "node_modules" / "next-auth").is_dir():
        if shutil.which("npm") is None:
            return "Node.js and npm are not installed"
        return "node_modules is missing (run npm ci)"
    return None


def require(*, node: bool = False) -> None:
    """Skip the calling test class with the reason, or fail in CI (``USEAUTH_REQUIRE_BROWSER=1``)."""
    skip_or_fail(
        missing(node=node), tests="browser tests", env="USEAUTH_REQUIRE_BROWSER"
    )


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium with a fresh profile, closed afterwards."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests'
    # own database calls are still synchronous. Only while the browser is
    # open: the async tests after it must keep Django's guard.
    with (
        mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"}),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            browser.close()


def sign_in_with_requests(
    context: BrowserContext, username: str, password: str
) -> None:
    """Sign the context in without a page: POST callback/credentials with its cookies (relative to its ``base_url``)."""
    csrf = context.request.get("/api/auth/csrf").json()["csrfToken"]
    response = context.request.post(
        "/api/auth/callback/credentials",
        form={
            "csrfToken": csrf,
            "username": username,
            "password": password,
            "json": "true",
        },
    )
    assert response.status == 200, response.text()


def artifact(name: str) -> Path:
    """A path under test-artifacts/ (kept after the run, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


class BrowserTestCase(StaticLiveServerTestCase):
    """Pages of a live server in Chromium: one browser for the class; per test ``make_user()``'s user and a fresh context and page."""

    host = "127.0.0.1"
    #: Whether the tests need node_modules (see ``require()``).
    node: ClassVar[bool] = False
    browser: Browser

    @classmethod
    def setUpClass(cls) -> None:
        require(node=cls.node)
        super().setUpClass()
        cls.browser = cls.enterClassContext(chromium())

    def setUp(self) -> None:
        self.user = make_user()
        self.context = self.browser.new_context()
        self.addCleanup(self.context.close)
        self.page = self.context.new_page()
