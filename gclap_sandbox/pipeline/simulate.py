"""Simulation rules: which outcomes a recipient gets, and when. Pure functions, no I/O.

Three sources decide, strongest first:
  1. a magic recipient at `simulator.gclap.test`: the local part before any `+label`
     (`bounced+signup@simulator.gclap.test` bounces);
  2. the per-message `X-Gclap-Simulate` header (API field `simulate`): `opened, clicked`;
  3. the profile: `none` (delivered, nothing more) or `realistic` (rates and delays drawn
     from a generator seeded by `--seed`, the address and how often it was sent to before).
Magic labels and header labels add up; a failure (bounced, softbounce, suppressed) wins.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

MAGIC_DOMAIN = "simulator.gclap.test"
HEADER = "X-Gclap-Simulate"
PROFILES = ("none", "realistic")
LABELS = ("delivered", "bounced", "softbounce", "opened", "clicked", "unsubscribed", "spam",
          "deferred", "suppressed")

DELIVERY_DELAY = 1.0  # seconds from capture to email.delivered (profile none)
BOUNCE_DELAY = 2.0
DEFERRED_RETRY = 15 * 60.0  # deferred mail is delivered on this retry
OPEN_DELAY = 60.0  # after delivery
CLICK_DELAY = 30.0  # after the open
UNSUBSCRIBE_DELAY = 60.0  # after the open (and after a click, when both happen)
SPAM_DELAY = 300.0  # after delivery

# The realistic profile's rates (per recipient; engagement per delivered or opened).
REALISTIC = {"hard_bounce": 0.02, "soft_bounce": 0.01, "deferred": 0.03, "open": 0.45,
             "click_of_opens": 0.25, "unsubscribe_of_opens": 0.02, "spam": 0.003}


@dataclass(frozen=True)
class Step:
    """One scheduled outcome: `label` happens `delay` seconds after the email was sent."""

    delay: float
    label: str


@dataclass(frozen=True)
class Plan:
    suppressed: bool
    steps: tuple[Step, ...]


def magic_label(address: str) -> str | None:
    local, _, domain = address.lower().rpartition("@")
    if domain != MAGIC_DOMAIN:
        return None
    label = local.split("+", 1)[0]
    return label if label in LABELS else None


def parse_labels(value: str | None) -> tuple[set[str], list[str]]:
    """`opened, clicked` -> ({"opened", "clicked"}, unknown labels)."""
    labels: set[str] = set()
    unknown: list[str] = []
    for item in (value or "").replace(";", ",").split(","):
        label = item.strip().lower()
        if not label:
            continue
        (labels.add(label) if label in LABELS else unknown.append(label))
    return labels, unknown


def realistic_rng(seed: int, address: str, ordinal: int) -> random.Random:
    """Same seed, address and send count -> same outcomes and delays."""
    return random.Random(f"{seed}:{address.lower()}:{ordinal}")


def plan_for(address: str, requested: set[str], profile: str = "none",
             rng: random.Random | None = None) -> Plan:
    labels = set(requested)
    magic = magic_label(address)
    if magic:
        labels.add(magic)
    if not labels and profile == "realistic":
        return _realistic(rng or random.Random())
    return _from_labels(labels)


def _from_labels(labels: set[str]) -> Plan:
    if "suppressed" in labels:
        return Plan(True, ())
    if "bounced" in labels:
        return Plan(False, (Step(BOUNCE_DELAY, "bounced"),))
    if "softbounce" in labels:
        return Plan(False, (Step(BOUNCE_DELAY, "softbounce"),))
    steps: list[Step] = []
    delivered = DELIVERY_DELAY
    if "deferred" in labels:
        steps.append(Step(DELIVERY_DELAY, "deferred"))
        delivered = DELIVERY_DELAY + DEFERRED_RETRY
    steps.append(Step(delivered, "delivered"))
    steps.extend(_engagement(labels, delivered, OPEN_DELAY, CLICK_DELAY, UNSUBSCRIBE_DELAY, SPAM_DELAY))
    return Plan(False, tuple(steps))


def _engagement(labels: set[str], delivered: float, open_after: float, click_after: float,
                unsubscribe_after: float, spam_after: float) -> list[Step]:
    steps: list[Step] = []
    if labels & {"opened", "clicked", "unsubscribed"}:  # clicking or unsubscribing means opening
        opened = delivered + open_after
        steps.append(Step(opened, "opened"))
        last = opened
        if "clicked" in labels:
            last = opened + click_after
            steps.append(Step(last, "clicked"))
        if "unsubscribed" in labels:
            steps.append(Step(last + unsubscribe_after, "unsubscribed"))
    if "spam" in labels:
        steps.append(Step(delivered + spam_after, "spam"))
    return sorted(steps, key=lambda s: s.delay)


def _realistic(rng: random.Random) -> Plan:
    rates = REALISTIC
    draw = rng.random()
    if draw < rates["hard_bounce"]:
        return Plan(False, (Step(_ms(rng.uniform(1, 10)), "bounced"),))
    if draw < rates["hard_bounce"] + rates["soft_bounce"]:
        return Plan(False, (Step(_ms(rng.uniform(1, 10)), "softbounce"),))
    steps: list[Step] = []
    delivered = _ms(rng.uniform(1, 10))
    if rng.random() < rates["deferred"]:
        steps.append(Step(delivered, "deferred"))
        delivered = _ms(delivered + rng.uniform(5 * 60, 60 * 60))
    steps.append(Step(delivered, "delivered"))
    labels: set[str] = set()
    if rng.random() < rates["open"]:
        labels.add("opened")
        if rng.random() < rates["click_of_opens"]:
            labels.add("clicked")
        if rng.random() < rates["unsubscribe_of_opens"]:
            labels.add("unsubscribed")
    if rng.random() < rates["spam"]:
        labels.add("spam")
    # Opens spread over two days, clicks within the hour after, like real engagement.
    steps.extend(_engagement(labels, delivered, rng.uniform(60, 2 * 86400), rng.uniform(5, 3600),
                             rng.uniform(30, 600), rng.uniform(60, 86400)))
    return Plan(False, tuple(Step(_ms(step.delay), step.label) for step in steps))


def _ms(seconds: float) -> float:
    """Whole milliseconds, the precision event times are shown with."""
    return round(seconds, 3)


def outcome_event(label: str, url: str | None = None) -> tuple[str, dict[str, Any]]:
    """The event type and data a simulated outcome is recorded as."""
    if label == "delivered":
        return "email.delivered", {"smtp_code": 250, "response": "250 2.0.0 OK: queued"}
    if label == "bounced":
        return "email.bounced", {"bounce_type": "hard", "smtp_code": 550, "enhanced_code": "5.1.1",
                                 "reason": "550 5.1.1 The email account that you tried to reach does not exist."}
    if label == "softbounce":
        return "email.bounced", {"bounce_type": "soft", "smtp_code": 452, "enhanced_code": "4.2.2",
                                 "reason": "452 4.2.2 The recipient's mailbox is full."}
    if label == "deferred":
        return "email.deferred", {"smtp_code": 421, "enhanced_code": "4.7.0",
                                  "reason": "421 4.7.0 Temporary failure, try again later."}
    if label == "opened":
        return "email.opened", {"simulated": True}
    if label == "clicked":
        return "email.clicked", {"simulated": True, "url": url}
    if label == "unsubscribed":
        return "email.unsubscribed", {"simulated": True, "method": "simulated"}
    if label == "spam":
        return "email.spam", {"simulated": True, "feedback_type": "abuse"}
    raise ValueError(f"no event for outcome {label!r}")


# Outcomes that can be triggered by hand on a stored email (suppression happens at send).
TRIGGERABLE = tuple(label for label in LABELS if label != "suppressed")
