"""The tags that load the browser client: ``{% useauth_script %}``'s import map, ``{% useauth_importmap %}``, ``{% useauth_importmap_entry %}`` and ``{% useauth_module_url %}``.

Every URL comes from the static files storage: another ``STATIC_URL``, a CDN,
the hashed names of ``ManifestStaticFilesStorage`` (after a real
``collectstatic``) and a storage whose URLs carry a signed query.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from django.contrib.staticfiles.storage import StaticFilesStorage
from django.template import Context
from django.template import Template
from django.test import TestCase
from django.test import override_settings

from tests.templatetags.test_django_useauth import make_request
from tests.utils import collected_static

SOURCE = (
    Path(__file__).resolve().parent.parent
    / "django_useauth"
    / "static"
    / "django_useauth"
    / "useauth.js"
)
URL = "/static/django_useauth/useauth.js"
DATA = (
    '<script id="useauth-data" type="application/json">'
    '{"session": null, "lastRefreshedAt": null, "options": '
    '{"basePath": "/api/auth", "refreshOnFocus": true, "refreshInterval": 0}}</script>'
)
_IMPORTMAP_RE = re.compile(r'<script type="importmap"[^>]*>(.*?)</script>', re.DOTALL)


def render(template: str, request: object = None, **extra: object) -> str:
    context = Context({"request": request, **extra} if request is not None else extra)
    return Template("{% load django_useauth %}" + template).render(context)


def importmap_of(html: str) -> dict[str, object]:
    """The import map of a rendered page, parsed as a browser does."""
    (found,) = _IMPORTMAP_RE.findall(html)
    parsed: dict[str, object] = json.loads(found)
    return parsed


class SignedUrlStorage(StaticFilesStorage):
    """Static URLs with a signed query string, as object stores with query authentication answer."""

    def url(self, name: str | None) -> str:
        return f"{super().url(name)}?sig=a&b=</script>"


class UseAuthScriptImportMapTests(TestCase):
    def test_the_import_map_comes_before_the_module(self):
        assert render("{% useauth_script %}", make_request()) == (
            DATA
            + '<script type="importmap">{"imports": {"django-useauth": "'
            + URL
            + '"}}</script>'
            + f'<script type="module" src="{URL}"></script>'
        )

    def test_importmap_off(self):
        for argument in ("importmap=False", "importmap='off'", "importmap=0"):
            html = render(f"{{% useauth_script {argument} %}}", make_request())
            assert html == DATA + f'<script type="module" src="{URL}"></script>', (
                argument
            )

    def test_the_nonce_is_on_both_scripts(self):
        html = render("{% useauth_script nonce='n0nce' %}", make_request())
        assert html.endswith(
            f'<script type="importmap" nonce="n0nce">{{"imports": {{"django-useauth": "{URL}"}}}}</script>'
            f'<script type="module" src="{URL}" nonce="n0nce"></script>'
        )
        request = make_request()
        html = render("{% useauth_script %}", request, csp_nonce="from-context")
        assert html.count(' nonce="from-context"') == 2
        request.csp_nonce = "from-django-csp"
        assert (
            render("{% useauth_script %}", request).count(' nonce="from-django-csp"')
            == 2
        )


class ImportMapTagTests(TestCase):
    def test_useauth_importmap(self):
        assert render("{% useauth_importmap %}", make_request()) == (
            f'<script type="importmap">{{"imports": {{"django-useauth": "{URL}"}}}}</script>'
        )
        assert render("{% useauth_importmap nonce='n0nce' %}", make_request()) == (
            f'<script type="importmap" nonce="n0nce">{{"imports": {{"django-useauth": "{URL}"}}}}</script>'
        )
        request = make_request()
        assert ' nonce="from-context"' in render(
            "{% useauth_importmap %}", request, csp_nonce="from-context"
        )
        request.csp_nonce = "from-django-csp"
        assert ' nonce="from-django-csp"' in render("{% useauth_importmap %}", request)

    def test_useauth_importmap_entry_in_the_pages_own_map(self):
        assert (
            render("{% useauth_importmap_entry %}", make_request())
            == f'"django-useauth": "{URL}"'
        )
        page = render(
            '<script type="importmap">{"imports": {\n'
            '  {% useauth_importmap_entry %},\n  "app": "/static/app.js"\n}}</script>',
            make_request(),
        )
        assert importmap_of(page) == {
            "imports": {"django-useauth": URL, "app": "/static/app.js"}
        }

    def test_useauth_module_url(self):
        assert render("{% useauth_module_url %}", make_request()) == URL
        assert (
            render(
                "{% useauth_module_url as url %}<link rel=modulepreload href={{ url }}>",
                make_request(),
            )
            == f"<link rel=modulepreload href={URL}>"
        )

    def test_without_request(self):
        for tag in (
            "useauth_importmap",
            "useauth_importmap_entry",
            "useauth_module_url",
        ):
            assert render(f"{{% {tag} %}}") == "", tag


class StaticStorageTests(TestCase):
    """The module's URL is the storage's: the import map and the module script always name the same file."""

    def assert_urls(self, expected: str) -> None:
        request = make_request()
        html = render("{% useauth_script %}", request)
        assert importmap_of(html) == {"imports": {"django-useauth": expected}}
        assert html.endswith(f'<script type="module" src="{expected}"></script>')
        assert importmap_of(render("{% useauth_importmap %}", request)) == {
            "imports": {"django-useauth": expected}
        }
        assert render("{% useauth_importmap_entry %}", request) == (
            f'"django-useauth": "{expected}"'
        )
        assert render("{% useauth_module_url %}", request) == expected

    def test_another_static_url(self):
        with override_settings(STATIC_URL="/assets/"):
            self.assert_urls("/assets/django_useauth/useauth.js")
        with override_settings(STATIC_URL="https://cdn.example.com/static/"):
            self.assert_urls("https://cdn.example.com/static/django_useauth/useauth.js")

    def test_manifest_storage_hashed_name(self):
        # A real collectstatic into a fresh STATIC_ROOT: the tags then name the
        # hashed copy (md5 of the content, 12 hex digits) that it wrote.
        root = self.enterContext(collected_static("/assets/"))
        content = SOURCE.read_bytes()
        digest = hashlib.md5(content, usedforsecurity=False).hexdigest()
        name = f"useauth.{digest[:12]}.js"
        assert (root / "django_useauth" / name).read_bytes() == content
        self.assert_urls(f"/assets/django_useauth/{name}")

    @override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "tests.test_client_tags.SignedUrlStorage"},
        }
    )
    def test_urls_with_a_query_are_escaped(self):
        url = f"{URL}?sig=a&b=</script>"
        request = make_request()
        html = render("{% useauth_script %}", request)
        # In the import map: JSON with <, > and & escaped, which cannot end
        # the element and which the browser's JSON parser decodes.
        assert (
            '{"django-useauth": "/static/django_useauth/useauth.js'
            '?sig=a\\u0026b=\\u003C/script\\u003E"}' in html
        )
        assert importmap_of(html) == {"imports": {"django-useauth": url}}
        # In the attribute: HTML-escaped.
        assert html.endswith(
            '<script type="module" src="/static/django_useauth/useauth.js'
            '?sig=a&amp;b=&lt;/script&gt;"></script>'
        )
        assert render("{% useauth_module_url %}", request) == (
            "/static/django_useauth/useauth.js?sig=a&amp;b=&lt;/script&gt;"
        )
        # For a script (docs/client.md): json_script, which decodes to the URL.
        script = render(
            '{% useauth_module_url as url %}{{ url|json_script:"useauth-module-url" }}',
            request,
        )
        assert script.startswith('<script id="useauth-module-url"')
        assert script.count("</script>") == 1
        assert json.loads(script.split(">", 1)[1].removesuffix("</script>")) == url
        assert "</script>" not in render("{% useauth_importmap_entry %}", request)


class DocsTests(TestCase):
    def test_the_tags_are_documented(self):
        docs = (
            Path(__file__).resolve().parent.parent / "docs" / "client.md"
        ).read_text()
        for tag in (
            "useauth_script",
            "useauth_importmap",
            "useauth_importmap_entry",
            "useauth_module_url",
        ):
            assert f"{{% {tag} " in docs, tag
        assert "{% useauth_script importmap=False %}" in docs
