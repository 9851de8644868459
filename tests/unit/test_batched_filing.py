"""Filing received mail in slices and running due outcomes in batches store exactly what filing
each email alone and running each job alone would: the same events in the same order with the
same data, the same statuses and the same jobs, the realistic profile's per-address draws too."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from gclap_sandbox.events import jobs
from gclap_sandbox.models import Email, EmailRecipient, Event, Job, Organization
from gclap_sandbox.pipeline import capture
from gclap_sandbox.pipeline.delivery import OUTCOME_JOB
from gclap_sandbox.pipeline.incoming import DeliveryOptions, Incoming
from gclap_sandbox.server.wiring import wire_domains
from gclap_sandbox.storage.database import current, open_in_this_thread

MAGIC = "simulator.gclap.test"
RECEIVED = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
# Several emails to one address (the realistic profile draws by its ordinal), and magic
# addresses whose outcomes interleave deliveries with opens, clicks, bounces and deferrals.
RECIPIENTS = [
    ["ann@shop.example", "bob@shop.example"],
    ["ann@shop.example", f"clicked@{MAGIC}"],
    [f"bounced@{MAGIC}", "ann@shop.example", f"deferred@{MAGIC}"],
    ["bob@shop.example"],
    ["ann@shop.example", f"opened@{MAGIC}", f"softbounce@{MAGIC}", "cid@shop.example"],
    ["ann@shop.example"],
]


def incomings(organization_id: str) -> list[Incoming]:
    made = []
    for n, to in enumerate(RECIPIENTS):
        raw = (f"From: Shop <news@shop.example>\r\nTo: {', '.join(to)}\r\nSubject: Offer {n}\r\n"
               f"Message-ID: <offer-{n}@shop.example>\r\nContent-Type: text/html\r\n\r\n"
               f"<p>Offer {n}: <a href='https://shop.example/{n}'>see</a></p>\r\n").encode()
        made.append(Incoming(raw=raw, source="smtp", organization_id=organization_id, envelope_to=list(to),
                             email_id=f"00000000-0000-7000-8000-{n:012d}", received_at=RECEIVED + timedelta(seconds=n),
                             charged=True, options=DeliveryOptions(profile="realistic", seed=7)))
    return made


def ours(email_id: str) -> str:
    return email_id if email_id.startswith("00000000-") else "the sandbox's"


def stored(together: bool) -> dict[str, Any]:
    """File the emails and run every outcome, together (as a busy stream does) or one by one."""
    connection = open_in_this_thread(":memory:")
    try:
        wire_domains(current().bus)
        organization = Organization.create(name="Shop")
        batch = incomings(organization.id)
        if together:
            capture.file_received(batch)
        else:
            for incoming in batch:
                capture.file_received([incoming])
        # In the order they fall due (ties: the order they were scheduled in).
        scheduled = [(job.kind, job.payload, job.run_at) for job in Job.select().order_by(Job.run_at, Job.id)]
        limit = RECEIVED + timedelta(days=30)
        if together:
            while jobs.run_due_batch(limit, jobs.BATCH).more:
                pass
        else:
            while (due := jobs.next_due(limit)) is not None:
                jobs.run_job(due[0])
        return {
            "scheduled": scheduled,
            "events": [(e.email_id, e.type, e.recipient, e.data, e.occurred_at)
                       for e in Event.select().order_by(Event.seq)],
            # The sandbox's own mail (a bounce report) by what it says: its id is new each time.
            "statuses": [(ours(r.email_id), r.address, r.status)
                         for r in EmailRecipient.select().order_by(EmailRecipient.id)],
            "emails": sorted((ours(e.id), e.subject, e.status) for e in Email.select()),
            "left": [(job.kind, job.run_at) for job in Job.select().order_by(Job.id)],
        }
    finally:
        connection.close()


@pytest.fixture
def no_time_slice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "TIME_SLICE", 3600.0)  # real time: keep it out of what runs together


def test_a_slice_filed_and_run_together_stores_what_one_email_and_one_job_at_a_time_would(no_time_slice):
    alone, together = stored(together=False), stored(together=True)
    assert together["scheduled"] == alone["scheduled"]
    assert together["events"] == alone["events"]
    assert together["statuses"] == alone["statuses"]
    assert together["emails"] == alone["emails"]
    assert together["left"] == alone["left"]
    assert OUTCOME_JOB not in {kind for kind, _ in together["left"]}
    kinds = {event_type for _, event_type, _, _, _ in together["events"]}
    assert {"email.sent", "email.delivered", "email.bounced", "email.deferred"} <= kinds

