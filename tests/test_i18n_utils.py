"""The catalogue helpers of tests/i18n_utils.py: the ``.po`` reader, the markers, the report."""

from __future__ import annotations

import gettext
import shutil
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import django
from django.test import SimpleTestCase

from tests import i18n_utils
from tests.i18n_utils import LANGUAGES
from tests.i18n_utils import Entry
from tests.i18n_utils import compiled
from tests.i18n_utils import markers
from tests.i18n_utils import po_path
from tests.i18n_utils import problems
from tests.i18n_utils import read_po

DJANGO_LOCALE = Path(django.__file__).parent / "conf" / "locale"

SAMPLE = r"""# A comment.
msgid ""
msgstr ""
"Language: xx\n"

#. Translators: a note.
#: somewhere.py
#, fuzzy, python-format
#| msgid "Old %(n)s"
msgid ""
"Two %(n)s "
"lines \"quoted\"\n"
msgstr "Deux %(n)s lignes"

msgctxt "a place"
msgid "one"
msgid_plural "many"
msgstr[0] "un"
msgstr[1] ""
#~ msgid "Gone"
#~ msgstr "Parti"
"""


class ReadPoTests(SimpleTestCase):
    def read(self, text: str) -> list[Entry]:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "django.po"
            path.write_text(text, encoding="utf-8")
            return read_po(path)

    def test_entries(self):
        header, fuzzy, plural, gone = self.read(SAMPLE)
        assert header == Entry("", ("Language: xx\n",))
        assert fuzzy == Entry(
            'Two %(n)s lines "quoted"\n',
            ("Deux %(n)s lignes",),
            flags=frozenset({"fuzzy", "python-format"}),
        )
        assert fuzzy.fuzzy
        assert fuzzy.translated
        assert plural == Entry(
            "one", ("un", ""), msgctxt="a place", msgid_plural="many"
        )
        assert plural.key == "a place\x04one"
        assert not plural.translated
        assert gone == Entry("Gone", ("Parti",), obsolete=True)

    def test_compiled_as_msgfmt_leaves_out_fuzzy_untranslated_and_obsolete(self):
        entries = self.read(SAMPLE)
        assert compiled(entries) == {"": "Language: xx\n"}
        translated = Entry("one", ("un", "des"), msgctxt="c", msgid_plural="many")
        assert compiled([translated]) == {("c\x04one", 0): "un", ("c\x04one", 1): "des"}

    def test_unreadable_line(self):
        with self.assertRaisesRegex(ValueError, "cannot read 'nonsense'"):
            self.read('msgid ""\nmsgstr ""\nnonsense\n')

    def test_djangos_own_catalogues(self):
        # Contexts, plurals and every escape of real catalogues: what the
        # reader makes of each .po is what msgfmt compiled into its .mo.
        for language in ("ar", "de", "ja", "pl", "pt_BR"):
            with self.subTest(language):
                po = DJANGO_LOCALE / language / "LC_MESSAGES" / "django.po"
                with po.with_suffix(".mo").open("rb") as file:
                    expected = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
                catalog = compiled(read_po(po))
                # Django's .mo headers were compiled from an older .po.
                assert catalog.pop("") and expected.pop("")
                assert catalog == expected


class MarkersTests(SimpleTestCase):
    def test_placeholders_and_tags(self):
        text = "<strong>%(name)s</strong>: %s of 100%%, {0} {}"
        assert sorted(markers(text).elements()) == [
            "%%",
            "%(name)s",
            "%s",
            "</strong>",
            "<strong>",
            "{0}",
            "{}",
        ]

    def test_plain_text(self):
        assert not markers("Sign in < 3 times, 100 % sure")


class ProblemsTests(SimpleTestCase):
    def test_fuzzy_and_untranslated_entries_are_listed(self):
        with tempfile.TemporaryDirectory() as directory:
            package = Path(directory)
            for language in LANGUAGES:
                path = po_path(language, package)
                path.parent.mkdir(parents=True)
                shutil.copy(po_path(language), path)
            de = po_path("de", package)
            text = de.read_text(encoding="utf-8")
            text = text.replace(
                'msgstr "Die Anmeldung ist nicht möglich."', 'msgstr ""'
            )
            text = text.replace(
                'msgctxt "error page heading"\nmsgid "Access Denied"',
                '#, fuzzy\nmsgctxt "error page heading"\nmsgid "Access Denied"',
            )
            de.write_text(text, encoding="utf-8")
            found = problems(package)
        assert found == {
            **{language: [] for language in LANGUAGES},
            "de": [
                "untranslated: 'Unable to sign in.'",
                "fuzzy: 'Access Denied' (context 'error page heading') -> 'Zugriff verweigert'",
            ],
        }


class RequireGettextTests(SimpleTestCase):
    def test_missing_programs(self):
        with mock.patch("shutil.which", return_value=None):
            reason = i18n_utils.missing_programs()
        assert reason == (
            "GNU gettext is not installed (xgettext, msguniq, msgmerge, msgattrib, "
            "msgfmt; Debian: apt-get install gettext)"
        )

    def test_skips_or_fails(self):
        missing = mock.patch.object(i18n_utils, "missing_programs", return_value="no")
        with (
            missing,
            mock.patch.dict("os.environ", {"USEAUTH_REQUIRE_GETTEXT": ""}),
            self.assertRaisesMessage(unittest.SkipTest, "catalogue tests skipped: no"),
        ):
            i18n_utils.require_gettext()
        with (
            missing,
            mock.patch.dict("os.environ", {"USEAUTH_REQUIRE_GETTEXT": "1"}),
            self.assertRaisesMessage(
                RuntimeError, "The catalogue tests must run here, but: no"
            ),
        ):
            i18n_utils.require_gettext()
