"""Models of the test app: other classes whose rows are user rows.

Its migration creates the tables: Django's ``--run-syncdb`` cannot build models
that inherit from those of an app with migrations (``auth``).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.db import models


class StaffUser(User):
    """A proxy of the user model: its saves are sent with this sender."""

    class Meta:
        proxy = True


class Employee(User):
    """A multi-table child of the user model: one ``auth_user`` row plus one of its own."""

    badge = models.CharField(max_length=20, blank=True)


class Person(models.Model):
    """The concrete parent of :class:`Member`."""

    nickname = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return self.nickname


class Member(Person, AbstractBaseUser):
    """A user model with a concrete parent (tests swap ``AUTH_USER_MODEL`` to it)."""

    handle = models.CharField(max_length=50, unique=True)

    USERNAME_FIELD = "handle"

    def __str__(self) -> str:
        return self.handle


class EmailUser(AbstractBaseUser):
    """A user model whose email is its ``USERNAME_FIELD`` (tests swap ``AUTH_USER_MODEL`` to it)."""

    email = models.EmailField(unique=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    def __str__(self) -> str:
        return self.email
