"""The app's rows: token mode's :class:`TokenFamily` and :class:`RefreshToken`, e-mail sign-in's :class:`EmailToken`.

Access tokens are signed JWTs and are never stored. A refresh token is stored
only as the SHA-256 digest of its value, and an e-mailed link and code only as
digests too, so a copy of the tables signs nobody in. See ``docs/tokens.md``
and ``docs/email.md``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["EmailToken", "RefreshToken", "TokenFamily"]


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


class EmailToken(models.Model):
    """One e-mailed sign-in: the link's token and the one-time code, by their digests.

    Single use: signing in deletes the row. A newer e-mail for the same
    address deletes the older rows, and so does ``manage.py cleartokens`` once
    they expire. ``user`` is the account the e-mail was sent for; ``None``
    for an address with no account when ``USEAUTH_EMAIL_CREATE_USERS`` is on.
    """

    id = models.BigAutoField(primary_key=True)
    #: The address asked for, canonical (lower-cased, its domain in Unicode): what the link's ``email=`` holds.
    email = models.CharField(max_length=254, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="useauth_email_tokens",
    )
    #: SHA-256 of the link's token (256 random bits).
    token_digest = models.CharField(max_length=64, unique=True)
    #: HMAC of the code, keyed with ``SECRET_KEY`` (the code itself has only 40 bits).
    code_digest = models.CharField(max_length=64)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    #: The callbackUrl asked for with the e-mail, as the redirect policy allowed it then.
    callback_url = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("e-mail sign-in")
        verbose_name_plural = _("e-mail sign-ins")

    def __str__(self) -> str:
        return f"{self.pk}:{self.token_digest[:8]}"
