"""The test settings on MariaDB, for the provider-uid test of ATTACKS B8 (CVE-2024-32879) and the e-mail address tests.

MySQL and MariaDB compare text case-insensitively by default, which is what
made social-app-django find the account of ``AbC`` for ``abc`` (and what
would let an e-mail for "bucher" serve "bücher"). Selected with
``pytest --ds=tests.settings_mariadb`` (``.ci/run`` does) with
``USEAUTH_TEST_MARIADB_URL`` (e.g. ``mysql://root@127.0.0.1:3306/useauth``)
set; a missing server fails the run.
"""

from __future__ import annotations

import environ

from tests.settings import *  # noqa: F403

DATABASES = {"default": environ.Env().db_url("USEAUTH_TEST_MARIADB_URL")}
