"""The corpus of callbackUrl values (tests/redirect_corpus.py) is complete and consistent."""

from __future__ import annotations

from django.test import SimpleTestCase

from tests.redirect_corpus import CORPUS
from tests.redirect_corpus import DJANGO_BAD_URLS
from tests.redirect_corpus import DJANGO_GOOD_URLS
from tests.redirect_corpus import SOCIAL_CORE_BAD_URLS
from tests.redirect_corpus import SOCIAL_CORE_GOOD_URLS

REQUIRED_CATEGORIES = {
    "relative",
    "same-host-absolute",
    "scheme-relative",
    "backslash",
    "encoded-slash",
    "double-encoding",
    "dot-segments",
    "userinfo",
    "other-scheme",
    "whitespace",
    "control-char",
    "unicode-lookalike",
    "fullwidth",
    "crlf",
    "overlong",
    "port",
    "case",
    "https-downgrade",
    "empty-authority",
    "policy-divergence",
}


class CorpusTests(SimpleTestCase):
    def test_size(self):
        assert len(CORPUS) >= 120
        assert any(case.allowed for case in CORPUS)
        assert any(not case.allowed for case in CORPUS)

    def test_entries_are_unique(self):
        keys = [(case.value, case.secure, case.host) for case in CORPUS]
        assert len(keys) == len(set(keys))

    def test_every_category_is_covered(self):
        assert {case.category for case in CORPUS} >= REQUIRED_CATEGORIES

    def test_friendly_values_are_present(self):
        verdicts = {
            (c.value, c.secure): c.allowed for c in CORPUS if c.host == "testserver"
        }
        for value, secure, allowed in [
            ("/url%20with%20spaces/", False, True),
            ("https://testserver/", False, True),
            ("HTTPS://testserver/", False, True),
            ("//testserver/", False, True),
            ("/" + "a" * 2047, False, True),
            ("/" + "a" * 2048, False, False),
            ("https://testserver/account?tab=1", False, True),
            ("http://testserver/account", True, False),
        ]:
            with self.subTest(value=value, secure=secure):
                assert verdicts[value, secure] is allowed

    def test_django_bad_urls_are_all_refused(self):
        refused = {c.value for c in CORPUS if not c.allowed and c.host == "testserver"}
        assert len(set(DJANGO_BAD_URLS)) == 28
        assert set(DJANGO_BAD_URLS) <= refused

    def test_django_good_urls_are_all_present(self):
        verdicts = {c.value: c.allowed for c in CORPUS if not c.secure}
        divergent = {c.value for c in CORPUS if c.category == "policy-divergence"}
        for value in DJANGO_GOOD_URLS:
            with self.subTest(value=value):
                assert verdicts[value] is (value not in divergent)

    def test_social_core_shapes_are_present(self):
        verdicts = {c.value: c.allowed for c in CORPUS if not c.secure}
        for value in SOCIAL_CORE_BAD_URLS:
            with self.subTest(value=value):
                assert verdicts[value] is False
        for value in SOCIAL_CORE_GOOD_URLS:
            with self.subTest(value=value):
                assert verdicts[value] is True
