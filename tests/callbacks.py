"""Callbacks and event receivers the tests configure by dotted path (the lifecycle tests, the roles of the DRF and Ninja tests)."""

from __future__ import annotations

from typing import Any

calls: list[dict[str, Any]] = []


def session(*, session, user, request, trigger, new_session, **kwargs):
    calls.append({"trigger": trigger, "new_session": new_session})
    shaped = {**session, "user": {**session["user"], "id": user.pk}}
    if trigger == "update" and isinstance(new_session, dict):
        shaped["theme"] = new_session.get("theme")
    return shaped


def session_with_roles(*, session, user, **kwargs):
    """Add ``roles`` to the session's user: staff are editors (the roles pattern of the DRF and Ninja tests)."""
    roles = ["editor"] if user.is_staff else []
    return {**session, "user": {**session["user"], "roles": roles}}


def broken_session(**kwargs):
    raise RuntimeError("session callback bug")


def not_a_dict(**kwargs):
    return ["not", "a", "dict"]


def refuse(*, user, provider, request, **kwargs):
    calls.append({"user": user.get_username(), "provider": provider})
    return False


def refuse_with_code(**kwargs):
    return "EmailNotVerified"


def refuse_with_junk(**kwargs):
    return "not a code!"


def allow(**kwargs):
    return True


def broken_sign_in(**kwargs):
    raise RuntimeError("sign-in callback bug")


def always_dashboard(*, url, base_url, request, **kwargs):
    calls.append({"url": url, "base_url": base_url})
    return "/dashboard/"


def redirect_from_the_database(*, url, base_url, request, **kwargs):
    # A callback that queries the database, as many real ones do.
    from django.contrib.auth.models import User

    return f"/users/{User.objects.count()}/"


def broken_redirect(**kwargs):
    raise RuntimeError("redirect callback bug")


def hostile_redirect(*, url, **kwargs):
    return url


def broken_on_update(*, session, trigger, **kwargs):
    if trigger == "update":
        raise RuntimeError("session callback bug on update")
    return session


def not_a_dict_on_update(*, session, trigger, **kwargs):
    return ["not", "a", "dict"] if trigger == "update" else session
