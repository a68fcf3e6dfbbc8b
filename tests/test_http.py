"""``django_useauth.internal.http``: the never-cache headers every session-bearing response gets."""

from __future__ import annotations

from unittest import mock

from django.http import HttpResponse
from django.http import JsonResponse
from django.test import SimpleTestCase
from django.utils.cache import add_never_cache_headers
from django.utils.cache import patch_vary_headers

from django_useauth.internal.http import NEVER_CACHE
from django_useauth.internal.http import no_store


def djangos(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    patch_vary_headers(response, ("Cookie",))
    return response


class NoStoreTests(SimpleTestCase):
    def test_fresh_response_gets_djangos_headers(self):
        # The fast path writes what Django's helpers would.
        with mock.patch("time.time", return_value=1_800_000_000.25):
            ours = no_store(JsonResponse({}))
            theirs = djangos(JsonResponse({}))
        assert dict(ours.headers) == dict(theirs.headers)
        assert ours["Cache-Control"] == NEVER_CACHE
        assert ours["Expires"] == "Fri, 15 Jan 2027 08:00:00 GMT"
        assert ours["Vary"] == "Cookie"

    def test_existing_headers_are_merged_as_django_merges_them(self):
        existing = {
            "Cache-Control": "public, max-age=600",
            "Vary": "Accept-Language",
            "Expires": "Thu, 01 Jan 2037 00:00:00 GMT",
        }
        for names in (["Cache-Control"], ["Vary"], ["Expires"], list(existing)):
            with self.subTest(names=names):
                ours, theirs = HttpResponse(), HttpResponse()
                for name in names:
                    ours[name] = theirs[name] = existing[name]
                with mock.patch("time.time", return_value=1_800_000_000.25):
                    assert dict(no_store(ours).headers) == dict(djangos(theirs).headers)
                assert "no-store" in ours["Cache-Control"]
                assert "public" not in ours["Cache-Control"]
                assert ours["Vary"].endswith("Cookie")
