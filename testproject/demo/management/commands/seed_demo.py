"""``manage.py seed_demo``: create or update the demo user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

USERNAME = "demo"
PASSWORD = "useauth-demo"
PROFILE = {
    "email": "demo@example.com",
    "first_name": "Demo",
    "last_name": "User",
    "is_active": True,
}


class Command(BaseCommand):
    """Create the demo user, or bring it back to its documented state; safe to run again."""

    help = (
        f"Create or update the demo user {USERNAME!r} (password {PASSWORD!r}, "
        f"email {PROFILE['email']!r})."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        with transaction.atomic():
            user, created = user_model._default_manager.get_or_create(
                username=USERNAME, defaults=PROFILE
            )
            changed = [
                field
                for field, value in PROFILE.items()
                if getattr(user, field) != value
            ]
            for field in changed:
                setattr(user, field, PROFILE[field])
            # A new user has no usable password yet, so this also covers creation.
            if not user.check_password(PASSWORD):
                user.set_password(PASSWORD)
                changed.append("password")
            if changed:
                user.save()
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the demo user {USERNAME!r} with password {PASSWORD!r}."
                )
            )
        elif changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Updated the demo user {USERNAME!r}: {', '.join(changed)}."
                )
            )
        else:
            self.stdout.write(f"The demo user {USERNAME!r} is already up to date.")
