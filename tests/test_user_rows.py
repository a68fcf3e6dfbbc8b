"""R3: a save or delete of the user row through any model class ends its cached payload.

The models are those of the test app (tests/models.py): a proxy and a
multi-table child of ``auth.User``, and a user model with a concrete parent.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import TestCase
from django.test import override_settings
from django.test.utils import isolate_apps

from tests.models import Employee
from tests.models import Member
from tests.models import Person
from tests.models import StaffUser
from tests.utils import CACHED_SESSIONS
from tests.utils import PASSWORD
from tests.utils import make_user
from tests.utils import read_session
from tests.utils import stolen_session
from tests.utils import user_cache_key


@override_settings(**CACHED_SESSIONS)
class OtherModelClassesTests(TestCase):
    def test_R3_proxy_model_save_clears_cached_payload(self):
        user = make_user()
        thief = stolen_session()
        staff = StaffUser.objects.get(pk=user.pk)
        staff.set_password("a brand new password")
        staff.is_active = False
        staff.save()
        assert read_session(thief) == {}
        # @auth_required agrees with request.user.
        assert thief.get("/protected/").status_code == 302

    def test_R3_proxy_model_delete_clears_cached_payload(self):
        user = make_user()
        thief = stolen_session()
        StaffUser.objects.get(pk=user.pk).delete()
        assert read_session(thief) == {}

    def test_R3_child_model_save_clears_cached_payload(self):
        employee = Employee.objects.create_user(
            "grace", email="grace@example.com", password=PASSWORD
        )
        thief = stolen_session("grace")
        employee.badge = "7"
        employee.is_active = False
        employee.save()
        assert read_session(thief) == {}

    def test_R3_child_model_delete_clears_cached_payload(self):
        employee = Employee.objects.create_user("grace", password=PASSWORD)
        thief = stolen_session("grace")
        employee.delete()
        assert read_session(thief) == {}

    @isolate_apps("tests")
    def test_R3_proxy_model_declared_after_startup_clears_cached_payload(self):
        class LateProxy(User):
            class Meta:
                proxy = True
                app_label = "tests"

        user = make_user()
        thief = stolen_session()
        late = LateProxy.objects.get(pk=user.pk)
        late.is_active = False
        late.save()
        assert read_session(thief) == {}


@override_settings(AUTH_USER_MODEL="tests.Member", USEAUTH_SESSION_CACHE="sessions")
class ConcreteParentTests(TestCase):
    def test_R3_concrete_parent_save_and_delete_clear_cached_payload(self):
        # AUTH_USER_MODEL inherits from a concrete model: saving or deleting
        # the parent row saves or deletes the user row.
        member = Member.objects.create(handle="ada", nickname="Ada")
        assert (str(member), str(Person.objects.get())) == ("ada", "Ada")
        caches["sessions"].set(user_cache_key(member.pk), "entry")
        Person.objects.get(pk=member.pk).save()
        assert caches["sessions"].get(user_cache_key(member.pk)) is None
        caches["sessions"].set(user_cache_key(member.pk), "entry")
        Person.objects.get(pk=member.pk).delete()
        assert caches["sessions"].get(user_cache_key(member.pk)) is None
