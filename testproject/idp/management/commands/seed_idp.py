"""``manage.py seed_idp``: set up the demo IdP's signing key, users and client.

Run with ``--settings=testproject.idp.settings`` after ``migrate``. Safe to run
again: each run brings the key file, the users and the application to the
state its options describe, and reports what it changed.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser
from django.db import transaction
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.validators import AllowedURIValidator

DEFAULT_CLIENT_ID = "useauth-demo"
DEFAULT_CLIENT_SECRET = "useauth-demo-secret"
DEFAULT_NAME = "django-useauth demo"
DEFAULT_USER = "idp-demo:useauth-idp:idp-demo@example.com:Ida Provider"
# The demo site's callback on its default port, for an application created
# without --redirect-uri; `make run` always passes its own.
DEFAULT_REDIRECT_URIS = (
    "http://127.0.0.1:8000/api/auth/callback/demo-idp",
    "http://localhost:8000/api/auth/callback/demo-idp",
)
RSA_KEY_SIZE = 2048


@dataclass(frozen=True)
class UserSpec:
    """One ``--user USERNAME:PASSWORD:EMAIL:First Last`` option."""

    username: str
    password: str
    email: str
    first_name: str
    last_name: str

    def profile(self) -> dict[str, Any]:
        """Return the model fields (other than the password) the user must have."""
        return {
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "is_active": True,
        }


def parse_user(value: str) -> UserSpec:
    """Parse ``USERNAME:PASSWORD:EMAIL:First Last``; raise ``ArgumentTypeError`` if malformed.

    The email and the name may be empty, and the name may be left out. The
    first word of the name is the given name and the rest the family name. The
    username and the password cannot contain ``:``.
    """
    parts = value.split(":", 3)
    if len(parts) < 3 or not parts[0] or not parts[1]:
        raise argparse.ArgumentTypeError(
            f"{value!r} should be USERNAME:PASSWORD:EMAIL:First Last "
            "(a username and a password are required; the email and name may be empty)."
        )
    username, password, email, *name = parts
    first_name, _, last_name = "".join(name).strip().partition(" ")
    return UserSpec(username, password, email, first_name, last_name.strip())


def ensure_signing_key(path: Path) -> bool:
    """Write a new RSA-2048 private key in PEM to ``path`` (mode 0600) unless a file is there.

    Return whether a key was written. Raise ``CommandError`` if the existing
    file is not an RSA private key in PEM.
    """
    if path.exists():
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as exc:
            raise CommandError(
                f"{path} is not a readable, unencrypted PEM private key ({exc}). "
                "Delete it and run seed_idp again to generate a new one."
            ) from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise CommandError(
                f"{path} holds a {type(key).__name__}, but the IdP signs ID tokens "
                "with RS256 and needs an RSA key. Delete it and run seed_idp again."
            )
        return False
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_SIZE)
    pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: never overwrite a key that appeared since the check above; the
    # mode is set at creation, so the key is never readable by others.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
    return True


class Command(BaseCommand):
    """Create or update the demo IdP's signing key, users and OpenID Connect client."""

    help = (
        "Create the IdP's RSA signing key if missing, create or update its users "
        "and one confidential authorization-code RS256 application. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--client-id",
            default=DEFAULT_CLIENT_ID,
            help=f"The application's client_id (default {DEFAULT_CLIENT_ID!r}).",
        )
        parser.add_argument(
            "--client-secret",
            default=DEFAULT_CLIENT_SECRET,
            help=(
                f"Its client secret, in plaintext (default {DEFAULT_CLIENT_SECRET!r}); "
                "stored hashed, as the toolkit does by default."
            ),
        )
        parser.add_argument(
            "--name",
            default=DEFAULT_NAME,
            help=f"Its name, shown on the consent page (default {DEFAULT_NAME!r}).",
        )
        parser.add_argument(
            "--redirect-uri",
            action="append",
            dest="redirect_uris",
            metavar="URI",
            help=(
                "A redirect URI; repeat for several. Given, they replace the "
                "application's; otherwise an existing application keeps its own and "
                f"a new one gets {' and '.join(DEFAULT_REDIRECT_URIS)}."
            ),
        )
        parser.add_argument(
            "--require-consent",
            action="store_true",
            help=(
                "Show the consent page on every sign-in (skip_authorization=False). "
                "By default it is skipped."
            ),
        )
        parser.add_argument(
            "--user",
            action="append",
            dest="users",
            type=parse_user,
            metavar="USERNAME:PASSWORD:EMAIL:First Last",
            help=f"A user to create or update; repeat for several (default {DEFAULT_USER!r}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key_file: Path | None = getattr(settings, "IDP_RSA_PRIVATE_KEY_FILE", None)
        if key_file is None:
            raise CommandError(
                "IDP_RSA_PRIVATE_KEY_FILE is not set; run seed_idp with "
                "--settings=testproject.idp.settings."
            )
        users: list[UserSpec] = options["users"] or [parse_user(DEFAULT_USER)]
        redirect_uris: list[str] | None = options["redirect_uris"]
        if redirect_uris is not None:
            redirect_uris = list(dict.fromkeys(redirect_uris))
            self._validate_redirect_uris(redirect_uris)

        if ensure_signing_key(key_file):
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote a new RSA-{RSA_KEY_SIZE} signing key to {key_file} (mode 0600). "
                    "A running IdP reads it only when it restarts."
                )
            )
        else:
            self.stdout.write(f"The signing key {key_file} is already there.")

        with transaction.atomic():
            for user in users:
                self._seed_user(user)
            self._seed_application(
                client_id=options["client_id"],
                client_secret=options["client_secret"],
                name=options["name"],
                redirect_uris=redirect_uris,
                skip_authorization=not options["require_consent"],
            )

    def _validate_redirect_uris(self, uris: list[str]) -> None:
        # The same check the toolkit's Application.clean() applies. clean() itself
        # cannot run here: it also refuses RS256 while OIDC_RSA_PRIVATE_KEY is
        # empty, which it is whenever this run is the one creating the key file.
        validator = AllowedURIValidator(
            oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES,
            name="redirect uri",
            allow_path=True,
            allow_query=True,
        )
        for uri in uris:
            try:
                validator(uri)
            except ValidationError as exc:
                raise CommandError(
                    f"--redirect-uri {uri!r}: {' '.join(exc.messages)}"
                ) from exc

    def _seed_user(self, spec: UserSpec) -> None:
        user_model = get_user_model()
        profile = spec.profile()
        user, created = user_model._default_manager.get_or_create(
            username=spec.username, defaults=profile
        )
        changed = [
            name for name, value in profile.items() if getattr(user, name) != value
        ]
        for name in changed:
            setattr(user, name, profile[name])
        # A new user has no usable password yet, so this also covers creation.
        if not user.check_password(spec.password):
            user.set_password(spec.password)
            changed.append("password")
        if changed:
            user.save()
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the user {spec.username!r} with password {spec.password!r}."
                )
            )
        elif changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Updated the user {spec.username!r}: {', '.join(changed)}."
                )
            )
        else:
            self.stdout.write(f"The user {spec.username!r} is already up to date.")

    def _seed_application(
        self,
        *,
        client_id: str,
        client_secret: str,
        name: str,
        redirect_uris: list[str] | None,
        skip_authorization: bool,
    ) -> None:
        application_model = get_application_model()
        wanted: dict[str, Any] = {
            "name": name,
            "client_type": application_model.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": application_model.GRANT_AUTHORIZATION_CODE,
            "algorithm": application_model.RS256_ALGORITHM,
            "skip_authorization": skip_authorization,
            "hash_client_secret": True,
        }
        application = application_model.objects.filter(client_id=client_id).first()
        created = application is None
        if application is None:
            application = application_model(client_id=client_id)
            redirect_uris = redirect_uris or list(DEFAULT_REDIRECT_URIS)
        if redirect_uris is not None:
            wanted["redirect_uris"] = " ".join(redirect_uris)
        changed = [
            field
            for field, value in wanted.items()
            if getattr(application, field) != value
        ]
        for field in changed:
            setattr(application, field, wanted[field])
        # The toolkit stores the secret hashed and checks the plaintext a client
        # sends (client_secret_basic or client_secret_post) against the hash. A
        # stored value that is not a hash of this secret, including the same
        # secret in plaintext, is replaced; saving hashes it.
        if not check_password(client_secret, application.client_secret):
            application.client_secret = client_secret
            changed.append("client_secret")
        if changed:
            application.save()

        consent = "consent skipped" if skip_authorization else "consent required"
        summary = (
            f"{name!r}: client_id {client_id!r}, confidential, authorization-code, "
            f"RS256, {consent}, redirect URIs {application.redirect_uris.split()}"
        )
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created the application {summary}."))
        elif changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Updated the application {summary} ({', '.join(changed)})."
                )
            )
        else:
            self.stdout.write(f"The application {summary} is already up to date.")
