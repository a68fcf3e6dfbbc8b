"""The email provider: a sign-in link and a one-time code sent by e-mail (NextAuth v4's email provider, and more).

**Asking** (``POST signin/email``): the address is validated, the send limits
take their places (per address and per client), the mail server's connection
is opened (the one failure that answers ``EmailSignin``), and the one
account whose email matches (case-insensitively, then compared as Django's
password reset does, CVE-2019-19844) is sent a link and a code, at the
address the account stores. An address with no account gets the same
answer: with ``USEAUTH_EMAIL_CREATE_USERS`` a link that will create the
account, with ``USEAUTH_EMAIL_NOTIFY_UNKNOWN`` an e-mail saying there is
none, else no e-mail (the e-mail is still rendered). A message the
connected server refuses is logged, not answered. A newer e-mail supersedes
the older ones once it is sent; one that was not sent leaves nothing behind.

**Signing in** (the link's confirmation page posts the token; the
"check your e-mail" page posts the code): the secret is spent, the account is
found or created (``USEAUTH_EMAIL_CREATE_USER_CALLBACK``, which may refuse),
the sign-in callback is asked, and Django's ``login()`` starts the session.
The callbackUrl asked for with the e-mail goes through the redirect policy
again at that moment.
"""

from __future__ import annotations

import contextlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import replace
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.http import MAX_URL_LENGTH
from django.views.decorators.debug import sensitive_variables

from django_useauth.conf import conf
from django_useauth.internal import email_messages
from django_useauth.internal import email_tokens
from django_useauth.internal import throttle
from django_useauth.internal.callbacks import load_callback
from django_useauth.internal.callbacks import redirect_callback
from django_useauth.internal.callbacks import sign_in_refusal
from django_useauth.internal.credentials import complete_sign_in
from django_useauth.internal.events import send_event
from django_useauth.internal.outages import is_outage
from django_useauth.internal.pages import api_url
from django_useauth.internal.pages import error_url
from django_useauth.internal.providers import EMAIL_ID
from django_useauth.internal.redirects import absolute_url
from django_useauth.internal.redirects import allowed_callback_url
from django_useauth.internal.redirects import resolve_callback_url
from django_useauth.internal.results import SignInResult
from django_useauth.signals import signed_in

if TYPE_CHECKING:
    from django.contrib.auth.models import _User
    from django.http import HttpRequest

    from django_useauth.models import EmailToken

logger = logging.getLogger("django_useauth.email")

#: The session key that remembers, for the "check your e-mail" page, which address a code is for.
PENDING_SESSION_KEY = "_useauth_email"
# RFC 5321's limit on a forward path, and Django's EmailField's max_length.
_MAX_ADDRESS = 254
# A local part as the envelope holds it unquoted (RFC 5322's dot-atom).
_DOT_ATOM = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
)
# A domain as the envelope holds it: LDH labels (IDNA already applied).
_HOST_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")


def normalize_address(value: object) -> str | None:
    """Return the address as rows, links and limits hold it, or ``None`` if it is no address to send to.

    Trimmed and lower-cased, its domain in Unicode (an IDN typed as
    ``xn--…`` or in Unicode is one address). Refused besides what Django's
    ``validate_email`` refuses: anything NFKC normalisation would change; a
    local part that is not a plain dot-atom (no quotes, no controls, ASCII);
    a domain without a dot, or one whose IDNA form, decoded again, is not
    the domain typed. Django's mail code sends to the IDNA form, in which
    ``ß`` becomes ``ss``, a zero-width space vanishes and a full-width ``＠``
    becomes a second ``@``: the address typed must be the address written
    in the envelope.
    """
    if not isinstance(value, str):
        return None
    address = value.strip().lower()
    if not address or len(address) > _MAX_ADDRESS:
        return None
    if unicodedata.normalize("NFKC", address) != address:
        return None
    local, _, domain = address.rpartition("@")
    if not _DOT_ATOM.fullmatch(local):
        return None
    try:
        validate_email(address)
        ascii_domain = domain.encode("idna").decode("ascii")
        unicode_domain = ascii_domain.encode("ascii").decode("idna")
    except (ValidationError, UnicodeError):
        return None
    if domain not in (ascii_domain, unicode_domain):
        return None
    if not _HOST_NAME.fullmatch(ascii_domain):
        return None
    canonical = f"{local}@{unicode_domain}"
    try:
        # Its own canonical form must pass too: Django's validator takes
        # "xn--e28h.example" but not the emoji it stands for.
        validate_email(canonical)
    except ValidationError:
        return None
    return canonical


def _ascii_form(address: str) -> str:
    # The address with its domain in IDNA form (of a canonical address).
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.encode('idna').decode('ascii')}"


def _same_address(stored: str, address: str) -> bool:
    # As Django's password reset compares them (CVE-2019-19844): a database's
    # case-insensitive match is wider than Unicode's, so it is checked again.
    return (
        unicodedata.normalize("NFKC", stored).casefold()
        == unicodedata.normalize("NFKC", address).casefold()
    )


# How many look-alike rows a lookup reads before it stops telling them apart.
_MAX_CANDIDATES = 50


def _holds(stored: object, address: str) -> bool:
    # Whether an account's stored email is this address: the same canonical
    # address, or equal as Django's password reset compares them
    # (CVE-2019-19844), with the domain in either form.
    if not isinstance(stored, str):
        return False
    return (
        normalize_address(stored) == address
        or _same_address(stored, address)
        or _same_address(stored, _ascii_form(address))
    )


@dataclass(frozen=True)
class _Lookup:
    #: The one active account holding the address, whose stored email can be sent to.
    user: _User | None
    #: Whether any account (active or not, sendable or not) holds the address.
    taken: bool


def _lookup(address: str) -> _Lookup:
    user_model = get_user_model()
    field = user_model.get_email_field_name()
    # Both spellings of an IDN: "bücher" and "xn--bcher-kva".
    query = Q(**{f"{field}__iexact": address}) | Q(
        **{f"{field}__iexact": _ascii_form(address)}
    )
    # Compared here, not by the database, whose case-insensitive match is
    # wider (MySQL's collations, PostgreSQL's UPPER()); every candidate is
    # read before any is chosen.
    rows = user_model._default_manager.filter(query).values_list("pk", field)
    holders = [pk for pk, stored in rows[:_MAX_CANDIDATES] if _holds(stored, address)]
    return _decide(holders, address)


def _decide(holders: list[Any], address: str) -> _Lookup:
    # From the primary keys of the accounts holding the address.
    user_model = get_user_model()
    field = user_model.get_email_field_name()
    if len(holders) > 1:
        # Django does not make emails unique: signing in as one of several
        # accounts would be a guess. Logged without the address.
        logger.warning(
            "An e-mail sign-in was asked for an address that %d accounts share; "
            "none was signed in. Make the email field unique.",
            len(holders),
        )
    if len(holders) != 1:
        return _Lookup(user=None, taken=bool(holders))
    user = user_model._default_manager.get(pk=holders[0])
    if not getattr(user, "is_active", True):
        return _Lookup(user=None, taken=True)
    if normalize_address(getattr(user, field, None)) != address:
        # M3: the e-mail goes to the stored address, which must itself pass
        # as input and be this address; otherwise it is not written into an
        # envelope.
        logger.warning(
            "An account's stored email cannot be sent to as it is (see "
            'docs/email.md, "Which addresses are accepted"); no e-mail was sent.'
        )
        return _Lookup(user=None, taken=True)
    return _Lookup(user=user, taken=True)


def login_backend() -> str | None:
    """Return the dotted path of the first ``ModelBackend`` in ``AUTHENTICATION_BACKENDS``, or ``None``.

    ``login()`` records it in the session; its ``get_user()`` loads the user on
    every request, and refuses an inactive one.
    """
    for path in settings.AUTHENTICATION_BACKENDS:
        try:
            backend = load_backend(path)
        except ImportError:
            continue
        if isinstance(backend, ModelBackend):
            return str(path)
    return None


def _result(
    request: HttpRequest, error: str, status: int, **params: str
) -> SignInResult:
    return SignInResult(
        error=error, status=status, ok=False, url=error_url(request, error, **params)
    )


def verify_request_url(request: HttpRequest, **params: str) -> str:
    """Return the absolute URL of the "check your e-mail" route, as NextAuth answers a sent e-mail."""
    return api_url(request, "verify_request", provider=EMAIL_ID, type="email", **params)


def _link(request: HttpRequest, issued: email_tokens.Issued) -> str:
    query = {"token": issued.token, "email": issued.row.email}
    if issued.row.callback_url:
        query = {"callbackUrl": issued.row.callback_url, **query}
    path = reverse("useauth:callback", args=[EMAIL_ID])
    return absolute_url(request, f"{path}?{urlencode(query)}")


def request_sign_in(
    request: HttpRequest, email: object, *, callback_url: object = None
) -> SignInResult:
    """Send a sign-in e-mail for ``email``; the result's ``url`` is the "check your e-mail" route.

    The same result for an address with or without an account, and for an
    e-mail the connected mail server refused (logged). Failures:
    ``EmailSignin`` (no valid address, or the mail server cannot be
    reached), ``TooManyEmails`` (429, ``retry_after`` set).
    """
    address = normalize_address(email)
    if address is None:
        return _result(request, "EmailSignin", 200)
    sends = throttle.reserve_email(request, address)
    if sends.retry_after is not None:
        result = _result(request, "TooManyEmails", 429, provider=EMAIL_ID)
        return replace(result, retry_after=sends.retry_after)
    try:
        _send(request, address, _kept_callback_url(request, callback_url))
    except email_messages.SendFailed:
        # Nothing was sent: the attempt does not count against the limits.
        sends.release()
        return _result(request, "EmailSignin", 200)
    except BaseException:
        sends.release()
        raise
    request.session[PENDING_SESSION_KEY] = address
    return SignInResult(
        error=None, status=200, ok=True, url=verify_request_url(request)
    )


def _kept_callback_url(request: HttpRequest, value: object) -> str | None:
    # What the row keeps (and the link shows) of the callbackUrl: a value the
    # redirect policy accepts now, or, with USEAUTH_REDIRECT_CALLBACK, any
    # value a text column can hold (NUL and lone surrogates cannot be
    # stored). Either way it goes through the policy again at the sign-in.
    if redirect_callback() is None:
        return allowed_callback_url(request, value)
    if not isinstance(value, str) or len(value) > MAX_URL_LENGTH or "\x00" in value:
        return None
    try:
        value.encode()
    except UnicodeEncodeError:
        return None
    return value


@sensitive_variables("issued", "message")
def _send(request: HttpRequest, address: str, callback_url: str | None) -> None:
    # Raise SendFailed only when the mail server cannot be reached: the one
    # outcome every address shares. What happens after that is logged, not
    # answered (a refused recipient would otherwise tell which addresses
    # have accounts, as Django's password reset did, CVE-2024-45231).
    with email_messages.Outbox() as outbox:
        found = _lookup(address)
        if found.user is not None:
            # M3: to the address the account stores, not the spelling typed.
            stored = getattr(found.user, get_user_model().get_email_field_name())
            _send_link(request, outbox, address, found.user, stored, callback_url)
        elif not found.taken and conf.EMAIL_CREATE_USERS:
            _send_link(request, outbox, address, None, address, callback_url)
        elif not found.taken and conf.EMAIL_NOTIFY_UNKNOWN:
            outbox.send(email_messages.no_account_message(request, address))
        else:
            # The work of an e-mail, without sending it.
            email_messages.sign_in_message(request, address, url="", code="")


@sensitive_variables("issued", "message")
def _send_link(
    request: HttpRequest,
    outbox: email_messages.Outbox,
    address: str,
    user: _User | None,
    recipient: str,
    callback_url: str | None,
) -> None:
    try:
        # A savepoint: a row the database refuses (a callbackUrl of 4-byte
        # characters in a utf8mb3 table, say) must leave the request's
        # transaction usable, and answer as any other address does.
        with transaction.atomic():
            issued = email_tokens.issue(address, user, callback_url)
    except DatabaseError:
        logger.exception("An e-mail sign-in could not be stored; no e-mail was sent.")
        return
    try:
        message = email_messages.sign_in_message(
            request, recipient, url=_link(request, issued), code=issued.code
        )
        sent = outbox.send(message)
    except BaseException:
        email_tokens.discard(issued.row)
        raise
    if not sent:
        # Nothing half-made: the older e-mail, if any, still works.
        email_tokens.discard(issued.row)
        return
    try:
        email_tokens.supersede(issued.row)
    except DatabaseError:
        # Sent, and it works; the older ones end with their lifetime.
        logger.exception("Older e-mail sign-ins could not be deleted.")


@sensitive_variables("token")
def sign_in_with_token(
    request: HttpRequest, email: object, token: object
) -> SignInResult:
    """Spend the link's ``token`` (sent to ``email``) and sign in; ``Verification`` (403) if it is not live."""
    row = email_tokens.claim_token(email, token)
    if row is None:
        return _result(request, "Verification", 403)
    return _complete_or_give_back(request, row)


@sensitive_variables("code", "value")
def sign_in_with_code(
    request: HttpRequest, email: object, code: object
) -> SignInResult:
    """Spend the one-time ``code`` sent to ``email`` and sign in.

    Wrong, used, expired or spent codes answer ``Verification`` (403, back to
    the "check your e-mail" page); every try counts in the sign-in limits of
    the address and the client, as a wrong password does (``TooManyAttempts``,
    429).
    """
    address = normalize_address(email)
    value = email_tokens.normalize_code(code)
    if address is None or value is None:
        return _wrong_code(request)
    field = get_user_model().get_email_field_name()
    attempt = throttle.reserve(request, {field: address})
    if attempt.retry_after is not None:
        return SignInResult(
            error="TooManyAttempts",
            status=429,
            ok=False,
            url=verify_request_url(request, error="TooManyAttempts"),
            retry_after=attempt.retry_after,
        )
    try:
        row = email_tokens.claim_code(address, value)
        if row is None:
            # The code form of this browser keeps the address typed (on
            # another device than the one that asked for the e-mail, say).
            # Only once the try is counted: the limits bound these sessions.
            request.session[PENDING_SESSION_KEY] = address
            # The try keeps its places in the counts, and lockout tools hear of it.
            user_login_failed.send(
                sender=__name__, credentials={field: address}, request=request
            )
            return _wrong_code(request)
        result = _complete_or_give_back(request, row)
    except BaseException:
        attempt.release()
        raise
    if result.ok:
        attempt.signed_in()
    else:
        attempt.release()
    return result


def _wrong_code(request: HttpRequest) -> SignInResult:
    return SignInResult(
        error="Verification",
        status=403,
        ok=False,
        url=verify_request_url(request, error="Verification"),
    )


def _account(request: HttpRequest, row: EmailToken) -> _User | str:
    # The row's user, or a new one; else the error code.
    found = _lookup(row.email)
    if row.user is not None:
        if found.user is None or found.user.pk != row.user.pk:
            # Deactivated, its address changed since the e-mail was sent,
            # or now shared with another account.
            return "Verification"
        return found.user
    if found.user is not None:
        # Created since the e-mail was sent (another link, the admin).
        return found.user
    if found.taken or not conf.EMAIL_CREATE_USERS:
        # The address taken (a deactivated account's, a shared one), or
        # creation switched off since.
        return "Verification"
    return _create(request, row.email)


def _create(request: HttpRequest, address: str) -> _User | str:
    create = load_callback(conf.EMAIL_CREATE_USER_CALLBACK)
    try:
        with transaction.atomic():
            user: _User | None = create(request=request, email=address)
    except PermissionDenied:
        return "AccessDenied"
    except (ValidationError, DatabaseError):
        # A username taken by another account, a race with a second link.
        logger.warning(
            "The account of a new e-mail address could not be created.", exc_info=True
        )
        return "EmailCreateAccount"
    except Exception:
        logger.exception(
            "USEAUTH_EMAIL_CREATE_USER_CALLBACK raised; no account was created."
        )
        return "EmailCreateAccount"
    return "AccessDenied" if user is None else user


def _can_authenticate(backend: str, user: _User) -> bool:
    check = getattr(load_backend(backend), "user_can_authenticate", None)
    return True if check is None else bool(check(user))


class _Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _complete_or_give_back(request: HttpRequest, row: EmailToken) -> SignInResult:
    # A sign-in that fails half-way because a store is down (its session
    # store, say: a 503, "try again") gives the spent row back, so that the
    # link or the code works again once the store is back. Not one
    # transaction with the claim: SQLite would refuse a concurrent claim
    # ("database is locked") instead of letting it find the row gone.
    try:
        return _complete(request, row)
    except Exception as error:
        if is_outage(error):
            with contextlib.suppress(Exception):
                row.save(force_insert=True)
        raise


def _complete(request: HttpRequest, row: EmailToken) -> SignInResult:
    backend = login_backend()
    if backend is None:
        # Check useauth.E081 reports it; nobody can be signed in.
        logger.error(
            "E-mail sign-in needs a ModelBackend in AUTHENTICATION_BACKENDS to sign users in."
        )
        return _result(request, "Configuration", 500)
    try:
        # One transaction: an account created for the sign-in is gone again
        # if the sign-in callback refuses it.
        with transaction.atomic():
            account = _account(request, row)
            if isinstance(account, str):
                raise _Refused(account)
            if not _can_authenticate(backend, account):
                # The backend that would load the user on every request
                # refuses it (inactive, or a project's own rule): no login().
                raise _Refused("Verification")
            refusal = sign_in_refusal(user=account, provider=EMAIL_ID, request=request)
            if refusal is not None:
                raise _Refused(refusal)
    except _Refused as refused:
        return _result(request, refused.code, 403)
    account.backend = backend
    request.session.pop(PENDING_SESSION_KEY, None)
    complete_sign_in(request, account)
    send_event(signed_in, account, request=request, provider=EMAIL_ID)
    # The callbackUrl asked for with the e-mail, through the policy of now.
    url = resolve_callback_url(request, row.callback_url or None)
    return SignInResult(error=None, status=200, ok=True, url=url)


def pending_address(request: HttpRequest) -> str | None:
    """Return the address this browser last asked an e-mail for (or typed a code for), for the code form."""
    value: Any = request.session.get(PENDING_SESSION_KEY)
    return value if isinstance(value, str) else None
