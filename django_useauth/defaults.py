"""Default values for the ``USEAUTH_*`` settings that are sequences, durations or shared literals."""

from __future__ import annotations

from datetime import timedelta

#: ``USEAUTH_CREDENTIALS_NAME``: NextAuth's name for the provider. The built-in
#: pages show it only when a project chose another (the button then reads
#: "Sign in with <name>"); with this one it reads "Sign in".
CREDENTIALS_NAME = "Credentials"

#: ``USEAUTH_CREDENTIALS_FIELDS``: the form fields the credentials provider reads
#: and passes to ``authenticate()`` as keyword arguments.
CREDENTIALS_FIELDS: tuple[str, ...] = ("username", "password")

#: ``USEAUTH_ALLOWED_REDIRECT_ORIGINS``: no origin besides the site's own.
ALLOWED_REDIRECT_ORIGINS: tuple[str, ...] = ()

#: ``USEAUTH_MAX_AGE``: NextAuth's ``session.maxAge`` default.
MAX_AGE = timedelta(days=30)

#: ``USEAUTH_UPDATE_AGE``: NextAuth's ``session.updateAge`` default.
UPDATE_AGE = timedelta(hours=24)

#: ``USEAUTH_THROTTLE_WINDOW``: failures are counted per 15 minutes.
THROTTLE_WINDOW = timedelta(minutes=15)

#: ``USEAUTH_SESSION_CACHE_TIMEOUT``: a cached session payload lives 5 minutes at most.
SESSION_CACHE_TIMEOUT = timedelta(minutes=5)

#: ``USEAUTH_SITE_URL``: the built-in pages link back to the site's root.
SITE_URL = "/"

#: The favicon of the built-in pages when ``USEAUTH_FAVICON`` is ``None``: a
#: static file shipped with the app.
FAVICON = "django_useauth/icon.svg"

#: ``USEAUTH_TOKEN_ACCESS_LIFETIME``: an access token (a signed JWT) is good for 15 minutes.
TOKEN_ACCESS_LIFETIME = timedelta(minutes=15)

#: ``USEAUTH_TOKEN_REFRESH_LIFETIME``: a refresh token is good for 14 days after it was issued.
TOKEN_REFRESH_LIFETIME = timedelta(days=14)

#: ``USEAUTH_TOKEN_ISSUER`` and ``USEAUTH_TOKEN_AUDIENCE`` when neither they nor
#: ``USEAUTH_URL`` are set: the ``iss`` and ``aud`` of the access tokens.
TOKEN_ISSUER = "django-useauth"

#: ``USEAUTH_TOKEN_REGISTER_FORM``: the form ``POST register`` validates with.
TOKEN_REGISTER_FORM = "django_useauth.forms.RegistrationForm"

#: ``USEAUTH_EMAIL_NAME``: NextAuth's name for the email provider.
EMAIL_NAME = "Email"

#: ``USEAUTH_EMAIL_TOKEN_LIFETIME``: a sign-in link and its code are good for 10
#: minutes (NextAuth: 24 hours). A link is a password sent in clear text to a
#: mailbox that is synced, forwarded and archived; the limit NIST SP 800-63B
#: sets for out-of-band secrets is 10 minutes.
EMAIL_TOKEN_LIFETIME = timedelta(minutes=10)

#: ``USEAUTH_EMAIL_CREATE_USER_CALLBACK``: creates a user with the address as
#: its email (and, for a model with a ``username``, as its username) and no
#: usable password.
EMAIL_CREATE_USER_CALLBACK = "django_useauth.email.create_user"
