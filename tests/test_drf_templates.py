"""Templates rendered by DRF views (``TemplateHTMLRenderer``), and the context processor.

DRF's renderer hands DRF's ``Request`` to the template: the context
processors and the tags get it as ``request``. Under DRF's default
``SessionAuthentication`` its ``auth`` is ``None``, and ``{% auth_status %}``
rendered ``""`` (issue 12), ``{% auth_user %}`` nothing, ``{{ auth.status }}``
nothing and ``{% useauth_script %}`` a signed-out session. They now read
:func:`get_auth`. The template is tests/templates/drf/status.html.
"""

from __future__ import annotations

import json
import re

from django.template import engines
from django.test import TestCase
from django.test import override_settings
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from django_useauth.context_processors import auth as auth_context
from django_useauth.middleware import get_auth
from tests.drf_utils import BROWSER_ACCEPT
from tests.drf_utils import DRF_URLS
from tests.drf_utils import http_request
from tests.utils import csrf_client
from tests.utils import make_user
from tests.utils import past_its_end
from tests.utils import read_session
from tests.utils import sign_in

BROWSER = {"Accept": BROWSER_ACCEPT}

#: The template's paragraphs for ada signed in (but ``request-auth``, which depends on the view).
SIGNED_IN = {
    "status": "authenticated",
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "context": "authenticated|ada@example.com|signed in",
}

HYDRATION = re.compile(
    r'<script id="useauth-data" type="application/json">(.*?)</script>'
)


def paragraphs(response):
    """The template's ``<p id=…>`` paragraphs, by id."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    return dict(re.findall(r'<p id="([a-z-]+)">(.*?)</p>', html))


def hydration(response):
    """The session ``{% useauth_script %}`` hydrates the browser client with."""
    match = HYDRATION.search(response.content.decode())
    assert match is not None
    return json.loads(match.group(1))


@override_settings(**DRF_URLS)
class TemplateTests(TestCase):
    def setUp(self):
        make_user()
        self.client = csrf_client()

    def test_default_authentication_signed_in(self):
        # Issue 12: request.auth is None here, and the tags rendered "".
        sign_in(self.client)
        response = self.client.get("/drf/template/default/", headers=BROWSER)
        assert paragraphs(response) == {**SIGNED_IN, "request-auth": "NoneType"}
        data = hydration(response)
        assert data["session"] == read_session(self.client)
        assert data["lastRefreshedAt"] is not None

    def test_default_authentication_signed_out(self):
        response = self.client.get("/drf/template/default/", headers=BROWSER)
        assert paragraphs(response) == {
            "status": "unauthenticated",
            "name": "",
            "email": "",
            "context": "unauthenticated||signed out",
            "request-auth": "NoneType",
        }
        assert hydration(response)["session"] is None

    def test_useauth_authentication(self):
        sign_in(self.client)
        response = self.client.get("/drf/template/useauth/", headers=BROWSER)
        assert paragraphs(response) == {**SIGNED_IN, "request-auth": "AuthDetails"}
        assert hydration(response)["session"] == read_session(self.client)

    def test_useauth_authentication_signed_out(self):
        response = self.client.get("/drf/template/useauth/", headers=BROWSER)
        found = paragraphs(response)
        assert found["status"] == "unauthenticated"
        assert found["request-auth"] == "NoneType"

    def test_function_view(self):
        sign_in(self.client)
        found = paragraphs(self.client.get("/drf/template/function/", headers=BROWSER))
        assert found["status"] == "authenticated"
        assert found["email"] == "ada@example.com"
        assert found["request-auth"] == "NoneType"

    def test_session_past_its_end(self):
        # The tags see the session as request.auth does: ended, and flushed.
        sign_in(self.client)
        past_its_end(self.client)
        found = paragraphs(self.client.get("/drf/template/default/", headers=BROWSER))
        assert found["status"] == "unauthenticated"
        assert found["context"] == "unauthenticated||signed out"
        assert read_session(self.client) == {}

    def test_escaped(self):
        make_user("eve", first_name="<b>Eve</b>", last_name="")
        sign_in(self.client, "eve")
        found = paragraphs(self.client.get("/drf/template/default/", headers=BROWSER))
        assert found["name"] == "&lt;b&gt;Eve&lt;/b&gt;"


class DrfRequestTests(TestCase):
    """The context processor and the tags given DRF's Request directly."""

    def drf_request(self, *, signed_in):
        wrapped = http_request(make_user() if signed_in else None)
        request = Request(wrapped, authenticators=[SessionAuthentication()])
        # What DRF's view does before the handler runs.
        request.user  # noqa: B018
        assert request.auth is None
        return request

    def render(self, request):
        template = engines["django"].from_string(
            "{% load django_useauth %}{% auth_status %}|{% auth_user 'email' %}|{{ auth.status }}"
        )
        return template.render({}, request=request)

    def test_signed_in(self):
        request = self.drf_request(signed_in=True)
        assert auth_context(request) == {"auth": get_auth(request)}
        assert auth_context(request)["auth"].status == "authenticated"
        assert self.render(request) == "authenticated|ada@example.com|authenticated"

    def test_signed_out(self):
        request = self.drf_request(signed_in=False)
        assert auth_context(request)["auth"].status == "unauthenticated"
        assert self.render(request) == "unauthenticated||unauthenticated"
