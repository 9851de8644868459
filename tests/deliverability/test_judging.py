"""How a measured value is judged: all points at the target, half at the limit, none at twice it."""
from __future__ import annotations

import pytest

from gclap_sandbox.deliverability.judging import Threshold, judge
from gclap_sandbox.deliverability.providers import BY_NAME, place

SPAM_RATE = Threshold(target=0.001, limit=0.003, better="lower")
ONE_CLICK = Threshold(target=1.0, limit=0.9, better="higher")


@pytest.mark.parametrize("value, status, share", [
    (0.0, "good", 1.0), (0.001, "good", 1.0), (0.002, "warning", 0.75), (0.003, "poor", 0.5),
    (0.0045, "poor", 0.25), (0.006, "poor", 0.0), (0.5, "poor", 0.0),
])
def test_a_rate_where_lower_is_better(value, status, share):
    assert judge(value, SPAM_RATE) == (status, pytest.approx(share))


@pytest.mark.parametrize("value, status, share", [
    (1.0, "good", 1.0), (0.95, "warning", 0.75), (0.9, "poor", 0.5), (0.8, "poor", 0.0),
])
def test_a_share_where_higher_is_better(value, status, share):
    assert judge(value, ONE_CLICK) == (status, pytest.approx(share))


def test_a_provider_verdict_adds_its_penalties_and_names_each_reason():
    signals = {"authentication": {"domain": "shop.example", "registered": True, "dmarc_policy": "none",
                                  "passes": {"spf": True, "dkim": True, "dmarc": True}},
               "complaint_rate": {"status": "warning", "summary": "0.2% complained."},
               "bounce_rate": {"status": "good", "summary": ""}, "list_hygiene": {"status": "good", "summary": ""},
               "unsubscribe": None, "content": []}
    gmail = place(BY_NAME["gmail"], signals, noise=7)
    assert [(r["factor"], r["effect"]) for r in gmail["reasons"]] == [("complaint_rate", 24.0), ("filtering", 7.0)]
    assert gmail["penalty"] == 31.0 and gmail["placement"] == "spam"
    apple = place(BY_NAME["apple"], signals, noise=7)
    assert apple["penalty"] == 23.0 and apple["placement"] == "inbox"
    reject = {**signals, "authentication": {**signals["authentication"], "dmarc_policy": "reject",
                                            "passes": {"spf": False, "dkim": False, "dmarc": False}}}
    refused = place(BY_NAME["apple"], reject, noise=0)
    assert refused["placement"] == "missing" and "DMARC policy is reject" in refused["reasons"][0]["text"]
