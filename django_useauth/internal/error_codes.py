"""NextAuth v4 error codes, the texts shown for them and the status of the error page.

The texts are translated (``django_useauth/locale``) into the active language.
Codes travel only in the ``error`` query parameter. They are looked up here and
never echoed: an unknown code is shown as the default error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django.utils.functional import Promise

#: Codes that ``GET error`` sends back to the sign-in page (NextAuth v4 does the same).
SIGN_IN_ERRORS = frozenset(
    {
        "Signin",
        "OAuthSignin",
        "OAuthCallback",
        "OAuthCreateAccount",
        "EmailCreateAccount",
        "Callback",
        "OAuthAccountNotLinked",
        "EmailSignin",
        "CredentialsSignin",
        "SessionRequired",
        "TooManyAttempts",
        "TooManyEmails",
    }
)

# Translated when they are read (gettext_lazy), in the language of the
# request: nothing is translated at import.
_TRY_ANOTHER = _("Try signing in with a different account.")

_SIGN_IN_MESSAGES: dict[str, Promise] = {
    "Signin": _TRY_ANOTHER,
    "OAuthSignin": _TRY_ANOTHER,
    "OAuthCallback": _TRY_ANOTHER,
    "OAuthCreateAccount": _TRY_ANOTHER,
    "EmailCreateAccount": _TRY_ANOTHER,
    "Callback": _TRY_ANOTHER,
    "OAuthAccountNotLinked": _(
        "To confirm your identity, sign in with the same account you used originally."
    ),
    "EmailSignin": _("The e-mail could not be sent."),
    "CredentialsSignin": _(
        "Sign in failed. Check the details you provided are correct."
    ),
    "SessionRequired": _("Please sign in to access this page."),
    "TooManyAttempts": _("Too many failed attempts. Try again later."),
    "TooManyEmails": _("Too many sign-in e-mails were requested. Try again later."),
}

_SIGN_IN_DEFAULT = _("Unable to sign in.")


def sign_in_error_message(code: str | None) -> str | None:
    """Return the sign-in page text for ``code`` in the active language: ``None`` without a code, the default text for an unknown one."""
    if not code:
        return None
    return str(_SIGN_IN_MESSAGES.get(code, _SIGN_IN_DEFAULT))


@dataclass(frozen=True)
class ErrorPage:
    """What the error page shows for one code, in the active language, and its HTTP status."""

    code: str
    status: int
    heading: str
    paragraphs: tuple[str, ...]
    sign_in_link: bool


@dataclass(frozen=True)
class _Page:
    # An ErrorPage whose texts are still lazy.
    code: str
    status: int
    heading: Promise
    paragraphs: tuple[Promise, ...]
    sign_in_link: bool


# The headings have a context: without one, an app before this one in
# INSTALLED_APPS whose catalogue has the same short msgid would win ("Server
# error" is the admin's).
_ERROR_PAGES = {
    "default": _Page(
        "Default",
        200,
        pgettext_lazy("error page heading", "Error"),
        (),
        sign_in_link=False,
    ),
    "configuration": _Page(
        "Configuration",
        500,
        pgettext_lazy("error page heading", "Server error"),
        (
            _("There is a problem with the server configuration."),
            _("Check the server logs for more information."),
        ),
        sign_in_link=False,
    ),
    "accessdenied": _Page(
        "AccessDenied",
        403,
        pgettext_lazy("error page heading", "Access Denied"),
        (_("You do not have permission to sign in."),),
        sign_in_link=True,
    ),
    "verification": _Page(
        "Verification",
        403,
        pgettext_lazy("error page heading", "Unable to sign in"),
        (
            _("The sign in link is no longer valid."),
            _("It may have been used already or it may have expired."),
        ),
        sign_in_link=True,
    ),
    "serviceunavailable": _Page(
        "ServiceUnavailable",
        503,
        pgettext_lazy("error page heading", "Service unavailable"),
        (
            _("Signing in is not possible at the moment."),
            _("Try again in a minute."),
        ),
        sign_in_link=False,
    ),
    "invalidprovider": _Page(
        "InvalidProvider",
        404,
        pgettext_lazy("error page heading", "Unable to sign in"),
        (_("This sign-in method is not available."),),
        sign_in_link=True,
    ),
}


def error_page(code: str | None) -> ErrorPage:
    """Return the error page for ``code``, matched case-insensitively; unknown codes get the default page."""
    page = _ERROR_PAGES.get((code or "default").lower(), _ERROR_PAGES["default"])
    return ErrorPage(
        page.code,
        page.status,
        str(page.heading),
        tuple(str(paragraph) for paragraph in page.paragraphs),
        sign_in_link=page.sign_in_link,
    )
