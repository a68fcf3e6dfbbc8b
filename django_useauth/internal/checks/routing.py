"""Where the endpoints are, and where Django sends a visitor to sign in: E040, W022.

The package finds its views with ``reverse("useauth:…")``, so they must be in
the URLconf; Django's ``login_required`` and ``LoginRequiredMiddleware``
redirect to ``LOGIN_URL``, which must lead to a page. Both are read from
``ROOT_URLCONF``, as a request without its own ``urlconf`` sees it, in the
default language (``i18n_patterns()``).
"""

from __future__ import annotations

from typing import Any

from django.conf import global_settings
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.checks import CheckMessage
from django.core.checks import Error
from django.core.checks import Warning
from django.urls import NoReverseMatch
from django.urls import Resolver404
from django.urls import resolve
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from django_useauth.internal.checks.installation import _middleware_index

_SIGN_IN = "useauth:signin"
# Who redirects to LOGIN_URL (through django.contrib.auth's redirect_to_login()).
_REDIRECTS = "login_required, LoginRequiredMiddleware and the other views that redirect to LOGIN_URL"
_LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _serves(path: str) -> bool:
    # Whether a visitor in the default language reaches a page at `path`:
    # directly, or through LocaleMiddleware's redirect to the path with the
    # language prefix of i18n_patterns() (as its process_response() does; the
    # prefix matches whichever language is active).
    urlconf = settings.ROOT_URLCONF
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        if _resolves(path):
            return True
        used, prefixed = is_language_prefix_patterns_used(urlconf)
        return (
            used
            and prefixed
            and _middleware_index(_LOCALE_MIDDLEWARE) is not None
            and _resolves(f"/{language}{path}")
        )


def _login_url_problem(url: object) -> str | None:
    # What Django's redirect to LOGIN_URL (resolve_url()) would do wrong, or
    # None. A path the project chose is taken on trust: it may be served
    # under a script prefix, or by another server.
    fails = f"so {_REDIRECTS} fail with NoReverseMatch"
    if isinstance(url, Promise):
        try:
            str(url)
        except NoReverseMatch:
            return f"LOGIN_URL is a reverse_lazy() that does not reverse, {fails}."
        return None
    if not isinstance(url, str):
        return None
    if "/" not in url and "." not in url:
        # resolve_url() raises for a name that does not reverse.
        try:
            reverse(url)
        except NoReverseMatch:
            return f"LOGIN_URL {url!r} is not a URL name of this project, {fails}."
        return None
    if url == global_settings.LOGIN_URL and not _serves(url):
        return (
            f"LOGIN_URL is Django's default {url!r}, which no URL pattern "
            f"serves, so {_REDIRECTS} send visitors to a 404."
        )
    return None


def check_endpoints(**kwargs: Any) -> list[CheckMessage]:
    """E040, W022: the URLconf has the endpoints, and ``LOGIN_URL`` leads to a page."""
    if not getattr(settings, "ROOT_URLCONF", None):
        # No URLconf to look in; Django's own URL check says nothing either.
        return []
    try:
        reverse("useauth:session")
    except NoReverseMatch:
        return [
            Error(
                "ROOT_URLCONF should include 'django_useauth.urls': "
                "reverse('useauth:session') finds nothing, so @auth_required, the "
                "template tags' links and the built-in pages fail with "
                "NoReverseMatch, and /api/auth/ answers 404.",
                hint="Add path('api/auth/', include('django_useauth.urls')) to the "
                f"urlpatterns of {settings.ROOT_URLCONF!r}.",
                id="useauth.E040",
            )
        ]
    problem = _login_url_problem(settings.LOGIN_URL)
    if problem is None:
        return []
    return [
        Warning(
            problem,
            hint=f"Set LOGIN_URL = {_SIGN_IN!r}, the sign-in page of django-useauth.",
            id="useauth.W022",
        )
    ]
