"""WSGI entry point of the benchmark's Django project (``gunicorn benchmarks.site.wsgi:application``)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.site.settings")

application = get_wsgi_application()
