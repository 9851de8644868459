"""The waiter registry behind `?wait=`: wake-ups by channel and organization, no leftovers."""
from __future__ import annotations

import asyncio

from helpers import run_async

from gclap_sandbox.events.waiters import Waiters, hold_until_found


def run(coro):
    return run_async(coro)


def test_a_new_item_wakes_only_its_channel_and_organization():
    async def scenario():
        waiters = Waiters()
        emails_a = waiters.register("emails", "org-a")
        emails_b = waiters.register("emails", "org-b")
        events_a = waiters.register("events", "org-a")
        waiters.listener("emails")("org-a", {"id": "x"})
        return emails_a.done(), emails_b.done(), events_a.done(), waiters.count()

    assert run(scenario()) == (True, False, False, 2)


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
            await asyncio.sleep(0.01)
            store.append(item)
            waiters.notify("emails", "org")
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
        await asyncio.sleep(0.01)
        registered = waiters.count()
        held.cancel()  # what Sanic does when the client hangs up
        await asyncio.gather(held, return_exceptions=True)
        return registered, waiters.count()

    assert run(scenario()) == (1, 0)
