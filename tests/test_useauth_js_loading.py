"""Loading the browser client in headless Chromium: one client per page, whatever loads it.

A page may load useauth.js under several URLs: the tag's (hashed by
``ManifestStaticFilesStorage``), a hard-coded path, a query string. Every copy
must hand out the same ``useAuth()`` object and ``AuthError`` class, and make
one session request, not one per copy. The import map of
``{% useauth_script %}`` (or of the page, with ``{% useauth_importmap_entry %}``)
lets the page's modules import ``"django-useauth"``, under a strict CSP too.

The pages are rendered by Django from the templates below, with the real tags.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http import HttpResponse
from django.template import engines
from django.test import LiveServerTestCase
from django.test import override_settings
from django.urls import path

from tests import urls as test_urls
from tests.browser import BrowserTestCase
from tests.utils import PASSWORD
from tests.utils import collected_static

NONCE = "useauth-loading-nonce"

_HEAD = '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{}</title>\n'
_TAIL = "</head>\n<body><h1>loading</h1></body>\n</html>\n"

PAGES = {
    # Two copies of the module, and nothing else: no hydration, no tag.
    "two-copies": """{% load static %}
<script type="module">
  import * as first from "{% static 'django_useauth/useauth.js' %}";
  import * as second from "{% static 'django_useauth/useauth.js' %}?v=2";
  window.first = first;
  window.second = second;
  window.ready = true;
</script>
""",
    # The tag, a module that imports the bare specifier of its import map, and
    # one that imports the static prefix's path: the new user's page, where
    # that path is not the tag's under ManifestStaticFilesStorage.
    "tag": """{% load static django_useauth %}{% useauth_script %}
<script type="module">
  import { useAuth } from "django-useauth";
  import * as byPath from "{% get_static_prefix %}django_useauth/useauth.js";
  window.auth = useAuth();
  window.same = byPath.useAuth() === window.auth;
  window.ready = true;
</script>
""",
    # A page with an import map of its own: the entry goes in it.
    "own-map": """{% load django_useauth %}
<script type="importmap">{"imports": {
  {% useauth_importmap_entry %},
  "page": "data:text/javascript,export const name = 'page';"
}}</script>
{% useauth_script importmap=False %}
<script type="module">
  import { useAuth } from "django-useauth";
  import { name } from "page";
  window.auth = useAuth();
  window.name = name;
  window.ready = true;
</script>
""",
    # The map first, a module before the client's own script.
    "map-first": """{% load django_useauth %}{% useauth_importmap %}
<script type="module">
  import { useAuth } from "django-useauth";
  window.auth = useAuth();
  window.ready = true;
</script>
{% useauth_script importmap=False %}
""",
    # A policy that allows only scripts with the nonce: the import map too.
    "csp": """{% load django_useauth %}{% useauth_script %}
<script type="module" nonce="{{ csp_nonce }}">
  import { useAuth } from "django-useauth";
  window.auth = useAuth();
  window.ready = true;
</script>
""",
    # The same without the nonce: the policy blocks the import map.
    "csp-no-nonce": """{% load django_useauth %}{% useauth_script nonce="" %}
<script type="module" nonce="{{ csp_nonce }}">
  import("django-useauth").then(() => "imported", (error) => error.name).then((result) => {
    window.result = result;
    window.ready = true;
  });
</script>
""",
}


def loading_page(request: HttpRequest, name: str) -> HttpResponse:
    template = engines["django"].from_string(_HEAD.format(name) + PAGES[name] + _TAIL)
    response = HttpResponse(template.render({"csp_nonce": NONCE}, request))
    if name.startswith("csp"):
        response["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'nonce-{NONCE}'"
        )
    return response


class LoadingUrlconf:
    """The test URLs plus ``/loading/<name>/``."""

    urlpatterns = [*test_urls.urlpatterns, path("loading/<slug:name>/", loading_page)]


@override_settings(ROOT_URLCONF=LoadingUrlconf)
class LoadingTestCase(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.console: list[str] = []
        self.page.on("console", lambda message: self.console.append(message.text))

    def open(self, name: str) -> None:
        self.page.goto(f"{self.live_server_url}/loading/{name}/")
        self.page.wait_for_function("window.ready === true")

    def run_js(self, script: str) -> Any:
        return self.page.evaluate(script)

    def fetched(self, suffix: str) -> list[str]:
        """The URLs requested that end with ``suffix``, without the origin."""
        origin = self.live_server_url
        return [
            url.removeprefix(origin) for url in self.requests if url.endswith(suffix)
        ]


class TwoCopiesTests(LoadingTestCase):
    def test_one_client_and_one_session_request(self):
        self.open("two-copies")
        # Two module records really were loaded...
        assert self.run_js("first !== second") is True
        assert self.fetched("useauth.js") + self.fetched("useauth.js?v=2") == [
            "/static/django_useauth/useauth.js",
            "/static/django_useauth/useauth.js?v=2",
        ]
        # ...and they hand out one client. An option given as undefined keeps
        # its default (basePath), the others apply.
        assert (
            self.run_js(
                "first.useAuth({basePath: undefined, refreshOnFocus: false}) === second.useAuth()"
            )
            is True
        )
        assert self.run_js("first.AuthError === second.AuthError") is True
        self.page.wait_for_function("second.useAuth().status !== 'loading'")
        assert self.run_js("second.useAuth().status") == "unauthenticated"
        self.page.wait_for_timeout(200)
        assert self.fetched("/api/auth/session") == ["/api/auth/session"]

    def test_state_and_subscribers_are_shared(self):
        self.open("two-copies")
        self.run_js(
            "window.seen = []; void second.useAuth().subscribe((state) => seen.push(state.status))"
        )
        result = self.run_js(
            f"first.useAuth().signIn('credentials', {{redirect: false, username: 'ada', password: '{PASSWORD}'}})"
        )
        assert result["ok"] is True
        assert self.run_js("second.useAuth().data.user.name") == "Ada Lovelace"
        self.run_js("second.useAuth().signOut({redirect: false})")
        assert self.run_js("first.useAuth().status") == "unauthenticated"
        assert self.run_js("seen") == [
            "loading",
            "unauthenticated",
            "authenticated",
            "unauthenticated",
        ]

    def test_errors_are_one_class(self):
        self.open("two-copies")
        self.page.route("**/api/auth/session", lambda route: route.abort())
        assert self.run_js(
            "first.useAuth().refresh().then(() => 'resolved', "
            "(e) => [e.name, e instanceof first.AuthError, e instanceof second.AuthError])"
        ) == ["AuthError", True, True]


class ImportMapTests(LoadingTestCase):
    def test_the_tags_import_map(self):
        self.open("tag")
        assert self.run_js("[auth.status, same]") == ["unauthenticated", True]
        # "django-useauth" is the tag's URL: one module, fetched once.
        assert self.fetched("useauth.js") == ["/static/django_useauth/useauth.js"]
        assert self.fetched("/api/auth/session") == []

    def test_the_pages_own_import_map(self):
        self.open("own-map")
        assert self.run_js("[auth.status, name]") == ["unauthenticated", "page"]
        assert self.fetched("useauth.js") == ["/static/django_useauth/useauth.js"]

    def test_the_map_before_the_first_module_script(self):
        self.open("map-first")
        assert self.run_js("auth.status") == "unauthenticated"
        assert self.fetched("/api/auth/session") == []

    def test_under_a_strict_csp(self):
        self.open("csp")
        assert self.run_js("auth.status") == "unauthenticated"
        assert not [text for text in self.console if "Content Security Policy" in text]

    def test_the_policy_blocks_an_import_map_without_the_nonce(self):
        self.open("csp-no-nonce")
        assert self.run_js("result") == "TypeError"
        assert [text for text in self.console if "Content Security Policy" in text]


class ManifestStorageTests(LoadingTestCase):
    """ManifestStaticFilesStorage and another STATIC_URL, served from STATIC_ROOT after a real collectstatic."""

    # The live server's handler for STATIC_ROOT (StaticLiveServerTestCase's
    # finds the source files, which have no hashed names).
    static_handler = LiveServerTestCase.static_handler

    @classmethod
    def setUpClass(cls) -> None:
        cls.enterClassContext(collected_static("/assets/"))
        super().setUpClass()

    def test_hashed_and_hard_coded_paths_share_one_client(self):
        self.open("tag")
        # The tag and its import map load the hashed name, the page's module
        # the path under the static prefix: two copies, one client.
        (hashed,) = [
            url
            for url in self.fetched(".js")
            if url != "/assets/django_useauth/useauth.js"
        ]
        assert hashed.startswith("/assets/django_useauth/useauth.")
        assert self.fetched("/assets/django_useauth/useauth.js") == [
            "/assets/django_useauth/useauth.js"
        ]
        assert self.run_js("[auth.status, same]") == ["unauthenticated", True]
        assert self.fetched("/api/auth/session") == []
