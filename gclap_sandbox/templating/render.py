"""Rendering user-written Jinja2 templates safely, within a budget.

Templates render in `template_sandbox.BudgetedSandbox` (Jinja's immutable sandbox: no
attribute starting with `_`, no unsafe callables, no changing lists or dicts in place), with
no loader (no include, import or extends: a template cannot reach the file system),
autoescape for HTML, and StrictUndefined so a variable the template uses but the caller did
not give is an error naming it, never a silently blank email.

Each part (subject, html, text) renders within the limits of `template_budget`: output
size, loop iterations and time. Going over one is a 400 `template-too-expensive` naming the
limit. Everything here is blocking work: callers run it on the render threads
(`template_renderer.RenderThreads`), never on the event loop or the database thread.
"""
from __future__ import annotations

import functools
import re
import types
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError

from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.templating.budget import Budget, BudgetExceeded, Limit, spending
from gclap_sandbox.templating.sandbox import BudgetedSandbox

PARTS = ("subject", "html", "text")
NEEDS_BODY = "A template needs `html` or `text` (or both)."
_UNDEFINED_NAME = re.compile(r"^'([^']+)' is undefined$")
_FORBIDDEN_TAGS = {nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from ... import",
                   nodes.Extends: "extends"}


class TemplateTooExpensive(ValidationFailed):
    """400: rendering went over one of the budget's limits (named in `limit`)."""

    title = "Template too expensive"
    slug = "template-too-expensive"

    def __init__(self, field: str, limit: Limit) -> None:
        super().__init__({field: [f"Over the `{limit.name}` limit: {limit.rule}."]}, detail=limit.refusal(field))
        self.extra["limit"] = limit.name
        self.limit = limit


def _environment(autoescape: bool, undefined: type[jinja2.Undefined]) -> BudgetedSandbox:
    return BudgetedSandbox(autoescape=autoescape, undefined=undefined, loader=jinja2.DictLoader({}),
                           keep_trailing_newline=True)


# Strict environments render for real; lenient ones measure a template without its variables.
_ENVIRONMENTS = {(html, strict): _environment(html, jinja2.StrictUndefined if strict else jinja2.ChainableUndefined)
                 for html in (True, False) for strict in (True, False)}
_PARSER = _ENVIRONMENTS[False, True]


def syntax_errors(source: str) -> list[str]:
    """Problems that stop `source` from compiling, each as `Line N: message`."""
    return list(_parsed(source)[0])


def used_variables(source: str) -> set[str]:
    """Top-level names a template reads (empty when it does not compile)."""
    return set(_parsed(source)[1])


@functools.lru_cache(maxsize=256)  # parsing a large template takes a while; sends repeat it
def _parsed(source: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """(syntax errors, names used) of `source`."""
    try:
        tree = _PARSER.parse(source)
    except TemplateSyntaxError as exc:
        return (f"Line {exc.lineno}: {exc.message}",), frozenset()
    errors = tuple(f"Line {node.lineno}: `{{% {tag} %}}` is not available in templates."
                   for kind, tag in _FORBIDDEN_TAGS.items() for node in tree.find_all(kind))
    return errors, frozenset() if errors else frozenset(meta.find_undeclared_variables(tree))


def sample_variables(parts: dict[str, str | None]) -> dict[str, str]:
    """Placeholder values for the names the parts use (`first_name` -> `First Name`)."""
    names = set().union(*(used_variables(source) for source in parts.values() if source))
    return {name: name.replace("_", " ").title() for name in sorted(names) if name != "contact"}


@functools.lru_cache(maxsize=256)
def _code(source: str, html: bool) -> types.CodeType:
    return _ENVIRONMENTS[html, True].compile_budgeted(source)


@functools.lru_cache(maxsize=256)
def _compiled(source: str, html: bool, strict: bool) -> jinja2.Template:
    return _ENVIRONMENTS[html, strict].template_from(_code(source, html))


def _render(source: str, variables: dict[str, Any], html: bool, strict: bool, budget: Budget) -> str:
    template = _compiled(source, html, strict)
    with spending(budget):
        return template.render(variables)


def render_part(source: str, variables: dict[str, Any], *, html: bool, field: str,
                budget: Budget | None = None) -> str:
    """Render one part; a missing variable, unsafe access, runtime error or a limit is a 400."""
    errors = syntax_errors(source)
    if errors:
        raise ValidationFailed({field: errors}, detail=f"The template's {field} does not compile: {errors[0]}")
    try:
        return _render(source, variables, html, True, budget or Budget())
    except BudgetExceeded as exc:
        raise TemplateTooExpensive(field, exc.limit) from None
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


def invalid(errors: dict[str, list[str]]) -> ValidationFailed:
    """The 400 for parts that cannot be a template, its detail quoting the first problem."""
    name, messages = next(iter(errors.items()))
    return ValidationFailed(errors, detail=f"The template's {name} is invalid: {messages[0]}")


def body_errors(parts: dict[str, str | None]) -> dict[str, list[str]]:
    return {"html": [NEEDS_BODY]} if parts.get("html") is None and parts.get("text") is None else {}


def check_sources(parts: dict[str, str | None], *, whole: bool = False) -> None:
    """Refuse parts that do not compile, or that go over the budget by themselves; with
    `whole` (a complete template) also one without `html` and `text`.

    Each given part is rendered once without variables (a missing one renders as empty);
    only going over a limit counts against the template then, since any other failure may
    be down to the variables it will be sent with.
    """
    errors = {name: syntax_errors(source) for name, source in parts.items() if source is not None}
    errors = {name: messages for name, messages in errors.items() if messages}
    if whole:
        for name, messages in body_errors(parts).items():
            errors[name] = errors.get(name, []) + messages
    if errors:
        raise invalid(errors)
    for name, source in parts.items():
        if source is None:
            continue
        try:
            _render(source, {}, name == "html", False, Budget())
        except BudgetExceeded as exc:
            raise TemplateTooExpensive(name, exc.limit) from None
        except Exception:  # noqa: S112  (depends on the variables: judged at send time)
            continue
