"""What sign-in and sign-out answer, shared by the endpoints, ``request.auth`` and the email provider."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in, shaped like the result of next-auth's ``signIn()``.

    ``url`` is where the browser goes next: the callbackUrl on success, the
    error page (``…/error?error=<code>``) on failure. ``status`` is the HTTP
    status the endpoint answers with.
    """

    error: str | None
    status: int
    ok: bool
    url: str
    #: Seconds until a throttled sign-in may be tried again (``TooManyAttempts``).
    retry_after: int | None = None


@dataclass(frozen=True)
class SignOutResult:
    """The outcome of a sign-out: ``url`` is the validated, absolute callbackUrl."""

    url: str
