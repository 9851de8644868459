"""Loaded at start-up by a sandbox the campaign bench launches (it is put on PYTHONPATH): times
each batch of units of work on the database thread, in CPU seconds of that thread (steady on a
loaded machine, unlike wall time) and wall seconds, and keeps the longest in the JSON file named
by GCLAP_BENCH_UNITS; deleting that file starts the count again. Bench only; never part of the
package."""
from __future__ import annotations

import json
import os
import time

_PATH = os.environ.get("GCLAP_BENCH_UNITS")

if _PATH:
    from gclap_sandbox.storage import database as _database

    _run_batch = _database.Database._run_batch
    _longest = {"cpu_ms": 0.0, "wall_ms": 0.0, "units": [], "batches": 0, "over_50ms_cpu": 0}

    def _timed(self, batch):  # type: ignore[no-untyped-def]
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            return _run_batch(self, batch)
        finally:
            cpu_ms, wall_ms = (time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
            if not os.path.exists(_PATH):
                _longest.update(cpu_ms=0.0, wall_ms=0.0, units=[], batches=0, over_50ms_cpu=0)
            _longest["batches"] += 1
            _longest["over_50ms_cpu"] += cpu_ms > 50
            if cpu_ms > _longest["cpu_ms"]:
                names = sorted({getattr(getattr(job.fn, "func", job.fn), "__qualname__", "?") for job in batch})
                _longest.update(cpu_ms=round(cpu_ms, 1), wall_ms=round(wall_ms, 1), units=names)
            if cpu_ms >= _longest["cpu_ms"] or _longest["batches"] % 200 == 0 or not os.path.exists(_PATH):
                with open(_PATH, "w") as out:
                    json.dump(_longest, out)

    _database.Database._run_batch = _timed
