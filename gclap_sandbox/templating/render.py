"""Rendering user-written Jinja2 templates safely.

Templates render in `jinja2.sandbox.SandboxedEnvironment` (no attribute starting with `_`,
no unsafe callables, bounded `range`), with no loader (no include, import or extends: a
template cannot reach the file system), autoescape for HTML, and StrictUndefined so a
variable the template uses but the caller did not give is an error naming it, never a
silently blank email. `*` and `**` are intercepted so one expression cannot build a
gigabyte string.
"""
from __future__ import annotations

import functools
import re
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from gclap_sandbox.errors import ValidationFailed

MAX_OUTPUT = 5 * 1024 * 1024  # characters per rendered part
_MAX_EXPONENT = 1000
_UNDEFINED_NAME = re.compile(r"^'([^']+)' is undefined$")
_FORBIDDEN_TAGS = {nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from ... import",
                   nodes.Extends: "extends"}


class TemplateSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"The exponent {right} is too large.")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_OUTPUT:
                    raise SecurityError("Repeating a value that many times is not allowed.")
        return super().call_binop(context, operator, left, right)


def _environment(autoescape: bool) -> TemplateSandbox:
    return TemplateSandbox(autoescape=autoescape, undefined=jinja2.StrictUndefined,
                           loader=jinja2.DictLoader({}), keep_trailing_newline=True)


_HTML = _environment(autoescape=True)
_TEXT = _environment(autoescape=False)


def syntax_errors(source: str) -> list[str]:
    """Problems that stop `source` from compiling, each as `Line N: message`."""
    try:
        tree = _TEXT.parse(source)
    except TemplateSyntaxError as exc:
        return [f"Line {exc.lineno}: {exc.message}"]
    return [f"Line {node.lineno}: `{{% {tag} %}}` is not available in templates."
            for kind, tag in _FORBIDDEN_TAGS.items() for node in tree.find_all(kind)]


def used_variables(source: str) -> set[str]:
    """Top-level names a template reads (empty when it does not compile)."""
    if syntax_errors(source):
        return set()
    return meta.find_undeclared_variables(_TEXT.parse(source))


@functools.lru_cache(maxsize=256)
def _compiled(source: str, html: bool) -> jinja2.Template:
    return (_HTML if html else _TEXT).from_string(source)


def render_part(source: str, variables: dict[str, Any], *, html: bool, field: str) -> str:
    """Render one part; a missing variable, unsafe access or runtime error is a 400."""
    errors = syntax_errors(source)
    if errors:
        raise ValidationFailed({field: errors}, detail=f"The template's {field} does not compile: {errors[0]}")
    try:
        output = _compiled(source, html).render(variables)
    except UndefinedError as exc:
        match = _UNDEFINED_NAME.match(str(exc))
        if match:
            name = match.group(1)
            raise ValidationFailed({f"variables.{name}": [f"The template uses `{name}`, which was not given."]},
                                   detail=f"The template's {field} uses `{name}`, which was not given.") from None
        raise ValidationFailed({"variables": [f"In {field}: {exc}"]},
                               detail=f"The template's {field} uses a value that was not given: {exc}") from None
    except SecurityError as exc:
        raise ValidationFailed({field: [f"Not allowed in a template: {exc}"]},
                               detail=f"The template's {field} tried something not allowed: {exc}") from None
    except Exception as exc:  # user code: any failure is the template's, reported, never a 500
        raise ValidationFailed({field: [f"Rendering failed: {type(exc).__name__}: {exc}"]},
                               detail=f"The template's {field} failed to render: {exc}") from None
    if len(output) > MAX_OUTPUT:
        raise ValidationFailed({field: [f"The rendered {field} is over {MAX_OUTPUT} characters."]})
    return output


def render_email(parts: dict[str, str | None], variables: dict[str, Any]) -> dict[str, str | None]:
    """{subject, html, text} sources -> rendered parts (a subject stays on one line)."""
    subject = render_part(parts["subject"] or "", variables, html=False, field="subject")
    return {
        "subject": " ".join(subject.split()),
        "html": None if parts.get("html") is None else render_part(parts["html"], variables, html=True,
                                                                     field="html"),
        "text": None if parts.get("text") is None else render_part(parts["text"], variables, html=False,
                                                                     field="text"),
    }
