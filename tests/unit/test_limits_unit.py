"""The pure rate-limit and quota arithmetic in limits.py."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from gclap_sandbox.accounts import limits

T0 = datetime(2026, 3, 31, 23, 59, 30, tzinfo=timezone.utc)


def test_a_window_allows_exactly_the_limit_then_refuses_without_counting():
    window = None
    verdicts = []
    for i in range(5):
        window, verdict = limits.count_request(window, 3, T0 + timedelta(seconds=i))
        verdicts.append(verdict)
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0, 0]
    assert window.count == 3
    assert verdicts[-1].reset_at == T0 + limits.WINDOW
    assert verdicts[-1].reset_after == 56


def test_a_new_window_opens_when_the_old_one_has_closed():
    window, _ = limits.count_request(None, 1, T0)
    window, refused = limits.count_request(window, 1, T0 + timedelta(seconds=59))
    assert not refused.allowed and refused.reset_after == 1
    window, verdict = limits.count_request(window, 1, T0 + timedelta(seconds=60))
    assert verdict.allowed and window.start == T0 + timedelta(seconds=60)


def test_a_clock_moved_back_opens_a_fresh_window():
    window, _ = limits.count_request(None, 1, T0)
    _, verdict = limits.count_request(window, 1, T0 - timedelta(seconds=1))
    assert verdict.allowed


def test_headers_carry_both_conventions_and_retry_after_only_when_refused():
    window, ok = limits.count_request(None, 2, T0)
    headers = limits.rate_limit_headers(ok)
    assert headers == {
        "X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "1",
        "X-RateLimit-Reset": str(int((T0 + limits.WINDOW).timestamp())),
        "RateLimit-Policy": '"per-minute";q=2;w=60', "RateLimit": '"per-minute";r=1;t=60',
    }
    window, _ = limits.count_request(window, 2, T0)
    _, refused = limits.count_request(window, 2, T0 + timedelta(seconds=0.5))
    assert limits.rate_limit_headers(refused)["Retry-After"] == "60"


def test_months_and_their_ends():
    assert limits.month_of(T0) == "2026-03"
    assert limits.next_month(T0) == datetime(2026, 4, 1, tzinfo=timezone.utc)
    assert limits.next_month(datetime(2026, 12, 5, tzinfo=timezone.utc)) == datetime(2027, 1, 1, tzinfo=timezone.utc)


def test_plans_match_the_published_limits():
    assert {name: (p.requests_per_minute, p.emails_per_month) for name, p in limits.PLANS.items()} == {
        "free": (100, 1_000), "pro": (1_000, 50_000), "business": (5_000, 200_000),
        "unlimited": (1_000_000, None)}
    assert limits.plan_named("nonsense").name == "unlimited"


def test_the_limiter_keeps_organizations_apart():
    limiter = limits.RateLimiter()
    limiter.set_plan("a", limits.PLANS["free"])
    for _ in range(100):
        assert limiter.hit("a", T0).allowed
    assert not limiter.hit("a", T0).allowed
    assert limiter.hit("b", T0).allowed  # unknown organizations are on the unlimited plan
    assert limiter.peek("a", T0).remaining == 0


def test_a_deleted_organization_leaves_no_plan_or_window_behind():
    limiter = limits.RateLimiter()
    limiter.set_plan("gone", limits.PLANS["free"])
    limiter.hit("gone", T0)
    limiter.drop("gone")
    assert not limiter.knows("gone")
    assert limiter.peek("gone", T0).limit == limiter.plan("other").requests_per_minute
