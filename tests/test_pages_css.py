"""The colours of the built-in pages (``pages.css``): WCAG contrast ratios, computed from the stylesheet.

axe-core (tests/test_browser_a11y.py) checks the contrast of text only; the
fields' borders and the focus ring (WCAG 1.4.11, 3:1) are checked here, with
the text pairs again, in the light and the dark scheme.
"""

from __future__ import annotations

import re

from django.test import SimpleTestCase

from tests.live import ROOT

CSS = ROOT / "django_useauth" / "static" / "django_useauth" / "pages.css"

_PROPERTY_RE = re.compile(r"--useauth-([a-z-]+):\s*#([0-9a-fA-F]{6}|[0-9a-fA-F]{3});")
_DARK = "@media (prefers-color-scheme: dark)"

#: Text on its background: 4.5:1 (WCAG 1.4.3, AA).
TEXT = {
    ("text", "background"): "the site's name",
    ("text", "surface"): "the card's text, the outlined buttons",
    ("text", "hover"): "a hovered outlined button",
    ("muted", "surface"): "the divider's 'or'",
    ("muted", "background"): "the link back",
    ("on-accent", "accent"): "the primary button",
    ("on-accent", "accent-hover"): "a hovered primary button",
    ("error", "error-background"): "the error message",
}
#: A control's edge or the focus ring against what surrounds it: 3:1 (WCAG 1.4.11).
NON_TEXT = {
    ("control", "surface"): "the fields' and outlined buttons' borders",
    ("error", "surface"): "an invalid field's border",
    ("accent", "surface"): "the focus ring in the card, the primary button",
    ("accent", "background"): "the focus ring of the header's and the footer's links",
}


def colours(css: str) -> tuple[dict[str, str], dict[str, str]]:
    """The light scheme's colour properties (the first ``:root``), and the dark scheme's (the light ones, overridden)."""
    light_css, dark_css = css.split(_DARK, 1)
    light = dict(_PROPERTY_RE.findall(light_css))
    return light, {**light, **dict(_PROPERTY_RE.findall(dark_css))}


def luminance(hex_colour: str) -> float:
    """The relative luminance of an sRGB colour (WCAG 2.x)."""
    if len(hex_colour) == 3:
        hex_colour = "".join(digit * 2 for digit in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    red, green, blue = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class ContrastTests(SimpleTestCase):
    def test_formula(self):
        assert contrast("000", "fff") == 21
        assert contrast("777777", "777") == 1
        # WebAIM's checker: #767676 on white is 4.54:1.
        assert round(contrast("767676", "ffffff"), 2) == 4.54

    def test_both_schemes_set_every_colour(self):
        light_css, dark_css = CSS.read_text().split(_DARK, 1)
        light = dict(_PROPERTY_RE.findall(light_css))
        dark = dict(_PROPERTY_RE.findall(dark_css))
        assert set(light) == set(dark)
        assert {name for pair in [*TEXT, *NON_TEXT] for name in pair} <= set(light)

    def test_ratios(self):
        assert problems(CSS.read_text()) == []

    def test_finds_a_pair_too_faint(self):
        css = CSS.read_text()
        faint = css.replace("--useauth-control: #737a86;", "--useauth-control: #ccc;")
        assert faint != css
        assert problems(faint) == [
            "light: --useauth-control on --useauth-surface (the fields' and "
            "outlined buttons' borders) is 1.61:1, under 3:1"
        ]


def problems(css: str) -> list[str]:
    """Every pair of TEXT and NON_TEXT under its ratio in `css`, in either scheme, one a line."""
    found = []
    for scheme, values in zip(("light", "dark"), colours(css), strict=True):
        for pairs, minimum in ((TEXT, 4.5), (NON_TEXT, 3)):
            for (fore, back), use in pairs.items():
                ratio = contrast(values[fore], values[back])
                if ratio < minimum:
                    found.append(
                        f"{scheme}: --useauth-{fore} on --useauth-{back} "
                        f"({use}) is {ratio:.2f}:1, under {minimum}:1"
                    )
    return found
