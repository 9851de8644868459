"""The Jinja2 environment user templates run in: Jinja's immutable sandbox, charged to a budget.

On top of `ImmutableSandboxedEnvironment` (no `_` attributes, no unsafe callables, lists
and dicts cannot be changed in place), every place where a template spends work reports to
the current `template_budget.Budget`:

- each iteration of every `{% for %}` (an instruction added to the loop when compiling),
  and `range()` longer than the iteration limit is refused outright;
- every attribute or item lookup, call, operator and filter ticks the clock, so a runaway
  render stops itself at the time limit;
- output is counted while it is produced: the top level as it is yielded, and every
  buffer (macros, `{% set %}` blocks, `{% filter %}`, `caller()`) as it is appended to;
- operations that could build a huge value in one step (`*`, `**`, `+`, `%`, `~`, `join`,
  `replace`, `center`, `indent`, `wordwrap`, `format`, `sum`, `batch`, `slice`, `lipsum`,
  and the str / bytes / int methods that pad or multiply) check the size first.
"""
from __future__ import annotations

import functools
import re
import string
import types
from collections.abc import Mapping
from typing import Any, Callable, Iterable, Iterator

import jinja2
from jinja2 import filters, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

from gclap_sandbox.templating import budget
from gclap_sandbox.templating.budget import LOOP_ITERATIONS, BudgetExceeded

_SIZED = (str, bytes, list, tuple)
_PRINTF_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


def _size(value: Any) -> int:
    """Characters (or items) a value adds when joined into text."""
    return len(value) if isinstance(value, _SIZED) else len(str(value))


def _length(value: Any) -> int:
    """Characters (or items) a value adds to a sum: numbers add none."""
    return len(value) if isinstance(value, _SIZED) else 0


def bounded_join(pieces: Iterable[Any]) -> str:
    """`Environment.concat`: joins rendered output, counting it as it is produced."""
    if isinstance(pieces, BoundedBuffer):
        return "".join(pieces)  # already counted while it was filled
    kept, total = [], 0
    for piece in pieces:
        total += len(piece)
        budget.check_size(total)
        budget.tick()
        kept.append(piece)
    return "".join(kept)


class BoundedBuffer(list):
    """The list compiled templates collect buffered output in, refusing to outgrow the limit."""

    total = 0

    def append(self, piece: Any) -> None:
        self.total += len(piece)
        budget.check_size(self.total)
        budget.tick()
        super().append(piece)

    def extend(self, pieces: Iterable[Any]) -> None:
        for piece in pieces:
            self.append(piece)


_CHARGE = "count_iteration"


def _charge_iteration() -> nodes.Call:
    """The node `count_loop_iterations` adds; no template source can produce one."""
    return nodes.Call(nodes.EnvironmentAttribute(_CHARGE), [], [], None, None)


class BudgetedCodeGenerator(CodeGenerator):
    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        if isinstance(node.node, nodes.EnvironmentAttribute) and node.node.name == _CHARGE:
            self.write(f"environment.{_CHARGE}()")  # straight to the budget, not through the sandbox's call
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.new_buffer()")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # Jinja's own `~`, with the parts handed to `environment.concat_within_budget`.
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.concat_within_budget({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def count_loop_iterations(tree: nodes.Template, environment: jinja2.Environment) -> None:
    """Make every `{% for %}` charge one iteration per item (before its `if` filter, if any)."""
    for loop in list(tree.find_all(nodes.For)):
        charge = _charge_iteration()
        charge.set_lineno(loop.lineno).set_environment(environment)
        if loop.test is not None:
            loop.test = nodes.And(charge, loop.test).set_lineno(loop.lineno).set_environment(environment)
        else:
            loop.body.insert(0, nodes.ExprStmt(charge).set_lineno(loop.lineno).set_environment(environment))


# --- checks made before an operation that could build a huge value in one step ---

def _check_repeat(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, _SIZED) and isinstance(times, int):
            budget.check_size(len(seq) * times)
    if isinstance(left, int) and isinstance(right, int):
        budget.check_bits(left.bit_length() + right.bit_length())


def _check_power(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        budget.check_bits(base.bit_length() * exponent)


def _check_printf(fmt: str, values: Any) -> None:
    """`"%5d" % x`: refuse widths or precisions past the size limit (also given with `*`)."""
    for match in _PRINTF_SPEC.finditer(fmt):
        for number in match.groups():
            if number == "*":
                args = values if isinstance(values, tuple) else (values,)
                for arg in args:
                    if isinstance(arg, int):
                        budget.check_size(abs(arg))
            elif number:
                budget.check_size(int(number))


def _check_format_specs(fmt: str, args: tuple, kwargs: Mapping[str, Any]) -> None:
    """`"{:>9}".format(x)`: the same for str.format; a nested `{}` width is checked by value."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # the call itself reports the malformed format string
    for _, _, spec, _ in fields:
        if not spec:
            continue
        for number in _DIGITS.findall(spec):
            budget.check_size(int(number))
        if "{" in spec:
            for value in (*args, *kwargs.values()):
                if isinstance(value, int):
                    budget.check_size(abs(value))


def _replaced_size(text: Any, old: Any, new: Any, count: int | None) -> int:
    if not isinstance(text, (str, bytes)) or not isinstance(old, (str, bytes)) or not isinstance(
            new, (str, bytes)):
        return 0
    found = len(text) + 1 if not old else text.count(old)
    if count is not None and count >= 0:
        found = min(found, count)
    return len(text) + found * max(len(new) - len(old), 0)


def _counted(items: Iterable[Any], start: int = 0, separator: int = 0,
             measure: Callable[[Any], int] = _size) -> Iterator[Any]:
    """Pass items on while adding up their sizes (plus a separator each) against the limit."""
    total = start
    for item in items:
        total += measure(item) + separator
        budget.check_size(total)
        budget.tick()
        yield item


# str / bytes / int methods that can pad or multiply: the check to make before calling them,
# each taking the method's owner and arguments.
def _check_width(width: Any) -> None:
    if isinstance(width, int):
        budget.check_size(width)


def _guard_width(owner: Any, width: Any = 0, *args: Any) -> None:
    _check_width(width)


def _guard_expandtabs(owner: Any, tabsize: Any = 8) -> None:
    if isinstance(tabsize, int):
        budget.check_size(len(owner) + owner.count("\t" if isinstance(owner, str) else b"\t") * tabsize)


def _guard_replace(owner: Any, old: Any = "", new: Any = "", count: Any = -1) -> None:
    budget.check_size(_replaced_size(owner, old, new, count if isinstance(count, int) else None))


def _guard_translate(owner: Any, table: Any = None, *args: Any, **kwargs: Any) -> None:
    if isinstance(table, Mapping):
        longest = max((len(v) for v in table.values() if isinstance(v, (str, bytes))), default=1)
        budget.check_size(len(owner) * longest)


def _guard_to_bytes(owner: Any, length: Any = 1, *args: Any, **kwargs: Any) -> None:
    _check_width(length)


_METHOD_GUARDS: dict[str, Callable[..., None]] = {
    "center": _guard_width, "ljust": _guard_width, "rjust": _guard_width, "zfill": _guard_width,
    "expandtabs": _guard_expandtabs, "replace": _guard_replace, "translate": _guard_translate,
    "to_bytes": _guard_to_bytes,
}


def _guarded_method(value: Any) -> Any:
    """A str / bytes / int method that could build a huge value, wrapped in its size check."""
    if not isinstance(value, (types.BuiltinMethodType, types.MethodType)):
        return value
    owner = getattr(value, "__self__", None)
    if not isinstance(owner, (str, bytes, int)):
        return value
    if value.__name__ == "join" and isinstance(owner, (str, bytes)):
        @functools.wraps(value)
        def join(items: Iterable[Any]) -> Any:
            return value(list(_counted(items, separator=len(owner))))
        return join
    guard = _METHOD_GUARDS.get(value.__name__)
    if guard is None:
        return value

    @functools.wraps(value)
    def checked(*args: Any, **kwargs: Any) -> Any:
        guard(owner, *args, **kwargs)
        return value(*args, **kwargs)
    return checked


# Filters that could build a huge value in one step, with the same checks.
def _center(value: Any, width: int = 80) -> str:
    _check_width(width)
    return filters.do_center(value, width)


def _indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    lines = str(s).count("\n") + 1
    budget.check_size(len(str(s)) + lines * (width if isinstance(width, int) else len(str(width))))
    return filters.do_indent(s, width, first, blank)


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    _check_printf(str(value), args)
    return filters.do_format(value, *args, **kwargs)


@filters.pass_eval_context
def _join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    if attribute is not None:
        value = map(filters.make_attrgetter(eval_ctx.environment, attribute), value)
    return filters.sync_do_join(eval_ctx, _counted(value, separator=len(str(d))), d)


@filters.pass_eval_context
def _replace(eval_ctx: Any, s: str, old: str, new: str, count: int | None = None) -> str:
    budget.check_size(_replaced_size(str(s), str(old), str(new), count))
    return filters.do_replace(eval_ctx, s, old, new, count)


@filters.pass_environment
def _wordwrap(environment: jinja2.Environment, s: str, width: int = 79, break_long_words: bool = True,
              wrapstring: str | None = None, break_on_hyphens: bool = True) -> str:
    text, joint = str(s), environment.newline_sequence if wrapstring is None else str(wrapstring)
    # Each wrapped line holds at least about half the width, so this bounds the line count.
    lines = text.count("\n") + 1 + 2 * len(text) // max(width, 1)
    budget.check_size(len(text) + lines * len(joint))
    return filters.do_wordwrap(environment, s, width, break_long_words, wrapstring, break_on_hyphens)


def _batch(value: Iterable[Any], linecount: int, fill_with: Any = None) -> Iterator[list[Any]]:
    if fill_with is not None:
        budget.check_size(linecount)
    return filters.do_batch(value, linecount, fill_with)


def _slice(value: Iterable[Any], slices: int, fill_with: Any = None) -> Iterator[list[Any]]:
    budget.iterate(max(slices, 0))  # it loops once per slice, however few items there are
    return filters.sync_do_slice(value, slices, fill_with)


@filters.pass_environment
def _sum(environment: jinja2.Environment, iterable: Iterable[Any], attribute: Any = None, start: Any = 0) -> Any:
    if attribute is not None:
        iterable = map(filters.make_attrgetter(environment, attribute), iterable)
    counted = _counted(iterable, start=_length(start), measure=_length)
    return filters.sync_do_sum(environment, counted, None, start)


_FILTER_OVERRIDES: dict[str, Callable[..., Any]] = {
    "center": _center, "indent": _indent, "format": _format, "join": _join, "replace": _replace,
    "wordwrap": _wordwrap, "batch": _batch, "slice": _slice, "sum": _sum,
}


def _ticking(func: Callable[..., Any]) -> Callable[..., Any]:
    """Any filter: tick the clock on each call and on each item of a lazy result."""
    @functools.wraps(func)  # keeps Jinja's pass_context / pass_environment marker
    def filtered(*args: Any, **kwargs: Any) -> Any:
        budget.tick()
        result = func(*args, **kwargs)
        if isinstance(result, types.GeneratorType):
            return _ticking_items(result)
        return result
    return filtered


def _ticking_items(items: Iterator[Any]) -> Iterator[Any]:
    for item in items:
        budget.tick()
        yield item


def bounded_range(*args: int) -> range:
    try:
        numbers = range(*args)
        length = len(numbers)
    except OverflowError:
        raise BudgetExceeded(LOOP_ITERATIONS) from None
    if length > LOOP_ITERATIONS.value:
        raise BudgetExceeded(LOOP_ITERATIONS)
    return numbers


def bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    budget.check_size(n * max * 15)  # words of up to ~14 characters and a space
    return generate_lorem_ipsum(n, html, min, max)


class BudgetedSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = BudgetedCodeGenerator
    concat = staticmethod(bounded_join)  # type: ignore[assignment]
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = bounded_range
        self.globals["lipsum"] = bounded_lipsum
        self.filters = {name: _ticking(_FILTER_OVERRIDES.get(name, func)) for name, func in self.filters.items()}

    # Called by the code BudgetedCodeGenerator writes.
    new_buffer = staticmethod(BoundedBuffer)

    def count_iteration(self) -> bool:
        budget.iterate()
        return True

    @staticmethod
    def concat_within_budget(join: Callable[[Iterable[Any]], str], parts: tuple) -> str:
        budget.check_size(sum(_size(part) for part in parts))
        joined = join(parts)
        budget.check_size(len(joined))  # escaping may have grown it
        return joined

    # Jinja's sandbox hooks, charged to the budget.
    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget.tick()
        if operator == "*":
            _check_repeat(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "+" and isinstance(left, _SIZED) and isinstance(right, _SIZED):
            budget.check_size(len(left) + len(right))
        elif operator == "%" and isinstance(left, str):
            _check_printf(left, right)
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        budget.tick()
        return _guarded_method(super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        budget.tick()
        return _guarded_method(super().getitem(obj, argument))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        budget.tick()
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        sandboxed = super().wrap_str_format(value)
        if sandboxed is None:
            return None
        fmt = value.__self__

        @functools.wraps(value)
        def checked(*args: Any, **kwargs: Any) -> str:
            if value.__name__ == "format_map":
                _check_format_specs(fmt, (), args[0] if args and isinstance(args[0], Mapping) else {})
            else:
                _check_format_specs(fmt, args, kwargs)
            return sandboxed(*args, **kwargs)
        return checked

    def compile_budgeted(self, source: str) -> types.CodeType:
        """Compile `source` with every loop charging the budget (for `template_from`)."""
        tree = self.parse(source)
        count_loop_iterations(tree, self)
        return self.compile(tree)

    def template_from(self, code: types.CodeType) -> jinja2.Template:
        """A template of this environment from code compiled by one with the same options
        (the code looks `undefined` up at run time, so strict and lenient can share it)."""
        return self.template_class.from_code(self, code, self.make_globals(None), None)
