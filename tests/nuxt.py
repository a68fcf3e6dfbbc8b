"""The Nuxt example (``examples/nuxt``) for its tests: production builds cached in the working tree, and its servers.

Each configuration (``authjs``, ``local``) is built into
``examples/nuxt/.output-<provider>`` with a stamp holding a hash of the
sources, the lock file and Node's version; a build is redone only when that
hash changes, so a test session builds at most once per configuration and
usually not at all. ``python -m tests.nuxt`` (``make nuxt``) makes the same
builds ahead of the tests.

The tests need Chromium, Node.js and ``examples/nuxt/node_modules``; where one
is missing they are skipped with the reason printed, unless
``USEAUTH_REQUIRE_NUXT=1`` (CI), which makes them fail instead. This module
imports ``tests.browser`` and ``tests.utils`` only inside functions: they need
Django's settings, which ``python -m tests.nuxt`` runs without.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from typing import ClassVar

from django.test import SimpleTestCase

from tests.live import ROOT
from tests.live import DemoProject
from tests.live import ServerProcess

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from playwright.sync_api import BrowserContext
    from playwright.sync_api import Page
    from playwright.sync_api import StorageState

EXAMPLE = ROOT / "examples" / "nuxt"
PROVIDERS = ("authjs", "local")
#: What a build depends on, besides node_modules (which the lock file pins).
SOURCES = (
    "package.json",
    "package-lock.json",
    "nuxt.config.ts",
    "tsconfig.json",
    "app",
    "public",
    "server",
)
#: The file in a build's output that holds the hash it was built from.
STAMP = "useauth-source-hash"
#: One build takes 15 to 40 s on a busy two-core machine.
BUILD_TIMEOUT = 600
REQUIRE_ENV = "USEAUTH_REQUIRE_NUXT"
#: Nuxt 4.4's engines field.
NODE_VERSION = (20, 19)

# ServerProcess runs Python: this hands the process over to node (same pid,
# so stop() ends node itself).
_EXEC = "import os, sys; os.execvp(sys.argv[1], sys.argv[1:])"


def missing() -> str | None:
    """Why the Nuxt tests cannot run here, or ``None`` if they can."""
    from tests.browser import chromium_path

    # Checked in this order, each only if those before it pass.
    checks: list[tuple[Callable[[], bool], str]] = [
        (
            lambda: chromium_path() is not None,
            "Chromium is not installed (Debian: apt-get install chromium)",
        ),
        (
            lambda: shutil.which("node") is not None,
            "Node.js is not installed (Debian: apt-get install nodejs npm)",
        ),
        (
            lambda: node_version() >= NODE_VERSION,
            "Nuxt 4 needs Node.js 20.19 or newer (Debian 12's nodejs is 18)",
        ),
        (
            lambda: (EXAMPLE / "node_modules" / ".bin" / "nuxt").exists(),
            "examples/nuxt/node_modules is missing (run make nuxt)",
        ),
    ]
    return next((reason for passes, reason in checks if not passes()), None)


def node_version() -> tuple[int, ...]:
    """The version of ``node`` on the PATH: ``(20, 20, 2)``."""
    found = subprocess.run(
        ["node", "--version"], capture_output=True, text=True, check=True
    )
    return tuple(int(part) for part in found.stdout.strip().lstrip("v").split("."))


def require() -> None:
    """Skip the calling test class with the reason, or fail in CI (``USEAUTH_REQUIRE_NUXT=1``)."""
    from tests.utils import skip_or_fail

    skip_or_fail(missing(), tests="Nuxt tests", env=REQUIRE_ENV)


def output_dir(provider: str) -> Path:
    return EXAMPLE / f".output-{provider}"


def source_hash(provider: str) -> str:
    """The hash a build of ``provider`` is kept by: the sources, the lock file, Node's version."""
    digest = hashlib.sha256(provider.encode())
    digest.update(repr(node_version()).encode())
    for name in SOURCES:
        path = EXAMPLE / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                digest.update(str(file.relative_to(EXAMPLE)).encode() + b"\0")
                digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def build(provider: str) -> Path:
    """The production build of ``provider``, built first if it is missing or older than its sources."""
    output = output_dir(provider)
    stamp = output / STAMP
    wanted = source_hash(provider)
    current = stamp.read_text() if stamp.is_file() else None
    if current != wanted:  # pragma: no cover - CI builds first (make nuxt)
        started = time.monotonic()
        result = subprocess.run(
            [str(EXAMPLE / "node_modules" / ".bin" / "nuxt"), "build"],
            cwd=EXAMPLE,
            env={**os.environ, "NUXT_AUTH_PROVIDER": provider},
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"nuxt build ({provider}) failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
            )
        stamp.write_text(wanted)
        print(
            f"Built examples/nuxt/.output-{provider} in {time.monotonic() - started:.0f} s",
            file=sys.stderr,
        )
    return output


class NuxtServer(ServerProcess):
    """A production build of the example under ``node``, proxying to a Django at ``django_origin``."""

    def __init__(self, provider: str, log: Path, **settings: str) -> None:
        super().__init__({}, log)
        self.provider = provider
        self.settings = settings

    def start(self, django_origin: str) -> None:
        self.env = {
            **os.environ,
            "NITRO_HOST": "127.0.0.1",
            "NITRO_PORT": str(self.port),
            "DJANGO_ORIGIN": django_origin,
            # Required by the authjs provider in production; only its path is used.
            "AUTH_ORIGIN": f"{self.origin}/api/auth",
            **self.settings,
        }
        if self.provider == "local":
            # The local provider would take it as its baseURL on the server.
            del self.env["AUTH_ORIGIN"]
        entry = output_dir(self.provider) / "server" / "index.mjs"
        node = shutil.which("node") or "node"
        self.serve("-c", _EXEC, node, str(entry), ready="/")


class NuxtTestCase(SimpleTestCase):
    """A production build of the example in Chromium, against the demo project: one Django, one Nuxt and one browser per class.

    Subclasses set ``provider``, and may add environment variables for the
    demo project (``django_settings``, ``services()``) and for the Nuxt
    server (``nuxt_settings``), and start more servers beside the demo
    project (``start_services()``). Every test gets a fresh context and page
    on the Nuxt origin.
    """

    provider: ClassVar[str]
    django_settings: ClassVar[dict[str, str]] = {}
    nuxt_settings: ClassVar[dict[str, str]] = {}
    browser: Browser
    django: DemoProject
    nuxt: NuxtServer

    @classmethod
    def setUpClass(cls) -> None:
        from tests import browser

        require()
        super().setUpClass()
        build(cls.provider)
        directory = Path(tempfile.mkdtemp(prefix=f"useauth-nuxt-{cls.provider}-"))
        cls.addClassCleanup(shutil.rmtree, directory, True)
        cls.nuxt = NuxtServer(cls.provider, directory / "nuxt.log", **cls.nuxt_settings)
        settings = {
            # runserver serves the built-in pages' static files.
            "DEBUG": "true",
            # No OpenID Connect IdP, unless services() names one.
            "AUTH_DEMO_IDP_ID": "",
            # The proxy sends Django its own Host: absolute URLs, the
            # redirect policy and the CSRF check of the sign-in form's POST
            # must use the Nuxt origin.
            "USEAUTH_URL": cls.nuxt.origin,
            **cls.django_settings,
            **cls.services(),
        }
        cls.django = DemoProject(
            f"nuxt-{cls.provider}",
            f"sqlite:///{directory / 'demo.sqlite3'}?timeout=20",
            directory / "django.log",
            **settings,
        )
        cls.addClassCleanup(cls.django.stop)
        # Side by side: each is a few manage.py runs.
        with ThreadPoolExecutor(max_workers=2) as pool:
            started = [pool.submit(cls.start_services), pool.submit(cls.start_django)]
            for future in started:
                future.result()
        cls.addClassCleanup(cls.nuxt.stop)
        cls.nuxt.start(cls.django.origin)
        cls.browser = cls.enterClassContext(browser.chromium())

    @classmethod
    def services(cls) -> dict[str, str]:
        """The demo project's environment for the servers ``start_services()`` starts (``cls.nuxt.origin`` is known)."""
        return {}

    @classmethod
    def start_services(cls) -> None:
        """Start more servers, while the demo project starts."""

    @classmethod
    def start_django(cls) -> None:
        cls.django.setup()
        cls.django.serve(
            "manage.py", "runserver", "--noreload", f"127.0.0.1:{cls.django.port}"
        )

    def setUp(self) -> None:
        self.context: BrowserContext = self.new_context()
        self.page: Page = self.context.new_page()

    def new_context(
        self,
        *,
        java_script_enabled: bool = True,
        storage_state: StorageState | None = None,
    ) -> BrowserContext:
        """A context on the Nuxt origin, closed after the test."""
        context = self.browser.new_context(
            base_url=self.nuxt.origin,
            java_script_enabled=java_script_enabled,
            storage_state=storage_state,
        )
        self.addCleanup(context.close)
        context.set_default_timeout(15_000)
        return context

    def url(self, path: str) -> str:
        return f"{self.nuxt.origin}{path}"


def main() -> None:  # pragma: no cover - make nuxt, outside the tests
    for provider in sys.argv[1:] or PROVIDERS:
        build(provider)
        print(f"examples/nuxt/.output-{provider} is up to date with its sources")


if __name__ == "__main__":  # pragma: no cover
    main()
