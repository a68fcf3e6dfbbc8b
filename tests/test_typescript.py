"""useauth.d.ts, the TypeScript declarations shipped beside useauth.js.

``tsc`` (from node_modules) checks tests/js/usage.ts, a typed page module,
against them: what they must accept, and, on the lines after each
``@ts-expect-error``, what they must reject. tests/js/usage-negative.ts is
the proof that the check can fail. Without Node.js or node_modules these tests
are skipped with the reason, unless ``USEAUTH_REQUIRE_BROWSER=1`` (CI), which
makes them fail, as for the browser tests. The names the module exports and
the members of ``useAuth()`` are compared with the declarations without Node.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unittest
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase

from tests.live import ROOT
from tests.utils import skip_or_fail

STATIC = ROOT / "django_useauth" / "static" / "django_useauth"
JS = ROOT / "tests" / "js"
TSC = ROOT / "node_modules" / "typescript" / "bin" / "tsc"

_EXPORT_LINE = re.compile(r"^export\b.*$", re.MULTILINE)
_JS_EXPORT = re.compile(r"^export (?:async )?(?:function|class|const|let) (\w+)\b")
_DTS_VALUE = re.compile(r"^export (?:declare )?(?:function|class|const|let) (\w+)\b")
_DTS_TYPE = re.compile(r"^export (?:interface|type) (\w+)\b")
_DTS_GLOBAL = "declare global {"


def missing_tsc() -> str | None:
    """Why tsc cannot run here, or ``None`` if it can."""
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not TSC.is_file():
        return "node_modules is missing (run npm ci)"
    return None


def require_tsc() -> None:
    """Skip the calling test class with the reason, or fail in CI (``USEAUTH_REQUIRE_BROWSER=1``)."""
    skip_or_fail(missing_tsc(), tests="TypeScript check", env="USEAUTH_REQUIRE_BROWSER")


def tsc(config: str) -> subprocess.CompletedProcess[str]:
    """``tsc -p tests/js/<config>`` from the repository's root."""
    return subprocess.run(
        ["node", str(TSC), "--pretty", "false", "-p", str(JS / config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def _exports(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [
        match.group(1)
        for line in _EXPORT_LINE.findall(text)
        if (match := pattern.match(line))
    ]


class TscTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        require_tsc()
        super().setUpClass()

    def test_usage_type_checks(self):
        # Also fails if a @ts-expect-error line of usage.ts type-checks (TS2578).
        result = tsc("tsconfig.json")
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")

    def test_wrong_usage_is_rejected(self):
        result = tsc("tsconfig.negative.json")
        errors = re.findall(
            r"^(tests/js/\S+\(\d+,\d+\)): error (TS\d+)", result.stdout, re.MULTILINE
        )
        assert result.returncode == 2
        assert errors == [
            # const name: string = auth.data.user.name;
            ("tests/js/usage-negative.ts(6,7)", "TS2322"),
            ("tests/js/usage-negative.ts(6,22)", "TS18047"),
            # auth.signIn("credentials", { redirect: "no" });
            ("tests/js/usage-negative.ts(7,30)", "TS2322"),
            # useAuth({ refreshInterval: "60" });
            ("tests/js/usage-negative.ts(8,11)", "TS2322"),
        ]


class RequireTscTests(SimpleTestCase):
    def test_reasons(self):
        with mock.patch("shutil.which", return_value=None):
            assert missing_tsc() == "Node.js is not installed"
        with (
            mock.patch("shutil.which", return_value="/usr/bin/node"),
            mock.patch.object(Path, "is_file", return_value=False),
        ):
            assert missing_tsc() == "node_modules is missing (run npm ci)"

    def test_require(self):
        with mock.patch(f"{__name__}.missing_tsc", return_value=None):
            require_tsc()
        with mock.patch(f"{__name__}.missing_tsc", return_value="no node"):
            with (
                mock.patch.dict(os.environ, {"USEAUTH_REQUIRE_BROWSER": ""}),
                self.assertRaisesMessage(unittest.SkipTest, "skipped: no node"),
            ):
                require_tsc()
            with (
                mock.patch.dict(os.environ, {"USEAUTH_REQUIRE_BROWSER": "1"}),
                self.assertRaisesMessage(RuntimeError, "must run here, but: no node"),
            ):
                require_tsc()


class DeclarationsInSyncTests(SimpleTestCase):
    """useauth.d.ts declares what useauth.js exports, and every member of ``useAuth()``."""

    js = (STATIC / "useauth.js").read_text()
    dts = (STATIC / "useauth.d.ts").read_text()

    def test_every_export_line_is_understood(self):
        # export { … } or export default would escape the comparisons below.
        for line in _EXPORT_LINE.findall(self.js):
            assert _JS_EXPORT.match(line), line
        for line in _EXPORT_LINE.findall(self.dts):
            assert _DTS_VALUE.match(line) or _DTS_TYPE.match(line), line

    def test_the_same_values(self):
        assert sorted(_exports(self.js, _JS_EXPORT)) == ["AuthError", "useAuth"]
        assert sorted(_exports(self.dts, _DTS_VALUE)) == sorted(
            _exports(self.js, _JS_EXPORT)
        )

    def test_the_same_members_of_use_auth(self):
        # The object createAuth() returns, and the interface Auth.
        start = self.js.index("\n  return {\n    get status() {")
        returned = self.js[start:].split("\n  };\n", 1)[0]
        members = re.findall(
            r"^    (?:get (\w+)\(\) \{|(\w+),)$", returned, re.MULTILINE
        )
        implemented = {getter or method for getter, method in members}
        start = self.dts.index("\nexport interface Auth {\n")
        interface = self.dts[start:].split("\n}\n", 1)[0]
        declared = set(
            re.findall(r"^  (?:readonly )?(\w+)[(:]", interface, re.MULTILINE)
        )
        assert implemented == declared
        assert {
            "status",
            "data",
            "subscribe",
            "signIn",
            "signOut",
            "getSession",
        } <= declared

    def test_the_change_event_is_declared(self):
        assert '"useauth:change"' in self.js
        assert _DTS_GLOBAL in self.dts
        assert '"useauth:change": CustomEvent<AuthState>;' in self.dts
