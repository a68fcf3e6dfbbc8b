"""The README's Quickstart as a program: its steps read from README.md, and a new project that follows them.

``quickstart_steps()`` parses the numbered steps of the "Quickstart" section
and their code blocks. ``Project`` is a new ``startproject`` that runs on the
venv's Django with django-useauth installed from a wheel into a folder of its
own (``PYTHONPATH``), never the repository's copy. ``Project.follow()`` applies
each block the way a reader would:

- a ``sh`` block's ``python -m pip install …`` installs the wheel instead, and
  its ``python manage.py …`` commands run;
- a ``python`` block that assigns ``urlpatterns`` goes into the project's
  ``urls.py``, one that defines a function into the app's ``views.py``, and
  one of settings (``UPPER_CASE = …``) into ``settings.py`` (see
  ``apply_python()`` for how ``...`` places the entries);
- the ``django`` block is the template snippet, kept in ``snippet``.
"""

from __future__ import annotations

import ast
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
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent

#: The app the test adds for the views and templates of step 6.
APP = "pages"


class MergeError(ValueError):
    """A README block that cannot be applied to the project's files."""


@dataclass(frozen=True)
class Block:
    language: str
    code: str


@dataclass(frozen=True)
class Step:
    number: int
    text: str
    blocks: tuple[Block, ...]


_STEP = re.compile(r"^(\d+)\. ", re.MULTILINE)
_FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def section(markdown: str, heading: str) -> str:
    """The text of the ``## …`` section whose heading starts with ``heading``."""
    start = markdown.index(f"\n{heading}")
    end = markdown.find("\n## ", start + 1)
    return markdown[start:end]


def quickstart_steps(readme: str) -> list[Step]:
    """The numbered steps of the README's Quickstart, each up to the first unindented paragraph after it."""
    body = section(readme, "## Quickstart")
    starts = list(_STEP.finditer(body))
    steps = []
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        chunk = body[match.start() : following.start() if following else None]
        # A step goes on while its lines are indented (or blank).
        prose_after = re.compile(r"^\S", re.MULTILINE).search(chunk, chunk.index("\n"))
        if following is None and prose_after:
            chunk = chunk[: prose_after.start()]
        blocks = tuple(
            Block(language, textwrap.dedent(code))
            for _, language, code in _FENCE.findall(chunk)
        )
        steps.append(Step(int(match.group(1)), chunk, blocks))
    return steps


# Merging a README python block into a module ---------------------------------


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def _identity(node: ast.expr) -> str:
    # A dict in a list (a TEMPLATES backend) is the one with the same first
    # entry ("BACKEND": …); anything else is itself.
    if isinstance(node, ast.Dict) and node.keys:
        return ast.dump(cast("ast.expr", node.keys[0])) + ast.dump(node.values[0])
    return ast.dump(node)


def _counterpart(existing: list[ast.expr], item: ast.expr) -> ast.expr | None:
    return next((e for e in existing if _identity(e) == _identity(item)), None)


def merge_value(existing: ast.expr | None, shown: ast.expr) -> ast.expr:
    """``shown`` (a README value) applied to ``existing`` (the file's).

    Lists: without ``...`` the shown list is the whole value (a dict in it
    completes the file's dict it matches); with ``...`` the shown entries
    that the file has are anchors, in the file's order, and each new entry
    goes right after the entry shown before it, or, after a ``...``, right
    before the next anchor, or else at the end. Dicts: shown keys are merged
    in, the others kept. Anything else is replaced.
    """
    if isinstance(existing, ast.List) and isinstance(shown, ast.List):
        return ast.List(elts=_merge_list(existing.elts, shown.elts), ctx=ast.Load())
    if isinstance(existing, ast.Dict) and isinstance(shown, ast.Dict):
        keys = list(existing.keys)
        values = list(existing.values)
        for key, value in zip(shown.keys, shown.values, strict=True):
            found = _counterpart(cast("list[ast.expr]", keys), cast("ast.expr", key))
            if found is None:
                keys.append(key)
                values.append(value)
            else:
                index = keys.index(found)
                values[index] = merge_value(values[index], value)
        return ast.Dict(keys=keys, values=values)
    return shown


def _merge_list(existing: list[ast.expr], shown: list[ast.expr]) -> list[ast.expr]:
    if not any(_is_ellipsis(item) for item in shown):
        return [merge_value(_counterpart(existing, item), item) for item in shown]
    result = list(existing)
    cursor = 0  # where an entry shown right after the last anchor goes
    floating: list[ast.expr] = []  # new entries after a `...`, waiting for an anchor
    gap = False
    for item in shown:
        if _is_ellipsis(item):
            gap = True
            continue
        found = _counterpart(result, item)
        if found is None:
            if gap:
                floating.append(item)
            else:
                result.insert(cursor, item)
                cursor += 1
            continue
        index = result.index(found)
        if index < cursor:
            raise MergeError(
                f"{ast.unparse(item)} is shown after {ast.unparse(result[cursor - 1])}, "
                "but comes before it in the file"
            )
        result[index] = merge_value(found, item)
        result[index:index] = floating
        cursor = index + len(floating) + 1
        floating = []
        gap = False
    return result + floating


def pretty(node: ast.expr, depth: int = 0) -> str:
    """``node`` as source, one list or dict entry a line."""
    indent = "    " * depth
    if isinstance(node, ast.List) and not node.elts:
        return "[]"
    if isinstance(node, ast.List):
        entries = "".join(f"{indent}    {pretty(e, depth + 1)},\n" for e in node.elts)
        return f"[\n{entries}{indent}]"
    if isinstance(node, ast.Dict):
        entries = "".join(
            f"{indent}    {ast.unparse(cast('ast.expr', k))}: {pretty(v, depth + 1)},\n"
            for k, v in zip(node.keys, node.values, strict=True)
        )
        return f"{{\n{entries}{indent}}}"
    return ast.unparse(node)


def _lines(statement: ast.stmt, source: list[str]) -> str:
    first = min(
        [statement.lineno]
        + [d.lineno for d in getattr(statement, "decorator_list", [])]
    )
    return "".join(source[first - 1 : statement.end_lineno])


def apply_python(source: str, block: str) -> str:
    """The module ``source`` with the README python ``block`` applied.

    ``from x import …`` joins the file's import from ``x``, or comes after
    its last import; an assignment merges into the file's assignment of the
    same name (``merge_value``); anything else, and an assignment the file
    does not have, is added at the end, in the block's order.
    """
    module = ast.parse(source)
    lines = source.splitlines(keepends=True)
    block_lines = (block.rstrip("\n") + "\n").splitlines(keepends=True)
    imports = [s for s in module.body if isinstance(s, ast.Import | ast.ImportFrom)]
    replaced: dict[int, tuple[int, str]] = {}  # first line -> (last line, text)
    new_imports: list[str] = []
    appended: list[str] = []
    for statement in ast.parse(block).body:
        if isinstance(statement, ast.ImportFrom):
            same = [
                s
                for s in imports
                if isinstance(s, ast.ImportFrom) and s.module == statement.module
            ]
            if not same:
                new_imports.append(_lines(statement, block_lines))
                continue
            names = [alias.name for alias in same[0].names]
            names += [a.name for a in statement.names if a.name not in names]
            joined = ast.ImportFrom(
                module=statement.module,
                names=[ast.alias(name) for name in names],
                level=0,
            )
            replaced[same[0].lineno] = (same[0].end_lineno or 0, ast.unparse(joined))
            continue
        target = (
            statement.targets[0].id
            if isinstance(statement, ast.Assign)
            and isinstance(statement.targets[0], ast.Name)
            else None
        )
        current = [
            s
            for s in module.body
            if target is not None
            and isinstance(s, ast.Assign)
            and isinstance(s.targets[0], ast.Name)
            and s.targets[0].id == target
        ]
        if not current:
            appended.append(_lines(statement, block_lines))
            continue
        assign = cast("ast.Assign", statement)
        value = merge_value(current[0].value, assign.value)
        replaced[current[0].lineno] = (
            current[0].end_lineno or 0,
            f"{target} = {pretty(value)}",
        )
    after_imports = max((s.end_lineno or 0 for s in imports), default=0)
    out: list[str] = []
    insert_at = 0
    number = 1
    while number <= len(lines):
        if number in replaced:
            last, text = replaced[number]
            out.append(text + "\n")
            number = last + 1
        else:
            out.append(lines[number - 1])
            number += 1
        if number - 1 == after_imports:
            insert_at = len(out)
    out[insert_at:insert_at] = new_imports
    return "".join(out + [f"\n\n{text}" for text in appended])


def python_target(block: str) -> str:
    """Which file of the project a README python block belongs in: ``urls``, ``views`` or ``settings``."""
    body = ast.parse(block).body
    assigned = [
        target.id
        for statement in body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    ]
    if "urlpatterns" in assigned:
        return "urls"
    if any(isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) for s in body):
        return "views"
    if assigned and len(assigned) == len(body) and all(n.isupper() for n in assigned):
        return "settings"
    raise MergeError(f"Where does this block go?\n{block}")


# The project --------------------------------------------------------------


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
