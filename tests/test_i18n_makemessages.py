"""``makemessages`` is clean: run again on the package, it changes no committed catalogue.

Each test regenerates the catalogues of a temporary copy of the package with
the helpers of tests/i18n_utils.py, which are also the command that updates
the committed ones: ``.venv/bin/python -m tests.i18n_utils``.
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

from django.test import SimpleTestCase

from tests.i18n_utils import LANGUAGES
from tests.i18n_utils import PACKAGE
from tests.i18n_utils import main
from tests.i18n_utils import make_messages
from tests.i18n_utils import messages
from tests.i18n_utils import po_path
from tests.i18n_utils import problems
from tests.i18n_utils import read_po
from tests.i18n_utils import require_gettext

HINT = "run .venv/bin/python -m tests.i18n_utils and translate what it lists"


def keys(path: Path) -> list[str]:
    return [entry.key for entry in messages(path)]


class MakeMessagesTests(SimpleTestCase):
    def setUp(self):
        require_gettext()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.package = Path(directory.name) / "django_useauth"
        shutil.copytree(
            PACKAGE, self.package, ignore=shutil.ignore_patterns("__pycache__")
        )

    def test_committed_catalogues_are_current(self):
        make_messages(self.package)
        for language in LANGUAGES:
            with self.subTest(language):
                committed = po_path(language)
                regenerated = po_path(language, self.package)
                stale = set(keys(committed)) - set(keys(regenerated))
                missing = set(keys(regenerated)) - set(keys(committed))
                assert (stale, missing) == (set(), set()), (
                    f"{HINT}: stale {stale}, missing {missing}"
                )
                # And nothing else moved (the files a message comes from).
                old = committed.read_text(encoding="utf-8").splitlines()
                new = regenerated.read_text(encoding="utf-8").splitlines()
                assert old == new, (
                    HINT + "\n" + "\n".join(difflib.unified_diff(old, new, lineterm=""))
                )

    def test_stale_entries_go_and_missing_ones_come(self):
        de = po_path("de", self.package)
        text = de.read_text(encoding="utf-8")
        text = text.replace(
            'msgid "Unable to sign in."\nmsgstr "Die Anmeldung ist nicht möglich."\n',
            "",
        )
        assert 'msgid "Unable to sign in."' not in text
        text += '\nmsgid "A message nothing uses"\nmsgstr "Eine Meldung"\n'
        de.write_text(text, encoding="utf-8")
        make_messages(self.package)
        assert keys(de) == keys(po_path("de"))
        # Back, to be translated (msgmerge may offer a similar message's
        # translation, marked fuzzy).
        assert any(
            "'Unable to sign in.'" in line for line in problems(self.package)["de"]
        )
        assert "A message nothing uses" not in {entry.key for entry in read_po(de)}

    def test_a_new_language(self):
        shutil.rmtree(self.package / "locale" / "ja")
        output = StringIO()
        with redirect_stdout(output):
            assert main([str(self.package)]) == 1
        ja = po_path("ja", self.package)
        count = len(keys(po_path("ja")))
        lines = output.getvalue().splitlines()
        assert f"ja: {count} messages, {count} to translate" in lines
        assert "  untranslated: 'Unable to sign in.'" in lines
        assert "  untranslated: 'Error' (context 'error page heading')" in lines
        assert f"de: {count} messages, 0 to translate" in lines
        header = read_po(ja)[0]
        assert not header.fuzzy
        assert "Language: ja\n" in header.msgstr[0]
        assert "Plural-Forms: nplurals=1; plural=0;\n" in header.msgstr[0]
        assert keys(ja) == keys(po_path("ja"))
        assert ja.with_suffix(".mo").is_file()

    def test_failures_are_reported(self):
        with self.assertRaisesRegex(RuntimeError, "django-admin makemessages .*failed"):
            make_messages(self.package, languages=())
