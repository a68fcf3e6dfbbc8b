"""The callbackUrl policy, for a project's own redirects (``docs/redirects.md``).

Every redirect django_useauth emits goes through this one policy; use it for
the redirects of your own views too.
"""

from __future__ import annotations

from django_useauth.internal.redirects import is_allowed_callback_url

__all__ = ["is_allowed_callback_url"]
