"""The rows behind token mode: one :class:`TokenFamily` per token sign-in, its :class:`RefreshToken` rows.

Access tokens are signed JWTs and are never stored. A refresh token is stored
only as the SHA-256 digest of its value, so a copy of the table signs nobody
in. See ``docs/tokens.md``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["RefreshToken", "TokenFamily"]


class TokenFamily(models.Model):
    """One token sign-in (one device or app install) and every refresh token issued to it.

    Revoking the family (``revoked_at``) ends the sign-in: its refresh tokens
    stop working at once, and so do its access tokens on every server that
    shares ``USEAUTH_TOKEN_REVOCATION_CACHE``.
    """

    class Reason(models.TextChoices):
        SIGN_OUT = "sign-out", _("signed out")
        REUSE = "reuse", _("a used refresh token was presented again")
        PASSWORD = "password", _("the password changed")
        INACTIVE = "inactive", _("the user can no longer sign in")
        EXPIRED = "expired", _("past its absolute lifetime")
        REVOKED = "revoked", _("revoked by the site")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="useauth_token_families",
    )
    #: The authentication backend that signed the user in, as login() keeps it in a session.
    backend = models.CharField(max_length=255)
    #: A digest of the user's session auth hash at sign-in: a password change ends the family.
    auth_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    #: No refresh past this instant (``USEAUTH_TOKEN_ABSOLUTE_MAX_AGE``); ``None``: no cap.
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=16, choices=Reason.choices, blank=True)
    #: The client's ``User-Agent`` at sign-in, to tell devices apart (a "your devices" page).
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("token sign-in")
        verbose_name_plural = _("token sign-ins")
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return str(self.id)


class RefreshToken(models.Model):
    """One refresh token, by the SHA-256 digest of its value.

    With rotation on, ``used_at`` is set when the token is exchanged; a token
    presented again after that revokes its whole family (RFC 9700 §4.14.2).
    """

    # Explicit, so that no project's DEFAULT_AUTO_FIELD asks for a migration.
    id = models.BigAutoField(primary_key=True)
    family = models.ForeignKey(
        TokenFamily, on_delete=models.CASCADE, related_name="refresh_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Indexed for manage.py cleartokens, as Django's session table is.
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("refresh token")
        verbose_name_plural = _("refresh tokens")

    def __str__(self) -> str:
        return f"{self.family_id}:{self.digest[:8]}"
