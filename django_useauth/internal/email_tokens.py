"""E-mailed sign-in secrets: a link's token and a one-time code, stored only as digests, each good once.

The **token** is 256 random bits (``secrets.token_urlsafe(32)``); its row holds
its SHA-256. The **code** is 8 symbols of a 32-symbol alphabet without the
look-alikes ``0 O 1 I`` (40 bits), shown as ``ABCD-EFGH``; its row holds an
HMAC keyed with ``SECRET_KEY``, because 40 bits are too few for a plain hash
to keep a copy of the table from giving them away. A code may be tried
``USEAUTH_EMAIL_CODE_ATTEMPTS`` times; every try is counted with one atomic
``UPDATE`` before it is compared, so concurrent guesses never get more.

Using either secret deletes the row with one ``DELETE`` whose count decides
who won, so a link clicked twice at once signs in once. Rows past
``expires_at`` are never accepted; ``manage.py cleartokens`` deletes them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.crypto import salted_hmac
from django.views.decorators.debug import sensitive_variables

from django_useauth.conf import conf
from django_useauth.models import EmailToken

if TYPE_CHECKING:
    from django.contrib.auth.models import _User

#: The code's symbols: upper-case letters and digits without 0, O, 1 and I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Longer input cannot be a code; it is not even normalised.
_MAX_CODE_INPUT = 64
_CODE_SALT = "django_useauth.email.code"


@dataclass(frozen=True)
class Issued:
    """A new e-mail sign-in: its row, and the secrets to put in the e-mail (never stored)."""

    row: EmailToken
    # Out of the repr: error reports and debuggers show reprs.
    token: str = field(repr=False)
    #: The code as the e-mail shows it: ``ABCD-EFGH``.
    code: str = field(repr=False)


def token_digest(token: str) -> str:
    """Return the SHA-256 hex digest a row keeps of a link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _code_digest(row_token_digest: str, code: str, secret: str | bytes) -> str:
    # Salted with the row's token digest, so that two rows with the same code
    # do not share a digest.
    return salted_hmac(
        _CODE_SALT, f"{row_token_digest}:{code}", secret=secret, algorithm="sha256"
    ).hexdigest()


def normalize_code(value: object) -> str | None:
    """Return ``value`` as a code (upper case, spaces and hyphens dropped), or ``None`` if it cannot be one.

    Input that cannot be a code is not counted as an attempt.
    """
    if not isinstance(value, str) or len(value) > _MAX_CODE_INPUT:
        return None
    code = "".join(value.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def format_code(code: str) -> str:
    """Return ``code`` as the e-mail shows it, in two groups of four: ``ABCD-EFGH``."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


@sensitive_variables("token", "code")
def issue(email: str, user: _User | None, callback_url: str | None) -> Issued:
    """Create the row of a new e-mail sign-in for ``email`` and return it with its secrets.

    Older rows for the address stay valid until :func:`supersede` is called
    with this one, once the e-mail has been sent.
    """
    token = secrets.token_urlsafe(32)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    digest = token_digest(token)
    now = timezone.now()
    row = EmailToken.objects.create(
        email=email,
        user=user,
        token_digest=digest,
        code_digest=_code_digest(digest, code, settings.SECRET_KEY),
        callback_url=callback_url or "",
        created_at=now,
        expires_at=now + conf.EMAIL_TOKEN_LIFETIME,
    )
    return Issued(row=row, token=token, code=format_code(code))


def supersede(row: EmailToken) -> None:
    """Delete the rows for ``row``'s address that are older than it: only the newest e-mail works."""
    # By id, not by time: of two e-mails asked for at once, the later row
    # survives whichever request finishes first. The address is compared
    # here, exactly: MySQL's collations would match "bucher" to "bücher".
    older = EmailToken.objects.filter(email=row.email, pk__lt=row.pk)
    stale = [pk for pk, email in older.values_list("pk", "email") if email == row.email]
    if stale:
        EmailToken.objects.filter(pk__in=stale).delete()


def discard(row: EmailToken) -> None:
    """Delete ``row`` (its e-mail could not be sent)."""
    EmailToken.objects.filter(pk=row.pk).delete()


@sensitive_variables("token")
def find_token(email: object, token: object) -> EmailToken | None:
    """Return the live row of ``token`` if it was sent to ``email``; use nothing.

    For the confirmation page a link opens: a GET must not spend the token.
    """
    if not isinstance(token, str) or not isinstance(email, str) or not token:
        return None
    row = (
        EmailToken.objects.filter(
            token_digest=token_digest(token), expires_at__gt=timezone.now()
        )
        .select_related("user")
        .first()
    )
    if row is None or row.email != email:
        return None
    return row


@sensitive_variables("token")
def claim_token(email: object, token: object) -> EmailToken | None:
    """Spend ``token``: return its row if it was live, sent to ``email``, and this call deleted it."""
    row = find_token(email, token)
    if row is None or not _delete(row):
        return None
    return row


def _delete(row: EmailToken) -> bool:
    # One DELETE: of two requests spending the same row, only one counts 1.
    deleted, _ = EmailToken.objects.filter(pk=row.pk).delete()
    return deleted == 1


def _matches(row: EmailToken, code: str) -> bool:
    # The current key, then SECRET_KEY_FALLBACKS: an e-mail sent just before
    # a key rotation still works for its few minutes.
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        constant_time_compare(
            _code_digest(row.token_digest, code, key), row.code_digest
        )
        for key in keys
    )


@sensitive_variables("code")
def claim_code(email: str, code: str) -> EmailToken | None:
    """Spend the live code ``code`` sent to ``email``: return its row, or ``None`` (wrong, used, expired or tried too often).

    Each live row for the address counts the try before comparing; a row
    whose tries are used up is never compared again.
    """
    now = timezone.now()
    live = (
        EmailToken.objects.filter(email=email, expires_at__gt=now)
        .select_related("user")
        .order_by("-pk")
    )
    # Compared here, exactly: MySQL's collations would match "bücher" too.
    rows = [row for row in live if row.email == email]
    for row in rows:
        counted = EmailToken.objects.filter(
            pk=row.pk, code_attempts__lt=conf.EMAIL_CODE_ATTEMPTS
        ).update(code_attempts=F("code_attempts") + 1)
        if counted and _matches(row, code) and _delete(row):
            return row
    return None


def clear_expired() -> int:
    """Delete the rows past their lifetime; return how many (``manage.py cleartokens``)."""
    deleted, _ = EmailToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
