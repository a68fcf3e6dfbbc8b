"""Brute-force and credential-stuffing limits on sign-in with a password.

Attempts are counted in the cache ``USEAUTH_THROTTLE_CACHE`` (shared by every
app server when it is Redis, Memcached or the database cache), per account and
per client address, in windows of ``USEAUTH_THROTTLE_WINDOW`` that start with
an account's (or address's) first attempt.

**Reserve, then evaluate.** An attempt takes its place in both counts *before*
any password is hashed, with the cache's atomic ``add()`` on one of the
window's numbered places: once every place of either count is taken, the
attempt is refused (``TooManyAttempts``) whatever the password, even the right
one, until the window ends. So however requests interleave, one window never
evaluates more attempts than the limit. Each place is written once, with the
time left in its window as its timeout, so the lock ends when the window ends
on every cache Django ships (``incr()`` is a get and a set on some, which
would rewrite the timeout).

A failed attempt keeps its places. A sign-in clears the account's count and
gives the address its place back; an attempt that neither failed nor signed in
(an exception, or a successful ``authenticate()`` that was not followed by
``login()``, as an API's Basic authentication does) gives both back when the
request ends.

**The account** is the user the identifying field names (``USERNAME_FIELD``,
the email field, ``username``, or ``USEAUTH_THROTTLE_ACCOUNT_FIELDS``), found
by a case-insensitive match of the username or email address, so every
spelling and every identifier of one account shares one count. A name that
finds no single user is counted under a normalisation at least as wide as a
database's case-insensitive comparison (NFKC, upper-cased, then case-folded),
so the limit reveals nothing about which names exist. Fields that do not name
the account (a one-time code) never change its count.

**The address** is ``REMOTE_ADDR``, or the entry ``USEAUTH_TRUSTED_PROXY_COUNT``
from the right of ``X-Forwarded-For``, parsed with :mod:`ipaddress`: IPv6
addresses are counted per network of ``USEAUTH_THROTTLE_IPV6_PREFIX`` bits
(one customer's /64), an IPv4-mapped IPv6 address as its IPv4 address.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import math
import random
import re
import time
import unicodedata
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from django_useauth.conf import conf
from django_useauth.exceptions import StoreUnavailable
from django_useauth.internal import outages

if TYPE_CHECKING:
    from django.core.cache.backends.base import BaseCache
    from django.http import HttpRequest


# Longer values are cut before NFKC, which can be slow on huge input.
_MAX_KEY_INPUT = 1024
#: The attribute of a request holding the attempts it holds places for (see hold()).
HELD_ATTRIBUTE = "_useauth_attempts"
# "[2001:db8::1]:443" and "192.0.2.1:443", as some proxies write them.
_WITH_PORT = re.compile(r"^\[(?P<v6>[^\]]+)\](?::\d+)?$|^(?P<v4>[\d.]+):\d+$")


def client_ip(request: HttpRequest) -> str:
    """Return the client's address as the throttle counts it.

    That is ``REMOTE_ADDR``, or the entry ``USEAUTH_TRUSTED_PROXY_COUNT`` from
    the right of ``X-Forwarded-For``; an IPv6 address becomes its network of
    ``USEAUTH_THROTTLE_IPV6_PREFIX`` bits and an IPv4-mapped one its IPv4
    address. A value that is no IP address is returned as it is.
    """
    return _address_group(_client_address(request))


def _client_address(request: HttpRequest) -> str:
    proxies = conf.TRUSTED_PROXY_COUNT
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if proxies <= 0:
        return remote
    chain = [
        part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")
    ]
    chain = [part for part in chain if part]
    # Each trusted proxy appended the address it saw; the client's is the one
    # the outermost trusted proxy appended. Anything left of it is claimed by
    # the client and ignored.
    return chain[-proxies] if len(chain) >= proxies else remote


def _address_group(value: str) -> str:
    match = _WITH_PORT.match(value)
    if match:
        value = match["v6"] or match["v4"]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return value
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        # One customer usually gets a whole /64; counting each address of it
        # on its own would give them 2**64 budgets.
        network = ipaddress.IPv6Network(
            (int(address), conf.THROTTLE_IPV6_PREFIX), strict=False
        )
        return str(network)
    return str(address)


def account_fields() -> list[str]:
    """Return the names of the credentials that name the account, in order of preference.

    ``USEAUTH_THROTTLE_ACCOUNT_FIELDS`` first, then the user model's
    ``USERNAME_FIELD``, ``username`` (what ``authenticate()`` callers such as
    the admin pass) and the user model's email field.
    """
    user_model = get_user_model()
    names = [
        *(conf.THROTTLE_ACCOUNT_FIELDS or ()),
        user_model.USERNAME_FIELD,
        "username",
        user_model.get_email_field_name(),
    ]
    return list(dict.fromkeys(names))


def names_account(credentials: Mapping[str, Any]) -> bool:
    """Return whether ``credentials`` name an account (an identifying credential is a string)."""
    return bool(_identifiers(credentials))


def _identifiers(credentials: Mapping[str, Any]) -> list[str]:
    values = []
    for name in account_fields():
        value = credentials.get(name)
        if isinstance(value, str):
            values.append(value[:_MAX_KEY_INPUT])
    return values


def _wide(value: str) -> str:
    # At least as wide as the comparisons a lookup may make: NFKC (as
    # Django's username normalisation), and both upper-casing (PostgreSQL's
    # and MySQL's iexact compare UPPER(), which makes "ı" an "I") and
    # case-folding (which makes "ß" an "ss").
    return unicodedata.normalize("NFKC", value).upper().casefold().strip()


def _lookup_fields() -> list[str]:
    user_model = get_user_model()
    fields = []
    for name in dict.fromkeys(
        [user_model.USERNAME_FIELD, user_model.get_email_field_name()]
    ):
        try:
            field = user_model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        # A column of the user's own row (an email "field" may be a property
        # or a relation in custom user models).
        if getattr(field, "concrete", False) and not field.is_relation:
            fields.append(name)
    return fields


def _account_pk(value: str) -> object | None:
    # The one user whose username or email address the value matches
    # case-insensitively, as the widest of the usual backends would find it.
    if "\x00" in value or not value.strip():
        # PostgreSQL refuses NUL in a query, and no account is named so.
        return None
    user_model = get_user_model()
    manager = user_model._default_manager
    # As typed, and NFKC-normalised as ModelBackend's username lookup does.
    spellings = list(dict.fromkeys([value, unicodedata.normalize("NFKC", value)]))
    # Exactly, as ModelBackend finds a username: "bob" beside a "Bob" is bob.
    exact = list(
        manager.filter(**{f"{user_model.USERNAME_FIELD}__in": spellings}).values_list(
            "pk", flat=True
        )[:2]
    )
    if len(exact) == 1:
        return exact[0]
    query = Q()
    for spelling in spellings:
        for name in _lookup_fields():
            query |= Q(**{f"{name}__iexact": spelling})
    found = list(manager.filter(query).values_list("pk", flat=True)[:2])
    return found[0] if len(found) == 1 else None


def _account_key(credentials: Mapping[str, Any]) -> str | None:
    # The first identifying credential names the account: another one (an
    # email beside a username) must not move a guess to a count of its own.
    values = _identifiers(credentials)
    if not values:
        return None
    pk = _account_pk(values[0])
    if pk is not None:
        return _digest("account", f"pk:{pk}")
    return _digest("account", f"name:{_wide(values[0])}")


def _digest(kind: str, value: str) -> str:
    # Hashed: cache keys must be short and safe, and must not hold usernames.
    return f"useauth:throttle:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def _cache() -> BaseCache:
    return caches[conf.THROTTLE_CACHE]


def _quietly(function: Callable[[], object]) -> None:
    # Giving places back is a courtesy: while the cache cannot be reached
    # they stay taken until their window ends (the outage is logged once).
    try:
        outages.call(outages.cache_store(conf.THROTTLE_CACHE), function)
    except StoreUnavailable:
        pass


@dataclass(frozen=True)
class _Count:
    """One limited count: an account's or an address's, with its limit."""

    key: str
    limit: int

    def _start(self, cache: BaseCache, now: float, window: float) -> float:
        # The window starts with the first attempt: whoever add()s the start
        # first sets it, everyone else reads it.
        start_key = f"{self.key}:start"
        for _ in range(3):
            if cache.add(start_key, now, timeout=math.ceil(window)):
                return now
            start = cache.get(start_key)
            if not isinstance(start, (int, float)):
                continue  # dropped between add() and get(): start one
            if now < start + window:
                return float(start)
            # Over, but not dropped yet (a timeout in whole seconds, another
            # server's clock): the next window on the same grid, which every
            # request that read this start computes alike (deleting it
            # instead would let two requests start two windows).
            start += window * ((now - start) // window)
            cache.set(start_key, start, timeout=max(1, math.ceil(start + window - now)))
            return float(start)
        return now  # pragma: no cover - a cache that keeps dropping what it adds

    def places(self, start: float) -> list[str]:
        """Return the keys of the window's numbered places, one per attempt the limit allows."""
        return [f"{self.key}:{start!r}:{n}" for n in range(1, self.limit + 1)]

    def take(self, cache: BaseCache) -> tuple[str | None, float]:
        """Take a free place in this count's window.

        Return its key (``None`` when every place is taken) and the instant
        the window ends.
        """
        now = time.time()
        window = conf.THROTTLE_WINDOW.total_seconds()
        start = self._start(cache, now, window)
        end = start + window
        places = self.places(start)
        taken = cache.get_many(places)
        free = [place for place in places if place not in taken]
        # In random order, so that concurrent attempts rarely race for one.
        random.shuffle(free)
        timeout = max(1, math.ceil(end - now))
        for place in free:
            if cache.add(place, 1, timeout=timeout):
                return place, end
        return None, end

    def clear(self, cache: BaseCache) -> None:
        start = cache.get(f"{self.key}:start")
        keys = [f"{self.key}:start"]
        if isinstance(start, (int, float)):
            keys += self.places(float(start))
        cache.delete_many(keys)


@dataclass
class Attempt:
    """A sign-in attempt's places in the counts, or its refusal.

    ``retry_after`` is ``None`` when the attempt may be evaluated; otherwise
    it holds no place and ``retry_after`` is the seconds until the window ends.
    """

    account: _Count | None
    places: tuple[str, ...] = ()
    retry_after: int | None = None
    #: Reserved by a caller of ``authenticate()`` (the credentials provider)
    #: for its next call, which ``ThrottleBackend`` then does not count again.
    awaits_backend: bool = False

    def signed_in(self) -> None:
        """The attempt signed in: clear the account's count and give the address its place back."""
        account = self.account
        if account is not None:
            _quietly(lambda: account.clear(_cache()))
        self.release()

    def release(self) -> None:
        """The attempt did not fail (nor sign in): give its places back."""
        places = list(self.places)
        if places:
            _quietly(lambda: _cache().delete_many(places))
        self.places = ()


def _counts(request: HttpRequest, credentials: Mapping[str, Any]) -> list[_Count]:
    account = _account_key(credentials)
    counts = [_Count(_digest("ip", client_ip(request)), conf.THROTTLE_IP_FAILURES)]
    if account is not None:
        counts.insert(0, _Count(account, conf.THROTTLE_ACCOUNT_FAILURES))
    return counts


def reserve(request: HttpRequest, credentials: Mapping[str, Any]) -> Attempt:
    """Take the attempt's places in its account's and its address's counts, before anything is evaluated.

    Return an :class:`Attempt`; when either count is full it holds no place
    and its ``retry_after`` says how long to wait. With
    ``USEAUTH_THROTTLE_ENABLED = False`` every attempt is let through.
    Credentials that name no account are counted for their address only.
    """
    if not conf.THROTTLE_ENABLED:
        return Attempt(account=None)
    counts = _counts(request, credentials)
    account = counts[0] if len(counts) == 2 else None
    return _reserve(counts, account)


def reserve_email(request: HttpRequest, address: str) -> Attempt:
    """Take a sign-in e-mail's places in its address's and its client's send counts.

    The counts are ``USEAUTH_THROTTLE_EMAIL_ADDRESS_SENDS`` and
    ``USEAUTH_THROTTLE_EMAIL_IP_SENDS`` per ``USEAUTH_THROTTLE_WINDOW``, kept
    apart from the sign-in failures. Every e-mail asked for keeps its places,
    whether the address has an account or not (so the limit reveals
    nothing); release the attempt only when nothing was sent. When a count is
    full the attempt holds no place and ``retry_after`` says how long to wait.
    """
    if not conf.THROTTLE_ENABLED:
        return Attempt(account=None)
    counts = [
        _Count(_digest("email-to", _wide(address)), conf.THROTTLE_EMAIL_ADDRESS_SENDS),
        _Count(_digest("email-ip", client_ip(request)), conf.THROTTLE_EMAIL_IP_SENDS),
    ]
    return _reserve(counts, account=None)


def _reserve(counts: list[_Count], account: _Count | None) -> Attempt:
    # Fails closed: a limit that opens while its cache is down (which an
    # attacker can wait for, or cause) is no limit. StoreUnavailable is a
    # 503; USEAUTH_THROTTLE_FAIL_OPEN lets the attempt through uncounted.
    try:
        return outages.call(
            outages.cache_store(conf.THROTTLE_CACHE),
            lambda: _take_all(_cache(), counts, account),
        )
    except StoreUnavailable:
        if conf.THROTTLE_FAIL_OPEN is True:
            return Attempt(account=None)
        raise


def _take_all(
    cache: BaseCache, counts: list[_Count], account: _Count | None
) -> Attempt:
    # A place in every count, or none at all.
    places: list[str] = []
    try:
        for count in counts:
            place, end = count.take(cache)
            if place is None:
                if places:
                    cache.delete_many(places)
                return Attempt(
                    account=account,
                    retry_after=max(1, math.ceil(end - time.time())),
                )
            places.append(place)
    except BaseException:
        # The places taken so far, given back; if the cache fails here too
        # (it is down), they end with their window.
        with contextlib.suppress(Exception):
            cache.delete_many(places)
        raise
    return Attempt(account=account, places=tuple(places))


def _held(request: HttpRequest | None, *, create: bool = False) -> list[Attempt]:
    # The attempts held on the request Django handles: an API framework's
    # request wrapper (DRF's Request) hands authenticate() itself, but the
    # middleware sees the request it wraps. Read from __dict__, which costs
    # no exception on the many requests that hold nothing.
    if request is None:
        return []
    inner = request.__dict__.get("_request", request)
    held: list[Attempt] | None = inner.__dict__.get(HELD_ATTRIBUTE)
    if held is None:
        held = []
        if create:
            inner.__dict__[HELD_ATTRIBUTE] = held
    return held


def hold(request: HttpRequest, attempt: Attempt) -> None:
    """Keep ``attempt`` on ``request`` until it is settled (failed, signed in or released)."""
    _held(request, create=True).append(attempt)


def held_attempt(request: HttpRequest | None) -> Attempt | None:
    """Return the attempt ``request`` held last and has not settled, if any."""
    held = _held(request)
    return held[-1] if held else None


def _unhold(request: HttpRequest | None) -> Attempt | None:
    held = _held(request)
    return held.pop() if held else None


def settle_failed(
    sender: object, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Receiver of ``user_login_failed``: the attempt held last failed, and keeps its places."""
    _unhold(request)


def settle_signed_in(
    sender: object, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Receiver of ``user_logged_in``: the attempt held last signed in."""
    attempt = _unhold(request)
    if attempt is not None:
        attempt.signed_in()


def release_held(request: HttpRequest) -> None:
    """At the end of a request: the attempts still held neither failed nor signed in, so they give their places back."""
    held = _held(request)
    while held:
        held.pop().release()
