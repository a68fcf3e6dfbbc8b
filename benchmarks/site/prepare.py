"""Prepare a fresh database for one server: ``python -m benchmarks.site.prepare``.

Runs ``migrate`` on ``BENCH_DB_PATH`` and creates the account the benchmark
signs in as (``BENCH_USERNAME`` / ``BENCH_PASSWORD``, with ``BENCH_NAME`` and
``BENCH_EMAIL``). Safe to run twice: the user is updated, not duplicated.
"""

from __future__ import annotations

import os

import django


def main() -> None:
    """Migrate and create (or reset) the benchmark user."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.site.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
    first, _, last = os.environ.get("BENCH_NAME", "Bench User").partition(" ")
    user, _ = get_user_model().objects.update_or_create(
        username=os.environ.get("BENCH_USERNAME", "bench"),
        defaults={
            "email": os.environ.get("BENCH_EMAIL", "bench@example.com"),
            "first_name": first,
            "last_name": last,
            "is_active": True,
        },
    )
    user.set_password(os.environ.get("BENCH_PASSWORD", "bench-password"))
    user.save()


if __name__ == "__main__":
    main()
