"""axe-core (Deque's accessibility engine, vendored from npm under tests/vendor/axe-core/, test
only) run on the page a browser shows: `violations(page)` answers what axe finds, and
`describe(found)` writes it out the way a person fixes it (rule, impact, which elements, why).

The script is evaluated through the DevTools protocol rather than added as a <script> tag, so
the pages' Content-Security-Policy (no inline scripts) stays as it is for the check.

A page made of many sections drawn by one template (the API reference: 138 route sections, 12,000
elements, 20 s of axe on a busy machine) can be checked once per structure: `violations(page,
one_per_structure="article.endpoint")` gives axe the whole page except the sections that repeat
another's structure, meaning the same kinds of elements (tag, classes, attributes) in the same
template, so the same styles and roles; what differs between two such sections is only their
words. The page's ids, which such a sample would not see repeated, are checked over the whole page.
The repeated sections are emptied (their element and id stay, so in-page links still land) rather
than excluded: axe walks the whole document even for what it is told to exclude, so on the API
reference an exclusion cost four times the run on what is left (12 s against 3 s). The page is
changed by it: check it last, and load it again before anything else.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

AXE_SCRIPT = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"

# Every rule axe has beyond the experimental ones: WCAG 2.0-2.2 A and AA, and best practices
# (landmarks, headings, regions). Frames are left out: an email's own HTML, shown in the
# preview frame, is the sender's content, not the sandbox's page.
RUN_OPTIONS = {"iframes": False, "resultTypes": ["violations"]}

# The sections of `selector` whose structure (every element's tag, classes and attribute names,
# ids aside) another section before them already has: emptied before the axe run.
REPEATED_SECTIONS = """(selector) => {
    const shape = el => [el, ...el.querySelectorAll('*')].map(e => [e.tagName, e.className,
        ...Array.from(e.attributes).map(a => a.name).filter(n => n !== 'id').sort()].join(' '));
    const seen = new Set(), repeated = [];
    for (const section of document.querySelectorAll(selector)) {
        const key = Array.from(new Set(shape(section))).sort().join('\\n');
        if (seen.has(key)) repeated.push(section); else seen.add(key);
    }
    const unnamed = repeated.filter(section => !section.id);
    repeated.forEach(section => section.replaceChildren());
    return repeated.length;
}"""

DUPLICATE_IDS = """() => {
    const counts = new Map();
    for (const el of document.querySelectorAll('[id]')) counts.set(el.id, (counts.get(el.id) || 0) + 1);
    return Array.from(counts).filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n} times)`);
}"""


@lru_cache(maxsize=1)
def axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def violations(page: Any, one_per_structure: str | None = None) -> list[dict[str, Any]]:
    """The axe violations on the page as it is now (rule id, impact, help, the elements); with
    `one_per_structure`, sections matching that selector are checked once per structure (and the
    repeated ones are emptied: see the module's docstring)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found: list[dict[str, Any]] = []
    if one_per_structure:
        duplicates = page.evaluate(DUPLICATE_IDS)  # over the whole page, before any section is emptied
        if duplicates:
            found.append({"id": "duplicate-id (whole page)", "impact": "minor", "help": "ids are unique", "url": "",
                          "nodes": [{"target": f"#{d}", "html": "", "why": "the id is used again"} for d in duplicates]})
        page.evaluate(REPEATED_SECTIONS, one_per_structure)
    return found + page.evaluate("""async (options) => {
        const result = await window.axe.run(document, options);
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                      why: (n.failureSummary || '').replace(/\\s+/g, ' ')}))}));
    }""", RUN_OPTIONS)


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for rule in found:
        lines.append(f"- {rule['id']} ({rule['impact']}): {rule['help']} [{len(rule['nodes'])} element(s)]")
        lines.extend(f"    {node['target']}: {node['why']}\n      {node['html']}" for node in rule["nodes"][:5])
    return "\n".join(lines)
