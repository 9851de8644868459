"""Which caniemail features an HTML body uses, and on which lines (pure; no data needed).

The HTML is walked with the stdlib `html.parser`; the CSS of `<style>` elements and `style`
attributes with tinycss2. Each use is reported as a caniemail feature slug (`css-display-flex`,
`html-srcset`, ...) with its 1-based line in the HTML source. Feature names follow caniemail's
own slugs, so the support tables can be looked up directly.
"""
from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from typing import Any, Iterable

import tinycss2
from tinycss2 import ast

# --- HTML ---------------------------------------------------------------------------

# Elements with a page of their own: the slug is `html-<tag>`.
ELEMENTS = frozenset({
    "abbr", "acronym", "address", "audio", "base", "bdi", "blockquote", "body", "code", "del", "dfn",
    "dialog", "div", "form", "hr", "img", "link", "marquee", "meter", "object", "p", "picture", "pre",
    "progress", "rp", "rt", "ruby", "select", "small", "span", "strike", "strong", "style", "svg",
    "table", "textarea", "video", "wbr"})
# Elements grouped on one page.
ELEMENT_GROUPS = {
    **{f"h{n}": "html-h1-h6" for n in range(1, 7)},
    **{tag: "html-lists" for tag in ("ul", "ol", "dl")},
    **{tag: "html-semantics" for tag in ("article", "aside", "details", "figcaption", "figure", "footer",
                                         "header", "main", "mark", "nav", "section", "summary", "time")},
    "map": "html-image-maps",
}
# Attributes with a page: attribute -> slug.
ATTRIBUTES = {
    **{name: f"html-{name}" for name in (
        "align", "background", "cellpadding", "cellspacing", "dir", "height", "width", "lang", "role",
        "target", "valign", "hidden", "required", "popover", "aria-describedby", "aria-hidden",
        "aria-label", "aria-labelledby", "aria-live")},
    "srcset": "html-srcset", "sizes": "html-srcset", "loading": "html-loading-attribute",
    "usemap": "html-image-maps", "inert": "css-inert-attribute",
}
INPUT_TYPES = {"checkbox", "hidden", "radio", "reset", "submit", "text"}
IMAGE_EXTENSIONS = {
    "apng": "image-apng", "avif": "image-avif", "bmp": "image-bmp", "gif": "image-gif", "hdr": "image-hdr",
    "heif": "image-heif", "heic": "image-heif", "ico": "image-ico", "jpg": "image-jpg", "jpeg": "image-jpg",
    "mp4": "image-mp4", "png": "image-png", "svg": "image-svg", "tif": "image-tiff", "tiff": "image-tiff",
    "webp": "image-webp"}
_DATA_IMAGE = re.compile(r"data:image/([\w.+-]+)", re.I)
_EXTENSION = re.compile(r"\.([a-z0-9]{2,5})(?:$|[?#])", re.I)

# --- CSS ----------------------------------------------------------------------------

# Properties whose page is not `css-<property>`, or that share a page.
PROPERTY_GROUPS = {
    **{name: "css-border" for name in (
        "border", "border-top", "border-right", "border-bottom", "border-left", "border-width", "border-style",
        "border-color", *(f"border-{side}-{what}" for side in ("top", "right", "bottom", "left")
                          for what in ("width", "style", "color")))},
    **{f"border-{v}-{h}-radius": "css-border-radius" for v in ("top", "bottom") for h in ("left", "right")},
    **{f"border-{b}-{i}-radius": "css-border-radius-logical" for b in ("start", "end") for i in ("start", "end")},
    "border-inline": "css-border-inline-block", "border-block": "css-border-inline-block",
    **{f"border-{axis}-{edge}": "css-border-inline-block-individual"
       for axis in ("inline", "block") for edge in ("start", "end")},
    **{f"border-{axis}{edge}-{what}": "css-border-inline-block-longhand"
       for axis in ("inline", "block") for edge in ("", "-start", "-end") for what in ("width", "style", "color")},
    **{f"{box}-{side}": f"css-{box}" for box in ("margin", "padding") for side in ("top", "right", "bottom", "left")},
    **{f"{box}-{axis}": f"css-{box}-inline-block" for box in ("margin", "padding") for axis in ("inline", "block")},
    **{f"{box}-{axis}-{edge}": f"css-{box}-{axis}-start-end"
       for box in ("margin", "padding") for axis in ("inline", "block") for edge in ("start", "end")},
    **{side: "css-left-right-top-bottom" for side in ("left", "right", "top", "bottom")},
    **{f"inset-{part}": "css-inset" for part in ("inline", "block", "inline-start", "inline-end",
                                                   "block-start", "block-end")},
    "block-size": "css-block-inline-size",
    "row-gap": "css-gap", "column-gap": "css-gap",
    "grid-template": "css-grid-template", "grid-template-columns": "css-grid-template",
    "grid-template-rows": "css-grid-template", "grid-template-areas": "css-grid-template",
    **{name: "css-column-layout-properties" for name in (
        "columns", "column-width", "column-rule", "column-rule-width", "column-rule-style", "column-rule-color",
        "column-span", "column-fill")},
    **{f"animation-{part}": "css-animation" for part in (
        "name", "duration", "timing-function", "delay", "iteration-count", "direction", "fill-mode",
        "play-state")},
    **{f"transition-{part}": "css-transition" for part in ("property", "duration", "timing-function", "delay")},
    **{name: "css-scroll-snap" for name in ("scroll-snap-type", "scroll-snap-align", "scroll-snap-stop")},
    "text-wrap-mode": "css-text-wrap", "text-wrap-style": "css-text-wrap",
}
# Properties whose own page is about some values only: covered by DISPLAY_VALUES below.
DISPLAY_VALUES = {"flex": "css-display-flex", "inline-flex": "css-display-flex", "grid": "css-display-grid",
                  "inline-grid": "css-display-grid", "none": "css-display-none"}
FUNCTIONS = {
    "calc": "css-unit-calc", "clamp": "css-function-clamp", "min": "css-function-min", "max": "css-function-max",
    "linear-gradient": "css-linear-gradient", "repeating-linear-gradient": "css-linear-gradient",
    "radial-gradient": "css-radial-gradient", "repeating-radial-gradient": "css-radial-gradient",
    "conic-gradient": "css-conic-gradient", "repeating-conic-gradient": "css-conic-gradient",
    "rgb": "css-rgb", "rgba": "css-rgba", "var": "css-variables", "light-dark": "css-function-light-dark",
    **{name: "css-modern-color" for name in ("lch", "oklch", "lab", "oklab")},
}
KEYWORDS = {"initial": "css-unit-initial", "fit-content": "css-intrinsic-size", "min-content": "css-intrinsic-size",
            "max-content": "css-intrinsic-size", **{name: "css-sytem-ui" for name in (
                "system-ui", "ui-serif", "ui-sans-serif", "ui-rounded", "ui-monospace")}}
UNITS = frozenset({"ch", "cm", "em", "ex", "in", "mm", "pc", "pt", "px", "rem", "vh", "vmax", "vmin", "vw"})
MEDIA_FEATURES = {
    "prefers-color-scheme": "css-at-media-prefers-color-scheme",
    "prefers-reduced-motion": "css-at-media-prefers-reduced-motion",
    "hover": "css-at-media-hover", "any-hover": "css-at-media-hover",
    "orientation": "css-at-media-orientation",
    **{name: "css-at-media-device-pixel-ratio" for name in (
        "-webkit-device-pixel-ratio", "-webkit-min-device-pixel-ratio", "-webkit-max-device-pixel-ratio")},
}
AT_RULES = {"font-face": "css-at-font-face", "import": "css-at-import", "keyframes": "css-at-keyframes",
            "media": "css-at-media", "supports": "css-at-supports"}
# Pseudo-elements that may be written with one colon (CSS 2).
LEGACY_PSEUDO_ELEMENTS = frozenset({"before", "after", "first-line", "first-letter"})
COMBINATORS = {">": "css-selector-child", "+": "css-selector-adjacent-sibling", "~": "css-selector-general-sibling"}

Uses = dict[str, list[int]]


class _Uses:
    """Feature slug -> the lines it is used on (in order, each line once)."""

    def __init__(self, known: frozenset[str] | None) -> None:
        self.lines: defaultdict[str, list[int]] = defaultdict(list)
        self.known = known

    def add(self, slug: str, line: int) -> None:
        if self.known is not None and slug not in self.known:
            return
        lines = self.lines[slug]
        if not lines or lines[-1] != line:
            lines.append(line)


class _CssScanner:
    """Walks tinycss2 nodes, reporting features at `base_line + node line - 1`."""

    def __init__(self, uses: _Uses, base_line: int) -> None:
        self.uses, self.base = uses, base_line

    def _line(self, node: Any) -> int:
        return self.base + max(getattr(node, "source_line", 1), 1) - 1

    def stylesheet(self, css: str) -> None:
        self.rules(tinycss2.parse_stylesheet(css, skip_comments=False, skip_whitespace=True))

    def declarations(self, css: str) -> None:
        self.block(tinycss2.parse_blocks_contents(css, skip_comments=False, skip_whitespace=True))

    def rules(self, nodes: Iterable[Any]) -> None:
        for node in nodes:
            if isinstance(node, ast.Comment):
                self.uses.add("css-comments", self._line(node))
            elif isinstance(node, ast.AtRule):
                self.at_rule(node)
            elif isinstance(node, ast.QualifiedRule):
                self.selector(node.prelude, self._line(node))
                self.block(tinycss2.parse_blocks_contents(node.content, skip_comments=False,
                                                          skip_whitespace=True))

    def at_rule(self, rule: ast.AtRule) -> None:
        name = rule.lower_at_keyword
        line = self._line(rule)
        if name.endswith("keyframes"):  # -webkit-keyframes too
            self.uses.add("css-at-keyframes", line)
            return  # its selectors are percentages, not selectors
        if name in AT_RULES:
            self.uses.add(AT_RULES[name], line)
        if name == "media":
            for token in _walk(rule.prelude):
                if isinstance(token, ast.IdentToken) and token.lower_value in MEDIA_FEATURES:
                    self.uses.add(MEDIA_FEATURES[token.lower_value], self._line(token))
        if rule.content is None:
            return
        if name == "font-face":
            self.block(tinycss2.parse_blocks_contents(rule.content, skip_comments=False, skip_whitespace=True))
        else:
            self.rules(tinycss2.parse_rule_list(rule.content, skip_comments=False, skip_whitespace=True))

    def block(self, nodes: Iterable[Any]) -> None:
        for node in nodes:
            if isinstance(node, ast.Declaration):
                self.declaration(node)
            elif isinstance(node, ast.QualifiedRule):  # a nested rule
                self.uses.add("css-nesting", self._line(node))
                self.rules([node])
            elif isinstance(node, ast.AtRule):
                self.uses.add("css-nesting", self._line(node))
                self.at_rule(node)
            elif isinstance(node, ast.Comment):
                self.uses.add("css-comments", self._line(node))

    def declaration(self, node: ast.Declaration) -> None:
        name, line = node.lower_name, self._line(node)
        if name.startswith("--"):
            self.uses.add("css-variables", line)
        else:
            self.uses.add(PROPERTY_GROUPS.get(name, f"css-{name}"), line)
        if name == "inline-size":
            self.uses.add("css-block-inline-size", line)
        if node.important:
            self.uses.add("css-important", line)
        for token in _walk(node.value):
            token_line = self._line(token) if getattr(token, "source_line", 0) else line
            if name == "display" and isinstance(token, ast.IdentToken) and token.lower_value in DISPLAY_VALUES:
                self.uses.add(DISPLAY_VALUES[token.lower_value], token_line)
            if isinstance(token, ast.FunctionBlock) and token.lower_name in FUNCTIONS:
                self.uses.add(FUNCTIONS[token.lower_name], token_line)
            elif isinstance(token, ast.DimensionToken) and token.lower_unit in UNITS:
                self.uses.add(f"css-unit-{token.lower_unit}", token_line)
            elif isinstance(token, ast.PercentageToken):
                self.uses.add("css-unit-percent", token_line)
            elif isinstance(token, ast.IdentToken) and token.lower_value in KEYWORDS:
                self.uses.add(KEYWORDS[token.lower_value], token_line)

    def selector(self, prelude: list[Any], line: int) -> None:
        groups: list[list[Any]] = [[]]
        for token in prelude:
            if isinstance(token, ast.LiteralToken) and token.value == ",":
                groups.append([])
            else:
                groups[-1].append(token)
        if len([g for g in groups if g]) > 1:
            self.uses.add("css-selector-grouping", line)
        for group in groups:
            self._compound_selectors(group, line)

    def _compound_selectors(self, tokens: list[Any], line: int) -> None:
        simple = 0  # simple selectors in the current compound
        pending_space = False
        index = 0
        while index < len(tokens):
            token = tokens[index]
            index += 1
            if isinstance(token, ast.WhitespaceToken):
                pending_space = simple > 0
                continue
            if isinstance(token, ast.LiteralToken) and token.value in COMBINATORS:
                self.uses.add(COMBINATORS[token.value], line)
                simple, pending_space = 0, False
                continue
            if pending_space:
                self.uses.add("css-selector-descendant", line)
                simple, pending_space = 0, False
            if isinstance(token, ast.IdentToken):
                self.uses.add("css-selector-type", line)
            elif isinstance(token, ast.LiteralToken) and token.value == "*":
                self.uses.add("css-selector-universal", line)
            elif isinstance(token, ast.LiteralToken) and token.value == "&":
                self.uses.add("css-nesting", line)
            elif isinstance(token, ast.LiteralToken) and token.value == "." and index < len(tokens):
                index += 1
                self.uses.add("css-selector-class", line)
            elif isinstance(token, ast.HashToken):
                self.uses.add("css-selector-id", line)
            elif isinstance(token, ast.SquareBracketsBlock):
                self.uses.add("css-selector-attribute", line)
            elif isinstance(token, ast.LiteralToken) and token.value == ":":
                index = self._pseudo(tokens, index, line)
                continue  # pseudo-classes do not make a chain
            else:
                continue
            simple += 1
            if simple == 2:
                self.uses.add("css-selector-chaining", line)

    def _pseudo(self, tokens: list[Any], index: int, line: int) -> int:
        element = index < len(tokens) and isinstance(tokens[index], ast.LiteralToken) and tokens[index].value == ":"
        if element:
            index += 1
        if index >= len(tokens):
            return index
        token = tokens[index]
        name = token.lower_value if isinstance(token, ast.IdentToken) else \
            token.lower_name if isinstance(token, ast.FunctionBlock) else None
        if name is not None:
            is_element = element or name in LEGACY_PSEUDO_ELEMENTS
            self.uses.add(f"css-pseudo-{'element' if is_element else 'class'}-{name}", line)
            if isinstance(token, ast.FunctionBlock):  # :not(.a), :has(> b): selectors inside
                self._compound_selectors(token.arguments, line)
        return index + 1


def _walk(tokens: Iterable[Any]) -> Iterable[Any]:
    """Every token, descending into functions and blocks."""
    for token in tokens or ():
        yield token
        if isinstance(token, ast.FunctionBlock):
            yield from _walk(token.arguments)
        elif isinstance(token, (ast.ParenthesesBlock, ast.SquareBracketsBlock, ast.CurlyBracketsBlock)):
            yield from _walk(token.content)


class _HtmlScanner(HTMLParser):
    def __init__(self, uses: _Uses) -> None:
        super().__init__(convert_charrefs=False)
        self.uses = uses
        self._style: list[str] | None = None  # text of the open <style> element
        self._style_line = 0

    def handle_decl(self, decl: str) -> None:
        if decl.strip().lower() == "doctype html":
            self.uses.add("html-doctype", self.getpos()[0])

    def handle_comment(self, data: str) -> None:
        self.uses.add("html-comments", self.getpos()[0])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self.handle_endtag(tag)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in ELEMENTS:
            self.uses.add(f"html-{tag}", line)
        elif tag in ELEMENT_GROUPS:
            self.uses.add(ELEMENT_GROUPS[tag], line)
        values = {name: value or "" for name, value in attrs}
        for name in values:
            if name in ATTRIBUTES:
                self.uses.add(ATTRIBUTES[name], line)
        self._element_features(tag, values, line)
        if "style" in values and values["style"].strip():
            _CssScanner(self.uses, line + self._lines_before("style")).declarations(values["style"])
        if tag == "style":
            self._style, self._style_line = [], line

    def _lines_before(self, attribute: str) -> int:
        """Line breaks inside the start tag before `attribute` (a tag may span lines)."""
        text = self.get_starttag_text() or ""
        found = re.search(rf"\s{attribute}\s*=", text, re.I)
        return text.count("\n", 0, found.start()) if found else 0

    def _element_features(self, tag: str, values: dict[str, str], line: int) -> None:
        if tag == "a":
            href = values.get("href", "").strip().lower()
            if href.startswith("#") and len(href) > 1:
                self.uses.add("html-anchor-links", line)
            elif href.startswith("mailto:"):
                self.uses.add("html-mailto-links", line)
        elif tag == "input":
            kind = values.get("type", "text").strip().lower() or "text"
            if kind in INPUT_TYPES:
                self.uses.add(f"html-input-{kind}", line)
        elif tag == "button":
            kind = values.get("type", "submit").strip().lower()
            if kind in ("submit", "reset"):
                self.uses.add(f"html-button-{kind}", line)
        elif tag == "meta" and values.get("name", "").lower() in ("color-scheme", "supported-color-schemes"):
            self.uses.add("html-meta-color-scheme", line)
        if tag in ("img", "source") or (tag != "a" and "background" in values):
            for url in _image_urls(values):
                self._image(url, line)

    def _image(self, url: str, line: int) -> None:
        data = _DATA_IMAGE.match(url)
        if data:
            self.uses.add("image-base64", line)
            kind = data.group(1).lower().removeprefix("x-").split("+")[0]
        else:
            extension = _EXTENSION.search(url.split("#")[0])
            kind = extension.group(1).lower() if extension else ""
        if kind in IMAGE_EXTENSIONS:
            self.uses.add(IMAGE_EXTENSIONS[kind], line)

    def handle_data(self, data: str) -> None:
        if self._style is not None:
            if not self._style:
                self._style_line = self.getpos()[0]
            self._style.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._style is not None:
            css, self._style = "".join(self._style), None
            _CssScanner(self.uses, self._style_line).stylesheet(css)


def _image_urls(values: dict[str, str]) -> list[str]:
    urls = [values[name].strip() for name in ("src", "background") if values.get(name, "").strip()]
    for candidate in values.get("srcset", "").split(","):
        if candidate.strip():
            urls.append(candidate.split()[0])
    return urls


def scan(html: str, known: frozenset[str] | None = None) -> Uses:
    """Feature slug -> lines where `html` uses it (only slugs in `known`, when given)."""
    uses = _Uses(known)
    scanner = _HtmlScanner(uses)
    try:
        scanner.feed(html)
        scanner.close()
    except Exception:  # html.parser is lenient; whatever stopped it, keep what was found
        pass
    return dict(uses.lines)
