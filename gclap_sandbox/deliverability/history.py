"""The score's daily history: a durable job snapshots every organization's score as each day
of the sandbox clock ends (midnight UTC), so the points survive a restart and a jump of the clock
runs one snapshot per day passed, each as of its own midnight.

The job is put in place by the first email captured (and again after a reset, which empties the
job table, or after it stopped because nobody had sent mail for ACTIVE_DAYS): `ensure_daily_job`
on `email_stored`, remembered in the sandbox's cache.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.deliverability import score as scoring
from gclap_sandbox.events import jobs
from gclap_sandbox.models import Email, Job, ScoreSnapshot
from gclap_sandbox.storage import database as db

SNAPSHOT_JOB = "deliverability.snapshot"
MAX_DAYS = 90
ACTIVE_DAYS = 31  # an organization's score is snapshotted while it has mail this recent
_CACHE = "deliverability"


def next_midnight(now: datetime) -> datetime:
    return datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=timezone.utc)


def ensure_daily_job(*_: Any) -> None:
    """On `email_stored` (server/wiring.py): make sure the nightly snapshot is scheduled."""
    cache = db.current().cache(_CACHE)
    if cache.get("job"):
        return
    if not Job.select(Job.id).where(Job.kind == SNAPSHOT_JOB).exists():
        jobs.schedule(SNAPSHOT_JOB, {}, at=next_midnight(clock.now()))
    db.after_commit(lambda: cache.__setitem__("job", True))


def take_snapshots(payload: dict[str, Any], job: Job) -> None:
    """The SNAPSHOT_JOB handler: the score of each organization that sent mail in the last
    ACTIVE_DAYS, as the day before `run_at` ended. With nobody sending it stops (a jump of years
    runs it ACTIVE_DAYS times, not once a day); the next captured email starts it again."""
    day = (job.run_at - timedelta(microseconds=1)).date()
    now = clock.now()
    active = [row[0] for row in Email.select(Email.organization).where(
        Email.created_at > now - timedelta(days=ACTIVE_DAYS)).distinct().tuples()]
    for organization_id in active:
        snapshot(organization_id, day, now)
    if active:
        jobs.schedule(SNAPSHOT_JOB, {}, at=next_midnight(now))
    else:
        cache = db.current().cache(_CACHE)
        db.after_commit(lambda: cache.pop("job", None))


def _compact(factor_list: list[dict[str, Any]]) -> dict[str, Any]:
    return {f["name"]: {"status": f["status"], "points": f["points"], "value": f["value"]} for f in factor_list}


def snapshot(organization_id: str, day: date, now: datetime) -> None:
    """Store the score of `now` as `day`'s point (overall and per domain), replacing any."""
    data = scoring.compute(organization_id, now)
    rows = [("", data)] + [(d["domain"], d) for d in data["domains"]]
    for domain, scored in rows:
        (ScoreSnapshot.insert(organization=organization_id, day=day, domain=domain, score=scored["score"],
                              factors=_compact(scored["factors"]), taken_at=now)
         .on_conflict(conflict_target=[ScoreSnapshot.organization, ScoreSnapshot.day, ScoreSnapshot.domain],
                      update={ScoreSnapshot.score: scored["score"], ScoreSnapshot.factors: _compact(scored["factors"]),
                              ScoreSnapshot.taken_at: now})
         .execute())


def history(organization_id: str, days: int, domain: str | None,
            live: dict[str, Any] | None = None) -> dict[str, Any]:
    """One point per day of the last `days` (today included, live): the snapshot of that day,
    or `score: null` where none was taken (the sandbox was not running, or nothing was sent).
    `live`: the score of now, when the caller has it already."""
    now = clock.now()
    today = now.date()
    first = today - timedelta(days=days - 1)
    stored = {row.day: row for row in ScoreSnapshot.select().where(
        (ScoreSnapshot.organization == organization_id) & (ScoreSnapshot.domain == (domain or ""))
        & (ScoreSnapshot.day >= first) & (ScoreSnapshot.day < today))}
    points = []
    for offset in range(days - 1):
        day = first + timedelta(days=offset)
        row = stored.get(day)
        points.append({"date": day.isoformat(), "score": row.score if row else None,
                       "factors": row.factors if row else {}, "live": False})
    live = live or scoring.compute(organization_id, now)
    scored = live if domain is None else next((d for d in live["domains"] if d["domain"] == domain), None)
    points.append({"date": today.isoformat(), "score": scored["score"] if scored else None,
                   "factors": _compact(scored["factors"]) if scored else {}, "live": True})
    return {"domain": domain, "days": days, "points": points}
