"""Settings of the django-useauth demo project, read from the environment.

Every variable is documented, with its default, in ``.env.example`` at the
repository root; copy it to ``.env`` to change them. Variables already in the
environment win over ``.env``.
"""

from __future__ import annotations

from pathlib import Path

import django
import environ
from django.utils.translation import gettext_lazy as _

from django_useauth.env import oauth_settings

# The repository root (where manage.py and .env live).
BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DJANGO_ENV=(str, "development"),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    SESSION_ENGINE=(str, "django_useauth.sessions.db"),
    USEAUTH_CACHE_KEY_PREFIX=(str, "useauth-demo"),
)

if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# DJANGO_ENV=production switches DEBUG off and on the production settings at
# the end of this file (`manage.py check --deploy` is clean with them).
PRODUCTION = env("DJANGO_ENV") == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)

if DEBUG:
    SECRET_KEY = env(
        "SECRET_KEY", default="django-insecure-useauth-demo-only-for-local-development"
    )
else:
    # No default outside DEBUG: a missing key is an ImproperlyConfigured error.
    SECRET_KEY = env("SECRET_KEY")

ALLOWED_HOSTS = env("ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "social_django",
    "django_useauth",
    # The demo APIs (testproject/demo/apis.py): DRF's browsable API and
    # Ninja's docs need their templates.
    "rest_framework",
    "ninja",
    "testproject.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Django's, but a session that cannot be saved because its store is down
    # answers 503 rather than 500 (docs/failures.md).
    "django_useauth.sessions.middleware.SessionMiddleware",
    # The pages follow the browser's language (Accept-Language) among
    # LANGUAGES: after the session, before CommonMiddleware (Django's docs).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.auth reads the session and request.user, so it comes after both.
    "django_useauth.middleware.AuthMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "testproject.urls"

WSGI_APPLICATION = "testproject.wsgi.application"

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
                "django_useauth.context_processors.auth",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'testproject' / 'db.sqlite3'}",
    ),
}

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# django-environ files a `key_prefix` given in CACHE_URL's query under a
# lower-case key for Django's built-in redis backend, where Django ignores it,
# so the prefix has a variable of its own and the stray key is dropped.
CACHES["default"].pop("key_prefix", None)
CACHES["default"]["KEY_PREFIX"] = env("USEAUTH_CACHE_KEY_PREFIX")
# django-environ picks the Redis client (django-redis when it is installed);
# CACHE_BACKEND names another backend class for the same LOCATION.
if env.str("CACHE_BACKEND", default=""):
    CACHES["default"]["BACKEND"] = env.str("CACHE_BACKEND")
# A Redis that stalls must cost a quick 503, not a hung worker: short
# timeouts, and one immediate retry on a fresh connection after a connection
# error (the pooled one may be dead after a Redis restart), never a retry of
# a timeout (docs/failures.md).
if CACHES["default"]["BACKEND"] in (
    "django.core.cache.backends.redis.RedisCache",
    "django_redis.cache.RedisCache",
):
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.retry import Retry

    reconnect_once = Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))
    options = CACHES["default"].setdefault("OPTIONS", {})
    if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
        options.update(SOCKET_CONNECT_TIMEOUT=0.5, SOCKET_TIMEOUT=0.5)
        options.setdefault("CONNECTION_POOL_KWARGS", {}).update(retry=reconnect_once)
    else:
        options.update(
            socket_connect_timeout=0.5, socket_timeout=0.5, retry=reconnect_once
        )

# signed_cookies is refused by check useauth.E006: sign-out must end the session.
SESSION_ENGINE = env("SESSION_ENGINE")
# Session payloads cached in this alias (docs/sessions.md); off when empty.
USEAUTH_SESSION_CACHE = env.str("USEAUTH_SESSION_CACHE", default="") or None

# OAuth and OpenID Connect providers, each enabled by its AUTH_<PREFIX>_ID and
# AUTH_<PREFIX>_SECRET. The demo IdP (testproject/idp, which `make run` starts
# on IDP_PORT) has working defaults, so it is on unless AUTH_DEMO_IDP_ID is set
# empty; GitHub and Google stay off until their variables are set. The defaults
# live in a second Env's scheme because oauth_settings() reads with env.str(),
# which applies scheme defaults, and the issuer's default depends on IDP_PORT.
IDP_PORT = env.int("IDP_PORT", default=8001)
provider_env = environ.Env(
    AUTH_DEMO_IDP_ID=(str, "useauth-demo"),
    AUTH_DEMO_IDP_SECRET=(str, "useauth-demo-secret"),
    AUTH_DEMO_IDP_ISSUER=(str, f"http://127.0.0.1:{IDP_PORT}/o"),
)
oauth = oauth_settings(
    provider_env,
    {
        "DEMO_IDP": "testproject.demo.oidc.DemoIdP",
        "GITHUB": "social_core.backends.github.GithubOAuth2",
        "GOOGLE": "social_core.backends.google.GoogleOAuth2",
    },
)
globals().update(oauth.settings)

AUTHENTICATION_BACKENDS = [
    # First: the sign-in limits hold for every door (the admin login too).
    "django_useauth.backends.ThrottleBackend",
    *oauth.backends,
    "django.contrib.auth.backends.ModelBackend",
]

# The IdP requires PKCE (django-oauth-toolkit's PKCE_REQUIRED), which
# social-core's OpenID Connect backend sends only when asked.
SOCIAL_AUTH_DEMO_IDP_USE_PKCE = True

# Django REST framework authenticates from the useAuth() session: request.auth
# is AuthDetails in its views, a signed-out request gets 401, and unsafe
# methods need the CSRF token (docs/apis.md).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "django_useauth.rest_framework.UseAuthAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["django_useauth.rest_framework.IsSignedIn"],
}

# Django's own login_required lands on our sign-in page, which reads `next`
# as an alias of callbackUrl.
LOGIN_URL = "useauth:signin"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.NumericPasswordValidator",
    },
]

LANGUAGE_CODE = "en"

# The languages django-useauth's pages are translated into, English first
# (docs/i18n.md).
LANGUAGES = [
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("ja", _("Japanese")),
    ("pt-br", _("Brazilian Portuguese")),
]

TIME_ZONE = "UTC"

USE_I18N = True

USE_TZ = True

STATIC_URL = "static/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-useauth: a setting is defined only when its variable is set, so that
# the package default applies otherwise.
if "USEAUTH_URL" in env:
    USEAUTH_URL = env.str("USEAUTH_URL")
if "USEAUTH_DEFAULT_CALLBACK_URL" in env:
    USEAUTH_DEFAULT_CALLBACK_URL = env.str("USEAUTH_DEFAULT_CALLBACK_URL")
if "USEAUTH_ALLOWED_REDIRECT_ORIGINS" in env:
    USEAUTH_ALLOWED_REDIRECT_ORIGINS = env.list("USEAUTH_ALLOWED_REDIRECT_ORIGINS")
if "USEAUTH_CREDENTIALS_ENABLED" in env:
    USEAUTH_CREDENTIALS_ENABLED = env.bool("USEAUTH_CREDENTIALS_ENABLED")
if "USEAUTH_CREDENTIALS_NAME" in env:
    USEAUTH_CREDENTIALS_NAME = env.str("USEAUTH_CREDENTIALS_NAME")
if "USEAUTH_CREDENTIALS_FIELDS" in env:
    USEAUTH_CREDENTIALS_FIELDS = env.list("USEAUTH_CREDENTIALS_FIELDS")
if "USEAUTH_PAGES_SIGN_IN" in env:
    USEAUTH_PAGES_SIGN_IN = env.str("USEAUTH_PAGES_SIGN_IN")
if "USEAUTH_PAGES_SIGN_OUT" in env:
    USEAUTH_PAGES_SIGN_OUT = env.str("USEAUTH_PAGES_SIGN_OUT")
if "USEAUTH_PAGES_ERROR" in env:
    USEAUTH_PAGES_ERROR = env.str("USEAUTH_PAGES_ERROR")
# The built-in pages carry the demo's name above their card and in their title.
USEAUTH_SITE_NAME = env.str("USEAUTH_SITE_NAME", default="django-useauth demo")
if "USEAUTH_MAX_AGE" in env:
    USEAUTH_MAX_AGE = env.int("USEAUTH_MAX_AGE")
if "USEAUTH_UPDATE_AGE" in env:
    USEAUTH_UPDATE_AGE = env.int("USEAUTH_UPDATE_AGE")
if env.str("USEAUTH_ABSOLUTE_MAX_AGE", default=""):
    USEAUTH_ABSOLUTE_MAX_AGE = env.int("USEAUTH_ABSOLUTE_MAX_AGE")
# Token mode (/api/token/): lifetimes in seconds.
if "USEAUTH_TOKEN_ACCESS_LIFETIME" in env:
    USEAUTH_TOKEN_ACCESS_LIFETIME = env.int("USEAUTH_TOKEN_ACCESS_LIFETIME")
if "USEAUTH_TOKEN_REFRESH_LIFETIME" in env:
    USEAUTH_TOKEN_REFRESH_LIFETIME = env.int("USEAUTH_TOKEN_REFRESH_LIFETIME")
if "USEAUTH_TOKEN_ROTATE_REFRESH" in env:
    USEAUTH_TOKEN_ROTATE_REFRESH = env.bool("USEAUTH_TOKEN_ROTATE_REFRESH")
USEAUTH_TOKEN_REGISTER = env.bool("USEAUTH_TOKEN_REGISTER", default=False)

# E-mail sign-in (a link and a code), sent through EMAIL_URL. The demo's
# default writes each e-mail to the terminal, link included (testproject/mail.py).
USEAUTH_EMAIL_ENABLED = env.bool("USEAUTH_EMAIL_ENABLED", default=True)
USEAUTH_EMAIL_CREATE_USERS = env.bool("USEAUTH_EMAIL_CREATE_USERS", default=False)
USEAUTH_EMAIL_NOTIFY_UNKNOWN = env.bool("USEAUTH_EMAIL_NOTIFY_UNKNOWN", default=False)
email_settings = env.email_url("EMAIL_URL", default="consolemail://")
if email_settings["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    email_settings["EMAIL_BACKEND"] = "testproject.mail.EmailBackend"
if django.VERSION >= (6, 1):
    # Django 6.1 replaces the EMAIL_* connection settings with MAILERS (and
    # warns about the old ones); django-environ still answers with those.
    mail_options: dict[str, object] = {}
    if email_settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
        mail_options = {
            "host": email_settings["EMAIL_HOST"],
            "port": email_settings["EMAIL_PORT"],
            "username": email_settings["EMAIL_HOST_USER"],
            "password": email_settings["EMAIL_HOST_PASSWORD"],
            "use_tls": email_settings.get("EMAIL_USE_TLS", False),
            "use_ssl": email_settings.get("EMAIL_USE_SSL", False),
            "timeout": 10,
        }
    elif email_settings["EMAIL_BACKEND"].endswith(".filebased.EmailBackend"):
        mail_options = {"file_path": email_settings["EMAIL_FILE_PATH"]}
    MAILERS = {
        "default": {"BACKEND": email_settings["EMAIL_BACKEND"], "OPTIONS": mail_options}
    }
else:
    vars().update(email_settings)
    # The e-mail is sent during the request: never wait for ever on a mail server.
    EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="django-useauth demo <noreply@localhost>"
)
if "USEAUTH_THROTTLE_ACCOUNT_FAILURES" in env:
    USEAUTH_THROTTLE_ACCOUNT_FAILURES = env.int("USEAUTH_THROTTLE_ACCOUNT_FAILURES")
if "USEAUTH_THROTTLE_IP_FAILURES" in env:
    USEAUTH_THROTTLE_IP_FAILURES = env.int("USEAUTH_THROTTLE_IP_FAILURES")
if "USEAUTH_TRUSTED_PROXY_COUNT" in env:
    USEAUTH_TRUSTED_PROXY_COUNT = env.int("USEAUTH_TRUSTED_PROXY_COUNT")
if "USEAUTH_OPENAPI" in env:
    USEAUTH_OPENAPI = env.bool("USEAUTH_OPENAPI")

if PRODUCTION:
    # https only, behind a proxy that terminates TLS and says so in
    # X-Forwarded-Proto (set SECURE_PROXY_SSL_HEADER=false without one).
    if env.bool("SECURE_PROXY_SSL_HEADER", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        # That proxy appends the client's address to X-Forwarded-For: the
        # sign-in limit per address must count the client, not the proxy.
        USEAUTH_TRUSTED_PROXY_COUNT = env.int("USEAUTH_TRUSTED_PROXY_COUNT", default=1)
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REFERRER_POLICY = "same-origin"
    # The OAuth redirect URIs built behind the proxy use https too.
    SOCIAL_AUTH_REDIRECT_IS_HTTPS = True
