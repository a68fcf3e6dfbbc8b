"""The form of token mode's ``POST register`` (nuxt-auth's ``signUp``), when ``USEAUTH_TOKEN_REGISTER`` is on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth import password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError

__all__ = ["RegistrationForm"]


def _fields() -> list[str]:
    # The user model's username field, and its e-mail field when it has one
    # of its own.
    model = get_user_model()
    fields = [model.USERNAME_FIELD]
    email = model.get_email_field_name()
    try:
        model._meta.get_field(email)
    except FieldDoesNotExist:
        return fields
    if email not in fields:
        fields.append(email)
    return fields


class RegistrationForm(forms.ModelForm):  # type: ignore[type-arg]
    """Create a user from ``{<username field>, <email field>, "password"}``, with Django's password validators.

    A ``ModelForm`` of ``AUTH_USER_MODEL``: the model's own validation (unique
    username, field lengths) applies. Subclass it and point
    ``USEAUTH_TOKEN_REGISTER_FORM`` at yours to ask for more.
    """

    password = forms.CharField(strip=False)

    class Meta:
        model = get_user_model()
        fields = _fields()

    def clean(self) -> dict[str, Any]:
        """Refuse a username that differs from a taken one only in case, as Django's ``UserCreationForm`` does."""
        cleaned: dict[str, Any] = super().clean() or {}
        model = self._meta.model
        field = model.USERNAME_FIELD
        username = cleaned.get(field)
        if (
            isinstance(username, str)
            and model._default_manager.filter(**{f"{field}__iexact": username}).exists()
        ):
            self.add_error(
                field,
                ValidationError(
                    self.instance.unique_error_message(model, [field]),
                    code="unique",
                ),
            )
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # ModelForm has it; the stubs do not
        # As Django's UserCreationForm: the validators see the user as it
        # will be saved (UserAttributeSimilarityValidator compares with it).
        password = self.cleaned_data.get("password")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except ValidationError as error:
                self.add_error("password", error)

    def save(self, commit: bool = True) -> Any:
        """Save the new user with the hashed password."""
        user: AbstractBaseUser = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
            self.save_m2m()
        return user
