"""The states an alert config moves through, and recording a move (DB thread).

    ok ──breached──► triggered ──no longer──► resolved ──breached again──► triggered ...

A breach within `cooldown_seconds` of the last firing does not fire: the config stays where
it is until the cooldown ends (when it is evaluated again). No value (nothing measured, or
below `min_volume`) is never a breach.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gclap_sandbox.alerts import notify
from gclap_sandbox.alerts.evaluation import Verdict, volume_of
from gclap_sandbox.analytics.metrics import METRICS
from gclap_sandbox.models import AlertConfig, AlertState, AlertTransition

TRIGGERED, RESOLVED = "triggered", "resolved"


@dataclass(frozen=True)
class Move:
    to: str | None  # the new state; None: it stays
    held_until: datetime | None = None  # breached, but cooling down until then


def next_move(current: str, breached: bool, now: datetime, last_triggered_at: datetime | None,
              cooldown: timedelta) -> Move:
    """Pure: where a config in `current` goes when its condition is (or is not) `breached`."""
    if breached and current != TRIGGERED:
        if last_triggered_at is not None and now < last_triggered_at + cooldown:
            return Move(None, last_triggered_at + cooldown)
        return Move(TRIGGERED)
    if not breached and current == TRIGGERED:
        return Move(RESOLVED)
    return Move(None)


def record(config: AlertConfig, state: AlertState, verdict: Verdict, now: datetime) -> datetime | None:
    """Note the measurement on `state` (saved by the caller), move it if the verdict says so, and
    announce the move; returns when a cooldown holding back a firing ends."""
    metric = METRICS[config.metric]
    state.last_value, state.last_evaluated_at = verdict.value, now
    state.last_volume = volume_of(metric, verdict.measurement)
    move = next_move(state.state, verdict.breached, now, state.last_triggered_at,
                     timedelta(seconds=config.cooldown_seconds))
    if move.to is None:
        return move.held_until
    number = AlertTransition.select().where(AlertTransition.config == config.id).count() + 1
    transition = AlertTransition.create(
        config=config.id, organization=config.organization_id, number=number, from_state=state.state,
        to_state=move.to, value=verdict.value, volume=state.last_volume, details=verdict.details(config),
        occurred_at=now)
    state.state, state.changed_at = move.to, now
    if move.to == TRIGGERED:
        state.last_triggered_at = now
    notify.announce(config, transition, verdict)
    return None
