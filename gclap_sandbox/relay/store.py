"""Relay jobs in the database (call everything here on the DB thread, via `Database.run`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from gclap_sandbox import clock
from gclap_sandbox.models import Email, EmailContent, EmailRecipient, EmailRelay, owned
from gclap_sandbox.pipeline import outgoing
from gclap_sandbox.relay.config import RelayConfig, RelayOutcome
from gclap_sandbox.storage import claims


@dataclass(frozen=True)
class RelayWork:
    """Everything one attempt needs, loaded in one go so the send happens off the DB thread."""

    job_id: str
    email_id: str
    sender: str
    recipients: list[str]
    raw: bytes


def original_source(email_id: str) -> bytes:
    """The bytes relay sends: the message as received, without tracking rewrites or the
    sandbox's own control headers, with a Message-ID and Date when it had none (outgoing.py)."""
    return outgoing.relayed_version(Email.get_by_id(email_id), EmailContent.get(EmailContent.email == email_id))


def envelope_sender(email: Email) -> str:
    if email.envelope_from == "<>":  # the null sender of bounces stays null
        return ""
    return email.envelope_from or email.from_address or ""


def email_recipients(email_id: str) -> list[str]:
    rows = EmailRecipient.select(EmailRecipient.address).where(EmailRecipient.email == email_id)
    return [r.address for r in rows.order_by(EmailRecipient.id)]


def _now() -> datetime:
    """Relay is the sandbox's, not an organization's: its times are on the default organization's clock."""
    return clock.now_of(None)


def enqueue_on_capture(config: RelayConfig, email: Email) -> EmailRelay | None:
    """The capture hook: queue an automatic relay when the configuration picks recipients."""
    recipients = config.auto_recipients(email_recipients(email.id))
    if not recipients:
        return None
    return EmailRelay.create(email=email.id, trigger="auto", recipients=recipients, pending=recipients,
                             next_attempt_at=_now(), created_at=_now())


LEASE_SECONDS = 60.0  # beyond an attempt's timeout: how long a stopped process holds its relays


def due_work(busy: Iterable[str], limit: int, attempt_seconds: float) -> list[RelayWork]:
    """Relays due now that neither this process (`busy`) nor another (a lease) is sending;
    each is leased for one attempt and LEASE_SECONDS more (storage/claims.py)."""
    busy = set(busy)
    query = (EmailRelay.select().where(
        (EmailRelay.status == "pending") & (EmailRelay.next_attempt_at <= _now()) & claims.takeable(EmailRelay))
        .order_by(EmailRelay.next_attempt_at).limit(limit + len(busy)))
    candidates = [job for job in claims.lock_rows(query) if job.id not in busy][:limit]
    taken = claims.lease(EmailRelay, [job.id for job in candidates],
                         {job.id: LEASE_SECONDS + attempt_seconds for job in candidates})
    work: list[RelayWork] = []
    for job in candidates:
        if job.id not in taken:
            continue
        email = Email.get_by_id(job.email_id)
        work.append(RelayWork(job.id, email.id, envelope_sender(email), list(job.pending),
                              original_source(email.id)))
    return work


def next_due_at() -> datetime | None:
    job = (EmailRelay.select(EmailRelay.next_attempt_at).where((EmailRelay.status == "pending")
                                                                & claims.takeable(EmailRelay))
           .order_by(EmailRelay.next_attempt_at).first())
    return job.next_attempt_at if job else None


def _append_attempt(job: EmailRelay, outcome: RelayOutcome) -> None:
    job.attempts += 1
    job.history = [*job.history, {"at": clock.iso(clock.now()), **outcome.as_dict()}]


def _final_status(job: EmailRelay) -> str:
    accepted = {a for attempt in job.history for a in attempt["accepted"]}
    if accepted >= set(job.recipients):
        return "relayed"
    return "partial" if accepted else "failed"


def record_attempt(job_id: str, outcome: RelayOutcome, config: RelayConfig) -> EmailRelay | None:
    """Store an attempt; schedule the next one for temporary failures while retries remain."""
    job = EmailRelay.get_or_none(EmailRelay.id == job_id)
    if job is None:  # the email was deleted while it was being relayed
        return None
    _append_attempt(job, outcome)
    job.claimed_by = job.claimed_until = None  # given back (storage/claims.py)
    delay = config.retry_delay(job.attempts) if outcome.retry else None
    if delay is not None:
        job.pending = outcome.retry
        job.next_attempt_at = _now() + timedelta(seconds=delay)
    else:
        job.pending = []
        job.next_attempt_at = None
        job.status = _final_status(job)
        job.finished_at = _now()
    job.save()
    return job


def release_source(organization_id: str, email_id: str) -> tuple[str, list[str], bytes]:
    """(envelope sender, the email's own recipients, original bytes) for a release."""
    email = owned(Email, organization_id, email_id, f"No email with id {email_id}.")
    return envelope_sender(email), email_recipients(email.id), original_source(email.id)


def record_release(email_id: str, recipients: list[str], outcome: RelayOutcome) -> dict[str, Any]:
    """A release is one attempt, made while the client waits; it is stored like any job."""
    now = clock.now()
    job = EmailRelay(email=email_id, trigger="release", recipients=recipients, pending=[],
                     created_at=now, finished_at=now)
    _append_attempt(job, outcome)
    job.status = _final_status(job)
    job.save(force_insert=True)
    return job_dict(job)


def job_dict(job: EmailRelay) -> dict[str, Any]:
    return {
        "id": job.id,
        "trigger": job.trigger,
        "status": job.status,
        "recipients": job.recipients,
        "pending": job.pending,
        "attempts": job.attempts,
        "last_reply": _last_reply(job),
        "next_attempt_at": clock.iso(job.next_attempt_at),
        "created_at": clock.iso(job.created_at),
        "finished_at": clock.iso(job.finished_at),
        "history": job.history,
    }


def _last_reply(job: EmailRelay) -> dict[str, Any] | None:
    if not job.history:
        return None
    last = job.history[-1]
    return {"code": last["code"], "message": last["message"]}


def relay_views(email_ids: list[str], with_jobs: bool = False) -> dict[str, dict[str, Any]]:
    """email id -> its `relay` field: the latest job's state (and every job when asked)."""
    views: dict[str, dict[str, Any]] = {}
    if not email_ids:
        return views
    jobs = (EmailRelay.select().where(EmailRelay.email.in_(email_ids))
            .order_by(EmailRelay.created_at, EmailRelay.id))
    by_email: dict[str, list[EmailRelay]] = {}
    for job in jobs:
        by_email.setdefault(job.email_id, []).append(job)
    for email_id, rows in by_email.items():
        latest = rows[-1]
        view: dict[str, Any] = {
            "status": latest.status,
            "attempts": latest.attempts,
            "last_reply": _last_reply(latest),
            "next_attempt_at": clock.iso(latest.next_attempt_at),
        }
        if with_jobs:
            view["jobs"] = [job_dict(job) for job in rows]
        views[email_id] = view
    return views


def annotate(rows: list[dict[str, Any]], with_jobs: bool = False) -> list[dict[str, Any]]:
    """Add the `relay` field (None when never relayed) to serialized emails, in place."""
    views = relay_views([row["id"] for row in rows], with_jobs)
    for row in rows:
        row["relay"] = views.get(row["id"])
    return rows
