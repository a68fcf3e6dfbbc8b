"""R5, R6, R8, R9 over HTTP: what one account and one client address are.

Run on SQLite in ``make test`` and on PostgreSQL in CI, where a
case-insensitive lookup also matches "ı" (dotless i) to "i".
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import TestCase
from django.test import override_settings

from tests.utils import PASSWORD
from tests.utils import attempt_sign_in as attempt
from tests.utils import make_user


@override_settings(
    AUTHENTICATION_BACKENDS=[
        "django_useauth.backends.ThrottleBackend",
        "django_useauth.backends.UsernameOrEmailBackend",
    ]
)
class AccountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_user("ilse", email="ilse@example.com")

    def spellings(self) -> list[str]:
        """Every spelling of the account that this database's lookup finds."""
        candidates = [
            "ilse",
            "ilse@example.com",
            "ILSE@EXAMPLE.COM",
            "Ilse@Example.com",
            # PostgreSQL's UPPER() makes "ı" an "I": this finds the account there.
            "ılse@example.com",
        ]
        return [
            spelling
            for spelling in candidates
            if User.objects.filter(username=spelling).exists()
            or User.objects.filter(email__iexact=spelling).exists()
        ]

    def test_R5_one_count_per_account_whatever_the_spelling(self):
        spellings = self.spellings()
        assert len(spellings) >= 4
        statuses = [
            attempt(spellings[n % len(spellings)], ip=f"10.20.0.{n}") for n in range(40)
        ]
        assert statuses == [401] * 10 + [429] * 30
        for n, spelling in enumerate(spellings):
            with self.subTest(spelling=spelling):
                assert attempt(spelling, PASSWORD, ip=f"10.20.1.{n}") == 429

    def test_R5_unknown_names_reveal_nothing(self):
        # An unknown name locks like a known one: ten, then refused.
        statuses = [attempt("nobody", ip=f"10.21.0.{n}") for n in range(12)]
        assert statuses == [401] * 10 + [429] * 2
        # And its spellings share the count as a known account's do.
        assert attempt("NOBODY", ip="10.21.1.1") == 429

    @override_settings(
        USEAUTH_CREDENTIALS_FIELDS=["username", "password", "otp_code"],
        AUTHENTICATION_BACKENDS=[
            "django_useauth.backends.ThrottleBackend",
            "django.contrib.auth.backends.ModelBackend",
        ],
    )
    def test_R9_extra_field_does_not_defeat_the_account_limit(self):
        statuses = [
            attempt("ilse", otp_code=f"{n:06}", ip=f"10.22.0.{n}") for n in range(25)
        ]
        assert statuses == [401] * 10 + [429] * 15
        assert attempt("ilse", PASSWORD, otp_code="999999", ip="10.22.1.1") == 429


class AddressTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_user()

    def test_R8_one_ipv6_network_is_one_client(self):
        statuses = [
            attempt(f"r8-{n}", ip=f"2001:db8:8:8::{n + 1:x}") for n in range(55)
        ]
        assert statuses == [401] * 50 + [429] * 5
        # The whole /64 is refused; the next network is not.
        assert attempt("ada", PASSWORD, ip="2001:db8:8:8:ffff::1") == 429
        assert attempt("ada", PASSWORD, ip="2001:db8:8:9::1") == 200

    @override_settings(USEAUTH_THROTTLE_IP_FAILURES=4)
    def test_R8_ipv4_mapped_and_ipv4_are_one_client(self):
        addresses = ["192.0.2.8", "::ffff:192.0.2.8", "::FFFF:C000:0208"]
        statuses = [attempt(f"r8m-{n}", ip=addresses[n % 3]) for n in range(6)]
        assert statuses == [401] * 4 + [429] * 2

    @override_settings(
        USEAUTH_TRUSTED_PROXY_COUNT=1,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    )
    def test_R6_one_client_cannot_lock_out_others_behind_a_proxy(self):
        proxy = "10.30.0.1"

        def through_proxy(username: str, client: str, password: str = "wrong") -> int:
            return attempt(username, password, ip=proxy, forwarded=client)

        junk = [through_proxy(f"junk-{n}", "198.51.100.7") for n in range(55)]
        assert junk == [401] * 50 + [429] * 5
        # Everyone else behind the same proxy still signs in.
        assert through_proxy("ada", "203.0.113.9", PASSWORD) == 200

    def test_R6_without_the_count_the_proxy_is_everyone(self):
        # What useauth.W016 warns about: all visitors share the proxy's address.
        junk = [attempt(f"junk-{n}", ip="10.30.0.1") for n in range(50)]
        assert set(junk) == {401}
        assert attempt("ada", PASSWORD, ip="10.30.0.1") == 429
