from __future__ import annotations

import os
import unittest
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase

from tests import browser


class MissingTests(SimpleTestCase):
    def test_reasons(self):
        with mock.patch.object(browser, "chromium_path", return_value=None):
            assert (
                browser.missing()
                == "Chromium is not installed (Debian: apt-get install chromium)"
            )
        with (
            mock.patch.object(
                browser, "chromium_path", return_value="/usr/bin/chromium"
            ),
            mock.patch.object(browser, "ROOT", Path("/nonexistent")),
        ):
            assert browser.missing() is None
            with mock.patch("shutil.which", return_value=None):
                assert browser.missing(node=True) == "Node.js and npm are not installed"
            with mock.patch("shutil.which", return_value="/usr/bin/npm"):
                assert (
                    browser.missing(node=True) == "node_modules is missing (run npm ci)"
                )

    def test_chromium_override(self):
        with mock.patch.dict(os.environ, {"USEAUTH_CHROMIUM": "/opt/chromium"}):
            assert browser.chromium_path() == "/opt/chromium"

    def test_require(self):
        with mock.patch.object(browser, "missing", return_value="no browser"):
            with (
                mock.patch.dict(os.environ, {"USEAUTH_REQUIRE_BROWSER": ""}),
                self.assertRaises(unittest.SkipTest),
            ):
                browser.require()
            with (
                mock.patch.dict(os.environ, {"USEAUTH_REQUIRE_BROWSER": "1"}),
                self.assertRaisesMessage(
                    RuntimeError, "must run here, but: no browser"
                ),
            ):
                browser.require()

    def test_artifact(self):
        path = browser.artifact("probe.txt")
        assert path.parent == browser.ARTIFACTS
        assert path.parent.is_dir()


class NextAuthFileViewTests(SimpleTestCase):
    def test_only_files_of_the_directory(self):
        import tempfile

        with tempfile.TemporaryDirectory() as directory:
            (Path(directory) / "harness.js").write_text("ok")
            with self.settings(USEAUTH_TEST_NEXTAUTH_DIR=directory):
                response = self.client.get("/nextauth/harness.js")
                assert response.content == b"ok"
                assert response["Content-Type"] == "text/javascript; charset=utf-8"
                assert self.client.get("/nextauth/missing.js").status_code == 404
                assert self.client.get("/nextauth/..%2Fsecret").status_code == 404
