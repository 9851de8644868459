"""One rule at a time: add, change or remove a rule of the live chaos document, for the
Settings page. The API replaces the whole document (`PUT /api/v1/sandbox/chaos/`); a person
editing one rule must not undo a change made meanwhile, so a change or removal names the rule
as it saw it and is refused (409) when that rule is no longer there."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.chaos.rules import CHAOS_DOCUMENT, HTTP_RULE, SMTP_RULE, ChaosState
from gclap_sandbox.errors import Conflict, NotFound
from gclap_sandbox.schema import Obj

KINDS: dict[str, Obj] = {"smtp": SMTP_RULE, "http": HTTP_RULE}


def _rules(state: ChaosState, kind: str) -> list[dict[str, Any]]:
    if kind not in KINDS:
        raise NotFound(f"No kind of chaos rule called {kind!r}: use smtp or http.")
    return list(state.document[kind])


def _install(state: ChaosState, kind: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    document = CHAOS_DOCUMENT.validate({**state.document, kind: rules})
    state.replace(document)
    return state.describe()


def _check_seen(rules: list[dict[str, Any]], index: int, seen: Any) -> None:
    if not 0 <= index < len(rules):
        raise NotFound(f"No rule number {index + 1}: the rules changed; reload the page.", slug="chaos-rule-gone")
    if rules[index] != seen:
        raise Conflict("That rule was changed meanwhile (by the API or another page); reload the page.",
                       slug="chaos-rule-changed")


def add_rule(state: ChaosState, kind: str, rule: Any) -> dict[str, Any]:
    rules = _rules(state, kind)
    return _install(state, kind, [*rules, KINDS[kind].validate(rule)])


def change_rule(state: ChaosState, kind: str, index: int, rule: Any, seen: Any) -> dict[str, Any]:
    rules = _rules(state, kind)
    _check_seen(rules, index, seen)
    rules[index] = KINDS[kind].validate(rule)
    return _install(state, kind, rules)


def remove_rule(state: ChaosState, kind: str, index: int, seen: Any) -> dict[str, Any]:
    rules = _rules(state, kind)
    _check_seen(rules, index, seen)
    del rules[index]
    return _install(state, kind, rules)


def set_seed(state: ChaosState, seed: int | None) -> dict[str, Any]:
    state.replace(CHAOS_DOCUMENT.validate({**state.document, "seed": seed}))
    return state.describe()
