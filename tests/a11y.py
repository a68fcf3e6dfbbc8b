"""The accessibility and layout audit of a page: axe-core, horizontal overflow, screenshots.

``audit(page, name)`` runs axe-core's default rules (WCAG A and AA, best
practices) on the page, failing on their violations and on what axe could not
decide, in light and dark, at every width of ``WIDTHS``, checks
that nothing sticks out sideways, saves screenshots at 390 px under
``test-artifacts/pages/``, and returns a list of the problems found, each a
readable line, so that one assertion shows them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any
from typing import Literal

from tests import browser
from tests.live import ROOT
from tests.utils import skip_or_fail

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext
    from playwright.sync_api import Page

#: axe-core, from npm (package.json).
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: A small phone, a large phone, a tablet, a laptop.
WIDTHS = (320, 390, 768, 1280)
SCHEMES: tuple[Literal["light", "dark"], ...] = ("light", "dark")
#: The width of the screenshots.
SCREENSHOT_WIDTH = 390

# Every element matched by the selector that is drawn (has a size) and is not
# inside a box that scrolls or clips it sideways must lie within the viewport.
OVERFLOW = """
(selector) => {
  const width = window.innerWidth;
  const clips = (element) => {
    for (let box = element.parentElement; box; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return true;
    }
    return false;
  };
  const outside = [];
  for (const element of document.querySelectorAll(selector)) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || clips(element)) continue;
    if (box.left < -0.5 || box.right > width + 0.5) {
      const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
        + (element.className && typeof element.className === "string" ? "." + element.className.trim().split(/\\s+/).join(".") : "");
      outside.push(`${name} from ${Math.round(box.left)} to ${Math.round(box.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, outside};
}
"""

# Violations, and what axe could not decide: it cannot see the dark
# background that `color-scheme` gives a page without one of its own, and
# files such text as "incomplete" rather than failing it.
AXE_RUN = (
    "() => axe.run(document, {resultTypes: ['violations', 'incomplete']})"
    ".then((r) => [...r.violations,"
    " ...r.incomplete.map((i) => ({...i, impact: 'not decided: ' + i.impact}))])"
)


def require() -> None:
    """Skip without Chromium or axe-core (fail in CI), like ``browser.require()``."""
    browser.require()
    skip_or_fail(
        None if AXE.is_file() else "axe-core is missing (run npm ci)",
        tests="browser tests",
        env="USEAUTH_REQUIRE_BROWSER",
    )


def describe(violations: list[dict[str, Any]]) -> list[str]:
    """One line per axe violation (or undecided rule): its rule, impact, elements and what to fix."""
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}; "
        + "; ".join(
            f"{' '.join(map(str, node['target']))}: {node.get('failureSummary')}".replace(
                "\n", " "
            )
            for node in violation["nodes"]
        )
        for violation in violations
    ]


def axe(page: Page) -> list[str]:
    """The axe-core violations and undecided rules of the page as it is now, described."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=AXE)
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN)
    return describe(violations)


def overflow(page: Page, selector: str) -> list[str]:
    """What sticks out of the viewport sideways: a scrolling page, elements matched by `selector`."""
    found = page.evaluate(OVERFLOW, selector)
    problems = [f"outside the viewport: {element}" for element in found["outside"]]
    if found["scrollWidth"] > found["width"]:
        problems.append(
            f"scrolls sideways: {found['scrollWidth']} px wide in {found['width']} px"
        )
    return problems


def failed_loads(context: BrowserContext) -> list[str]:
    """A list that collects every file the context's pages load with an error status (a missing favicon: 404), not the pages themselves."""
    failed: list[str] = []
    context.on(
        "response",
        lambda response: (
            failed.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    return failed


def assert_clean(problems: list[str]) -> None:
    """Fail with every problem, one a line."""
    assert not problems, "\n".join(["", *problems])


def audit(page: Page, name: str, *, selector: str = "body *") -> list[str]:
    """Every problem of the loaded page in each colour scheme and width; screenshots at 390 px."""
    problems = []
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            found = [*axe(page), *overflow(page, selector)]
            problems += [f"{name}, {scheme}, {width} px: {line}" for line in found]
            if width == SCREENSHOT_WIDTH:
                path = browser.artifact("pages") / f"{name}-{scheme}.png"
                path.parent.mkdir(exist_ok=True)
                page.screenshot(path=path, full_page=True)
    return problems
