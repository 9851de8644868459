"""Pure chaos decisions: which rule fires for an SMTP step or an API request."""
from __future__ import annotations

import pytest

from gclap_sandbox.chaos.rules import (
    CHAOS_DOCUMENT,
    ChaosState,
    chaos_applies_to,
    compile_http_rules,
    compile_smtp_rules,
    http_verdict,
    load_document,
    smtp_verdict,
)
from gclap_sandbox.errors import ValidationFailed


def never(_: float) -> bool:
    raise AssertionError("a certain rule must not roll")


def smtp(*rules):
    return compile_smtp_rules(CHAOS_DOCUMENT.validate({"smtp": list(rules)})["smtp"])


def http(*rules):
    return compile_http_rules(CHAOS_DOCUMENT.validate({"http": list(rules)})["http"])


def test_smtp_rule_acts_only_at_its_stage_and_on_matching_addresses():
    rules = smtp({"stage": "rcpt", "match": "*@blocked.test", "code": 550, "message": "No such user"})
    verdict = smtp_verdict(rules, "rcpt", ["Bob@Blocked.test"], never)
    assert (verdict.code, verdict.message, verdict.rule) == (550, "No such user", "smtp[0]")
    assert smtp_verdict(rules, "rcpt", ["bob@fine.test"], never) is None
    assert smtp_verdict(rules, "mail", ["bob@blocked.test"], never) is None


def test_delays_add_up_and_the_first_rejecting_rule_wins():
    rules = smtp({"stage": "data", "delay": 1.5}, {"stage": "data", "code": 451},
                 {"stage": "data", "code": 554})
    verdict = smtp_verdict(rules, "data", ["a@x.test"], never)
    assert (verdict.delay, verdict.code, verdict.rule) == (1.5, 451, "smtp[1]")
    assert "sandbox chaos" in verdict.message  # a default text per stage


def test_delay_only_rule_slows_without_failing():
    verdict = smtp_verdict(smtp({"stage": "connect", "delay": 2}), "connect", ["127.0.0.1"], never)
    assert verdict.delay == 2 and verdict.code is None


def test_probability_rolls_only_when_uncertain():
    rules = smtp({"stage": "mail", "code": 421, "probability": 30}, {"stage": "mail", "code": 450, "probability": 0})
    asked: list[float] = []
    assert smtp_verdict(rules, "mail", ["a@x.test"], lambda p: asked.append(p) or False) is None
    assert asked == [30.0]


def test_http_rules_match_path_and_method_but_never_control_routes():
    rules = http({"path": "/api/v1/emails/*", "methods": ["POST"], "status": 503, "retry_after": 7},
                 {"path": "*", "status": 429})
    assert http_verdict(rules, "POST", "/api/v1/emails/send/", never).code == 503
    assert http_verdict(rules, "POST", "/api/v1/emails/send/", never).retry_after == 7
    limited = http_verdict(rules, "GET", "/api/v1/emails/", never)
    assert (limited.code, limited.retry_after, limited.rule) == (429, 1, "http[1]")
    assert http_verdict(rules, "PUT", "/api/v1/sandbox/chaos/", never) is None
    assert http_verdict(rules, "GET", "/", never) is None
    assert not chaos_applies_to("/api/v1/sandbox") and chaos_applies_to("/api/v1/sandboxes/")


def test_seeded_state_replays_the_same_rolls():
    document = CHAOS_DOCUMENT.validate({"seed": 42, "http": [{"status": 500, "probability": 50}]})
    runs = []
    for _ in range(2):
        state = ChaosState()
        state.replace(document)
        runs.append([state.http("GET", "/api/v1/emails/") is not None for _ in range(40)])
    assert runs[0] == runs[1] and any(runs[0]) and not all(runs[0])


def test_validation_names_each_bad_rule():
    with pytest.raises(ValidationFailed) as caught:
        CHAOS_DOCUMENT.validate({"smtp": [{"stage": "helo", "code": 250}, {"stage": "rcpt"},
                                          {"stage": "mail", "code": 550, "match": ["re:("]}],
                                 "http": [{"status": 404}, {"status": 500, "probability": 101}], "x": 1})
    errors = caught.value.errors
    assert {"smtp[0].stage", "smtp[0].code", "smtp[2].match[0]", "http[1].probability", "x"} <= set(errors)
    with pytest.raises(ValidationFailed) as caught:
        CHAOS_DOCUMENT.validate({"smtp": [{"stage": "rcpt"}], "http": [{"status": 404}]})
    assert set(caught.value.errors) == {"smtp[0]", "http[0].status"}


def test_load_document_from_inline_json_or_file(tmp_path):
    assert load_document('{"smtp": [{"stage": "data", "code": 451}]}')["smtp"][0]["code"] == 451
    path = tmp_path / "chaos.json"
    path.write_text('{"http": [{"delay": 0.5}]}')
    assert load_document(str(path))["http"][0]["delay"] == 0.5
    for bad in ("{nope", str(tmp_path / "missing.json"), '{"smtp": [{"stage": "nowhere"}]}'):
        with pytest.raises(ValueError):
            load_document(bad)
