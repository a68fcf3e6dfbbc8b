"""The docs, the classifiers and tox agree with the code."""

from __future__ import annotations

import configparser
import re
import tomllib
from pathlib import Path

from django.test import SimpleTestCase

from django_useauth.conf import Settings

ROOT = Path(__file__).resolve().parent.parent

#: The README is also the package's description on an index (PyPI), where a
#: relative link or image would break: it points at the repository instead.
REPOSITORY = "https://github.com/django-useauth/django-useauth"
BLOB = f"{REPOSITORY}/blob/main/"
RAW = "https://raw.githubusercontent.com/django-useauth/django-useauth/main/"

_FENCED = re.compile(r"^ *```.*?^ *```", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"(!?)\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.MULTILINE)


def markdown_links(text: str) -> list[tuple[bool, str]]:
    """``(is_image, url)`` of every link and image outside code."""
    text = _INLINE_CODE.sub("", _FENCED.sub("", text))
    return [(bang == "!", url) for bang, url in _LINK.findall(text)]


def anchors(path: Path) -> set[str]:
    """The fragments GitHub gives the headings of a Markdown file."""
    text = _FENCED.sub("", path.read_text())
    return {
        re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        for heading in _HEADING.findall(text)
    }


def assert_resolves(path: Path, fragment: str, link: str) -> None:
    assert path.exists(), link
    if fragment:
        assert fragment in anchors(path), link


def setting_names() -> list[str]:
    return [
        f"USEAUTH_{name}"
        for name, value in vars(Settings).items()
        if isinstance(value, property)
    ]


class DocsTests(SimpleTestCase):
    def test_every_setting_documented(self):
        configuration = (ROOT / "docs" / "configuration.md").read_text()
        readme = (ROOT / "README.md").read_text()
        names = setting_names()
        assert len(names) == 53
        for name in names:
            assert f"`{name}`" in configuration, name
            assert f"`{name}`" in readme, name

    def test_readme_links_are_absolute_and_resolve(self):
        # Each link into the repository names a file of this tree, and its
        # fragment a heading of that file.
        links = markdown_links((ROOT / "README.md").read_text())
        assert (True, f"{RAW}docs/images/demo-signed-in.png") in links
        assert (False, f"{BLOB}docs/index.md") in links
        for image, url in links:
            if image:
                assert url.startswith(RAW), url
                assert (ROOT / url.removeprefix(RAW)).is_file(), url
            elif url.startswith(BLOB):
                target, _, fragment = url.removeprefix(BLOB).partition("#")
                assert (ROOT / target).is_file(), url
                assert_resolves(ROOT / target, fragment, url)
            else:
                assert url.startswith("https://"), url
                assert not url.startswith(REPOSITORY), url

    def test_docs_links_resolve(self):
        for page in sorted((ROOT / "docs").glob("*.md")):
            for _, url in markdown_links(page.read_text()):
                if "://" in url:
                    continue
                target, _, fragment = url.partition("#")
                path = (page.parent / target) if target else page
                assert_resolves(path, fragment, f"{page.name}: {url}")

    def test_versions_agree(self):
        pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
        classifiers = pyproject["project"]["classifiers"]
        pythons = {
            c.rsplit(" ", 1)[1]
            for c in classifiers
            if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
        }
        djangos = {
            c.rsplit(" ", 1)[1]
            for c in classifiers
            if re.fullmatch(r"Framework :: Django :: \d\.\d", c)
        }

        tox = configparser.ConfigParser()
        tox.read(ROOT / "tox.ini")
        envs = [
            line.strip() for line in tox["tox"]["env_list"].splitlines() if line.strip()
        ]
        pairs = set()
        for line in envs:
            match = re.fullmatch(
                r"py(\d)(\d+)-django\{?([\d, ]+)\}?", line.replace(" ", "")
            )
            if match:
                for django in match.group(3).split(","):
                    pairs.add(
                        (
                            f"{match.group(1)}.{match.group(2)}",
                            f"{django[0]}.{django[1:]}",
                        )
                    )
        assert {python for python, _ in pairs} == pythons
        assert {django for _, django in pairs} == djangos

        readme = (ROOT / "README.md").read_text()
        low, high = sorted(pythons, key=lambda v: tuple(map(int, v.split("."))))[
            :: len(pythons) - 1
        ]
        assert f"Python {low} to {high} supported." in readme
        ordered = sorted(djangos, key=lambda v: tuple(map(int, v.split("."))))
        assert (
            f"Django {', '.join(ordered[:-1])} and {ordered[-1]} supported." in readme
        )
        assert pyproject["project"]["requires-python"] == f">={low}"

    def test_oldest_api_frameworks_run_every_api_test(self):
        # tox's py311-django52-apis-oldest names the files (tox does not expand
        # globs): every DRF and Ninja test file must be among them, and the
        # pins must be the extras' lower bounds.
        tox = configparser.ConfigParser(interpolation=None)
        tox.read(ROOT / "tox.ini")
        env = tox["testenv:py311-django52-apis-oldest"]
        named = set(re.findall(r"tests/[\w/]+\.py", env["commands"]))
        tests = ROOT / "tests"
        for path in [*tests.glob("test_drf_*.py"), *tests.glob("test_ninja_*.py")]:
            assert f"tests/{path.name}" in named, path.name
        assert "tests/attacks/test_apis.py" in named
        pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
        extras = pyproject["project"]["optional-dependencies"]
        for requirement in [*extras["drf"], *extras["ninja"]]:
            name, version = requirement.split(">=")
            pin = rf"^{name}=={re.escape(version)}(\.0)*$"
            assert re.search(pin, env["deps"], re.MULTILINE), requirement
