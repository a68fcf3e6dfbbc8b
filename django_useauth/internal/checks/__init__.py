"""The system checks, one module per concern; ``django_useauth.checks`` exports them.

``values`` holds the predicates the setting checks share and ``caches`` what
each cache backend does. Every message id is listed in ``docs/checks.md``.
"""
