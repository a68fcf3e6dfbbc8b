"""The system checks, grouped by concern; ``django_useauth.checks`` exports them.

``installation``: ``MIDDLEWARE`` and ``TEMPLATES``. ``routing``: the URLconf
and ``LOGIN_URL``. ``settings``: the shape of the ``USEAUTH_*`` settings
checked on their own. ``session_store``: the session engine and the caches
sessions use. ``social``: the OAuth providers. ``backends``: the
authentication backends against the credentials fields. ``site``: the
site's name, logo, link and favicon on the built-in pages. ``limits``: the
sign-in limits. ``tokens``: token mode's settings. ``email``: the email
provider's settings and what it needs. ``outages``: what a store that
fails needs (fail-open switch, caches that hide errors or wait too long, the
session middleware). ``deploy``: what ``check --deploy`` adds.
``values`` holds what they share: the predicates of a setting's shape, the
error for a setting of another, and what each cache backend does. Every
message id is listed in ``docs/checks.md``.
"""
