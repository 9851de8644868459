"""The waiter registry behind `?wait=`: wake-ups by channel and organization, no leftovers."""
from __future__ import annotations

import asyncio

from helpers import run_async

from gclap_sandbox.events.waiters import Waiters, hold_until_found
from gclap_sandbox.inbox.arrivals import may_list


def run(coro):
    return run_async(coro)


async def until_held(waiters: Waiters, count: int, channel: str = "emails", organization: str = "org") -> None:
    """Give the loop turns until `count` requests are held (a bounded number, never a sleep)."""
    for _ in range(100):
        if waiters.held(channel, organization) == count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{waiters.held(channel, organization)} held, expected {count}")


def test_a_new_item_wakes_only_its_channel_and_organization():
    async def scenario():
        waiters = Waiters()
        emails_a = waiters.register("emails", "org-a")
        emails_b = waiters.register("emails", "org-b")
        events_a = waiters.register("events", "org-a")
        waiters.listener("emails")("org-a", {"id": "x"})
        return emails_a.done(), emails_b.done(), events_a.done(), waiters.count()

    assert run(scenario()) == (True, False, False, 2)


def test_a_new_item_the_waiters_own_test_rules_out_leaves_it_asleep():
    async def scenario():
        waiters = Waiters()
        picky = waiters.register("emails", "org", lambda item: item["to"] == "a")
        any_item = waiters.register("emails", "org")
        waiters.notify("emails", "org", {"to": "b"})
        after_b = (picky.done(), any_item.done(), waiters.count())
        waiters.notify("emails", "org", {"to": "a"})
        return after_b, picky.done(), waiters.count()

    assert run(scenario()) == ((False, True, 1), True, 0)


def test_a_wait_for_one_recipient_wakes_for_its_mail_in_any_field_and_spelling_only():
    may_match = may_list({"to": "Ann <ANN@example.com>"})
    assert may_match({"to": ["Ann Smith <ann@example.com>"], "cc": [], "bcc": []})
    assert may_match({"to": [], "cc": ["ann@EXAMPLE.com"], "bcc": []})
    assert may_match({"to": [], "cc": [], "bcc": ["ann@example.com"]})
    assert not may_match({"to": ["bob@example.com", "Ann <ann@example.org>"], "cc": [], "bcc": []})
    assert may_match({"id": "a summary of another shape"})  # what it cannot read, it does not rule out
    assert may_list({"subject": "hello"}) is None  # no recipient named: every new email may match


def test_hold_re_runs_the_query_after_each_wake_up_until_it_finds_something():
    async def scenario():
        waiters = Waiters()
        store: list[str] = []
        calls = 0

        async def fetch():
            nonlocal calls
            calls += 1
            matching = [s for s in store if s == "wanted"]
            return len(matching), matching

        held = asyncio.create_task(hold_until_found(waiters, "emails", "org", 60, fetch))
        for item in ("other", "wanted"):
            await until_held(waiters, 1)
            store.append(item)
            waiters.notify("emails", "org")
            assert waiters.held("emails", "org") == 0  # woken: it looks again
        page = await held
        return page, calls, waiters.count()

    page, calls, left = run(scenario())
    assert page == (1, ["wanted"])
    assert calls == 3  # the first look, then once per wake-up
    assert left == 0


def test_hold_gives_the_empty_result_after_the_time_and_leaves_nothing_behind():
    async def scenario():
        waiters = Waiters()

        async def fetch():
            return 0, []

        page = await hold_until_found(waiters, "emails", "org", 0.05, fetch)
        return page, waiters.count()

    assert run(scenario()) == ((0, []), 0)


def test_a_cancelled_hold_leaves_nothing_behind():
    async def scenario():
        waiters = Waiters()

        async def fetch():
            return 0, []

        held = asyncio.create_task(hold_until_found(waiters, "emails", "org", 60, fetch))
        await until_held(waiters, 1)
        registered = waiters.count()
        held.cancel()  # what Sanic does when the client hangs up
        await asyncio.gather(held, return_exceptions=True)
        return registered, waiters.count()

    assert run(scenario()) == (1, 0)


def test_a_request_counts_as_held_only_while_it_waits_after_finding_nothing():
    async def scenario():
        waiters = Waiters()
        store: list[str] = []

        async def fetch():
            return len(store), list(store)

        empty = asyncio.create_task(hold_until_found(waiters, "emails", "org", 60, fetch))
        found = await hold_until_found(waiters, "emails", "org", 60, lambda: _page(["there"]))  # never held
        await until_held(waiters, 1)
        counts = (waiters.held("emails", "org"), waiters.held("events", "org"), waiters.held("emails", "other"))
        store.append("new")
        waiters.notify("emails", "org")
        page = await empty
        return found, counts, page, waiters.held("emails", "org")

    assert run(scenario()) == ((1, ["there"]), (1, 0, 0), (1, ["new"]), 0)


async def _page(rows: list[str]) -> tuple[int, list[str]]:
    return len(rows), rows
