"""What an HTML body shows: its links, its images and its visible text (pure; html.parser)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import tinycss2
from tinycss2 import ast

HIDDEN_ELEMENTS = frozenset({"head", "style", "script", "title", "template", "noscript"})
_URL_IN_TEXT = re.compile(r"""https?://[^\s<>"')\]]+""", re.I)


@dataclass
class Link:
    url: str
    text: str
    line: int
    part: str  # "html" or "text"


@dataclass
class Image:
    src: str
    alt: str | None  # None: no alt attribute at all
    has_width: bool
    has_height: bool
    line: int


@dataclass
class HtmlContent:
    links: list[Link] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    visible_text: str = ""


def _style_sizes(style: str) -> set[str]:
    """Which of width / height an inline style sets."""
    found = set()
    for node in tinycss2.parse_blocks_contents(style, skip_comments=True, skip_whitespace=True):
        if isinstance(node, ast.Declaration) and node.lower_name in ("width", "height"):
            found.add(node.lower_name)
    return found


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.content = HtmlContent()
        self._text: list[str] = []
        self._hidden = 0
        self._open_links: list[tuple[int, list[str]]] = []  # index in links, text collected

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        line = self.getpos()[0]
        if tag in HIDDEN_ELEMENTS:
            self._hidden += 1
        elif tag in ("a", "area") and values.get("href", "").strip():
            self.content.links.append(Link(values["href"].strip(), "", line, "html"))
            if tag == "a":
                self._open_links.append((len(self.content.links) - 1, []))
        elif tag == "img":
            sizes = _style_sizes(values.get("style", "")) if values.get("style") else set()
            self.content.images.append(Image(
                src=values.get("src", "").strip(), alt=values.get("alt") if "alt" in values else None,
                has_width=bool(values.get("width", "").strip()) or "width" in sizes,
                has_height=bool(values.get("height", "").strip()) or "height" in sizes, line=line))
            if values.get("alt"):
                for _, text in self._open_links:  # an image link's text is its alt
                    text.append(values["alt"])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_ELEMENTS and self._hidden:
            self._hidden -= 1
        elif tag == "a" and self._open_links:
            index, text = self._open_links.pop()
            self.content.links[index].text = " ".join("".join(text).split())

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self._text.append(data)
        for _, text in self._open_links:
            text.append(data)

    def finish(self) -> HtmlContent:
        while self._open_links:  # an <a> never closed
            self.handle_endtag("a")
        self.content.visible_text = " ".join(" ".join(self._text).split())
        return self.content


def read_html(html: str | None) -> HtmlContent:
    if not html:
        return HtmlContent()
    reader = _Reader()
    try:
        reader.feed(html)
        reader.close()
    except Exception:  # html.parser is lenient; keep what was read
        pass
    return reader.finish()


def text_links(text: str | None) -> list[Link]:
    """Bare URLs in a plain-text body, with their lines."""
    links = []
    for number, line in enumerate((text or "").split("\n"), start=1):
        for match in _URL_IN_TEXT.finditer(line):
            links.append(Link(match.group(0).rstrip(".,;:!?"), "", number, "text"))
    return links
