"""The DRF and django-ninja test routes in one URLconf, for the API attack rows."""

from __future__ import annotations

from tests import urls_drf
from tests import urls_ninja

# /api/auth/ once (both URLconfs start with it), then each framework's routes.
urlpatterns = [*urls_drf.urlpatterns, *urls_ninja.urlpatterns[1:]]
