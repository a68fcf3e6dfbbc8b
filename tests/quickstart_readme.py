"""The README's Quickstart as data: its numbered steps and code blocks, and how a python block is applied to a module.

``quickstart_steps()`` parses the numbered steps of the "Quickstart" section
of README.md and their code blocks. ``apply_python()`` applies a python block
to a module's source the way a reader would edit the file: an import joins
the file's, an assignment merges into the file's (``...`` in a list stands for
the file's entries, see ``merge_value()``), anything else is added at the end;
``python_target()`` says which file of the project the block is for.
``tests/quickstart.py`` applies them to a new project.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from typing import cast


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
