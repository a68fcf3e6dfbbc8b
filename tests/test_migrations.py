"""The app's migrations match its models, whatever the project's ``DEFAULT_AUTO_FIELD``."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import TestCase


class MigrationsTests(TestCase):
    def test_no_migration_is_missing(self) -> None:
        for auto_field in (
            "django.db.models.AutoField",
            "django.db.models.BigAutoField",
        ):
            with (
                self.subTest(auto_field=auto_field),
                self.settings(DEFAULT_AUTO_FIELD=auto_field),
            ):
                out = StringIO()
                # --check exits with SystemExit(1) when a migration is missing.
                call_command(
                    "makemigrations",
                    "django_useauth",
                    check=True,
                    dry_run=True,
                    stdout=out,
                )
                assert "No changes detected" in out.getvalue()
