"""The email provider: its settings (E080, E082–E091), what it needs once on (E081, E092, E093), and production (W080–W083).

``check_email``: the shape of ``USEAUTH_EMAIL_*``,
``USEAUTH_THROTTLE_EMAIL_*`` and ``USEAUTH_PAGES_VERIFY_REQUEST``, checked
whether the provider is on or not, as the credentials provider's are; then,
with ``USEAUTH_EMAIL_ENABLED = True``, a ``ModelBackend`` to start the
session with and the user model's email field, which every sign-in looks the
account up by. ``check_email_deploy`` (``check --deploy``, through
``check_deploy``): a unique email field, an e-mail backend that delivers, a
sender other than ``localhost``, and the send limits on.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core import mail
from django.core.checks import CheckMessage
from django.core.checks import Error
from django.core.checks import Warning
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import F
from django.db.models import UniqueConstraint
from django.utils.module_loading import import_string

from django_useauth.conf import UNSET
from django_useauth.conf import conf
from django_useauth.internal.checks.values import POSITIVE_DURATION
from django_useauth.internal.checks.values import invalid
from django_useauth.internal.checks.values import is_duration
from django_useauth.internal.checks.values import is_int

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

# Ids that two messages share (a shape, and what the value does): written
# once, as tests/test_checks.py finds each id's literal only once.
_LIFETIME_ID = "useauth.E084"
_CALLBACK_ID = "useauth.E087"

#: The longest USEAUTH_EMAIL_TOKEN_LIFETIME: NextAuth's default, its only one.
_MAX_LIFETIME = timedelta(hours=24)
_MAX_CODE_ATTEMPTS = 20
_LIFETIME_HINT = (
    "Set USEAUTH_EMAIL_TOKEN_LIFETIME = timedelta(minutes=10) (the default), "
    "or up to timedelta(hours=24)."
)
_CALLBACK_HINT = (
    "Set USEAUTH_EMAIL_CREATE_USER_CALLBACK = 'django_useauth.email.create_user' "
    "(the default) or the path of your own function taking (*, request, email, "
    "**kwargs)."
)
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

#: Django's e-mail backends that deliver nothing, subclasses first (the file
#: backend is a console backend that writes to files).
_UNDELIVERING = (
    ("django.core.mail.backends.filebased.EmailBackend", "writes e-mails to files"),
    (
        "django.core.mail.backends.console.EmailBackend",
        "writes e-mails to the terminal",
    ),
    ("django.core.mail.backends.locmem.EmailBackend", "keeps e-mails in memory"),
    ("django.core.mail.backends.dummy.EmailBackend", "drops e-mails"),
)


def _check_switches() -> list[CheckMessage]:
    # E080, E086, E088.
    switches: tuple[tuple[str, object, str, str], ...] = (
        (
            "USEAUTH_EMAIL_ENABLED",
            conf.EMAIL_ENABLED,
            "Set USEAUTH_EMAIL_ENABLED = True to offer sign-in by e-mail, or False.",
            "useauth.E080",
        ),
        (
            "USEAUTH_EMAIL_CREATE_USERS",
            conf.EMAIL_CREATE_USERS,
            "Set USEAUTH_EMAIL_CREATE_USERS = True to create an account for an "
            "address that has none when its link is followed, or False.",
            "useauth.E086",
        ),
        (
            "USEAUTH_EMAIL_NOTIFY_UNKNOWN",
            conf.EMAIL_NOTIFY_UNKNOWN,
            "Set USEAUTH_EMAIL_NOTIFY_UNKNOWN = True to tell an address with no "
            "account that it has none, or False to send it nothing.",
            "useauth.E088",
        ),
    )
    return [
        invalid(name, value, "True or False", hint, id)
        for name, value, hint, id in switches
        if not isinstance(value, bool)
    ]


def _check_texts() -> list[CheckMessage]:
    # E082, E083, E091: the provider's name, the sender, the custom page.
    errors: list[CheckMessage] = []
    name: object = conf.EMAIL_NAME
    if not isinstance(name, str) or not name.strip():
        errors.append(
            invalid(
                "USEAUTH_EMAIL_NAME",
                name,
                "a non-empty string",
                "Set USEAUTH_EMAIL_NAME = 'Email' or another label.",
                "useauth.E082",
            )
        )
    sender: object = conf.EMAIL_FROM
    if sender is not None and (not isinstance(sender, str) or not sender.strip()):
        errors.append(
            invalid(
                "USEAUTH_EMAIL_FROM",
                sender,
                "None (DEFAULT_FROM_EMAIL) or a non-empty sender address",
                "Set USEAUTH_EMAIL_FROM = 'Example <noreply@example.com>', or None "
                "to send from DEFAULT_FROM_EMAIL.",
                "useauth.E083",
            )
        )
    page: object = conf.PAGES_VERIFY_REQUEST
    if page is not None and (not isinstance(page, str) or not page.strip()):
        errors.append(
            invalid(
                "USEAUTH_PAGES_VERIFY_REQUEST",
                page,
                "None or a URL or URL name",
                "Set USEAUTH_PAGES_VERIFY_REQUEST = 'my-verify-page' (a URL name) "
                "or '/check-your-email/'.",
                "useauth.E091",
            )
        )
    return errors


def _check_lifetime() -> list[CheckMessage]:
    # E084: positive, and no longer than NextAuth's 24 hours.
    written = conf.configured("EMAIL_TOKEN_LIFETIME")
    if written is UNSET:
        return []
    lifetime: timedelta | None = (
        conf.EMAIL_TOKEN_LIFETIME if is_duration(written) else None
    )
    if lifetime is None or lifetime <= timedelta(0):
        return [
            invalid(
                "USEAUTH_EMAIL_TOKEN_LIFETIME",
                written,
                f"{POSITIVE_DURATION}, at most 24 hours",
                _LIFETIME_HINT,
                _LIFETIME_ID,
            )
        ]
    if lifetime <= _MAX_LIFETIME:
        return []
    return [
        Error(
            "USEAUTH_EMAIL_TOKEN_LIFETIME should be at most 24 hours; "
            f"{lifetime} keeps each sign-in link and code working that long in a "
            "mailbox that is synced, forwarded and archived, where whoever reads "
            "it signs in.",
            hint=_LIFETIME_HINT,
            id=_LIFETIME_ID,
        )
    ]


def _check_counts() -> list[CheckMessage]:
    # E085, E089, E090.
    counts: tuple[tuple[str, object, int | None, str, str, str], ...] = (
        (
            "USEAUTH_EMAIL_CODE_ATTEMPTS",
            conf.EMAIL_CODE_ATTEMPTS,
            _MAX_CODE_ATTEMPTS,
            f"a whole number from 1 to {_MAX_CODE_ATTEMPTS}",
            "Set USEAUTH_EMAIL_CODE_ATTEMPTS = 5 (the default): a code stops "
            "working after that many wrong tries.",
            "useauth.E085",
        ),
        (
            "USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS",
            conf.THROTTLE_EMAIL_ADDRESS_SENDS,
            None,
            "a positive integer",
            "Set USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS = 5 (e-mails to one address "
            "per USEAUTH_THROTTLE_WINDOW).",
            "useauth.E089",
        ),
        (
            "USEAUTH_THROTTLE_EMAIL_IP_SENDS",
            conf.THROTTLE_EMAIL_IP_SENDS,
            None,
            "a positive integer",
            "Set USEAUTH_THROTTLE_EMAIL_IP_SENDS = 20 (e-mails one client may ask "
            "for per USEAUTH_THROTTLE_WINDOW).",
            "useauth.E090",
        ),
    )
    return [
        invalid(name, value, constraint, hint, id)
        for name, value, high, constraint, hint, id in counts
        if not is_int(value, 1, high)
    ]


def _callback_problem(path: str) -> str | None:
    # Why the account of a new address could not be created with `path`.
    try:
        function = import_string(path)
    except Exception as error:
        # Importing a project's module may raise anything; a check reports it.
        return f"{path!r} does not import ({type(error).__name__}: {error})"
    if not callable(function):
        return f"{path!r} is not callable"
    return None


def _check_create_user_callback() -> list[CheckMessage]:
    # E087. Imported only when it is set (a typo shows before the switch is
    # turned on) or used: the default always imports.
    if (
        conf.configured("EMAIL_CREATE_USER_CALLBACK") is UNSET
        and conf.EMAIL_CREATE_USERS is not True
    ):
        return []
    path: object = conf.EMAIL_CREATE_USER_CALLBACK
    if not isinstance(path, str):
        return [
            invalid(
                "USEAUTH_EMAIL_CREATE_USER_CALLBACK",
                path,
                "the dotted path of a function",
                _CALLBACK_HINT,
                _CALLBACK_ID,
            )
        ]
    problem = _callback_problem(path)
    if problem is None:
        return []
    return [
        Error(
            "USEAUTH_EMAIL_CREATE_USER_CALLBACK should be the dotted path of a "
            f"function; {problem}, so no account can be created for a new address "
            "(EmailCreateAccount).",
            hint=_CALLBACK_HINT,
            id=_CALLBACK_ID,
        )
    ]


def _has_model_backend() -> bool:
    # What email_sign_in.login_backend() finds: a ModelBackend (or subclass)
    # in AUTHENTICATION_BACKENDS, those that do not import left out. A class
    # whose import fails otherwise may be the one, and is not held against it.
    for path in settings.AUTHENTICATION_BACKENDS:
        try:
            backend = import_string(path)
        except ImportError:
            continue
        except Exception:
            return True
        if isinstance(backend, type) and issubclass(backend, ModelBackend):
            return True
    return False


def _check_backend() -> list[CheckMessage]:
    # E081.
    if _has_model_backend():
        return []
    return [
        Error(
            f"AUTHENTICATION_BACKENDS should contain {_MODEL_BACKEND!r} (or a "
            "subclass) while USEAUTH_EMAIL_ENABLED is True: login() records it in "
            "the session and it loads the user on each request, so without it "
            "every e-mail sign-in fails with Configuration.",
            hint=f"Add {_MODEL_BACKEND!r} to AUTHENTICATION_BACKENDS (after "
            "'django_useauth.backends.ThrottleBackend', if you use it), or set "
            "USEAUTH_EMAIL_ENABLED = False.",
            id="useauth.E081",
        )
    ]


def _names_only(constraint: UniqueConstraint, name: str) -> bool:
    # Whether the constraint is on the one field `name`, as written or
    # through expressions such as Lower("email"), whatever its condition.
    if constraint.fields:
        return tuple(constraint.fields) == (name,)
    referenced: set[str] = set()
    for expression in constraint.expressions:
        nodes = expression.flatten() if hasattr(expression, "flatten") else [expression]
        # F's name is not in django-stubs.
        referenced.update(
            getattr(node, "name", "") for node in nodes if isinstance(node, F)
        )
    return referenced == {name}


def _is_unique(model: type[models.Model], field: models.Field[Any, Any]) -> bool:
    if field.unique or (field.name,) in model._meta.unique_together:
        return True
    return any(
        isinstance(constraint, UniqueConstraint) and _names_only(constraint, field.name)
        for constraint in model._meta.constraints
    )


def _email_field() -> (
    tuple[type[AbstractBaseUser], models.Field[Any, Any] | None] | None
):
    # The user model and its email field, the one every sign-in looks the
    # account up by: None for a field that is not a column of its table.
    # None for a user model that does not load, Django's to report.
    try:
        model = get_user_model()
    except ImproperlyConfigured:
        return None
    try:
        field = model._meta.get_field(model.get_email_field_name())
    except FieldDoesNotExist:
        return model, None
    if isinstance(field, models.Field) and field.concrete:
        return model, field
    return model, None


def _check_email_field() -> list[CheckMessage]:
    # E092.
    found = _email_field()
    if found is None or found[1] is not None:
        return []
    model = found[0]
    label = model._meta.label
    return [
        Error(
            f"The user model {label} should have a concrete email field while "
            f"USEAUTH_EMAIL_ENABLED is True; get_email_field_name() returns "
            f"{model.get_email_field_name()!r}, which is not a field of its "
            "table, so every e-mail sign-in fails with a 500 (FieldError).",
            hint=f"Set EMAIL_FIELD on {label} to the name of the field that holds "
            "the address, or set USEAUTH_EMAIL_ENABLED = False.",
            id="useauth.E092",
        )
    ]


def _check_unique_email() -> list[CheckMessage]:
    # W080. A deploy check: with django.contrib.auth's User (whose email is
    # not unique) the project cannot add the constraint, and its accounts
    # are often few and distinct until real sign-ups arrive.
    found = _email_field()
    if found is None:
        return []
    model, field = found
    if field is None or _is_unique(model, field):
        return []
    return [
        Warning(
            f"{model._meta.label}.{field.name} should be unique while "
            "USEAUTH_EMAIL_ENABLED is True: an address that two active accounts "
            "share signs neither of them in by e-mail, as the sign-in will not "
            "guess which one is meant.",
            hint=f"Add UniqueConstraint(Lower({field.name!r}), "
            f"name='unique_{field.name}') to Meta.constraints of your user model "
            "(or give the field unique=True). With django.contrib.auth's User, "
            "keep addresses distinct where accounts are created and silence this "
            "warning.",
            id="useauth.W080",
        )
    ]


def _check_link_origin() -> list[CheckMessage]:
    # E093: the links are built on USEAUTH_URL, else on the request's Host.
    # With ALLOWED_HOSTS = ["*"] anyone can name the host: asked with
    # "Host: evil.example", the real e-mail would carry a live link to
    # evil.example (the password-reset poisoning of Django's docs).
    if conf.URL or "*" not in settings.ALLOWED_HOSTS:
        return []
    return [
        Error(
            "USEAUTH_URL should be set while USEAUTH_EMAIL_ENABLED is True and "
            "ALLOWED_HOSTS contains '*': the sign-in links would be built on the "
            "Host header of the request that asks for the e-mail, which anyone "
            "can choose, and an e-mail could carry a live link to their site.",
            hint="Set USEAUTH_URL to the site's origin (https://example.com), or "
            "list the site's host names in ALLOWED_HOSTS.",
            id="useauth.E093",
        )
    ]


def check_email(**kwargs: Any) -> list[CheckMessage]:
    """E080–E093: the email provider's settings, and once it is on, its login backend, the user model's email field and the links' origin."""
    messages = [
        *_check_switches(),
        *_check_texts(),
        *_check_lifetime(),
        *_check_counts(),
        *_check_create_user_callback(),
    ]
    if conf.EMAIL_ENABLED is not True:
        return messages
    return [
        *messages,
        *_check_backend(),
        *_check_email_field(),
        *_check_link_origin(),
    ]


def _mail_backend() -> tuple[str, object]:
    # The setting that names the backend sign-in e-mails go through, and its
    # value: the default mailer of Django 6.1's MAILERS when it is set, else
    # EMAIL_BACKEND.
    mailers: object = getattr(settings, "MAILERS", None)
    if hasattr(mail, "mailers") and isinstance(mailers, dict):
        default = mailers.get("default")
        if isinstance(default, dict) and "BACKEND" in default:
            return "MAILERS['default']['BACKEND']", default["BACKEND"]
    return "EMAIL_BACKEND", getattr(settings, "EMAIL_BACKEND", None)


def _undelivering(path: object) -> str | None:
    # What the backend at `path` does instead of delivering, or None.
    if not isinstance(path, str):
        return None
    try:
        backend = import_string(path)
    except Exception:
        # Sending reports it; nothing is known here.
        return None
    if not isinstance(backend, type):
        return None
    for base, does in _UNDELIVERING:
        if issubclass(backend, import_string(base)):
            return does
    return None


def _check_delivery() -> list[CheckMessage]:
    # W081.
    setting, path = _mail_backend()
    does = _undelivering(path)
    if does is None:
        return []
    return [
        Warning(
            f"{setting} should deliver e-mail in production while "
            f"USEAUTH_EMAIL_ENABLED is True; {path!r} {does}, so nobody receives "
            "a sign-in link or code.",
            hint=f"Set {setting} = 'django.core.mail.backends.smtp.EmailBackend' "
            "(with EMAIL_HOST and its credentials, e.g. from EMAIL_URL with "
            "django-environ) or an e-mail service's backend.",
            id="useauth.W081",
        )
    ]


def _check_sender() -> list[CheckMessage]:
    # W082: Django's default sender, webmaster@localhost, or any other
    # address at localhost, which receiving servers refuse or file as spam.
    sender: object = conf.EMAIL_FROM
    setting = "USEAUTH_EMAIL_FROM"
    if sender is None:
        sender = getattr(settings, "DEFAULT_FROM_EMAIL", None)
        setting = "DEFAULT_FROM_EMAIL"
    if not isinstance(sender, str):
        # E083's to report.
        return []
    domain = parseaddr(sender)[1].rpartition("@")[2].lower()
    if domain != "localhost" and not domain.endswith(".localhost"):
        return []
    return [
        Warning(
            f"{setting} should be an address of the site's own domain in "
            f"production while USEAUTH_EMAIL_ENABLED is True; {sender!r} is at "
            "localhost, so mail servers refuse the sign-in e-mails or file them "
            "as spam.",
            hint=f"Set {setting} = 'Example <noreply@example.com>' (a domain whose "
            "SPF and DKIM records allow your mail server).",
            id="useauth.W082",
        )
    ]


def _check_send_limits() -> list[CheckMessage]:
    # W083. Not an error: a project may limit requests in front of the site.
    if conf.THROTTLE_ENABLED is False:
        return [
            Warning(
                "USEAUTH_THROTTLE_ENABLED should be True in production while "
                "USEAUTH_EMAIL_ENABLED is True: without the limits anyone can have "
                "the site send any number of sign-in e-mails, to flood one mailbox "
                "or to spend the site's sending reputation.",
                hint="Set USEAUTH_THROTTLE_ENABLED = True; "
                "USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS and "
                "USEAUTH_THROTTLE_EMAIL_IP_SENDS set the limits.",
                id="useauth.W083",
            )
        ]
    return []


def check_email_deploy(**kwargs: Any) -> list[CheckMessage]:
    """W080–W083 (``--deploy``, from ``check_deploy``): with the email provider on, one account per address, and e-mails delivered, from the site's domain, within the send limits."""
    if conf.EMAIL_ENABLED is not True:
        return []
    return [
        *_check_unique_email(),
        *_check_delivery(),
        *_check_sender(),
        *_check_send_limits(),
    ]
