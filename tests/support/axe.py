"""axe-core (Deque's accessibility engine, vendored from npm under tests/vendor/axe-core/, test
only) run on the page a browser shows: `violations(page)` answers what axe finds, and
`describe(found)` writes it out the way a person fixes it (rule, impact, which elements, why).

The script is evaluated through the DevTools protocol rather than added as a <script> tag, so
the pages' Content-Security-Policy (no inline scripts) stays as it is for the check.
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


@lru_cache(maxsize=1)
def axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def violations(page: Any) -> list[dict[str, Any]]:
    """The axe violations on the page as it is now (rule id, impact, help, the elements)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate("""async (options) => {
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
