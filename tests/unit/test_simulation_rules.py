"""The simulation rules as pure functions: which outcomes, in what order, after what delay."""
from __future__ import annotations

import pytest

from gclap_sandbox.pipeline import simulate
from gclap_sandbox.pipeline.simulate import Plan, Step


def labels(plan: Plan) -> list[str]:
    return [step.label for step in plan.steps]


@pytest.mark.parametrize("address, label", [
    ("delivered@simulator.gclap.test", "delivered"),
    ("bounced+signup@simulator.gclap.test", "bounced"),
    ("SoftBounce@Simulator.Gclap.Test", "softbounce"),
    ("clicked+a+b@simulator.gclap.test", "clicked"),
    ("suppressed@simulator.gclap.test", "suppressed"),
    ("opened@example.com", None),
    ("nobody@simulator.gclap.test", None),
])
def test_magic_label_reads_the_local_part_before_plus(address: str, label: str | None) -> None:
    assert simulate.magic_label(address) == label


def test_header_labels_are_parsed_and_unknown_ones_reported() -> None:
    assert simulate.parse_labels(" Opened, clicked;spam ,, ") == ({"opened", "clicked", "spam"}, [])
    assert simulate.parse_labels("opened, exploded") == ({"opened"}, ["exploded"])
    assert simulate.parse_labels(None) == (set(), [])


def test_profile_none_only_delivers() -> None:
    assert simulate.plan_for("ana@example.com", set()) == Plan(False, (Step(simulate.DELIVERY_DELAY, "delivered"),))


def test_clicking_implies_opening_first() -> None:
    plan = simulate.plan_for("clicked@simulator.gclap.test", set())
    assert labels(plan) == ["delivered", "opened", "clicked"]
    delays = [step.delay for step in plan.steps]
    assert delays == sorted(delays)
    assert plan.steps[2].delay == simulate.DELIVERY_DELAY + simulate.OPEN_DELAY + simulate.CLICK_DELAY


def test_header_and_magic_address_add_up() -> None:
    plan = simulate.plan_for("opened@simulator.gclap.test", {"unsubscribed", "spam"})
    assert labels(plan) == ["delivered", "opened", "unsubscribed", "spam"]


def test_failures_win_over_engagement() -> None:
    assert labels(simulate.plan_for("bounced@simulator.gclap.test", {"opened"})) == ["bounced"]
    assert labels(simulate.plan_for("a@example.com", {"softbounce", "clicked"})) == ["softbounce"]
    assert simulate.plan_for("a@example.com", {"suppressed", "opened"}) == Plan(True, ())


def test_deferred_mail_is_delivered_on_the_retry() -> None:
    plan = simulate.plan_for("deferred@simulator.gclap.test", set())
    assert plan.steps == (Step(simulate.DELIVERY_DELAY, "deferred"),
                          Step(simulate.DELIVERY_DELAY + simulate.DEFERRED_RETRY, "delivered"))


def test_realistic_profile_is_deterministic_for_a_seed() -> None:
    def run(seed: int) -> list[Plan]:
        return [simulate.plan_for(f"user{i}@example.com", set(), "realistic", simulate.realistic_rng(seed, f"user{i}@example.com", 0))
                for i in range(300)]

    assert run(7) == run(7)
    assert run(7) != run(8)
    outcomes = [labels(plan) for plan in run(7)]
    assert any("bounced" in o or "softbounce" in o for o in outcomes)
    assert any("clicked" in o for o in outcomes)
    opened = sum("opened" in o for o in outcomes)
    assert 0.3 * 300 < opened < 0.6 * 300  # around the 45% open rate


def test_realistic_profile_leaves_magic_addresses_alone() -> None:
    rng = simulate.realistic_rng(1, "x", 0)
    assert labels(simulate.plan_for("bounced@simulator.gclap.test", set(), "realistic", rng)) == ["bounced"]


def test_outcome_events_carry_the_documented_data() -> None:
    assert simulate.outcome_event("bounced") == ("email.bounced", {
        "bounce_type": "hard", "smtp_code": 550, "enhanced_code": "5.1.1",
        "reason": "550 5.1.1 The email account that you tried to reach does not exist."})
    kind, data = simulate.outcome_event("softbounce")
    assert (kind, data["bounce_type"], data["smtp_code"]) == ("email.bounced", "soft", 452)
    assert simulate.outcome_event("clicked", "https://x.example/")[1]["url"] == "https://x.example/"
    with pytest.raises(ValueError):
        simulate.outcome_event("suppressed")
