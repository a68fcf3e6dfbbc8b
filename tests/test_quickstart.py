"""The first hour, as a test: the distributions, and the README's Quickstart on a new project.

``python -m build --no-isolation`` builds the sdist and, from it, the wheel
(offline, with the venv's setuptools). The wheel must hold the package and
nothing else; the sdist must be the project, and part of the test suite must
pass inside it, importing django_useauth from the unpacked tree.

Then a new ``django-admin startproject`` follows the Quickstart as README.md
words it (``tests/quickstart_readme.py`` reads the steps and their blocks,
``tests/quickstart.py`` applies them), with the wheel installed in place of
``pip install``, and runs under ``manage.py runserver``: the checks pass, the
snippet of step 6 offers a sign-in link to a visitor and greets a user signed
in through the real ``/api/auth`` endpoints, and the ``dashboard`` view sends
anonymous visitors to the sign-in page. If the README changes, this test
follows it or fails.

``-m quickstart`` runs only these tests, ``-m "not quickstart"`` all others
(tests/test_quickstart_reader.py, the helpers' own tests, among them).
"""

from __future__ import annotations

import email.parser
import re
import sys
import tarfile
import tempfile
import textwrap
import tomllib
import zipfile
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import requests
from django.test import SimpleTestCase

from tests.live import ServerProcess
from tests.quickstart import APP
from tests.quickstart import ROOT
from tests.quickstart import Page
from tests.quickstart import Project
from tests.quickstart import distributions
from tests.quickstart import run
from tests.quickstart_readme import Block
from tests.quickstart_readme import MergeError
from tests.quickstart_readme import apply_python
from tests.quickstart_readme import quickstart_steps
from tests.quickstart_readme import section

pytestmark = pytest.mark.quickstart

README = (ROOT / "README.md").read_text()

#: What runs inside the unpacked sdist: its checks, docs, endpoints, tags and
#: middleware, which need tests/__init__.py, conftest.py, settings.py,
#: utils.py, the test templates, docs/, tox.ini and pyproject.toml.
SDIST_TESTS = (
    "tests/test_checks.py",
    "tests/test_decorators.py",
    "tests/test_docs.py",
    "tests/test_middleware.py",
    "tests/test_views_session.py",
    "tests/test_views_signin.py",
    "tests/templatetags",
)

#: Files at the top of the project that the sdist must carry.
SDIST_FILES = (
    ".ci/run",
    ".env.example",
    ".npmrc",
    "CHANGELOG.md",
    "LICENSE",
    "MANIFEST.in",
    "Makefile",
    "README.md",
    "manage.py",
    "package-lock.json",
    "package.json",
    "pyproject.toml",
    "tox.ini",
)

#: Folders the sdist carries whole, but for what a machine made in them.
SDIST_FOLDERS = (
    "benchmarks",
    "django_useauth",
    "docs",
    "examples",
    "testproject",
    "tests",
)

#: Made by a machine (installs, caches, databases, keys): never shipped.
_MADE = re.compile(
    r"(^|/)(__pycache__|node_modules|\.venv|\.hypothesis|test-artifacts"
    r"|\.nuxt|\.output-[^/]*|\.data)/"
    r"|\.(pyc|sqlite3|pem)$|/results/profile-[^/]*\.html$"
)

NO_ISSUES = "System check identified no issues (0 silenced).\n"

ALICE = ("alice", "alice@example.com", "quickstart-alice-pw")
BOB = ("bob", "bob@example.com", "quickstart-bob-pw")


def sdist_names() -> set[str]:
    with tarfile.open(distributions().sdist) as archive:
        top = f"{archive.getnames()[0].split('/')[0]}/"
        return {
            member.name.removeprefix(top)
            for member in archive.getmembers()
            if member.isfile()
        }


def project_files() -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for folder in SDIST_FOLDERS
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and not _MADE.search(path.relative_to(ROOT).as_posix())
    }


class DistributionTests(SimpleTestCase):
    def test_the_wheel_holds_the_package_and_nothing_else(self):
        with zipfile.ZipFile(distributions().wheel) as wheel:
            names = set(wheel.namelist())
        version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
            "version"
        ]
        info = f"django_useauth-{version}.dist-info/"
        package = {name for name in names if not name.startswith(info)}
        assert package == {
            name for name in project_files() if name.startswith("django_useauth/")
        }
        for name in (
            "django_useauth/openapi.json",
            "django_useauth/py.typed",
            "django_useauth/templates/django_useauth/signin.html",
            "django_useauth/static/django_useauth/useauth.js",
            "django_useauth/static/django_useauth/useauth.d.ts",
        ):
            assert name in package, name
        locale = {name for name in package if name.startswith("django_useauth/locale/")}
        assert {Path(name).suffix for name in locale} == {".mo", ".po"}
        assert f"{info}METADATA" in names

    def test_the_sdist_is_the_project(self):
        names = sdist_names()
        assert set(SDIST_FILES) <= names
        assert project_files() <= names
        for name in (
            "tests/__init__.py",
            "tests/conftest.py",
            "tests/settings.py",
            "tests/utils.py",
            "docs/index.md",
            "docs/images/demo-signed-in.png",
            "testproject/settings.py",
        ):
            assert name in names, name
        assert not {name for name in names if _MADE.search(name)}

    def test_the_sdist_describes_the_package_with_the_readme(self):
        with tarfile.open(distributions().sdist) as archive:
            top = archive.getnames()[0].split("/")[0]
            info = archive.extractfile(f"{top}/PKG-INFO")
            assert info is not None
            metadata = email.parser.Parser().parsestr(info.read().decode())
        assert metadata["Name"] == "django-useauth"
        assert metadata["Description-Content-Type"] == "text/markdown"
        description = metadata.get_payload()
        assert isinstance(description, str)
        assert description.strip() == README.strip()

    def test_the_sdists_own_tests_pass(self):
        with tempfile.TemporaryDirectory(prefix="useauth-sdist-") as directory:
            with tarfile.open(distributions().sdist) as archive:
                archive.extractall(directory, filter="data")
            (tree,) = Path(directory).iterdir()
            # pytest.main() in the process that prints where django_useauth
            # came from: the tests used that copy.
            script = textwrap.dedent(
                f"""
                import sys, pytest
                code = pytest.main(["-q", "-p", "no:randomly", "-p", "no:cacheprovider", *{SDIST_TESTS!r}])
                import django_useauth
                print("django_useauth from", django_useauth.__file__)
                sys.exit(code)
                """
            )
            output = run(sys.executable, "-c", script, cwd=tree)
            assert re.search(r"^\d+ passed", output, re.MULTILINE), output
            assert f"django_useauth from {tree}/django_useauth/__init__.py" in output
            # The demo project and manage.py came along too.
            checked = run(sys.executable, "manage.py", "check", cwd=tree)
            assert checked == NO_ISSUES


class QuickstartTests(SimpleTestCase):
    """The new project, following the README, served by ``manage.py runserver``."""

    project: ClassVar[Project]
    origin: ClassVar[str]
    #: ``manage.py check`` once the test added what the README leaves out.
    checked: ClassVar[str]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        directory = cls.enterClassContext(
            tempfile.TemporaryDirectory(prefix="useauth-quickstart-")
        )
        cls.project = project = Project(Path(directory), distributions().wheel)
        project.follow(quickstart_steps(README))
        cls.scaffold(project)
        cls.checked = project.manage("check")
        project.manage(
            "shell",
            "--command",
            "from django.contrib.auth.models import User; "
            f"User.objects.create_superuser(*{ALICE!r}); "
            f"User.objects.create_user(*{BOB!r})",
        )
        server = ServerProcess(project.env, Path(directory) / "runserver.log")
        # Before serve(): a server that started but failed the test's checks
        # (or a setUpClass error after it) is stopped too.
        cls.addClassCleanup(server.stop)
        server.serve(
            str(project.root / "manage.py"),
            "runserver",
            "--noreload",
            f"127.0.0.1:{server.port}",
        )
        cls.origin = server.origin

    @classmethod
    def scaffold(cls, project: Project) -> None:
        # What the README leaves to the reader: the app in INSTALLED_APPS, a
        # page with the snippet (home.html), the template of the dashboard
        # view, and URLs for them and for a view with Django's login_required.
        project.edit(
            "mysite/settings.py",
            lambda s: apply_python(s, f'INSTALLED_APPS = [..., "{APP}"]'),
        )
        templates = project.root / APP / "templates"
        templates.mkdir()
        (templates / "home.html").write_text(project.snippet)
        (templates / "dashboard.html").write_text(
            f"{project.snippet}<p>{{{{ session.user.email }}}}</p>\n"
        )
        views = textwrap.dedent(
            """
            from django.contrib.auth.decorators import login_required


            def home(request):
                return render(request, "home.html")


            @login_required
            def account(request):
                return render(request, "home.html")
            """
        )
        project.edit(f"{APP}/views.py", lambda s: apply_python(s, views))
        urls = textwrap.dedent(
            f"""
            from {APP} import views

            urlpatterns = [
                ...,
                path("", views.home),
                path("dashboard/", views.dashboard),
                path("account/", views.account),
            ]
            """
        )
        project.edit("mysite/urls.py", lambda s: apply_python(s, urls))

    def session(self) -> requests.Session:
        http = requests.Session()
        http.trust_env = False
        self.addCleanup(http.close)
        return http

    def get(
        self, http: requests.Session, route: str, status: int = 200
    ) -> requests.Response:
        response = http.get(f"{self.origin}{route}", allow_redirects=False, timeout=10)
        assert response.status_code == status, (route, response.text)
        return response

    def sign_in(self, http: requests.Session, username: str, password: str) -> str:
        token = self.get(http, "/api/auth/csrf").json()["csrfToken"]
        response = http.post(
            f"{self.origin}/api/auth/callback/credentials",
            data={
                "csrfToken": token,
                "username": username,
                "password": password,
                "callbackUrl": "/dashboard/",
            },
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def test_django_useauth_comes_from_the_wheel(self):
        # As runserver imports it: manage.py's folder first on sys.path.
        where = self.project.manage(
            "shell",
            "--command",
            "import django_useauth; print(django_useauth.__file__)",
        )
        assert f"{self.project.site}/django_useauth/__init__.py\n" in where
        # The wheel the install instructions name is the one built here.
        wheel = f"dist/{distributions().wheel.name}"
        assert wheel in section(README, "## Installation")
        assert wheel in (ROOT / "docs" / "installation.md").read_text()

    def test_the_system_checks_pass(self):
        assert self.project.outputs["check"] == NO_ISSUES
        assert self.checked == NO_ISSUES
        assert "migrate" in self.project.outputs

    def test_signed_out_the_snippet_offers_a_sign_in_link(self):
        http = self.session()
        page = Page(self.get(http, "/?tab=2").text)
        (link,) = page.links
        url = urlsplit(link)
        assert url.path == "/api/auth/signin"
        assert parse_qs(url.query) == {"callbackUrl": ["/?tab=2"]}
        assert not page.forms
        assert "Hello" not in page.text
        self.get(http, link)

    def test_the_dashboard_sends_anonymous_visitors_to_sign_in(self):
        response = self.get(self.session(), "/dashboard/?tab=2", 302)
        url = urlsplit(response.headers["Location"])
        assert url.path == "/api/auth/signin"
        assert parse_qs(url.query) == {"callbackUrl": ["/dashboard/?tab=2"]}

    def test_login_required_lands_on_the_sign_in_page(self):
        location = self.get(self.session(), "/account/", 302).headers["Location"]
        assert location == "/api/auth/signin?next=/account/"

    def test_signed_in_through_the_endpoints(self):
        http = self.session()
        assert self.sign_in(http, *ALICE[::2]) == f"{self.origin}/dashboard/"
        home = Page(self.get(http, "/").text)
        assert home.text.startswith("Hello alice")
        assert not home.links
        (form,) = home.forms
        assert (form.action, form.method) == ("/api/auth/signout", "post")
        dashboard = Page(self.get(http, "/dashboard/").text)
        assert dashboard.text.startswith("Hello alice")
        assert dashboard.text.endswith("alice@example.com")
        self.get(http, "/account/")
        session = self.get(http, "/api/auth/session").json()
        assert session["user"] == {
            "name": "alice",
            "email": "alice@example.com",
            "image": None,
        }

        response = http.post(
            f"{self.origin}{form.action}",
            data=form.fields,
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302
        assert self.get(http, "/api/auth/session").json() == {}
        assert Page(self.get(http, "/").text).links

    def test_the_admin_signs_staff_in_on_its_own_page(self):
        # docs/installation.md, "The Django admin": its login page stays; a
        # staff user signed in there is signed in for request.auth too.
        for (username, _, password), staff in ((ALICE, True), (BOB, False)):
            http = self.session()
            (form,) = Page(self.get(http, "/admin/login/").text).forms
            response = http.post(
                f"{self.origin}{form.action}",
                data={**form.fields, "username": username, "password": password},
                allow_redirects=False,
                timeout=10,
            )
            session = self.get(http, "/api/auth/session").json()
            if staff:
                assert response.status_code == 302, response.text
                assert session["user"]["name"] == username
                admin = Page(self.get(http, "/admin/").text)
                (logout,) = [f for f in admin.forms if f.action == "/admin/logout/"]
                http.post(
                    f"{self.origin}{logout.action}", data=logout.fields, timeout=10
                )
                assert self.get(http, "/api/auth/session").json() == {}
            else:
                assert response.status_code == 200
                assert "staff account" in Page(response.text).text
                assert session == {}

    def test_the_test_refuses_what_it_cannot_follow(self):
        with pytest.raises(MergeError, match="cannot follow 'make install'"):
            self.project.apply(Block("sh", "make install\n"))
