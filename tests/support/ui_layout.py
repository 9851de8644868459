"""What a person checks when they look at a page at some window size: the content they came
for is on screen, nothing makes the page scroll sideways, every main-navigation link can be
reached, and the colour scheme they asked for is the one drawn, with readable text."""
from __future__ import annotations

import re
from typing import Any, Iterator

WCAG_AA_CONTRAST = 4.5  # the minimum contrast ratio for body text


def assert_fits_the_width(page: Any) -> None:
    width, content = page.evaluate(
        "() => [document.documentElement.clientWidth, document.documentElement.scrollWidth]")
    assert content <= width, f"{page.url} scrolls sideways: {content}px of content in a {width}px window"


def assert_on_screen(page: Any, locator: Any, what: str, attempts: int = 20) -> None:
    """Visible, and once scrolled to, not cut off at either side of the window."""
    from playwright.sync_api import Error, expect

    box = None
    # A live page may swap a panel between seeing it and measuring it (the email page re-renders
    # its timeline as events arrive): look again, a bounded number of times.
    for _ in range(attempts):
        expect(locator, f"{what} on {page.url}").to_be_visible()
        try:
            locator.scroll_into_view_if_needed(timeout=2000)
            box = locator.bounding_box(timeout=2000)
        except Error:  # detached while scrolling or measuring: the panel was just re-rendered
            box = None
        if box is not None:
            break
    width = page.viewport_size["width"]
    assert box is not None and box["x"] >= -0.5 and box["x"] + box["width"] <= width + 0.5, (
        f"{what} on {page.url} is cut off: {box} in a {width}px window")


def assert_navigation_reachable(page: Any) -> None:
    links = page.locator("nav.mainnav a")
    names = [name.strip() for name in links.all_inner_texts()]
    assert {"Inbox", "Contacts", "Templates", "Webhooks"} <= {re.sub(r"\s*\d+$", "", n) for n in names}, names
    for index, name in enumerate(names):
        assert_on_screen(page, links.nth(index), f"the {name!r} navigation link")
    tabs = page.locator("nav.groupnav a")  # the pages of this page's nav group, if it has one
    for index, name in enumerate(tabs.all_inner_texts()):
        assert_on_screen(page, tabs.nth(index), f"the {name.strip()!r} tab")


def visit_and_check(page: Any, url: str, screenshot: Any, *content: tuple[Any, str],
                    full_page: bool = True) -> None:
    """Open `url`, wait for the content a person came for, keep a screenshot, then check the page
    reads well. The screenshot comes first: the checks scroll things into view."""
    from playwright.sync_api import expect

    page.goto(url)
    for locator, what in content:
        expect(locator, what).to_be_visible()
    page.screenshot(path=str(screenshot), full_page=full_page)
    assert_readable_page(page, *content)


def assert_readable_page(page: Any, *content: tuple[Any, str]) -> None:
    """The checks a person makes at any size: the content is there, the page fits, nav is reachable."""
    for locator, what in content:
        assert_on_screen(page, locator, what)
    assert_fits_the_width(page)
    assert_navigation_reachable(page)


def assert_colour_scheme(page: Any, scheme: str) -> None:
    """The page is drawn dark or light as asked, and its text stands out from the background."""
    background, text = page.evaluate(
        "() => { const s = getComputedStyle(document.body); return [s.backgroundColor, s.color]; }")
    shade = luminance(background)
    assert (shade < 0.1) if scheme == "dark" else (shade > 0.8), f"{page.url} is not {scheme}: background {background}"
    ratio = (max(shade, luminance(text)) + 0.05) / (min(shade, luminance(text)) + 0.05)
    assert ratio >= WCAG_AA_CONTRAST, f"{page.url}: text {text} on {background} has contrast {ratio:.1f}"


def luminance(css_colour: str) -> float:
    """WCAG relative luminance of a computed `rgb(...)` / `rgba(...)` colour."""
    red, green, blue = (float(v) / 255 for v in re.findall(r"\d+(?:\.\d+)?", css_colour)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


# The sizes a page is checked at: a laptop and a phone.
SIZES = (("desktop", (1366, 900)), ("phone", (390, 844)))


def sizes_and_schemes(page: Any) -> Iterator[tuple[str, str]]:
    """Set the page to each size in light, then in dark; yields ("desktop"|"phone", "light"|"dark")."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for size, (width, height) in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            yield size, scheme
