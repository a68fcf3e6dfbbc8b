"""The shipped catalogues are complete: every message of every language is translated, and keeps its placeholders."""

from __future__ import annotations

import gettext

from django.test import SimpleTestCase

from tests.i18n_utils import LANGUAGES
from tests.i18n_utils import PACKAGE
from tests.i18n_utils import Entry
from tests.i18n_utils import markers
from tests.i18n_utils import messages
from tests.i18n_utils import po_path
from tests.i18n_utils import read_po

HINT = "translate it in the .po file, then run .venv/bin/python -m tests.i18n_utils"


def header(language: str) -> dict[str, str]:
    text = read_po(po_path(language))[0].msgstr[0]
    return dict(line.split(": ", 1) for line in text.splitlines())


def all_entries() -> list[tuple[str, Entry]]:
    """Every entry but the header of every shipped catalogue, with its language."""
    return [(lang, entry) for lang in LANGUAGES for entry in read_po(po_path(lang))[1:]]


def keeps_markers(entry: Entry) -> bool:
    return all(markers(msgstr) == markers(entry.msgid) for msgstr in entry.msgstr)


class CatalogueTests(SimpleTestCase):
    def test_the_shipped_languages(self):
        shipped = sorted(path.name for path in (PACKAGE / "locale").iterdir())
        assert shipped == sorted(LANGUAGES)
        for language in LANGUAGES:
            with self.subTest(language):
                assert po_path(language).is_file()
                assert po_path(language).with_suffix(".mo").is_file()

    def test_headers(self):
        for language in LANGUAGES:
            with self.subTest(language):
                fields = header(language)
                assert fields["Language"] == language
                assert fields["Content-Type"] == "text/plain; charset=UTF-8"
                assert not read_po(po_path(language))[0].fuzzy
                # A rule gettext can evaluate. It need not be Django's own:
                # Django keeps a catalogue with other plural forms apart (and
                # Django 6.1's French has three forms where 5.2's has two).
                nplurals, rule = fields["Plural-Forms"].split(";", 1)
                assert int(nplurals.removeprefix("nplurals=")) >= 1
                plural = gettext.c2py(rule.strip().removeprefix("plural=").rstrip(";"))
                assert plural(1) in range(int(nplurals.removeprefix("nplurals=")))

    def test_every_message_is_translated(self):
        found = [pair for pair in all_entries() if not pair[1].translated]
        assert not found, f"Untranslated ({HINT}): {found}"

    def test_no_fuzzy_or_obsolete_entries(self):
        found = [pair for pair in all_entries() if pair[1].fuzzy or pair[1].obsolete]
        assert not found, f"Fuzzy or obsolete ({HINT}): {found}"

    def test_translations_keep_placeholders_and_markup(self):
        found = [pair for pair in all_entries() if not keeps_markers(pair[1])]
        assert not found, f"Placeholders or tags differ ({HINT}): {found}"

    def test_every_language_has_the_same_messages(self):
        keys = {
            lang: [entry.key for entry in messages(po_path(lang))] for lang in LANGUAGES
        }
        assert keys["de"]
        for language in LANGUAGES:
            with self.subTest(language):
                assert keys[language] == keys["de"]
