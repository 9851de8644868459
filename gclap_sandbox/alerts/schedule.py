"""When alert configs are evaluated: durable jobs on the sandbox clock, one pending per config (DB thread).

An evaluation is asked for
  - when a config is created, changed or enabled: now;
  - when an event that moves its metric is recorded (or, for the webhook failure rate, an
    attempt): COALESCE later, so a burst of events is one evaluation, not one each;
  - by the evaluation itself, for the moment its value changes with no new data: when the
    oldest email of the window leaves it, when a cooldown ends, a window later for an anomaly
    whose baseline still holds data, at the next month for the quota. Never sooner than
    `min_step` after the last one, and never while nothing is left to move: advancing the
    clock a week after a burst costs a handful of evaluations, not one a minute.
A request for a moment later than the pending one changes nothing (the earlier evaluation asks
again for what it still needs); an earlier one moves it.

The evaluation job (`EVALUATE_JOB`) measures the config (evaluation.py) and records any move of
its state (state_machine.py), which announces it.

`AlertState.evaluation_at` is the truth; two per-sandbox caches keep the event path cheap: the
enabled configs of each organization with the event types that move them, and the pending
evaluation times as last committed (dropped at once when they change, set again after commit).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.alerts import evaluation, state_machine
from gclap_sandbox.analytics.metrics import METRICS
from gclap_sandbox.events import jobs
from gclap_sandbox.events import record as events
from gclap_sandbox.models import AlertConfig, AlertState, Event, Job
from gclap_sandbox.storage import database as db

EVALUATE_JOB = "alert_evaluate"
COALESCE = timedelta(seconds=60)
WEBHOOK_ATTEMPT = "webhook.attempt"  # what moves the webhook failure rate (not an event type)


def min_step(window_seconds: int) -> timedelta:
    return timedelta(seconds=max(60, window_seconds // 60))


# --- caches -------------------------------------------------------------------------------

def _watchers() -> dict[str, list[tuple[str, frozenset[str]]]]:
    """organization id -> [(config id, what moves its metric)] of its enabled configs."""
    return db.current().cache("alert-watchers")


def _pending() -> dict[str, datetime]:
    """config id -> its pending evaluation, as committed."""
    return db.current().cache("alert-evaluations")


def _moved_by(metric_name: str) -> frozenset[str]:
    if metric_name == "webhook_failure_rate":
        return frozenset({WEBHOOK_ATTEMPT})
    if metric_name == "quota_used_percent":  # every recipient captured is charged, sent or suppressed
        return frozenset({events.SENT, events.SUPPRESSED})
    return METRICS[metric_name].event_types


def watching(organization_id: str) -> list[tuple[str, frozenset[str]]]:
    found = _watchers().get(organization_id)
    if found is None:
        found = _watchers()[organization_id] = [
            (config_id, _moved_by(metric)) for config_id, metric in AlertConfig.select(
                AlertConfig.id, AlertConfig.metric).where(
                (AlertConfig.organization == organization_id) & (AlertConfig.enabled == True)).tuples()]  # noqa: E712
    return found


def _remember(config_id: str, due: datetime | None) -> None:
    """The pending time changed: forget it now, learn it again once committed."""
    _pending().pop(config_id, None)

    def learn() -> None:
        if due is None:
            _pending().pop(config_id, None)
        else:
            _pending()[config_id] = due
    db.after_commit(learn)


# --- asking for evaluations ---------------------------------------------------------------

def state_of(config: AlertConfig) -> AlertState:
    state = AlertState.get_or_none(AlertState.config == config.id)
    return state if state is not None else AlertState.create(config=config.id)


def request(config: AlertConfig, at: datetime) -> None:
    """Have the config evaluated at `at`, or sooner if already due sooner."""
    state = state_of(config)
    if state.evaluation_at is not None and state.evaluation_at <= at and state.evaluation_job_id is not None \
            and Job.select().where(Job.id == state.evaluation_job_id).exists():
        return
    _cancel(state)
    job = jobs.schedule(EVALUATE_JOB, {"config_id": config.id}, at=at)
    state.evaluation_at, state.evaluation_job_id = at, job.id
    state.save()
    _remember(config.id, at)


def _cancel(state: AlertState) -> None:
    if state.evaluation_job_id is not None:
        Job.delete().where(Job.id == state.evaluation_job_id).execute()
    state.evaluation_at = state.evaluation_job_id = None


def config_changed(config: AlertConfig, deleted: bool = False) -> None:
    """After a create, change or delete: the event path forgets what it knew; an enabled config is
    evaluated now, a disabled or deleted one not at all."""
    _watchers().pop(config.organization_id, None)
    if config.enabled and not deleted:
        request(config, clock.now())
        return
    state = AlertState.get_or_none(AlertState.config == config.id)
    if state is not None:
        _cancel(state)
        state.save()
    _remember(config.id, None)


def _soon(organization_id: str, moved: str) -> None:
    configs = [config_id for config_id, moves in watching(organization_id) if moved in moves]
    if not configs:
        return
    at = clock.now() + COALESCE
    for config_id in configs:
        due = _pending().get(config_id)
        if due is not None and due <= at:
            continue  # an evaluation is already coming soon enough
        config = AlertConfig.get_or_none(AlertConfig.id == config_id)
        if config is not None:
            request(config, at)


def on_event(event: Event, payload: dict[str, Any]) -> None:
    """On `event_recorded` (server/wiring.py): configs whose metric the event moves are evaluated soon."""
    _soon(event.organization_id, event.type)


def on_webhook_attempt(organization_id: str) -> None:
    """On `webhook_attempt_recorded`: webhook failure rate configs are evaluated soon."""
    _soon(organization_id, WEBHOOK_ATTEMPT)


# --- the job ------------------------------------------------------------------------------

def run(payload: dict[str, Any], job: Job) -> None:
    """EVALUATE_JOB: measure the config now, move its state if need be, and ask for the next look."""
    config = AlertConfig.get_or_none(AlertConfig.id == payload["config_id"])
    if config is None:
        return
    state = state_of(config)
    if state.evaluation_job_id == job.id:
        state.evaluation_at = state.evaluation_job_id = None
    _remember(config.id, state.evaluation_at)
    if not config.enabled:
        state.save()
        return
    now = clock.now()
    verdict = evaluation.evaluate(config, now)
    held_until = state_machine.record(config, state, verdict, now)
    state.save()
    upcoming = [moment for moment in (verdict.next_change, held_until) if moment is not None]
    if upcoming:
        request(config, max(min(upcoming), now + min_step(config.window_seconds)))
