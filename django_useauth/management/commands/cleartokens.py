"""``manage.py cleartokens``: delete expired refresh tokens, the token sign-ins left without any, and expired e-mail sign-ins, like ``clearsessions``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Exists
from django.db.models import OuterRef
from django.utils import timezone

from django_useauth.internal.email_tokens import clear_expired
from django_useauth.models import RefreshToken
from django_useauth.models import TokenFamily


class Command(BaseCommand):
    help = (
        "Delete expired refresh tokens, the token sign-ins (families) that "
        "have none left, and expired e-mail sign-in links and codes. Run it "
        "daily, as Django's clearsessions."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # An expired token is refused whether it is used or not, so its row
        # no longer serves reuse detection either.
        tokens, _ = RefreshToken.objects.filter(expires_at__lte=timezone.now()).delete()
        live = RefreshToken.objects.filter(family=OuterRef("pk"))
        families, _ = TokenFamily.objects.filter(~Exists(live)).delete()
        links = clear_expired()
        self.stdout.write(
            f"Deleted {tokens} expired refresh token(s), {families} token sign-in(s) "
            f"and {links} expired e-mail sign-in(s)."
        )
