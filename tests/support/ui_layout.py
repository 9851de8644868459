"""What a person checks when they look at a page at some window size: the content they came
for is on screen, nothing makes the page scroll sideways, every main-navigation link can be
reached, and the colour scheme they asked for is the one drawn, with readable text."""
from __future__ import annotations

import re
from typing import Any, Callable, Iterator

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
    """Every main-navigation link and group tab can be reached: in the top bar, or on a phone in
    the menu its button opens (closed again afterwards)."""
    from playwright.sync_api import expect

    toggle = page.locator("nav.mainnav [aria-controls][aria-expanded]")
    opened = toggle.count() == 1 and toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    if opened:
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
    names, cut = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const links = Array.from(document.querySelectorAll('nav.mainnav a, nav.groupnav a'));
        const off = links.filter(a => {
            const box = a.getBoundingClientRect();
            return box.width < 2 || box.left < -0.5 || box.right > width + 0.5 || getComputedStyle(a).visibility === 'hidden';
        });
        return [links.map(a => a.innerText.trim()), off.map(a => a.innerText.trim())];
    }""")
    assert {"Inbox", "Contacts", "Templates", "Webhooks"} <= {re.sub(r"\s*\d+$", "", n) for n in names}, names
    assert not cut, f"{page.url}: navigation links cut off or hidden in a {page.viewport_size['width']}px window: {cut}"
    if opened:
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "false")


def assert_controls_on_screen(page: Any) -> None:
    """Every link, button and field a person can see lies inside the window's width: none is
    pushed off to the side of a table or a row that has to be scrolled sideways to reach it."""
    cut = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const controls = document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary');
        return Array.from(controls).filter(el => {
            if (el.closest('.skip-link, .visually-hidden, [hidden], dialog:not([open])')) return false;
            const box = el.getBoundingClientRect(), style = getComputedStyle(el);
            if (box.width < 2 || box.height < 2 || style.visibility === 'hidden') return false;
            return box.left < -0.5 || box.right > width + 0.5;
        }).map(el => `${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || '').trim().slice(0, 40)}"`
                     + ` at ${Math.round(el.getBoundingClientRect().left)}..${Math.round(el.getBoundingClientRect().right)}px`);
    }""")
    assert not cut, f"{page.url}: controls outside the {page.viewport_size['width']}px window: {cut}"


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


def sizes_and_schemes(page: Any, load: Callable[[], Any] | None = None) -> Iterator[tuple[str, str]]:
    """Set the page to each size, and at each size to light then dark; yields ("desktop"|"phone",
    "light"|"dark"). With `load`, the page is loaded (`load()`) once per size, at that size, and
    drawn in each scheme without loading it again: the pages follow the colour-scheme media query
    as it changes, as they do when a person's system turns dark. Before each scheme the window is
    as loaded: scrolled to the top, nothing focused (the checks before may have scrolled or clicked)."""
    for size, (width, height) in SIZES:
        page.emulate_media(color_scheme=SCHEMES[0])
        page.set_viewport_size({"width": width, "height": height})
        if load is not None:
            load()
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            page.evaluate(AS_LOADED)
            yield size, scheme


SCHEMES = ("light", "dark")
# Back to the top of the page with nothing focused, once the fonts are in (a screenshot follows).
AS_LOADED = "() => { document.activeElement?.blur(); window.scrollTo(0, 0); return document.fonts.ready; }"
