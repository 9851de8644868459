"""The rendering budget, in-process: every limit stops the render and is named in the 400;
templates within the limits render exactly as Jinja2 renders them."""
from __future__ import annotations

import threading

import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment

from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.templating.budget import Budget
from gclap_sandbox.templating.render import (
    TemplateTooExpensive,
    check_sources,
    render_part,
)

NESTED = "{% for a in range(100000) %}{% for b in range(400) %}x{% endfor %}{% endfor %}"
DOUBLING = "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s OP ns.s %}{% endfor %}"
EXPONENTIAL = "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(DEPTH) }}"


def _refusal(source: str, variables: dict | None = None, budget: Budget | None = None) -> TemplateTooExpensive:
    with pytest.raises(TemplateTooExpensive) as caught:
        render_part(source, variables or {}, html=True, field="html", budget=budget)
    return caught.value


@pytest.mark.parametrize("source, variables", [
    (NESTED, {}),
    ("{{ range(100001)|length }}", {}),
    ("{% for a in items %}{% for b in items %}{% endfor %}{% endfor %}", {"items": list(range(400))}),
    ("{% for a in range(1000) %}{% for b in range(1000) if b < 0 %}{% endfor %}{% endfor %}", {}),
    ("{% for x in [1] recursive %}{% if loop.depth < 4 %}{{ loop(range(100)) }}{% endif %}{% endfor %}", {}),
    ("{{ [1]|slice(10 ** 9)|list|length }}", {}),
], ids=["nested-loops", "long-range", "loops-over-variables", "filtered-loop", "recursive-loop", "slice"])
def test_loop_iterations_are_capped(source, variables):
    refused = _refusal(source, variables)
    assert refused.limit.name == "loop_iterations"
    problem = refused.to_problem()
    assert problem["type"].endswith("/template-too-expensive") and problem["status"] == 400
    assert problem["limit"] == "loop_iterations"
    assert problem["errors"] == {"html": [
        "Over the `loop_iterations` limit: at most 100,000 loop iterations (all loops together) per part."]}
    assert "100,000 loop iterations" in problem["detail"]


@pytest.mark.parametrize("source", [
    "{% for i in range(100000) %}{{ big }}{% endfor %}",
    "{% macro m() %}{% for i in range(100000) %}{{ big ~ i }}{% endfor %}{% endmacro %}{{ m()|length }}",
    "{% set block %}{% for i in range(100000) %}{{ big }}{% endfor %}{% endset %}{{ block|length }}",
    "{% filter upper %}{% for i in range(100000) %}{{ big }}{% endfor %}{% endfilter %}",
    DOUBLING.replace("OP", "~"),
    DOUBLING.replace("OP", "+"),
    "{{ ('a' * 1000000) ~ ('a' * 1000000) ~ ('a' * 1000000) }}",
    "{{ 'a' * 100000000 }}",
    "{{ ['a'] * 100000000 }}",
    "{{ 'x'|center(1000000000) }}",
    "{{ 'x'.ljust(1000000000) }}",
    "{{ 'x'.zfill(1000000000) }}",
    "{{ '%1000000000d' % 1 }}",
    "{{ '%*d' % (1000000000, 1) }}",
    "{{ '%.1000000000f'|format(1.5) }}",
    "{{ '{:>1000000000}'.format(1) }}",
    "{{ '{:>{w}}'.format(1, w=1000000000) }}",
    "{{ range(100000)|join(big) }}",
    "{{ big.join(range(100000)|map('string')) }}",
    "{{ big|replace('x', big) }}",
    "{{ big.replace('x', big) }}",
    "{{ big.translate({120: big}) }}",
    "{{ ('\t' * 100000).expandtabs(1000) }}",
    "{{ big|wordwrap(1, wrapstring=big) }}",
    "{{ ('\n' * 100000)|indent(1000, true, true) }}",
    "{{ [1]|batch(1000000000, 0)|list|length }}",
    "{{ lipsum(1000000) }}",
    "{{ (1).to_bytes(1000000000, 'big')|length }}",
])
def test_values_and_output_are_capped_before_they_are_built(source):
    # Each would take gigabytes if built first and measured afterwards.
    refused = _refusal(source, {"big": "x" * 10_000})
    assert refused.limit.name == "output_size"
    assert refused.errors["html"][0].startswith("Over the `output_size` limit: a rendered part")


@pytest.mark.parametrize("source", [
    "{{ 2 ** 100000 }}",
    "{{ (10 ** 1000) ** 1000 }}",
    "{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}",
])
def test_numbers_are_capped(source):
    assert _refusal(source).limit.name == "number_size"


def test_a_render_that_runs_too_long_stops_itself_at_the_time_limit():
    outcome: dict = {}

    def render() -> None:
        try:
            render_part(EXPONENTIAL.replace("DEPTH", "64"), {}, html=True, field="html",
                        budget=Budget(seconds=0.2))
        except TemplateTooExpensive as refused:
            outcome["limit"] = refused.limit.name

    worker = threading.Thread(target=render, daemon=True)
    worker.start()
    worker.join(timeout=120)  # a deadline for the test, not a measurement
    assert not worker.is_alive(), "the render was not stopped"
    assert outcome == {"limit": "render_time"}


def test_the_time_limit_is_named_in_the_400():
    refused = _refusal(EXPONENTIAL.replace("DEPTH", "64"), budget=Budget(seconds=0.05))
    assert refused.to_problem()["limit"] == "render_time"
    assert refused.errors == {"html": ["Over the `render_time` limit: rendering one part may take at most 2 seconds."]}


def test_templates_within_the_limits_render_as_jinja_renders_them():
    source = (
        "{% macro row(item, number) %}<li>{{ number }}. {{ item.name|title }}: {{ '%.2f'|format(item.price) }}</li>"
        "{% endmacro %}"
        "{% macro box() %}<div>{{ caller() }}</div>{% endmacro %}"
        "{% set total %}{{ items|sum(attribute='price') }}{% endset %}"
        "{% call box() %}{% for item in items %}{{ row(item, loop.index) }}{% endfor %}{% endcall %}"
        "{% for group in items|batch(2, '-') %}[{{ group|map(attribute='name', default='-')|join(',') }}]"
        "{% endfor %}"
        "{% for column in items|slice(2) %}({{ column|length }}){% endfor %}"
        "{% for node in tree recursive %}{{ node.name }}{% if node.kids is defined and node.kids %}<{{ loop(node.kids) }}>{% endif %}"
        "{% endfor %}"
        "|{{ total }}|{{ 'hi'|center(6) }}|{{ 'a-b'|replace('-', '+') }}|{{ '{:>4}'.format(7) }}"
        "|{{ '%03d' % 7 }}|{{ 'x'.zfill(3) }}|{{ ['a', 'b']|join('/') }}|{{ 'a b c'|wordwrap(3) }}"
        "|{{ 'l1\nl2'|indent(2) }}|{{ (2 ** 64) * 3 }}|{{ 'ab' ~ 'cd' }}|{{ [1] + [2] }}|{{ lipsum(1, false, 3, 4)|wordcount >= 3 }}"
        "|{% filter upper %}shout{% endfilter %}|{{ range(3)|list }}"
    )
    variables = {"items": [{"name": "tea", "price": 2.5}, {"name": "cake", "price": 4.25},
                           {"name": "jam", "price": 3}],
                 "tree": [{"name": "a", "kids": [{"name": "b", "kids": []}, {"name": "c"}]}]}
    jinja = SandboxedEnvironment(undefined=jinja2.StrictUndefined).from_string(source).render(variables)
    assert render_part(source, variables, html=False, field="text") == jinja == (
        "<div><li>1. Tea: 2.50</li><li>2. Cake: 4.25</li><li>3. Jam: 3.00</li></div>"
        "[tea,cake][jam,-](2)(1)a<bc>"
        "|9.75|  hi  |a+b|   7|007|00x|a/b|a b\nc|l1\n  l2|55340232221128654848|abcd|[1, 2]|True|SHOUT|[0, 1, 2]")


def test_lists_and_dicts_cannot_be_changed_in_place():
    for source in ("{% set l = [1] %}{{ l.append(2) }}", "{% set d = {} %}{{ d.update(a=1) }}"):
        with pytest.raises(ValidationFailed) as caught:
            render_part(source, {}, html=False, field="text")
        assert "unsafe" in caught.value.detail and not isinstance(caught.value, TemplateTooExpensive)


def test_saving_refuses_a_template_only_when_it_alone_goes_over_a_limit():
    with pytest.raises(TemplateTooExpensive) as caught:
        check_sources({"subject": "Hi", "html": "<p>ok</p>", "text": NESTED})
    assert caught.value.errors == {"text": [
        "Over the `loop_iterations` limit: at most 100,000 loop iterations (all loops together) per part."]}
    # Whether these are too expensive depends on the variables they are sent with.
    check_sources({"subject": "{{ name }}", "html": EXPONENTIAL.replace("DEPTH", "depth"),
                   "text": "{% for a in range(n) %}{% for b in range(n) %}.{% endfor %}{% endfor %}"})
    check_sources({"html": "{{ user.profile.name|upper }} {{ 1 / 0 if broken }}"})
