"""An e-mail sign-in whose session store goes down half-way (issue 16): a 503, and the link or code is not spent.

The link's token and the code are claimed (their row deleted) before
``login()`` writes the session: both happen in one transaction, so a session
store that fails in ``login()`` rolls the claim back, and the same link or
code signs in once the store is back. The store is
``django_useauth.sessions.cache`` on a :class:`~tests.outage_utils.FlakyCache`
(simulated: a cache that fails and then comes back).
"""

from __future__ import annotations

from django.test import override_settings

from django_useauth.models import EmailToken
from tests.attacks.base import assert_json
from tests.email_utils import EMAIL_ON
from tests.email_utils import HOME
from tests.email_utils import EmailTestCase
from tests.email_utils import post_code
from tests.email_utils import post_token
from tests.email_utils import session_email
from tests.outage_utils import FLAKY_SESSIONS
from tests.outage_utils import RETRY_AFTER
from tests.outage_utils import cache_down
from tests.outage_utils import caches_with
from tests.outage_utils import no_cool_down
from tests.test_unavailable import ERROR_URL
from tests.utils import csrf_client


@override_settings(**EMAIL_ON, SESSION_ENGINE="django_useauth.sessions.cache")
class SessionStoreDownTests(EmailTestCase):
    """The e-mail is asked for, then the session store goes down before the link or code is used."""

    def setUp(self):
        self.enterContext(
            override_settings(CACHES=caches_with(sessions=FLAKY_SESSIONS))
        )
        # The store is asked again at once when it is back.
        self.enterContext(no_cool_down())
        super().setUp()

    def assert_not_spent(self, response):
        # login() could not write the session: the 503 of the sign-in
        # endpoints, and the row (the link and the code) still there.
        assert_json(response, 503, {"url": ERROR_URL})
        assert response["Retry-After"] == RETRY_AFTER
        assert EmailToken.objects.count() == 1

    def test_the_link_works_again_after_the_outage(self):
        sent = self.asked()
        # Another device: no session cookie, so nothing reads the store
        # before login() writes the new session.
        phone = csrf_client()
        with cache_down():
            self.assert_not_spent(post_token(phone, sent.email, sent.token))
        assert session_email(phone) is None
        assert_json(post_token(phone, sent.email, sent.token), 200, HOME)
        assert session_email(phone) == "ada@example.com"
        assert not EmailToken.objects.exists()

    def test_the_code_works_again_after_the_outage(self):
        sent = self.asked()
        phone = csrf_client()
        with cache_down():
            self.assert_not_spent(post_code(phone, sent.email, sent.code))
        # Nor was the try counted against the code.
        assert EmailToken.objects.get().code_attempts == 0
        assert_json(post_code(phone, sent.email, sent.code), 200, HOME)
        assert session_email(phone) == "ada@example.com"
        assert not EmailToken.objects.exists()
