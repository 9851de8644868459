"""Fault injection ("chaos"): rules that make the SMTP server or the REST API misbehave.

One rule document drives both sides, set at start (`serve --chaos`) or at run time
(`PUT /api/v1/sandbox/chaos/`):

    {"seed": 7,
     "smtp": [{"stage": "rcpt", "match": ["*@blocked.test"], "code": 550, "message": "No such user"},
              {"stage": "data", "probability": 20, "code": 451, "delay": 2}],
     "http": [{"path": "/api/v1/emails/*", "methods": ["POST"], "status": 503, "probability": 50}]}

Rules are checked in order. Every rule that applies adds its delay; the first that applies
and carries a `code` (SMTP) or `status` (HTTP) fails the request. `probability` (0-100)
is rolled on a `random.Random` owned here and seeded from `--seed` (or the document's
`seed`; without either, one picked at random and reported), so a run can be replayed. Deciding is pure (`smtp_verdict`, `http_verdict`); the
SMTP and HTTP glue lives in `chaos_smtp.py` and `chaos_http.py`.
"""
from __future__ import annotations

import asyncio
import json
import os
import random
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.patterns import Pattern, compile_pattern, pattern_error
from gclap_sandbox.schema import NOT_BLANK, Errors, Int, ListOf, Number, Obj, Str
from gclap_sandbox.schema_rules import Rule, Sent

SMTP_STAGES = ("connect", "mail", "rcpt", "data")
HTTP_STATUSES = (429, 500, 502, 503, 504)
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
API_PATHS = "/api/v1/"
CONTROL_PATHS = "/api/v1/sandbox"  # never subject to chaos: tests must always be able to turn it off
MAX_DELAY = 300

DEFAULT_SMTP_MESSAGES = {
    "connect": "Service not available (sandbox chaos)",
    "mail": "Sender rejected (sandbox chaos)",
    "rcpt": "Recipient rejected (sandbox chaos)",
    "data": "Message rejected (sandbox chaos)",
}


class ActsOrWaits(Rule):
    """A rule must do something: `code` / `status` to fail, a `delay` above 0 to slow down, or both."""

    def __init__(self, action: str, verb: str) -> None:
        self.action = action
        self.message = f"Give `{action}` to {verb}, `delay` to slow down, or both."
        self.summary = f"`{action}`, a `delay` above 0, or both."

    def problems(self, sent: Sent) -> dict[str, str]:
        delay = sent.value("delay")
        slows = isinstance(delay, (int, float)) and not isinstance(delay, bool) and delay > 0
        return {} if sent.given(self.action) or slows else {"": self.message}

    def json_schema(self, obj: Obj) -> dict[str, Any]:
        return {"anyOf": [obj.given_schema(self.action),
                          {"required": ["delay"], "properties": {"delay": {"exclusiveMinimum": 0}}}]}


class PatternStr(Str):
    """A glob or `re:` pattern, checked where it is written so errors name the exact field."""

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        value = super().clean(value, path, errors)
        if isinstance(value, str) and (problem := pattern_error(value)):
            errors.setdefault(path, []).append(f"Not a valid pattern: {problem}.")
        return value

    def own_schema(self) -> dict[str, Any]:
        # Not blank, and not a bare `re:`; whether the regex after `re:` compiles, no schema can say.
        return {**super().own_schema(), "pattern": f"^(?!re:$)[\\s\\S]*{NOT_BLANK}"}


_PROBABILITY = Number(minimum=0, maximum=100, default=100,
                      description="Chance in percent that the rule applies to a matching request.")
_DELAY = Number(minimum=0, maximum=MAX_DELAY, default=0, description="Seconds to wait first (a slow server).")

SMTP_RULE = Obj({
    "stage": Str(required=True, choices=list(SMTP_STAGES),
                 description="When to act: on connect, MAIL FROM, RCPT TO or DATA."),
    "code": Int(minimum=400, maximum=599, description="SMTP reply code to reject with (4xx temporary, 5xx permanent)."),
    "message": Str(max_length=200, pattern=r"[^\r\n]*", pattern_hint="May not contain line breaks.",
                   description="Reply text."),
    "match": ListOf(PatternStr(min_length=1, max_length=500), one_or_many=True, max_items=50,
                    description="Only for these addresses (glob or `re:` regex): the sender at `mail`, "
                                "the recipient at `rcpt`, any recipient at `data`, the client IP at `connect`."),
    "probability": _PROBABILITY,
    "delay": _DELAY,
}, rules=[ActsOrWaits("code", "reject")])

HTTP_RULE = Obj({
    "path": PatternStr(min_length=1, max_length=500, default="/api/v1/*",
                       description="Request paths it applies to (glob or `re:` regex)."),
    "methods": ListOf(Str(choices=list(HTTP_METHODS)), one_or_many=True,
                      description="Only these methods (default: all)."),
    "status": Int(choices=list(HTTP_STATUSES), description="Status to answer with."),
    "retry_after": Int(minimum=0, maximum=86400, description="Retry-After seconds (429 defaults to 1)."),
    "message": Str(max_length=500, description="The problem's detail text."),
    "probability": _PROBABILITY,
    "delay": _DELAY,
}, rules=[ActsOrWaits("status", "fail")])


CHAOS_DOCUMENT = Obj({
    "seed": Int(nullable=True, description="Seed for the probability rolls; replays a run."),
    "smtp": ListOf(SMTP_RULE, max_items=100, default=list),
    "http": ListOf(HTTP_RULE, max_items=100, default=list),
})


@dataclass(frozen=True)
class SmtpRule:
    stage: str
    code: int | None
    message: str
    match: tuple[Pattern, ...]
    probability: float
    delay: float


@dataclass(frozen=True)
class HttpRule:
    path: Pattern
    methods: tuple[str, ...]
    status: int | None
    retry_after: int | None
    message: str
    probability: float
    delay: float


@dataclass(frozen=True)
class Verdict:
    """What chaos does to one request: wait `delay` seconds, then fail with `code` if set."""

    delay: float = 0.0
    code: int | None = None
    message: str = ""
    rule: str = ""  # e.g. "smtp[2]", the rule that failed it
    retry_after: int | None = None


async def wait_out(verdict: Verdict | None) -> Verdict | None:
    """Sleep the verdict's delay; the verdict when it also fails the request, else None."""
    if verdict is None:
        return None
    if verdict.delay:
        await asyncio.sleep(verdict.delay)
    return verdict if verdict.code is not None else None


def compile_smtp_rules(raw: Iterable[dict[str, Any]]) -> tuple[SmtpRule, ...]:
    return tuple(SmtpRule(stage=r["stage"], code=r.get("code"),
                          message=r.get("message") or DEFAULT_SMTP_MESSAGES[r["stage"]],
                          match=tuple(compile_pattern(p) for p in r.get("match") or ()),
                          probability=float(r.get("probability", 100)), delay=float(r.get("delay", 0)))
                 for r in raw)


def compile_http_rules(raw: Iterable[dict[str, Any]]) -> tuple[HttpRule, ...]:
    return tuple(HttpRule(path=compile_pattern(r.get("path") or "/api/v1/*"),
                          methods=tuple(r.get("methods") or ()), status=r.get("status"),
                          retry_after=r.get("retry_after"), message=r.get("message") or "",
                          probability=float(r.get("probability", 100)), delay=float(r.get("delay", 0)))
                 for r in raw)


Roll = Callable[[float], bool]


def _applies(probability: float, roll: Roll) -> bool:
    """Certain outcomes never consume randomness, so adding them keeps a replay intact."""
    if probability >= 100:
        return True
    if probability <= 0:
        return False
    return roll(probability)


def smtp_verdict(rules: Iterable[SmtpRule], stage: str, values: Iterable[str], roll: Roll) -> Verdict | None:
    """The outcome for one SMTP step; `values` are the addresses (or client IP) it concerns."""
    values = [v.lower() for v in values]
    delay = 0.0
    for index, rule in enumerate(rules):
        if rule.stage != stage:
            continue
        if rule.match and not any(p.matches(v) for p in rule.match for v in values):
            continue
        if not _applies(rule.probability, roll):
            continue
        delay += rule.delay
        if rule.code is not None:
            return Verdict(delay=delay, code=rule.code, message=rule.message, rule=f"smtp[{index}]")
    return Verdict(delay=delay) if delay else None


def chaos_applies_to(path: str) -> bool:
    """Only the API, and never the sandbox's own control routes."""
    return path.startswith(API_PATHS) and not (path == CONTROL_PATHS or path.startswith(CONTROL_PATHS + "/"))


def http_verdict(rules: Iterable[HttpRule], method: str, path: str, roll: Roll) -> Verdict | None:
    if not chaos_applies_to(path):
        return None
    bare = path.rstrip("/") or "/"
    delay = 0.0
    for index, rule in enumerate(rules):
        if rule.methods and method.upper() not in rule.methods:
            continue
        if not (rule.path.matches(path) or rule.path.matches(bare)):
            continue
        if not _applies(rule.probability, roll):
            continue
        delay += rule.delay
        if rule.status is not None:
            retry_after = rule.retry_after if rule.retry_after is not None else (1 if rule.status == 429 else None)
            return Verdict(delay=delay, code=rule.status, message=rule.message, rule=f"http[{index}]",
                           retry_after=retry_after)
    return Verdict(delay=delay) if delay else None


class ChaosState:
    """The live rule set of one sandbox and the random generator its rolls use."""

    def __init__(self, default_seed: int | None = None) -> None:
        self.default_seed = default_seed
        self.replace({})

    def replace(self, document: dict[str, Any]) -> None:
        """Install a validated document (see CHAOS_DOCUMENT); reseeds the generator."""
        self.document = {"seed": document.get("seed"), "smtp": list(document.get("smtp") or []),
                         "http": list(document.get("http") or [])}
        self.smtp_rules = compile_smtp_rules(self.document["smtp"])
        self.http_rules = compile_http_rules(self.document["http"])
        seed = self.document["seed"] if self.document["seed"] is not None else self.default_seed
        # No seed given: pick one and report it (GET), so a failing run replays with `--seed N`.
        self.seed = seed if seed is not None else random.SystemRandom().randrange(2 ** 31)
        self.random = random.Random(self.seed)

    def roll(self, probability: float) -> bool:
        return self.random.random() * 100 < probability

    def smtp(self, stage: str, values: Iterable[str]) -> Verdict | None:
        if not self.smtp_rules:
            return None
        return smtp_verdict(self.smtp_rules, stage, values, self.roll)

    def http(self, method: str, path: str) -> Verdict | None:
        if not self.http_rules:
            return None
        return http_verdict(self.http_rules, method, path, self.roll)

    def describe(self) -> dict[str, Any]:
        return {**self.document, "seed": self.seed}


def load_document(text: str) -> dict[str, Any]:
    """`serve --chaos`: inline JSON or a path to a JSON file; validated like the API's PUT.

    Raises ValueError with every problem named.
    """
    source = text.strip()
    if not source.startswith("{"):
        if not os.path.isfile(source):
            raise ValueError(f"not inline JSON and no such file: {text}")
        with open(source, encoding="utf-8") as fh:
            source = fh.read()
    try:
        data = json.loads(source)
    except ValueError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    try:
        return CHAOS_DOCUMENT.validate(data)
    except ValidationFailed as exc:
        problems = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in sorted(exc.errors.items()))
        raise ValueError(problems) from None
