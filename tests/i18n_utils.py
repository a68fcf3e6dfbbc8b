"""The translation catalogues of django_useauth: read them, regenerate them, report what is missing.

Regenerate after changing a marked string (in Python or a template), from the
repository root::

    .venv/bin/python -m tests.i18n_utils

It runs Django's ``makemessages`` in ``django_useauth/`` for every shipped
language (a new language in :data:`LANGUAGES` gets a fresh ``.po`` with
Django's plural forms), then ``compilemessages``, and lists per language the
entries still untranslated or fuzzy; it exits with 1 while there are any.
Translate those in the ``.po`` files (remove the ``#, fuzzy`` line of an
entry once its ``msgstr`` is right) and run it again.

``makemessages`` needs GNU gettext (``xgettext``, ``msgmerge``, ``msgattrib``,
``msguniq``; ``msgfmt`` to compile): Debian's ``gettext`` package. The tests
that need it are skipped with the reason printed where it is missing, unless
``USEAUTH_REQUIRE_GETTEXT=1`` (CI), which makes them fail instead.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import django
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.test import override_settings
from django.utils.translation import to_language

import django_useauth

#: The package whose catalogues the tests check: the one imported.
PACKAGE = Path(django_useauth.__file__).resolve().parent

#: The repository's package, which :func:`main` regenerates by default.
SOURCE = Path(__file__).resolve().parent.parent / "django_useauth"

#: The shipped languages, as ``locale/`` directory names.
LANGUAGES = ("ar", "de", "es", "fr", "ja", "pt_BR")

#: Those written right to left.
RTL = frozenset({"ar"})

#: What ``makemessages`` and ``compilemessages`` run.
GETTEXT_PROGRAMS = ("xgettext", "msguniq", "msgmerge", "msgattrib", "msgfmt")

_MAKEMESSAGES_OPTIONS = ("--no-obsolete", "--add-location=file")

# The header line msgmerge rewrites on every run, changed or not.
_POT_DATE = re.compile(r'^"POT-Creation-Date: [^"]*"\n', re.MULTILINE)
_POT_DATE_FIELD = re.compile(r"^POT-Creation-Date: .*\n", re.MULTILINE)

# python-format (%(name)s, %s, %%) and python-brace-format ({name}, {})
# placeholders, and HTML tags (a blocktranslate may hold markup).
_MARKER = re.compile(
    r"%(?:\([^)]*\))?[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]|\{[^{}]*\}|</?[A-Za-z][^<>]*>"
)

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$")


@dataclass(frozen=True)
class Entry:
    """One message of a ``.po`` file; the header is the entry whose ``msgid`` is empty."""

    msgid: str
    msgstr: tuple[str, ...]
    msgctxt: str | None = None
    msgid_plural: str | None = None
    flags: frozenset[str] = frozenset()
    obsolete: bool = False

    @property
    def key(self) -> str:
        """The entry's key in a compiled catalogue: ``msgctxt``, EOT, ``msgid``."""
        if self.msgctxt is None:
            return self.msgid
        return f"{self.msgctxt}\x04{self.msgid}"

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return all(self.msgstr)


def _unquote(text: str) -> str:
    # A PO string is a C string literal; Python reads its escapes alike.
    value = ast.literal_eval(text)
    assert isinstance(value, str), text
    return value


def _entry(fields: dict[str, str], flags: set[str], *, obsolete: bool) -> Entry:
    plural_forms = sorted(
        (int(name[7:-1]), value)
        for name, value in fields.items()
        if name.startswith("msgstr[")
    )
    msgstr = tuple(value for _, value in plural_forms) or (fields.get("msgstr", ""),)
    return Entry(
        msgid=fields["msgid"],
        msgstr=msgstr,
        msgctxt=fields.get("msgctxt"),
        msgid_plural=fields.get("msgid_plural"),
        flags=frozenset(flags),
        obsolete=obsolete,
    )


def read_po(path: Path) -> list[Entry]:
    """The entries of the ``.po`` file at ``path``, in order, the header first."""
    entries = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    obsolete = False
    current = ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        old = line.startswith("#~")
        if old:
            line = line[2:].strip()
        # A blank line, or a comment or msgid after a msgstr, ends an entry.
        ends = not line or (
            line.startswith(("#", "|", "msgctxt ", "msgid "))
            and any(name.startswith("msgstr") for name in fields)
        )
        if ends and "msgid" in fields:
            entries.append(_entry(fields, flags, obsolete=obsolete))
            fields, flags, obsolete = {}, set(), False
        obsolete = obsolete or old
        if line.startswith("#,"):
            flags.update(flag.strip() for flag in line[2:].split(","))
        elif match := _KEYWORD.match(line):
            current = match[1]
            fields[current] = _unquote(match[2])
        elif line.startswith('"'):
            fields[current] += _unquote(line)
        elif line and not line.startswith(("#", "|")):
            raise ValueError(f"{path}: cannot read {raw!r}")
    return entries


def messages(path: Path) -> list[Entry]:
    """The live entries of the ``.po`` file at ``path``: neither the header nor obsolete."""
    return [entry for entry in read_po(path) if entry.msgid and not entry.obsolete]


def compiled(entries: list[Entry]) -> dict[object, str]:
    """What ``msgfmt`` compiles ``entries`` to, keyed as ``gettext.GNUTranslations._catalog``.

    ``msgfmt`` leaves out obsolete, fuzzy and untranslated entries, but keeps
    the header (whose ``msgstr`` Python also files under ``""``) without its
    ``POT-Creation-Date`` (since gettext 0.20, for reproducible builds).
    """
    catalog: dict[object, str] = {}
    for entry in entries:
        header = not entry.msgid
        if entry.obsolete or not entry.translated or (entry.fuzzy and not header):
            continue
        if header:
            catalog[""] = _POT_DATE_FIELD.sub("", entry.msgstr[0])
        elif entry.msgid_plural is None:
            catalog[entry.key] = entry.msgstr[0]
        else:
            for index, form in enumerate(entry.msgstr):
                catalog[(entry.key, index)] = form
    return catalog


def markers(text: str) -> Counter[str]:
    """The placeholders (python-format, python-brace-format) and HTML tags of ``text``, which a translation keeps."""
    return Counter(_MARKER.findall(text))


def locale_middleware() -> override_settings:
    """The test settings with Django's ``LocaleMiddleware`` where its docs put it: right after ``SessionMiddleware``."""
    middleware = list(settings.MIDDLEWARE)
    after = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    middleware.insert(after + 1, "django.middleware.locale.LocaleMiddleware")
    return override_settings(MIDDLEWARE=middleware)


def po_path(language: str, package: Path = PACKAGE) -> Path:
    return package / "locale" / language / "LC_MESSAGES" / "django.po"


def missing_programs() -> str | None:
    """Why the catalogues cannot be regenerated here, or ``None`` if they can."""
    missing = [name for name in GETTEXT_PROGRAMS if shutil.which(name) is None]
    if missing:
        return f"GNU gettext is not installed ({', '.join(missing)}; Debian: apt-get install gettext)"
    return None


def require_gettext() -> None:
    """Skip the calling test with the reason, or fail in CI (``USEAUTH_REQUIRE_GETTEXT=1``)."""
    # Imported here: tests.utils needs Django's settings, which the command
    # line (``python -m tests.i18n_utils``) does without.
    from tests.utils import skip_or_fail

    skip_or_fail(
        missing_programs(), tests="catalogue tests", env="USEAUTH_REQUIRE_GETTEXT"
    )


def _django_header(language: str) -> str:
    # The plural forms of Django's own catalogue, as makemessages copies them.
    django_po = Path(django.__file__).parent / "conf" / "locale" / language
    header = read_po(django_po / "LC_MESSAGES" / "django.po")[0].msgstr[0]
    match = re.search(r"^Plural-Forms: .*$", header, re.MULTILINE)
    assert match is not None, language
    return match[0]


def _seed(path: Path, language: str) -> None:
    # A new catalogue: only the header, which makemessages then keeps.
    name = LANG_INFO[to_language(language)]["name"]
    header = [
        "Project-Id-Version: django-useauth",
        "Report-Msgid-Bugs-To: ",
        "POT-Creation-Date: ",
        f"Language: {language}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
        _django_header(language),
    ]
    lines = "".join(f'"{field}\\n"\n' for field in header)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"# {name} translation of django-useauth.\n"
        "# This file is distributed under the same license as the django-useauth package.\n"
        f'msgid ""\nmsgstr ""\n{lines}',
        encoding="utf-8",
    )


def _django_admin(package: Path, *args: str) -> None:
    # Without settings (makemessages and compilemessages need none), and
    # without the package's directory on sys.path (-P), where its modules
    # would pass for top-level ones.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-P", "-m", "django", *args],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"django-admin {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
        )


def make_messages(
    package: Path = PACKAGE, languages: tuple[str, ...] = LANGUAGES
) -> None:
    """Run ``makemessages`` for ``languages`` in ``package``; a catalogue whose only change is its date is left alone."""
    before = {}
    for language in languages:
        path = po_path(language, package)
        if path.exists():
            before[path] = path.read_text(encoding="utf-8")
        else:
            _seed(path, language)
    options = [arg for language in languages for arg in ("-l", language)]
    _django_admin(package, "makemessages", *_MAKEMESSAGES_OPTIONS, *options)
    for path, old in before.items():
        new = path.read_text(encoding="utf-8")
        if _POT_DATE.sub("", new) == _POT_DATE.sub("", old):
            path.write_text(old, encoding="utf-8")


def compile_messages(package: Path = PACKAGE) -> None:
    """Run ``compilemessages`` in ``package``: every ``.po`` file to its ``.mo``."""
    _django_admin(package, "compilemessages")


def _label(entry: Entry) -> str:
    if entry.msgctxt is None:
        return repr(entry.msgid)
    return f"{entry.msgid!r} (context {entry.msgctxt!r})"


def problems(package: Path = PACKAGE) -> dict[str, list[str]]:
    """Per shipped language, its untranslated and fuzzy entries, one line each."""
    found = {}
    for language in LANGUAGES:
        lines = []
        for entry in messages(po_path(language, package)):
            if not entry.translated:
                lines.append(f"untranslated: {_label(entry)}")
            elif entry.fuzzy:
                lines.append(f"fuzzy: {_label(entry)} -> {entry.msgstr[0]!r}")
        found[language] = lines
    return found


def main(argv: list[str] | None = None) -> int:
    """Regenerate and compile the catalogues of the package in ``argv[0]`` (default: the repository's); report."""
    args = sys.argv[1:] if argv is None else argv
    package = Path(args[0]) if args else SOURCE
    make_messages(package)
    compile_messages(package)
    left = 0
    for language, lines in problems(package).items():
        count = len(messages(po_path(language, package)))
        print(f"{language}: {count} messages, {len(lines)} to translate")
        for line in lines:
            print(f"  {line}")
        left += len(lines)
    return 1 if left else 0


if __name__ == "__main__":  # pragma: no cover - the command line
    raise SystemExit(main())
