"""The callbackUrl corpus: values and the verdict of the written redirect policy.

Every ``allowed`` flag is derived from SECURITY-REPORT.md section 3, rules 1-5,
not from running the code:

1. a non-empty ``str`` of at most 2048 characters;
2. the raw value, its percent-decoded form and the NFKC form of each contain no
   Unicode ``C*`` character and no leading or trailing whitespace;
3. every form starts with ``/`` or ``http://``/``https://`` (any case);
4. Django's ``url_has_allowed_host_and_scheme(form, {host}, require_https=secure)``
   holds for every form, and a ``//`` with an empty authority is refused;
5. once resolved against ``http(s)://<host>/``, the URL stays on ``<host>`` and
   its path does not start with ``//``. Rule 5 reads the URL as a browser
   does, with ``\\`` as ``/`` (as Django's own check in rule 4 does).

Only one decoding is applied, so a double-encoded ``%252F`` stays a literal
``%2F`` in a path on the site and is allowed. ``evil.example`` stands in for
any foreign host, ``testserver`` is the Django test client's host.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CORPUS",
    "DJANGO_BAD_URLS",
    "DJANGO_GOOD_URLS",
    "SOCIAL_CORE_BAD_URLS",
    "SOCIAL_CORE_GOOD_URLS",
    "RedirectCase",
]


@dataclass(frozen=True)
class RedirectCase:
    """One callbackUrl, the request it arrives on, and the policy's verdict."""

    value: str
    allowed: bool
    category: str
    note: str
    secure: bool = False
    host: str = "testserver"


def ok(
    value: str,
    category: str,
    note: str,
    *,
    secure: bool = False,
    host: str = "testserver",
) -> RedirectCase:
    return RedirectCase(value, True, category, note, secure, host)


def no(
    value: str,
    category: str,
    note: str,
    *,
    secure: bool = False,
    host: str = "testserver",
) -> RedirectCase:
    return RedirectCase(value, False, category, note, secure, host)


#: Django 5.2 ``URLHasAllowedHostAndSchemeTests.test_bad_urls`` (31 inputs, 28
#: distinct), with ``example.com`` written as ``evil.example``.
DJANGO_BAD_URLS: tuple[str, ...] = (
    "http://evil.example",
    "http:///evil.example",
    "https://evil.example",
    "ftp://evil.example",
    r"\\evil.example",
    r"\\\evil.example",
    r"/\\/evil.example",
    r"\\\evil.example",
    r"\\evil.example",
    r"\\//evil.example",
    r"/\/evil.example",
    r"\/evil.example",
    r"/\evil.example",
    "http:///evil.example",
    r"http:/\//evil.example",
    r"http:\/evil.example",
    r"http:/\evil.example",
    'javascript:alert("XSS")',
    "\njavascript:alert(x)",
    "java\nscript:alert(x)",
    "\x08//evil.example",
    r"http://otherserver\@evil.example",
    r"http:\\testserver\@evil.example",
    r"http://testserver\me:pass@evil.example",
    r"http://testserver\@evil.example",
    r"http:\\testserver\confirm\me@evil.example",
    "http:999999999",
    "ftp:9999999999",
    "\n",
    "http://[2001:cdba:0000:0000:0000:0000:3257:9652/",
    "http://2001:cdba:0000:0000:0000:0000:3257:9652]/",
)

#: Django 5.2 ``test_good_urls``, with ``example.com`` written as ``evil.example``.
#: The two without a leading ``/`` are refused by rule 3 (``policy-divergence``).
DJANGO_GOOD_URLS: tuple[str, ...] = (
    "/view/?param=http://evil.example",
    "/view/?param=https://evil.example",
    "/view?param=ftp://evil.example",
    "view/?param=//evil.example",
    "https://testserver/",
    "HTTPS://testserver/",
    "//testserver/",
    "http://testserver/confirm?email=me@evil.example",
    "/url%20with%20spaces/",
    "path/http:2222222222",
)

#: social-core 5.1 ``SanitizeRedirectTest`` strings, with ``myapp.com`` written
#: as ``testserver`` and ``evil.com``/``notmyapp.com`` as ``evil.example``.
SOCIAL_CORE_BAD_URLS: tuple[str, ...] = (
    "http://evil.example/path/",
    "///evil.example",
    "/\\evil.example",
    "/path/\n",
    "https:///evil.example/path",
    "http:////evil.example/path",
    "http:///evil.example",
    "http:evil.example/path",
    "http:/evil.example/path",
    "https:///testserver/path",
    "javascript://testserver/%0Aalert(1)",
    "vbscript://testserver/msgbox(1)",
    "ftp://testserver/path",
    "custom-scheme://testserver/path",
    "https://evil.c\u2100.testserver",
)

SOCIAL_CORE_GOOD_URLS: tuple[str, ...] = ("/path/", "http://testserver/path/")

_DJANGO_BAD = "Django test_bad_urls"
_SOCIAL_BAD = "social-core SanitizeRedirectTest"

CORPUS: tuple[RedirectCase, ...] = (
    # relative: paths on the site, with queries, fragments and odd but harmless bytes.
    ok("/", "relative", "the site root"),
    ok("/dashboard", "relative", "a plain path"),
    ok("/path/", "relative", "social-core valid relative redirect"),
    ok(
        "/dashboard/?tab=settings&x=1#section",
        "relative",
        "query and fragment are kept",
    ),
    ok(
        "/url%20with%20spaces/",
        "relative",
        "Django test_good_urls: inner spaces once decoded",
    ),
    ok(
        "/view/?param=http://evil.example",
        "relative",
        "Django test_good_urls: foreign URL only in the query",
    ),
    ok(
        "/view/?param=https://evil.example",
        "relative",
        "Django test_good_urls: foreign URL only in the query",
    ),
    ok(
        "/view?param=ftp://evil.example",
        "relative",
        "Django test_good_urls: foreign URL only in the query",
    ),
    ok(
        "/search?q=%2F%2Fevil.example",
        "relative",
        "encoded slashes in the query; the path is /search",
    ),
    ok("/?next=//evil.example", "relative", "scheme-relative URL only in the query"),
    ok("/#//evil.example", "relative", "scheme-relative URL only in the fragment"),
    ok("/@evil.example", "relative", "an @ in the path is not userinfo"),
    ok(
        "/http://evil.example",
        "relative",
        "an absolute URL as path segments stays on the site",
    ),
    ok("/café/", "relative", "non-ASCII path (the Location header percent-encodes it)"),
    ok("/caf%C3%A9/", "relative", "percent-encoded UTF-8 path"),
    ok("/%E9", "relative", "invalid UTF-8 decodes to U+FFFD (So), not a C* character"),
    ok("/a//b", "relative", "a doubled slash inside the path is not a leading //"),
    ok("/a%2Fb", "relative", "an encoded slash inside the path decodes to /a/b"),
    ok("/x;param=1", "relative", "path parameters"),
    ok("/account", "relative", "relative value on an https request", secure=True),
    ok(
        "/x",
        "relative",
        "relative value on the API host with a port",
        host="localhost:8000",
    ),
    # same-host-absolute: absolute URLs on the request's own host.
    ok("http://testserver/", "same-host-absolute", "the site root, absolute"),
    ok(
        "http://testserver/path/",
        "same-host-absolute",
        "social-core valid absolute redirect",
    ),
    ok(
        "http://testserver/confirm?email=me@evil.example",
        "same-host-absolute",
        "Django test_good_urls: @ only in the query",
    ),
    ok("http://testserver/x?y=1#z", "same-host-absolute", "query and fragment"),
    ok("http://testserver", "same-host-absolute", "no path at all"),
    ok(
        "http://testserver?x=1", "same-host-absolute", "a query straight after the host"
    ),
    ok(
        "https://testserver/",
        "same-host-absolute",
        "Django test_good_urls; NextAuth refuses this upgrade, Django allows it",
    ),
    ok(
        "https://testserver/account?tab=1",
        "same-host-absolute",
        "https target from an http request (upgrade) is allowed",
    ),
    ok(
        "https://testserver/account",
        "same-host-absolute",
        "https target on an https request",
        secure=True,
    ),
    ok(
        "http://localhost:8000/x",
        "same-host-absolute",
        "the API's own origin, port included",
        host="localhost:8000",
    ),
    ok(
        "https://localhost:8000/x",
        "same-host-absolute",
        "upgrade to https on the same host and port",
        host="localhost:8000",
    ),
    ok(
        "http://localhost/x",
        "same-host-absolute",
        "host without a port on a request without one",
        host="localhost",
    ),
    # scheme-relative
    ok(
        "//testserver/",
        "scheme-relative",
        "Django test_good_urls; emitted as http://testserver/ (NextAuth would concatenate)",
    ),
    ok(
        "//testserver/x?y=1",
        "scheme-relative",
        "same host, scheme taken from the request",
    ),
    ok(
        "//localhost:8000/x",
        "scheme-relative",
        "same host and port",
        host="localhost:8000",
    ),
    ok("//localhost/", "scheme-relative", "same host", host="localhost"),
    no("//evil.example", "scheme-relative", "browser goes to evil.example"),
    no("//evil.example/", "scheme-relative", "browser goes to evil.example"),
    no(
        "//evil.example/protected/",
        "scheme-relative",
        "ATTACKS I4 path shape used as a callbackUrl",
    ),
    no("//evil.example/path?x=1", "scheme-relative", "browser goes to evil.example"),
    no(
        "///evil.example",
        "scheme-relative",
        "social-core: three slashes are absolute for browsers",
    ),
    no("////evil.example", "scheme-relative", "four slashes are absolute for browsers"),
    no(
        "//testserver.evil.example/",
        "scheme-relative",
        "a subdomain of the attacker's host",
    ),
    no(
        "//evil.example",
        "scheme-relative",
        "browser goes to evil.example over https",
        secure=True,
    ),
    no(
        "//localhost:3000/x",
        "scheme-relative",
        "front-end port is another origin",
        host="localhost:8000",
    ),
    # other-host
    no("http://evil.example", "other-host", _DJANGO_BAD),
    no("https://evil.example", "other-host", _DJANGO_BAD),
    no("http://evil.example/path/", "other-host", f"{_SOCIAL_BAD} (wrong host)"),
    no(
        "http://testserver.evil.example/",
        "other-host",
        "a host that merely starts with testserver",
    ),
    no("http://evil.example/?testserver", "other-host", "testserver only in the query"),
    no("http://testserver2/", "other-host", "another host, even a similar one"),
    no("http://127.0.0.1/", "other-host", "an IP address is another host string"),
    no(
        "http://testserver./",
        "other-host",
        "trailing-dot FQDN is not the exact host (defence in depth)",
    ),
    no(
        "https://evil.example/",
        "other-host",
        "foreign host on an https request",
        secure=True,
    ),
    no(
        "http://127.0.0.1:8000/x",
        "other-host",
        "same machine, different host string",
        host="localhost:8000",
    ),
    # ipv6: malformed or foreign bracketed hosts; urlsplit raises ValueError on some.
    no(
        "http://[2001:cdba:0000:0000:0000:0000:3257:9652/",
        "ipv6",
        f"{_DJANGO_BAD}: malformed IPv6",
    ),
    no(
        "http://2001:cdba:0000:0000:0000:0000:3257:9652]/",
        "ipv6",
        f"{_DJANGO_BAD}: malformed IPv6",
    ),
    no(
        "http://[testserver]/",
        "ipv6",
        "brackets around a name: urlsplit raises ValueError",
    ),
    no("http://[::1]/", "ipv6", "a valid IPv6 literal is another host"),
    no(
        "http://evil.example%5B/",
        "ipv6",
        "decoded form has an unbalanced [ (urlsplit raises)",
    ),
    no(
        "//testserver%5B/", "ipv6", "decoded form has an unbalanced [ (urlsplit raises)"
    ),
    # backslash: browsers read \ as / in http(s) URLs.
    no(r"\\evil.example", "backslash", _DJANGO_BAD),
    no(r"\\\evil.example", "backslash", _DJANGO_BAD),
    no(r"/\\/evil.example", "backslash", _DJANGO_BAD),
    no(r"\\//evil.example", "backslash", _DJANGO_BAD),
    no(r"/\/evil.example", "backslash", _DJANGO_BAD),
    no(r"\/evil.example", "backslash", _DJANGO_BAD),
    no(r"/\evil.example", "backslash", f"{_DJANGO_BAD}; {_SOCIAL_BAD}"),
    no(r"http:/\//evil.example", "backslash", _DJANGO_BAD),
    no(r"http:\/evil.example", "backslash", _DJANGO_BAD),
    no(r"http:/\evil.example", "backslash", _DJANGO_BAD),
    no(r"http://otherserver\@evil.example", "backslash", _DJANGO_BAD),
    no(r"http:\\testserver\@evil.example", "backslash", _DJANGO_BAD),
    no(r"http://testserver\me:pass@evil.example", "backslash", _DJANGO_BAD),
    no(
        r"http://testserver\@evil.example",
        "backslash",
        f"{_DJANGO_BAD} (CVE-2016-2512 shape)",
    ),
    no(r"http:\\testserver\confirm\me@evil.example", "backslash", _DJANGO_BAD),
    no(
        "/\\",
        "backslash",
        "read as // with an empty authority (rule 4) / path // (rule 5)",
    ),
    no(
        "/\\testserver/x",
        "backslash",
        "emitted URL's path is //testserver/x for a browser (rule 5)",
    ),
    no(
        "/x\\..\\\\evil.example",
        "backslash",
        "browser resolves /x/..//evil.example to path //evil.example (rule 5)",
    ),
    ok("/x\\y", "backslash", "an inner backslash reads as /x/y, still on the site"),
    # encoded-slash: one decoding turns these into // or \ shapes.
    no(
        "/%2F%2Fevil.example",
        "encoded-slash",
        "decodes to ///evil.example (double-decoding servers)",
    ),
    no("/%2f%2fevil.example", "encoded-slash", "lower-case escapes decode the same"),
    no("/%2F/evil.example", "encoded-slash", "decodes to ///evil.example"),
    no("/%2Fevil.example", "encoded-slash", "decodes to //evil.example"),
    no(
        "%2F%2Fevil.example", "encoded-slash", "raw form does not start with / (rule 3)"
    ),
    no("/%5Cevil.example", "encoded-slash", "decodes to /\\evil.example"),
    no("/%5C%5Cevil.example", "encoded-slash", "decodes to /\\\\evil.example"),
    no("/%5C", "encoded-slash", "decodes to /\\, read as //"),
    no(
        "/%5Ctestserver/x",
        "encoded-slash",
        "decodes to /\\testserver/x, path //testserver/x for a browser",
    ),
    no(
        "http://testserver/%2F%2Fevil.example",
        "encoded-slash",
        "decoded path is ///evil.example (rule 5)",
    ),
    no(
        "/%EF%BC%8Fevil.example",
        "encoded-slash",
        "decodes to /／evil.example, NFKC //evil.example",
    ),
    # double-encoding: only one decoding is applied, so these stay literal paths.
    ok(
        "/%252F%252Fevil.example",
        "double-encoding",
        "decodes once to /%2F%2Fevil.example, a path on the site",
    ),
    ok(
        "/%255Cevil.example",
        "double-encoding",
        "decodes once to /%5Cevil.example, a path on the site",
    ),
    ok(
        "http://testserver/%252F%252Fevil.example",
        "double-encoding",
        "decodes once to a literal %2F path",
    ),
    no(
        "%252F%252Fevil.example",
        "double-encoding",
        "raw form does not start with / (rule 3)",
    ),
    # dot-segments: RFC 3986 resolution must not leave a path starting with //.
    ok("/a/../b", "dot-segments", "resolves to /b"),
    ok("/./x", "dot-segments", "resolves to /x"),
    ok("/../x", "dot-segments", "dot-dot above the root resolves to /x"),
    ok("/%2e%2e/x", "dot-segments", "decodes to /../x, resolves to /x"),
    no("/.//evil.example", "dot-segments", "resolves to //evil.example"),
    no("/..//evil.example", "dot-segments", "resolves to //evil.example"),
    no("/a/..//evil.example", "dot-segments", "resolves to //evil.example"),
    no("/a/b/../../..//evil.example", "dot-segments", "resolves to //evil.example"),
    no("/././/evil.example", "dot-segments", "resolves to //evil.example"),
    no("/%2e//evil.example", "dot-segments", "decodes to /.//evil.example"),
    no("/%2E%2E//evil.example", "dot-segments", "decodes to /..//evil.example"),
    no("/.%2F/evil.example", "dot-segments", "decodes to /.//evil.example"),
    no(
        "http://testserver/.//evil.example",
        "dot-segments",
        "absolute URL whose path resolves to //evil.example",
    ),
    no("/.//evil.example", "dot-segments", "resolves to //evil.example", secure=True),
    no(
        "https://testserver/..//evil.example",
        "dot-segments",
        "resolves to //evil.example",
        secure=True,
    ),
    no(
        "http://testserver//evil.example",
        "dot-segments",
        "no dots needed: the path already starts with //",
    ),
    # userinfo
    no(
        "http://testserver@evil.example/",
        "userinfo",
        "testserver is the user name, evil.example the host",
    ),
    no(
        "https://testserver@evil.example/",
        "userinfo",
        "testserver is the user name, evil.example the host",
    ),
    no("//testserver@evil.example/", "userinfo", "scheme-relative with userinfo"),
    no(
        "http://testserver:80@evil.example/",
        "userinfo",
        "user:password that looks like host:port",
    ),
    no("http://testserver%40evil.example/", "userinfo", "decoded form has userinfo"),
    no("http://testserver%2F@evil.example/", "userinfo", "encoded slash before the @"),
    no("http://testserver&@evil.example/", "userinfo", "sub-delimiter before the @"),
    no(
        "http://evil.example\\@testserver/",
        "userinfo",
        "browser reads \\ as /: the host is evil.example",
    ),
    no(
        "http://user:pass@testserver/",
        "userinfo",
        "credentials in the URL: netloc is not the host (defence in depth)",
    ),
    no(
        "http://evil.example@testserver/",
        "userinfo",
        "netloc is not exactly the host (defence in depth)",
    ),
    ok(
        "http://testserver#@evil.example",
        "userinfo",
        "@evil.example is only the fragment",
    ),
    ok(
        "http://testserver?@evil.example/",
        "userinfo",
        "@evil.example/ is only the query",
    ),
    ok("/x@evil.example", "userinfo", "an @ in a relative path"),
    # other-scheme: only / and http(s):// (rule 3).
    no('javascript:alert("XSS")', "other-scheme", _DJANGO_BAD),
    no("\njavascript:alert(x)", "other-scheme", _DJANGO_BAD),
    no("java\nscript:alert(x)", "other-scheme", _DJANGO_BAD),
    no("JaVaScRiPt:alert(1)", "other-scheme", "scheme case does not matter"),
    no("javascript://testserver/%0Aalert(1)", "other-scheme", _SOCIAL_BAD),
    no("vbscript://testserver/msgbox(1)", "other-scheme", _SOCIAL_BAD),
    no("ftp://testserver/path", "other-scheme", _SOCIAL_BAD),
    no("custom-scheme://testserver/path", "other-scheme", _SOCIAL_BAD),
    no("ftp://evil.example", "other-scheme", _DJANGO_BAD),
    no("http:999999999", "other-scheme", f"{_DJANGO_BAD}: not http://"),
    no("ftp:9999999999", "other-scheme", _DJANGO_BAD),
    no("data:text/html,<script>alert(1)</script>", "other-scheme", "data: URL (XSS)"),
    no(
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "other-scheme",
        "base64 data: URL",
    ),
    no("file:///etc/passwd", "other-scheme", "file: URL"),
    no("mailto:admin@testserver", "other-scheme", "mailto: URL"),
    no("ws://testserver/socket", "other-scheme", "websocket scheme on the same host"),
    no("blob:http://testserver/uuid", "other-scheme", "blob: wrapping a same-host URL"),
    # empty-authority: a scheme or // without a host.
    no("//", "empty-authority", "// with an empty authority (Django alone allows it)"),
    no("///", "empty-authority", "three slashes, no host"),
    no("//?next=/", "empty-authority", "// with an empty authority and a query"),
    no("http://", "empty-authority", "scheme without host"),
    no("https://", "empty-authority", "scheme without host"),
    no("http:///evil.example", "empty-authority", f"{_DJANGO_BAD}; {_SOCIAL_BAD}"),
    no("https:///evil.example/path", "empty-authority", _SOCIAL_BAD),
    no("http:////evil.example/path", "empty-authority", _SOCIAL_BAD),
    no("https:///testserver/path", "empty-authority", _SOCIAL_BAD),
    no(
        "http:/evil.example/path",
        "empty-authority",
        f"{_SOCIAL_BAD}: not http:// (rule 3)",
    ),
    no(
        "http:evil.example/path",
        "empty-authority",
        f"{_SOCIAL_BAD}: not http:// (rule 3)",
    ),
    no("/%2F", "empty-authority", "decodes to //"),
    # whitespace
    no("\n", "whitespace", f"{_DJANGO_BAD}: a bare newline"),
    no(" ", "whitespace", "whitespace only"),
    no(" /dashboard", "whitespace", "leading space"),
    no("/dashboard ", "whitespace", "trailing space"),
    no(
        " //evil.example",
        "whitespace",
        "browsers strip the leading space and go to evil.example",
    ),
    no("\u00a0/dashboard", "whitespace", "leading no-break space"),
    no("/dashboard\u3000", "whitespace", "trailing ideographic space"),
    no("/dashboard%20", "whitespace", "decoded form ends with a space"),
    no("%20//evil.example", "whitespace", "raw form does not start with / (rule 3)"),
    ok(
        "/x\u2028y",
        "whitespace",
        "U+2028 is Zl (not C*) and not at either end: allowed by rule 2",
    ),
    # control-char: any Unicode C* character in any form.
    no("\x08//evil.example", "control-char", _DJANGO_BAD),
    no("/path/\n", "control-char", _SOCIAL_BAD),
    no("\t//evil.example", "control-char", "leading TAB; browsers drop it"),
    no("\x00//evil.example", "control-char", "leading NUL"),
    no("/x\x00", "control-char", "NUL"),
    no("/x\x7f", "control-char", "DEL"),
    no("/x\x1b[31m", "control-char", "ESC (terminal escape in logs)"),
    no("/x\u200b", "control-char", "zero-width space (Cf)"),
    no("/\u202eelpmaxe.live", "control-char", "right-to-left override (Cf)"),
    no("/x\u00ad", "control-char", "soft hyphen (Cf)"),
    no("/x\ue000", "control-char", "private use (Co)"),
    no("/x\u0378", "control-char", "unassigned (Cn)"),
    no("/x%00", "control-char", "decoded NUL"),
    no("/x%7F", "control-char", "decoded DEL"),
    no("/x%C2%85", "control-char", "decoded NEL U+0085 (Cc)"),
    no("/x%E2%80%8B", "control-char", "decoded zero-width space"),
    no("/search?q=a%0Ab", "control-char", "rule 2 covers the query too"),
    # crlf: header injection shapes.
    no(
        "/path\r\nSet-Cookie: sessionid=evil",
        "crlf",
        "raw CR LF (urlsplit drops them, Django alone allows it)",
    ),
    no("/path%0d%0aSet-Cookie:%20sessionid=evil", "crlf", "encoded CR LF"),
    no(
        "/path%0D%0ALocation:%20http://evil.example",
        "crlf",
        "encoded CR LF with a second Location",
    ),
    no("\r\n//evil.example", "crlf", "leading CR LF"),
    no("http://testserver/%0d%0a", "crlf", "encoded CR LF in an absolute URL"),
    no("/x\r", "crlf", "a lone CR"),
    # unicode-lookalike: NFKC and confusables.
    no(
        "/\u2025//evil.example",
        "unicode-lookalike",
        "two-dot leader: NFKC /..//evil.example",
    ),
    no(
        "/\ufe68evil.example",
        "unicode-lookalike",
        "small reverse solidus: NFKC /\\evil.example",
    ),
    no(
        "https://evil.c\u2100.testserver",
        "unicode-lookalike",
        f"{_SOCIAL_BAD}: U+2100 NFKC a/c",
    ),
    no("http://testserv\u0435r/", "unicode-lookalike", "Cyrillic e in the host"),
    no(
        "http://testserver\u3002evil.example/",
        "unicode-lookalike",
        "ideographic full stop in the host",
    ),
    ok(
        "/\u2044evil.example",
        "unicode-lookalike",
        "fraction slash: no NFKC mapping, not a slash to browsers",
    ),
    ok(
        "/\u2215evil.example",
        "unicode-lookalike",
        "division slash: no NFKC mapping, not a slash to browsers",
    ),
    # fullwidth
    no(
        "／／evil.example",
        "fullwidth",
        "raw form does not start with / (rule 3); NFKC //evil.example",
    ),
    no("/／evil.example", "fullwidth", "NFKC //evil.example"),
    no("/＼evil.example", "fullwidth", "NFKC /\\evil.example"),
    no(
        "/\uff0e\uff0e//evil.example",
        "fullwidth",
        "fullwidth dots: NFKC /..//evil.example",
    ),
    no(
        "http://ｔｅｓｔｓｅｒｖｅｒ/",
        "fullwidth",
        "fullwidth host is not the exact host (defence in depth)",
    ),
    no(
        "ｈｔｔｐ://testserver/",
        "fullwidth",
        "raw form does not start with http:// (rule 3)",
    ),
    no("https:／／evil.example", "fullwidth", "fullwidth slashes after the scheme"),
    ok("/ｘ", "fullwidth", "fullwidth letter in a path: NFKC /x"),
    # overlong: at most 2048 characters, in every form.
    ok("/" + "a" * 2047, "overlong", "exactly 2048 characters"),
    no("/" + "a" * 2048, "overlong", "2049 characters"),
    ok(
        "http://testserver/" + "a" * 2030,
        "overlong",
        "absolute URL of exactly 2048 characters",
    ),
    no(
        "http://testserver/" + "a" * 2031, "overlong", "absolute URL of 2049 characters"
    ),
    no(
        "/" + "a" * 2046 + "\ufdfa",
        "overlong",
        "2048 characters whose NFKC form has 2065",
    ),
    no(
        "/" + "%61" * 683,
        "overlong",
        "2050 raw characters, even though it decodes shorter",
    ),
    # port
    no(
        "http://testserver:80/",
        "port",
        "explicit default port is not the exact host (defence in depth)",
    ),
    no("http://testserver:8000/", "port", "another port is another origin"),
    no("http://testserver:/", "port", "empty port"),
    no("http://testserver:99999/", "port", "invalid port"),
    no("//testserver:80/", "port", "scheme-relative with an explicit port"),
    no("//evil.example:80/", "port", "foreign host with a port"),
    no("https://testserver:443/", "port", "explicit default https port", secure=True),
    no(
        "http://localhost:3000/x",
        "port",
        "the front end's origin is not allowed by default (I5)",
        host="localhost:8000",
    ),
    no(
        "http://localhost/x",
        "port",
        "same host name, different port",
        host="localhost:8000",
    ),
    no("http://localhost:80/x", "port", "explicit default port", host="localhost"),
    # case
    ok(
        "HTTPS://testserver/",
        "case",
        "Django test_good_urls: scheme case does not matter",
    ),
    ok("HtTp://testserver/x", "case", "scheme case does not matter"),
    ok(
        "HTTPS://testserver/account",
        "case",
        "upper-case https on an https request",
        secure=True,
    ),
    no(
        "http://TESTSERVER/",
        "case",
        "Django compares the host exactly (defence in depth)",
    ),
    no(
        "http://TestServer/x",
        "case",
        "Django compares the host exactly (defence in depth)",
    ),
    no("//TESTSERVER/", "case", "scheme-relative, host case differs"),
    no("http://LOCALHOST:8000/x", "case", "host case differs", host="localhost:8000"),
    # https-downgrade: an https request never redirects to http.
    no(
        "http://testserver/",
        "https-downgrade",
        "http target from an https request",
        secure=True,
    ),
    no(
        "http://testserver/account",
        "https-downgrade",
        "http target from an https request",
        secure=True,
    ),
    no(
        "HTTP://testserver/account",
        "https-downgrade",
        "http target, upper case",
        secure=True,
    ),
    no(
        "//testserver/account",
        "https-downgrade",
        "Django counts scheme-relative as http under require_https",
        secure=True,
    ),
    no(
        "http://testserver:443/",
        "https-downgrade",
        "http on the https port",
        secure=True,
    ),
    # policy-divergence: stay on the site, but NextAuth's policy takes only /... (rule 3).
    no(
        "view/?param=//evil.example",
        "policy-divergence",
        "Django test_good_urls; no leading /",
    ),
    no(
        "path/http:2222222222",
        "policy-divergence",
        "Django test_good_urls; no leading /",
    ),
    no("dashboard", "policy-divergence", "bare relative path"),
    no("./dashboard", "policy-divergence", "dot-relative path"),
    no("../dashboard", "policy-divergence", "parent-relative path"),
    no("?next=/dashboard", "policy-divergence", "query-only reference"),
    no("#section", "policy-divergence", "fragment-only reference"),
    no(".", "policy-divergence", "the current directory"),
    # empty
    no("", "empty", "rule 1: an empty string"),
)
