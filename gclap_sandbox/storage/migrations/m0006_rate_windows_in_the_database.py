"""Rate-limit windows are kept in a table, so that processes sharing a database count requests once.

A process counted its organizations' requests in memory; a second process on the same database
counted its own, and an organization could make twice its plan's requests (accounts/limits.py).
"""
from __future__ import annotations

from gclap_sandbox.models import RateWindow
from gclap_sandbox.storage.migrations.steps import ensure_tables


def apply() -> None:
    ensure_tables(RateWindow)
