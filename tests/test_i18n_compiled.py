"""The committed ``.mo`` files are what ``compilemessages`` makes of the committed ``.po`` files."""

from __future__ import annotations

import gettext
import subprocess
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from tests.i18n_utils import LANGUAGES
from tests.i18n_utils import compiled
from tests.i18n_utils import po_path
from tests.i18n_utils import read_po
from tests.i18n_utils import require_gettext

HINT = "run .venv/bin/python -m tests.i18n_utils"


def catalog(mo: Path) -> dict[object, str]:
    with mo.open("rb") as file:
        translations = gettext.GNUTranslations(file)
    return translations._catalog  # type: ignore[attr-defined,no-any-return]


class CompiledTests(SimpleTestCase):
    def test_mo_files_hold_the_po_files(self):
        # Without gettext: what msgfmt keeps of each .po (translated entries
        # that are not fuzzy, and the header) is exactly what its .mo holds.
        for language in LANGUAGES:
            with self.subTest(language):
                po = po_path(language)
                assert catalog(po.with_suffix(".mo")) == compiled(read_po(po)), HINT

    def test_msgfmt_makes_the_same_mo_files(self):
        require_gettext()
        with tempfile.TemporaryDirectory() as directory:
            for language in LANGUAGES:
                with self.subTest(language):
                    po = po_path(language)
                    mo = Path(directory) / f"{language}.mo"
                    # compilemessages' own options; --check-format fails on
                    # a translation whose placeholders differ from the msgid's.
                    subprocess.run(
                        ["msgfmt", "--check-format", "-o", mo, po],
                        check=True,
                        capture_output=True,
                    )
                    assert catalog(mo) == catalog(po.with_suffix(".mo")), HINT
