"""The docs, the classifiers and tox agree with the code."""

from __future__ import annotations

import configparser
import re
import tomllib
from pathlib import Path

from django.test import SimpleTestCase

from django_useauth.conf import Settings

ROOT = Path(__file__).resolve().parent.parent


def setting_names() -> list[str]:
    return [
        f"USEAUTH_{name}"
        for name, value in vars(Settings).items()
        if isinstance(value, property)
    ]


class DocsTests(SimpleTestCase):
    def test_every_setting_documented(self):
        configuration = (ROOT / "docs" / "configuration.md").read_text()
        readme = (ROOT / "README.md").read_text()
        names = setting_names()
        assert len(names) == 26
        for name in names:
            assert f"`{name}`" in configuration, name
            assert f"`{name}`" in readme, name

    def test_versions_agree(self):
        pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
        classifiers = pyproject["project"]["classifiers"]
        pythons = {
            c.rsplit(" ", 1)[1]
            for c in classifiers
            if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
        }
        djangos = {
            c.rsplit(" ", 1)[1]
            for c in classifiers
            if re.fullmatch(r"Framework :: Django :: \d\.\d", c)
        }

        tox = configparser.ConfigParser()
        tox.read(ROOT / "tox.ini")
        envs = [
            line.strip() for line in tox["tox"]["env_list"].splitlines() if line.strip()
        ]
        pairs = set()
        for line in envs:
            match = re.fullmatch(
                r"py(\d)(\d+)-django\{?([\d, ]+)\}?", line.replace(" ", "")
            )
            if match:
                for django in match.group(3).split(","):
                    pairs.add(
                        (
                            f"{match.group(1)}.{match.group(2)}",
                            f"{django[0]}.{django[1:]}",
                        )
                    )
        assert {python for python, _ in pairs} == pythons
        assert {django for _, django in pairs} == djangos

        readme = (ROOT / "README.md").read_text()
        low, high = sorted(pythons, key=lambda v: tuple(map(int, v.split("."))))[
            :: len(pythons) - 1
        ]
        assert f"Python {low} to {high} supported." in readme
        ordered = sorted(djangos, key=lambda v: tuple(map(int, v.split("."))))
        assert (
            f"Django {', '.join(ordered[:-1])} and {ordered[-1]} supported." in readme
        )
        assert pyproject["project"]["requires-python"] == f">={low}"

    def test_oldest_api_frameworks_run_every_api_test(self):
        # tox's py311-django52-apis-oldest names the files (tox does not expand
        # globs): every DRF and Ninja test file must be among them, and the
        # pins must be the extras' lower bounds.
        tox = configparser.ConfigParser(interpolation=None)
        tox.read(ROOT / "tox.ini")
        env = tox["testenv:py311-django52-apis-oldest"]
        named = set(re.findall(r"tests/[\w/]+\.py", env["commands"]))
        tests = ROOT / "tests"
        for path in [*tests.glob("test_drf_*.py"), *tests.glob("test_ninja_*.py")]:
            assert f"tests/{path.name}" in named, path.name
        assert "tests/attacks/test_apis.py" in named
        pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
        extras = pyproject["project"]["optional-dependencies"]
        for requirement in [*extras["drf"], *extras["ninja"]]:
            name, version = requirement.split(">=")
            pin = rf"^{name}=={re.escape(version)}(\.0)*$"
            assert re.search(pin, env["deps"], re.MULTILINE), requirement
