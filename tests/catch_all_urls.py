"""The test URLs plus a catch-all to the ``auth_required`` view.

A request whose path starts with "//" then reaches the decorator (ATTACKS I4);
tests use it through ``override_settings(ROOT_URLCONF="tests.catch_all_urls")``.
"""

from __future__ import annotations

from django.urls import re_path

from tests import urls as test_urls
from tests import views as test_views

urlpatterns = [*test_urls.urlpatterns, re_path(r"^[\s\S]*$", test_views.protected)]
