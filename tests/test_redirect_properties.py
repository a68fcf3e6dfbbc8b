"""Property tests of the callbackUrl policy (django_useauth.redirects), with Hypothesis.

test_redirects_corpus.py pins a corpus of known values; these generate values, many
of them built from the pieces redirect attacks are made of, and check what
must hold for every one: resolving never fails and lands on the site, an
accepted value keeps the browser on the site, safe paths are accepted
verbatim, and spoiling an accepted value gets it refused. The runs are
derandomised, so CI sees the same examples every time.
"""

from __future__ import annotations

import string
import unicodedata
from urllib.parse import urlsplit

from django.test import RequestFactory
from django.test import SimpleTestCase
from django.test import override_settings
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from django_useauth.internal.redirects import resolve_callback_url
from django_useauth.redirects import is_allowed_callback_url

SITE = "http://testserver"
EXTRA = "http://localhost:3000"
# The hosts a browser may end up on: the site and the extra origin.
HOSTS = {"testserver", "localhost:3000"}

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, database=None)

#: The pieces of redirect attacks: slashes, backslashes and their encodings
#: and look-alikes, dot segments, authority delimiters, hosts, whitespace and
#: controls.
PIECES = [
    "/",
    "//",
    "\\",
    "%2F",
    "%2f",
    "%5C",
    "%252F",
    "\uff0f",  # full-width solidus: NFKC "/"
    "\uff3c",  # full-width reverse solidus: NFKC "\"
    "\u2100",  # account of: NFKC "a/c"
    ".",
    "..",
    "%2E",
    "@",
    ":",
    "?",
    "#",
    "evil.example",
    "testserver",
    "localhost:3000",
    "http:",
    "https:",
    "HTTP://",
    "javascript:",
    " ",
    "\t",
    "\n",
    "%0A",
    "\u202e",
    "\u3000",
    "a",
    "x",
]

SAFE_ALPHABET = string.ascii_letters + string.digits + "-._~"


def attacks() -> st.SearchStrategy[str]:
    """Values built from the pieces, often after a prefix that gets them accepted."""
    prefix = st.sampled_from(
        ["", "/", f"{SITE}/", f"{EXTRA}/", "//", "//testserver/", "/\\"]
    )
    body = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
    return st.builds(str.__add__, prefix, body)


def values() -> st.SearchStrategy[str]:
    return st.one_of(st.text(), st.text().map(lambda text: f"/{text}"), attacks())


def safe_paths() -> st.SearchStrategy[str]:
    """``/seg/seg…[?query][#fragment]`` from unreserved characters: never ``//``, always on the site."""
    segment = st.text(SAFE_ALPHABET, min_size=1, max_size=12)
    path = st.lists(segment, max_size=6).map(lambda parts: "/" + "/".join(parts))
    query = st.text(SAFE_ALPHABET + "=&", max_size=20).map(lambda text: f"?{text}")
    fragment = st.text(SAFE_ALPHABET, max_size=10).map(lambda text: f"#{text}")
    return st.builds(
        lambda *parts: "".join(parts),
        path,
        st.one_of(st.just(""), query),
        st.one_of(st.just(""), fragment),
    )


def controls() -> st.SearchStrategy[str]:
    """A Unicode ``C*`` character, raw or (for ASCII ones) percent-encoded."""
    raw = st.characters(categories=["Cc", "Cf", "Co", "Cn"])
    encoded = st.sampled_from([f"%{code:02X}" for code in [*range(32), 127]])
    return st.one_of(raw, encoded)


def remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, written out as the RFC gives it (as browsers apply it)."""
    output = ""
    while path:
        if path.startswith(("../", "./")):
            path = path[path.index("/") + 1 :]
        elif path.startswith("/./") or path == "/.":
            path = "/" + path[3:]
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:]
            output = output[: output.rfind("/")] if "/" in output else ""
        elif path in (".", ".."):
            path = ""
        else:
            end = path.find("/", 1)
            end = len(path) if end == -1 else end
            output += path[:end]
            path = path[end:]
    return output


def lands_on_site(url: str) -> bool:
    """Whether a browser sent to the absolute ``url`` stays on the site (or the extra origin)."""
    for form in (url, unicodedata.normalize("NFKC", url)):
        # Browsers read "\" as "/" in http(s) URLs.
        parts = urlsplit(form.replace("\\", "/"))
        if parts.scheme not in ("http", "https") or parts.netloc not in HOSTS:
            return False
        if remove_dot_segments(parts.path).startswith("//"):
            return False
    return True


def insert(value: str, piece: str, index: int) -> str:
    index %= len(value) + 1
    return value[:index] + piece + value[index:]


@override_settings(USEAUTH_ALLOWED_REDIRECT_ORIGINS=[EXTRA])
class RedirectPropertyTests(SimpleTestCase):
    def setUp(self):
        self.request = RequestFactory().get("/")

    @PROPERTY
    @given(value=st.one_of(values(), st.none(), st.integers(), st.lists(st.text())))
    def test_resolve_always_lands_on_the_site(self, value):
        url = resolve_callback_url(self.request, value)
        assert url.startswith((f"{SITE}/", f"{EXTRA}/")), url
        assert url == url.strip()
        assert not any(unicodedata.category(char).startswith("C") for char in url)
        assert lands_on_site(url), url

    @PROPERTY
    @given(value=values())
    def test_accepted_values_keep_the_browser_on_the_site(self, value):
        accepted = is_allowed_callback_url(self.request, value)
        url = resolve_callback_url(self.request, value)
        if accepted:
            # Emitted as given, made absolute on the site's origin.
            if value.startswith("//"):
                assert url == "http:" + value
            elif value.startswith("/"):
                assert url == SITE + value
            else:
                assert url == value
            assert lands_on_site(url), url
        else:
            assert url == f"{SITE}/"

    @PROPERTY
    @given(value=safe_paths())
    def test_safe_paths_are_accepted_verbatim(self, value):
        assert is_allowed_callback_url(self.request, value)
        assert resolve_callback_url(self.request, value) == SITE + value
        assert is_allowed_callback_url(self.request, SITE + value)
        assert resolve_callback_url(self.request, SITE + value) == SITE + value

    @PROPERTY
    @given(value=st.one_of(safe_paths(), values()), data=st.data())
    def test_spoiling_an_accepted_value_gets_it_refused(self, value, data):
        assume(is_allowed_callback_url(self.request, value))
        index = data.draw(st.integers(min_value=0))
        spoiled = [
            # A leading "//" or "/\": another host, for a browser.
            "//" + value,
            "/\\" + value,
            "/\\" + value.removeprefix("/"),
            # A control character anywhere, raw or percent-encoded.
            insert(value, data.draw(controls()), index),
            # Whitespace at either end.
            " " + value,
            value + data.draw(st.sampled_from([" ", "\t", "\n", "\u3000"])),
        ]
        for variant in spoiled:
            assert not is_allowed_callback_url(self.request, variant), variant
            assert resolve_callback_url(self.request, variant) == f"{SITE}/"

    @PROPERTY
    @given(value=st.text(SAFE_ALPHABET, min_size=2048, max_size=2100))
    def test_over_2048_characters_is_refused(self, value):
        assert is_allowed_callback_url(self.request, "/" + value[:2047])
        assert not is_allowed_callback_url(self.request, "/" + value)
        assert not is_allowed_callback_url(self.request, SITE + "/" + value)

    def test_remove_dot_segments(self):
        # The RFC's own examples (section 5.4), and the attack the policy guards.
        assert remove_dot_segments("/a/b/c/./../../g") == "/a/g"
        assert remove_dot_segments("mid/content=5/../6") == "mid/6"
        assert remove_dot_segments("/..//evil") == "//evil"
        assert remove_dot_segments("../x") == "x"
        assert remove_dot_segments("..") == ""
        assert remove_dot_segments("/a/.") == "/a/"

    def test_lands_on_site(self):
        assert lands_on_site(f"{SITE}/a")
        assert not lands_on_site("http://evil.example/")
        assert not lands_on_site("ftp://testserver/")
        assert not lands_on_site(f"{SITE}/..//evil")
        assert not lands_on_site(f"{SITE}/\\evil")
