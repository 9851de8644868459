"""The DB thread puts acknowledgements first: while an intake is busy, background units of work
(no client waits for them) take only their share of the thread, and a waiting client's unit
goes before them; once the intake is quiet, or before the database closes, they all run. Work
the incoming mail owes (retention pruning, `keeping_pace`) is never held back."""
from __future__ import annotations

import asyncio
import time
from typing import Callable

from helpers import run_async

from gclap_sandbox.storage.database import Database, Intake, keeping_pace, serving_client

# A lane that stays busy for a long while after each item, so that only the share lets
# background work through during the test.
BUSY = Intake(accept=lambda items: list(items), settle=lambda items: None, quiet=30.0)
DEADLINE = 30.0


def _recorder() -> tuple[list[str], Callable[..., str]]:
    """The names of the units run, in order, and the unit that records its name after `seconds`."""
    ran: list[str] = []

    def step(name: str, seconds: float = 0.0) -> str:
        time.sleep(seconds)  # a long unit earns a long pause (nine times its length)
        ran.append(name)
        return name
    return ran, step


def test_a_clients_unit_goes_before_background_work_held_back_while_an_intake_is_busy():
    async def scenario() -> list[str]:
        db = Database(":memory:")
        await db.start()
        ran, step = _recorder()

        async def client(name: str) -> str:
            serving_client()  # in this task only, as an SMTP session or an HTTP request does
            return await db.run(step, name)

        try:
            assert await db.take(BUSY, "item") == "item"
            assert await db.run(step, "long background", 0.2) == "long background"  # its share
            later = asyncio.ensure_future(db.run(step, "later background"))
            await asyncio.sleep(0)  # queued before the client's unit
            assert await asyncio.wait_for(client("client"), DEADLINE) == "client"
            assert await asyncio.wait_for(later, DEADLINE) == "later background"  # by its share
            return ran
        finally:
            await db.close()

    assert run_async(scenario()) == ["long background", "client", "later background"]


def test_background_work_held_back_runs_before_the_database_closes():
    async def scenario() -> list[str]:
        db = Database(":memory:")
        await db.start()
        ran, step = _recorder()

        await db.take(BUSY, "item")
        await db.run(step, "long background", 0.2)
        held = asyncio.ensure_future(db.run(step, "held background"))
        await asyncio.sleep(0)
        await db.close()
        assert await asyncio.wait_for(held, DEADLINE) == "held background"
        return ran

    assert run_async(scenario()) == ["long background", "held background"]


def test_work_the_incoming_mail_owes_is_not_held_back_while_an_intake_is_busy():
    async def scenario() -> list[str]:
        db = Database(":memory:")
        await db.start()
        ran, step = _recorder()
        try:
            await db.take(BUSY, "item")
            await db.run(step, "long background", 0.2)
            later = asyncio.ensure_future(db.run(step, "later background"))
            await asyncio.sleep(0)  # queued first, and held back for its share
            with keeping_pace():  # as the maintenance worker prunes
                owed = asyncio.ensure_future(db.run(step, "pruning"))
            assert await asyncio.wait_for(owed, DEADLINE) == "pruning"
            await asyncio.wait_for(later, DEADLINE)
            return ran
        finally:
            await db.close()

    assert run_async(scenario()) == ["long background", "pruning", "later background"]
