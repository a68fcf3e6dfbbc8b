"""Settings of the demo OpenID Connect identity provider, read from the environment.

A second Django project, separate from the demo site (``testproject.settings``):
its own database, secret key and cookie names, served on its own port. It is
django-oauth-toolkit with OpenID Connect on, mounted at ``/o/``, so a server at
``http://127.0.0.1:8001`` has the issuer ``http://127.0.0.1:8001/o``. Run it
from the repository root::

    python manage.py migrate --settings=testproject.idp.settings
    python manage.py seed_idp --settings=testproject.idp.settings
    python manage.py runserver 127.0.0.1:8001 --settings=testproject.idp.settings

Every ``IDP_*`` variable is documented, with its default, in ``.env.example``;
like the demo site, the IdP reads ``.env`` at the repository root, and variables
already in the environment win. Relative paths are relative to the repository
root.
"""

from __future__ import annotations

from pathlib import Path

import environ

# The repository root (where manage.py and .env live).
BASE_DIR = Path(__file__).resolve().parent.parent.parent
IDP_DIR = Path(__file__).resolve().parent

env = environ.Env(
    IDP_DEBUG=(bool, True),
    IDP_ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
)

if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env("IDP_DEBUG")

if DEBUG:
    SECRET_KEY = env(
        "IDP_SECRET_KEY",
        default="django-insecure-useauth-demo-idp-only-for-local-development",
    )
else:
    # No default outside DEBUG: a missing key is an ImproperlyConfigured error.
    SECRET_KEY = env("IDP_SECRET_KEY")

ALLOWED_HOSTS = env("IDP_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Above oauth2_provider so that its oauth2_provider/authorize.html (the
    # consent page) is found before the toolkit's own.
    "testproject.idp",
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "testproject.idp.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "IDP_DATABASE_URL",
        default=f"sqlite:///{IDP_DIR / 'idp.sqlite3'}",
    ),
}

# Cookies are not isolated by port: the demo site runs on the same host
# (127.0.0.1), so with Django's default names each server would overwrite the
# other's session and CSRF cookies on every response.
SESSION_COOKIE_NAME = "idp_sessionid"
CSRF_COOKIE_NAME = "idp_csrftoken"
# The default message storage falls back to a cookie named "messages", shared
# with the demo site for the same reason; the session keeps them apart.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# The signing key of ID tokens, a PEM file that `manage.py seed_idp` creates when
# it is missing. Settings must load without it (migrate runs before seed_idp),
# so a missing file leaves the key empty: discovery still answers, the JWKS is
# empty and issuing an ID token fails until seed_idp has run and the server has
# been restarted.
IDP_RSA_PRIVATE_KEY_FILE = BASE_DIR / env.str(
    "IDP_RSA_PRIVATE_KEY_FILE", default=str(IDP_DIR / "oidc-rsa-key.pem")
)
OIDC_RSA_PRIVATE_KEY = (
    IDP_RSA_PRIVATE_KEY_FILE.read_text(encoding="ascii")
    if IDP_RSA_PRIVATE_KEY_FILE.is_file()
    else ""
)

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": OIDC_RSA_PRIVATE_KEY,
    "PKCE_REQUIRED": True,
    "SCOPES": {
        "openid": "Sign you in with your account here",
        "profile": "Your name and username",
        "email": "Your email address",
    },
    "OAUTH2_VALIDATOR_CLASS": "testproject.idp.validators.ClaimsValidator",
}

LANGUAGE_CODE = "en-us"

TIME_ZONE = "UTC"

USE_I18N = True

USE_TZ = True

STATIC_URL = "static/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
