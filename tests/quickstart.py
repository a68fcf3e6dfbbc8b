"""The README's Quickstart on a new project: the distributions, the project that follows the steps, and its pages.

``distributions()`` builds this tree's sdist and wheel once per run.
``Project`` is a new ``startproject`` that runs on the venv's Django with
django-useauth installed from the wheel into a folder of its own
(``PYTHONPATH``), never the repository's copy. ``Project.follow()`` applies
each block of the steps that ``tests/quickstart_readme.py`` reads, the way a
reader would:

- a ``sh`` block's ``python -m pip install …`` installs the wheel instead, and
  its ``python manage.py …`` commands run;
- a ``python`` block that assigns ``urlpatterns`` goes into the project's
  ``urls.py``, one that defines a function into the app's ``views.py``, and
  one of settings (``UPPER_CASE = …``) into ``settings.py`` (see
  ``apply_python()`` for how ``...`` places the entries);
- the ``django`` block is the template snippet, kept in ``snippet``.

``Page`` reads the links, forms and text of the project's pages.
"""

from __future__ import annotations

import atexit
import functools
import html.parser
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.quickstart_readme import Block
from tests.quickstart_readme import MergeError
from tests.quickstart_readme import Step
from tests.quickstart_readme import apply_python
from tests.quickstart_readme import python_target

ROOT = Path(__file__).resolve().parent.parent

#: The app the test adds for the views and templates of step 6.
APP = "pages"


@dataclass(frozen=True)
class Distributions:
    sdist: Path
    wheel: Path


def environment(**extra: str) -> dict[str, str]:
    """This process's environment without what would point a subprocess at the test settings or at coverage."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH"}
        and not name.startswith(("COVERAGE_", "USEAUTH_"))
    }
    return {**env, **extra}


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run ``args``; its standard output, or an error with all of its output."""
    result = subprocess.run(
        args,
        cwd=cwd,
        env=env or environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{shlex.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result.stdout


@functools.cache
def distributions() -> Distributions:
    """The sdist and the wheel of this tree, built once per test run, offline: ``python -m build --no-isolation`` (the wheel is built from the sdist)."""
    directory = Path(tempfile.mkdtemp(prefix="useauth-dist-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    run(
        sys.executable,
        "-m",
        "build",
        "--no-isolation",
        "--outdir",
        str(directory),
        str(ROOT),
        cwd=ROOT,
    )
    (sdist,) = directory.glob("*.tar.gz")
    (wheel,) = directory.glob("*.whl")
    return Distributions(sdist, wheel)


class Project:
    """A new ``django-admin startproject mysite`` in ``directory``, with django-useauth installed from ``wheel`` into ``directory/site``."""

    def __init__(self, directory: Path, wheel: Path) -> None:
        self.root = directory / "mysite"
        self.package = self.root / "mysite"
        self.site = directory / "site"
        self.wheel = wheel
        self.env = environment(PYTHONPATH=str(self.site))
        #: The output of each ``manage.py`` command the README ran, by command.
        self.outputs: dict[str, str] = {}
        #: The README's template snippet.
        self.snippet = ""
        run(sys.executable, "-m", "django", "startproject", "mysite", cwd=directory)
        # Views need an app: the one a reader would start for step 6.
        self.manage("startapp", APP)

    def manage(self, *args: str) -> str:
        return run(sys.executable, "manage.py", *args, cwd=self.root, env=self.env)

    def edit(self, relative: str, change: Callable[[str], str]) -> None:
        path = self.root / relative
        path.write_text(change(path.read_text()))

    def install(self) -> None:
        """``pip install`` the wheel alone (the dependencies are the venv's) into ``site``."""
        run(
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            "--target",
            str(self.site),
            str(self.wheel),
            cwd=self.root,
        )

    def follow(self, steps: list[Step]) -> None:
        for step in steps:
            for block in step.blocks:
                self.apply(block)

    def apply(self, block: Block) -> None:
        if block.language == "sh":
            for line in block.code.splitlines():
                self.shell(shlex.split(line))
        elif block.language == "python":
            path = {
                "urls": "mysite/urls.py",
                "views": f"{APP}/views.py",
                "settings": "mysite/settings.py",
            }[python_target(block.code)]
            self.edit(path, lambda source: apply_python(source, block.code))
        else:
            assert block.language == "django", block
            self.snippet = block.code

    def shell(self, command: list[str]) -> None:
        if command[:4] == ["python", "-m", "pip", "install"]:
            # Whatever the README installs from, the test installs the wheel
            # it built from this tree.
            assert command[4:5] and re.match(r"django-useauth\b", command[4]), command
            self.install()
        elif command[:2] == ["python", "manage.py"]:
            self.outputs[shlex.join(command[2:])] = self.manage(*command[2:])
        else:
            raise MergeError(f"The test cannot follow {shlex.join(command)!r}")


# Pages --------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]


class Page(html.parser.HTMLParser):
    """The links, forms and text of an HTML page."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.words: list[str] = []
        self.feed(markup)
        self.close()
        self.text = " ".join(" ".join(self.words).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "a":
            self.links.append(attributes.get("href", ""))
        elif tag == "form":
            method = attributes.get("method", "get").lower()
            self.forms.append(Form(attributes.get("action", ""), method, {}))
        elif tag == "input" and "name" in attributes:
            self.forms[-1].fields[attributes["name"]] = attributes.get("value", "")

    def handle_data(self, data: str) -> None:
        self.words.append(data)
