"""LoopInbox: calls from another thread run on the loop in the order posted; a held burst wakes
the loop once."""
from __future__ import annotations

import asyncio
import threading

from helpers import run_async

from gclap_sandbox.loop_inbox import LoopInbox


def test_calls_posted_from_another_thread_run_on_the_loop_in_order():
    async def scenario() -> list[tuple[int, bool]]:
        loop = asyncio.get_running_loop()
        inbox, seen, done = LoopInbox(loop), [], asyncio.Event()
        loop_thread = threading.get_ident()

        def note(n: int) -> None:
            seen.append((n, threading.get_ident() == loop_thread))
            if n == 99:
                done.set()

        def post_all() -> None:
            for n in range(100):
                inbox.post(note, n)

        await asyncio.to_thread(post_all)
        await asyncio.wait_for(done.wait(), 10)
        return seen

    seen = run_async(scenario())
    assert seen == [(n, True) for n in range(100)]


def test_a_held_burst_wakes_the_loop_once_after_the_block_and_a_failing_call_spares_the_rest():
    async def scenario() -> tuple[int, list[str]]:
        loop = asyncio.get_running_loop()
        inbox, seen, done = LoopInbox(loop), [], asyncio.Event()
        wake_ups = after_the_block = 0
        original = loop.call_soon_threadsafe

        def counting(callback, *args):
            nonlocal wake_ups
            wake_ups += callback == inbox._run  # asyncio.to_thread wakes the loop too
            return original(callback, *args)

        loop.call_soon_threadsafe = counting  # type: ignore[method-assign]

        def fail() -> None:
            raise RuntimeError("a listener failed")

        def burst() -> None:
            with inbox.hold():
                inbox.post(seen.append, "first")
                inbox.post(fail)
                inbox.post(seen.append, "last")
                assert seen == [] and wake_ups == 0  # nothing reaches the loop before the block ends
            nonlocal after_the_block
            after_the_block = wake_ups
            inbox.post(done.set)

        await asyncio.to_thread(burst)
        await asyncio.wait_for(done.wait(), 10)
        return after_the_block, seen

    wake_ups, seen = run_async(scenario())
    assert seen == ["first", "last"]
    assert wake_ups == 1
