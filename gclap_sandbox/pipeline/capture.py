"""The one pipeline every email goes through, whether it came by REST or by SMTP.

`capture_email()` runs on the DB thread as one unit of work: parse the raw message (once),
decide each recipient's kind (to / cc / bcc), charge the monthly quota, and store the listing
row, recipients, tags, attachment metadata and the raw source exactly as received. The
delivery steps (delivery.py: suppression, the tracking of the delivered version, `email.sent`,
simulated outcomes as jobs) run around the store, so both entry points stay identical.

SMTP mail takes the same steps in two halves (`receive`): what the `250` promises (the
quota charged, the bytes and envelope durable in `ReceivedMail`) is written for every
waiting session in one group commit, and the rest is filed moments later in batches
(`RECEIVING`, storage/database.py `Intake`), before anything else reads the database. A batch
is filed as one email would be, with each table written once for all of it (`_file_together`):
what each email's delivery reads (the realistic profile's count of earlier mail to an address)
and what its subscribers hear come out as if they had been filed one at a time.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Iterator, NamedTuple

from gclap_sandbox import clock
from gclap_sandbox.accounts import limits
from gclap_sandbox.errors import QuotaExceeded
from gclap_sandbox.events import jobs
from gclap_sandbox.events import record as events
from gclap_sandbox.inbox.queries import summary
from gclap_sandbox.mail import message as mail
from gclap_sandbox.models import (
    Attachment,
    Email,
    EmailContent,
    EmailRecipient,
    EmailTag,
    ReceivedMail,
)
from gclap_sandbox.pipeline import delivery
from gclap_sandbox.pipeline.incoming import DeliveryOptions, Incoming
from gclap_sandbox.random_ids import uuid7_text
from gclap_sandbox.storage import database as db
from gclap_sandbox.storage.bulk import insert_rows, portable, quoted
from gclap_sandbox.storage.connection import savepoint

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext


log = logging.getLogger("gclap_sandbox.capture")


def capture_email(incoming: Incoming, *, charged: bool = False) -> Email:
    """Parse and store one email; call on the DB thread (inside `Database.run`).
    `charged`: its quota was charged when it was received (`receive`)."""
    filing = _prepare(incoming, charged)
    _store([filing])
    return _deliver(filing)


class _Filing(NamedTuple):
    """One email between its parse and its delivery steps: what `_store` writes."""
    incoming: Incoming
    addresses: list[str]
    prepared: delivery.Prepared | None
    row: dict[str, Any]
    recipients: list[tuple[str, str, str]]
    parsed: mail.ParsedEmail


def _prepare(incoming: Incoming, charged: bool) -> _Filing:
    """Parse, charge the quota (raises QuotaExceeded: nothing stored) and prepare the delivery."""
    msg, parsed = (None, incoming.parsed) if incoming.parsed is not None else mail.parse_message(incoming.raw)
    if incoming.api_bodies is not None:
        parsed.text, parsed.html = incoming.api_bodies
    recipients = recipients_of(incoming, parsed)
    # The sandbox's own mail (bounce reports, alerts, scheduled reports, placement seeds) is not the organization's sending.
    if incoming.lifecycle and not charged:
        limits.charge_quota(incoming.organization_id, len(recipients))
    addresses = [addr for addr, _, _ in recipients]
    prepared = delivery.prepare(incoming, msg, parsed, addresses) if incoming.lifecycle else None
    return _Filing(incoming, addresses, prepared, email_row(incoming, parsed, recipients), recipients, parsed)


def _store(filings: list[_Filing]) -> None:
    """Write the emails' rows, each table in one statement (in the emails' order)."""
    insert_rows(Email, [filing.row for filing in filings])
    insert_rows(EmailContent, [{
        "email": incoming.email_id, "text": parsed.text, "html": parsed.html, "raw": incoming.raw,
        "rewritten": prepared.rewritten if prepared else None,
        "added_headers": prepared.added_headers if prepared and prepared.added_headers else None}
        for incoming, _, prepared, _, _, parsed in filings])
    insert_rows(EmailRecipient, [
        {"email": filing.incoming.email_id, "address": addr, "name": name, "kind": kind, "status": "sent"}
        for filing in filings for addr, name, kind in filing.recipients])
    insert_rows(EmailTag, [{"email": filing.incoming.email_id, "tag": tag}
                           for filing in filings for tag in filing.incoming.tags])
    insert_rows(Attachment, [
        {"id": uuid7_text(), "email": filing.incoming.email_id, "position": a.position, "filename": a.filename,
         "content_type": a.content_type, "size": a.size, "content_id": a.content_id, "inline": a.inline,
         "description": a.description, "details": a.details}
        for filing in filings for a in filing.parsed.attachments])


def _deliver(filing: _Filing) -> Email:
    """The steps after the store: delivery (events, outcome jobs) and the `email_stored` news."""
    email = _stored_email(filing)
    if filing.prepared is not None:
        delivery.after_store(email, filing.incoming, filing.addresses, filing.prepared)
    _announce(email, filing.incoming)
    return email


def _stored_email(filing: _Filing) -> Email:
    email = Email.__new__(Email)  # the row as stored, without Model.__init__'s cost (as bulk.get_or_none)
    email.__data__, email._dirty, email.__rel__ = filing.row, set(), {}
    return email


def _announce(email: Email, incoming: Incoming) -> None:
    # Whoever captured it (API, SMTP or the sandbox itself, e.g. a bounce report): subscribers
    # act in this transaction (a relay is queued) and hear of it once committed (live UI, waits).
    bus = db.current().bus
    bus.email_stored.publish(email, incoming)
    if bus.email_committed:
        db.after_commit(lambda: bus.email_committed.publish(email.organization_id, summary(email)))


def email_row(incoming: Incoming, parsed: mail.ParsedEmail,
              recipients: list[tuple[str, str, str]]) -> dict[str, Any]:
    """The listing row an email is stored with (what its summary shows)."""
    return {
        "id": incoming.email_id,
        "organization": incoming.organization_id,
        "source": incoming.source,
        # As a provider does, every email gets one; the delivered version carries it.
        "message_id": parsed.message_id or mail.new_message_id(),
        "from_address": parsed.from_address,
        "from_name": parsed.from_name or None,
        "envelope_from": incoming.envelope_from,
        "subject": parsed.subject,
        "to": parsed.to,
        "cc": parsed.cc,
        "bcc": [addr for addr, _, kind in recipients if kind == "bcc"],
        "reply_to": parsed.reply_to,
        "tags": incoming.tags,
        "metadata": incoming.metadata,
        "snippet": parsed.snippet,
        "size": parsed.size,
        "attachment_count": sum(1 for a in parsed.attachments if not a.inline),
        "status": "sent",
        "is_read": False,
        "search_text": "",  # unused: search reads the full-text index (storage/fulltext.py)
        "created_at": incoming.received_at or clock.now(),
        "campaign_id": incoming.campaign_id,
    }


def recipients_of(incoming: Incoming, parsed: mail.ParsedEmail) -> list[tuple[str, str, str]]:
    """(address, name, kind) for each distinct envelope recipient, in order."""
    header_kinds: dict[str, tuple[str, str]] = {}
    for kind, values in (("cc", parsed.cc), ("to", parsed.to)):  # "to" wins over "cc"
        for value in values:
            name, address = mail.split_address(value)
            header_kinds[address] = (name, kind)
    bcc = {mail.split_address(v)[1] for v in incoming.bcc}
    envelope = incoming.envelope_to or [*parsed.to, *parsed.cc]
    seen: dict[str, tuple[str, str, str]] = {}
    for value in envelope:
        name, address = mail.split_address(value)
        if not address or address in seen:
            continue
        known_name, kind = header_kinds.get(address, (name, "bcc"))
        if address in bcc and address not in header_kinds:
            kind = "bcc"
        seen[address] = (address, known_name or name, kind)
    return list(seen.values())


def _envelope_addresses(incoming: Incoming) -> set[str]:
    """The distinct envelope recipients `recipients_of` will find when it is filed."""
    return {address for address in (mail.split_address(v)[1] for v in incoming.envelope_to) if address}


async def ingest(ctx: AppContext, incoming: Incoming) -> Email:
    """Store an email off the loop, as one unit of work on the DB thread."""
    incoming.options = incoming.options or ctx.delivery
    return await ctx.db.run(capture_email, incoming)


# --- received now, filed moments later (SMTP) ------------------------------------------


async def receive(ctx: AppContext, incoming: Incoming) -> str:
    """Make an email durable and return its id once committed (the `250` may go out), or raise
    QuotaExceeded (nothing stored). It is filed (`capture_email`) before any later reader looks."""
    incoming.options = incoming.options or ctx.delivery
    return await ctx.db.take(RECEIVING, incoming)


def accept_received(batch: list[Incoming]) -> list[Any]:
    """`Intake.accept`: count each email against its rate limit (when asked), charge its quota
    and write every accepted one in one statement."""
    outcomes: list[Any] = []
    rows = []
    unlimited: dict[str, int] = {}  # recipients per organization without a quota: one charge each
    _count_requests(batch)
    for incoming in batch:
        now = clock.now_of(incoming.organization_id)  # on its organization's clock
        if incoming.rate_limit is not None:
            verdict = limits.verdict_for(incoming.rate_window, incoming.rate_limit, now)
            if not verdict.allowed:
                outcomes.append(limits.rate_limited(verdict))
                continue
        envelope_to = _envelope_addresses(incoming)
        if incoming.lifecycle and envelope_to:
            count = len(envelope_to)
            if limits.load_plan(incoming.organization_id).emails_per_month is None:
                unlimited[incoming.organization_id] = unlimited.get(incoming.organization_id, 0) + count
            else:
                try:
                    with savepoint():  # a refused charge rolls back alone
                        limits.charge_quota(incoming.organization_id, count)
                except QuotaExceeded as error:
                    outcomes.append(error)
                    continue
        # The charge is made; with no envelope, the count comes from the headers when filed.
        incoming.charged = bool(envelope_to) or not incoming.lifecycle
        incoming.received_at = now
        rows.append({"id": incoming.email_id, "raw": incoming.raw, "envelope": incoming.to_record(),
                     "received_at": incoming.received_at})
        outcomes.append(incoming.email_id)
    for organization_id, count in unlimited.items():
        limits.charge_quota(organization_id, count)  # counted, never refused
    insert_rows(ReceivedMail, rows)
    return outcomes


def _count_requests(batch: list[Incoming]) -> None:
    """Count the batch's rate-limited emails, one statement per organization; each gets the window
    as it counted it (`rate_window`), in the batch's order."""
    counted: dict[tuple[str, int], list[Incoming]] = {}
    for incoming in batch:
        if incoming.rate_limit is not None:
            counted.setdefault((incoming.organization_id, incoming.rate_limit), []).append(incoming)
    for (organization_id, limit), members in counted.items():
        windows = limits.count_shared_many(organization_id, limit, clock.now_of(organization_id), len(members))
        for incoming, window in zip(members, windows):
            incoming.rate_window = window


def file_received(batch: list[Incoming]) -> None:
    """`Intake.settle`: file each received email (parse, store, lifecycle) and forget its row.
    The batch is filed in one savepoint; when one email fails, each is filed alone, and the one
    that cannot be keeps its row and is tried again at the next start."""
    try:
        with savepoint():
            _file_together(batch)
        filed = [(incoming.email_id,) for incoming in batch]
    except Exception:
        filed = []
        for incoming in batch:
            try:
                with savepoint():
                    capture_email(incoming, charged=incoming.charged)
            except Exception:
                log.exception("could not file received email %s; it stays received", incoming.email_id)
                continue
            filed.append((incoming.email_id,))
    if filed:
        table, key = quoted(ReceivedMail), quoted(ReceivedMail, "id")
        db.database.cursor().executemany(portable(f"DELETE FROM {table} WHERE {key} = ?"), filed)


def _file_together(batch: list[Incoming]) -> None:
    """`capture_email` for each, with the rows of all written together: every email is parsed and
    prepared, all are stored, their delivery steps decided and their events and outcome jobs
    written; then each email's events and its `email_stored` news follow, in order."""
    filings = [_prepare(incoming, incoming.charged) for incoming in batch]
    _store(filings)
    emails = [_stored_email(filing) for filing in filings]
    plans = []
    for filing, email in _one_by_one(filings, emails):
        plans.append(delivery.plan(email, filing.incoming, filing.addresses, filing.prepared)
                     if filing.prepared is not None else delivery.Planned([], []))
    written = events.write_events([recording for planned in plans for recording in planned.recordings])
    jobs.schedule_rows([row for planned in plans for row in planned.jobs])
    start = 0
    for (filing, email), planned in zip(_one_by_one(filings, emails), plans):
        end = start + len(planned.recordings)
        delivery.follow(email, written[start:end])
        start = end
        _announce(email, filing.incoming)


def _one_by_one(filings: list[_Filing], emails: list[Email]) -> Iterator[tuple[_Filing, Email]]:
    """Each email in turn, while the rows of those after it, stored already, are not counted as
    earlier mail to their recipients (`delivery.STORED_AHEAD`)."""
    ahead = db.current().cache(delivery.STORED_AHEAD)
    try:
        for filing in filings:
            for address in filing.addresses:
                ahead[address] = ahead.get(address, 0) + 1
        for filing, email in zip(filings, emails):
            for address in filing.addresses:
                ahead[address] -= 1
            yield filing, email
    finally:
        ahead.clear()


def file_leftovers(options: DeliveryOptions) -> int:
    """File what a stopped or killed process acknowledged but did not file (at start-up)."""
    rows = ReceivedMail.select().order_by(ReceivedMail.received_at).tuples()
    batch = [Incoming.from_record(email_id, bytes(raw), envelope, received_at, options)
             for email_id, raw, envelope, received_at in rows]
    file_received(batch)
    return len(batch)


RECEIVING = db.Intake(accept=accept_received, settle=file_received, size=lambda incoming: len(incoming.raw))
