"""NextAuth v4 error codes, the texts shown for them and the status of the error page.

Codes travel only in the ``error`` query parameter. They are looked up here and
never echoed: an unknown code is shown as the default error.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    }
)

_TRY_ANOTHER = "Try signing in with a different account."

_SIGN_IN_MESSAGES = {
    "Signin": _TRY_ANOTHER,
    "OAuthSignin": _TRY_ANOTHER,
    "OAuthCallback": _TRY_ANOTHER,
    "OAuthCreateAccount": _TRY_ANOTHER,
    "EmailCreateAccount": _TRY_ANOTHER,
    "Callback": _TRY_ANOTHER,
    "OAuthAccountNotLinked": (
        "To confirm your identity, sign in with the same account you used originally."
    ),
    "EmailSignin": "The e-mail could not be sent.",
    "CredentialsSignin": (
        "Sign in failed. Check the details you provided are correct."
    ),
    "SessionRequired": "Please sign in to access this page.",
    "TooManyAttempts": "Too many failed attempts. Try again later.",
}

_SIGN_IN_DEFAULT = "Unable to sign in."


def sign_in_error_message(code: str | None) -> str | None:
    """Return the sign-in page text for ``code``: ``None`` without a code, the default text for an unknown one."""
    if not code:
        return None
    return _SIGN_IN_MESSAGES.get(code, _SIGN_IN_DEFAULT)


@dataclass(frozen=True)
class ErrorPage:
    """What the error page shows for one code, and its HTTP status."""

    code: str
    status: int
    heading: str
    paragraphs: tuple[str, ...]
    sign_in_link: bool


_ERROR_PAGES = {
    "default": ErrorPage("Default", 200, "Error", (), sign_in_link=False),
    "configuration": ErrorPage(
        "Configuration",
        500,
        "Server error",
        (
            "There is a problem with the server configuration.",
            "Check the server logs for more information.",
        ),
        sign_in_link=False,
    ),
    "accessdenied": ErrorPage(
        "AccessDenied",
        403,
        "Access Denied",
        ("You do not have permission to sign in.",),
        sign_in_link=True,
    ),
    "verification": ErrorPage(
        "Verification",
        403,
        "Unable to sign in",
        (
            "The sign in link is no longer valid.",
            "It may have been used already or it may have expired.",
        ),
        sign_in_link=True,
    ),
    "invalidprovider": ErrorPage(
        "InvalidProvider",
        404,
        "Unable to sign in",
        ("This sign-in method is not available.",),
        sign_in_link=True,
    ),
}


def error_page(code: str | None) -> ErrorPage:
    """Return the error page for ``code``, matched case-insensitively; unknown codes get the default page."""
    return _ERROR_PAGES.get((code or "default").lower(), _ERROR_PAGES["default"])
