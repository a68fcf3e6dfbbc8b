"""The helpers of the Quickstart test, without a project or a build.

How ``tests/quickstart_readme.py`` reads the README's steps and applies a
python block (the rules the Quickstart's blocks rely on), and how
``tests/quickstart.py`` runs commands. Not marked ``quickstart``: they take
no time, and run with the rest of the suite.
"""

from __future__ import annotations

import sys
import textwrap
import tomllib
from typing import cast

import pytest
from django.test import SimpleTestCase

from tests.quickstart import ROOT
from tests.quickstart import environment
from tests.quickstart import run
from tests.quickstart_readme import MergeError
from tests.quickstart_readme import apply_python
from tests.quickstart_readme import python_target
from tests.quickstart_readme import quickstart_steps

README = (ROOT / "README.md").read_text()


class QuickstartStepsTests(SimpleTestCase):
    def test_the_steps_are_numbered_and_each_has_code(self):
        steps = quickstart_steps(README)
        assert [step.number for step in steps] == list(range(1, len(steps) + 1))
        assert all(step.blocks for step in steps)
        assert steps[0].blocks[0].language == "sh"
        assert "Both are required" in steps[4].text


class ApplyPythonTests(SimpleTestCase):
    """How a python block is applied to a module."""

    SETTINGS = textwrap.dedent(
        """\
        from pathlib import Path

        APPS = [
            "a",
            "b",
            "c",
        ]
        TEMPLATES = [{"BACKEND": "x", "OPTIONS": {"processors": ["p"]}}]
        DEBUG = True
        """
    )

    def apps(self, block: str) -> list[str]:
        namespace: dict[str, object] = {}
        exec(apply_python(self.SETTINGS, block), namespace)
        return cast("list[str]", namespace["APPS"])

    def test_entries_follow_the_entry_shown_before_them(self):
        assert self.apps('APPS = [..., "a", "new", ...]') == ["a", "new", "b", "c"]
        assert self.apps('APPS = ["new", ..., "c"]') == ["new", "a", "b", "c"]

    def test_entries_after_an_ellipsis_go_before_the_next_anchor_or_last(self):
        assert self.apps('APPS = [..., "new", "c"]') == ["a", "b", "new", "c"]
        assert self.apps('APPS = [..., "new", ...]') == ["a", "b", "c", "new"]
        assert self.apps('APPS = [..., "b", ..., "new"]') == ["a", "b", "c", "new"]

    def test_anchors_must_keep_the_files_order(self):
        with pytest.raises(MergeError, match="'a' is shown after 'c'"):
            self.apps('APPS = [..., "c", "a", ...]')

    def test_a_list_without_ellipsis_is_the_whole_value(self):
        assert self.apps('APPS = ["z"]') == ["z"]

    def test_dicts_merge_into_the_one_they_match(self):
        block = 'TEMPLATES = [{"BACKEND": "x", "DIRS": [], "OPTIONS": {"processors": [..., "q"]}}]'
        namespace: dict[str, object] = {}
        exec(apply_python(self.SETTINGS, block), namespace)
        assert namespace["TEMPLATES"] == [
            {"BACKEND": "x", "OPTIONS": {"processors": ["p", "q"]}, "DIRS": []}
        ]

    def test_other_values_are_replaced_or_added(self):
        source = apply_python(self.SETTINGS, "DEBUG = False\nLOGIN_URL = 'x'")
        assert "DEBUG = False\n" in source
        assert source.endswith("\n\nLOGIN_URL = 'x'\n")

    def test_imports_join_the_files_or_follow_them(self):
        source = apply_python(
            self.SETTINGS, "from pathlib import PurePath\nfrom os import sep"
        )
        assert source.startswith(
            "from pathlib import Path, PurePath\nfrom os import sep\n\nAPPS"
        )
        assert apply_python("X = 1\n", "from os import sep").startswith(
            "from os import sep\nX = 1\n"
        )

    def test_blocks_go_to_their_file(self):
        assert python_target("urlpatterns = []") == "urls"
        assert python_target("def view(request): ...") == "views"
        assert python_target("A = 1\nB = 2") == "settings"
        with pytest.raises(MergeError, match="Where does this block go"):
            python_target("print('x')")


class CommandTests(SimpleTestCase):
    """How ``tests/quickstart.py`` runs the project's commands and the build."""

    def test_the_environment_points_nowhere(self):
        env = environment(PYTHONPATH="/site")
        assert env["PYTHONPATH"] == "/site"
        assert "DJANGO_SETTINGS_MODULE" not in env
        assert not [name for name in env if name.startswith("COVERAGE_")]

    def test_a_failing_command_shows_its_output(self):
        with pytest.raises(AssertionError, match=r"failed \(3\):\nout\n\nerr"):
            run(
                sys.executable,
                "-c",
                "import sys; print('out'); sys.exit(print('err', file=sys.stderr) or 3)",
                cwd=ROOT,
            )

    def test_the_build_uses_the_backend_of_the_build_system(self):
        # --no-isolation builds with what the test dependency group installs.
        pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
        test_group = pyproject["dependency-groups"]["test"]
        assert set(pyproject["build-system"]["requires"]) <= set(test_group)
        assert any(requirement.startswith("build") for requirement in test_group)
