"""Fault injection: the demo project under load while its Redis or PostgreSQL fails (issue 16).

``python -m tests.faults`` (``make faults``) runs the whole matrix and prints
its table; ``tests/test_faults.py`` runs a short one and asserts the rules.
"""
