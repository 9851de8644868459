"""The delivery steps of the one pipeline (capture.py calls them on the DB thread).

Before the email is stored, `prepare()`: find suppressed recipients and write what the
delivered version changes (outgoing.py): the open pixel and click links when tracking is on,
the RFC 8058 unsubscribe headers of marketing mail. The received bytes are never changed.
After it is stored, `after_store()`: record `email.sent` (or `email.suppressed`) for each
recipient and schedule the simulated outcomes as jobs on the sandbox clock.

What the sender asked of delivery comes as `Controls` (incoming.py): the send API's fields, or
SMTP mail's `X-Gclap-*` headers. Organization defaults: `Organization.settings["track_opens"]`
/ `["track_clicks"]`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message

from gclap_sandbox import clock
from gclap_sandbox.accounts import organizations
from gclap_sandbox.events import jobs
from gclap_sandbox.events import record as events
from gclap_sandbox.mail import message as mail
from gclap_sandbox.mail import parts as mime_parts
from gclap_sandbox.mail import writer as mime_writer
from gclap_sandbox.models import Email, EmailRecipient
from gclap_sandbox.pipeline import simulate, suppressions, tracking
from gclap_sandbox.pipeline.incoming import Controls, DeliveryOptions, Incoming
from gclap_sandbox.storage import database as db

OUTCOME_JOB = "simulated_outcome"


@dataclass
class Prepared:
    rewritten: bytes | None = None  # the received bytes with tracking applied; None: unchanged
    added_headers: list[tuple[str, str]] = field(default_factory=list)  # put in front on delivery
    suppressed: dict[str, str] = field(default_factory=dict)  # address -> reason
    labels: frozenset[str] = frozenset()  # simulated outcomes the sender asked for
    tokens: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)  # token, kind, rcpt, url


def prepare(incoming: Incoming, msg: Message | None, parsed: mail.ParsedEmail,
            addresses: list[str]) -> Prepared:
    options = incoming.options or DeliveryOptions()
    prepared = Prepared()
    prepared.suppressed = suppressions.suppressed(incoming.organization_id, addresses)
    if msg is None and incoming.parsed is None:  # unparseable: nothing to track
        return prepared
    controls = incoming.controls or Controls.from_headers(msg)
    prepared.labels = controls.labels
    deliverable = [a for a in addresses if a not in prepared.suppressed]
    # All recipients share one body, so tracking is attributed to the first deliverable one.
    recipient = deliverable[0] if deliverable else None
    if recipient is None:
        return prepared
    org = organizations.cached(incoming.organization_id)
    org_settings = (org.settings if org is not None else None) or {}
    track_opens, track_clicks = controls.track_opens, controls.track_clicks
    track_opens = bool(org_settings.get("track_opens", False)) if track_opens is None else track_opens
    track_clicks = bool(org_settings.get("track_clicks", False)) if track_clicks is None else track_clicks
    tracked = (track_opens or track_clicks) and parsed.html_position is not None
    if msg is None and (tracked or controls.category == "marketing"):
        msg = mail.parse_bytes(incoming.raw)  # the send API's mail, parsed only when needed here
    if tracked:
        _track_html(incoming.raw, msg, parsed.html_position, prepared, options.base_url, recipient,
                    track_opens, track_clicks)
    if controls.category == "marketing" and msg is not None and msg.get("List-Unsubscribe") is None:
        token = tracking.new_token()
        prepared.tokens.append((token, tracking.UNSUBSCRIBE, recipient, None))
        url = tracking.tracking_url(options.base_url, tracking.UNSUBSCRIBE, token)
        prepared.added_headers += [("List-Unsubscribe", f"<{url}>"),
                                   ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    return prepared


def _track_html(raw: bytes, msg: Message, position: int, prepared: Prepared, base_url: str,
                recipient: str, opens: bool, clicks: bool) -> None:
    """Rewrite the HTML body part in place, from the capture's own parse (no second parse)."""
    span = mime_parts.part_spans(raw, msg).get(position)
    part = mime_parts.part_at(msg, position)
    if span is None or part is None:  # boundaries out of step with the parse: leave it as sent
        return
    source = mail.decoded_text(part)
    tokens: list[tuple[str, str, str | None, str | None]] = []
    by_url: dict[str, str] = {}

    def click_url(url: str) -> str:
        if url not in by_url:
            by_url[url] = tracking.new_token()
            tokens.append((by_url[url], tracking.CLICK, recipient, url))
        return tracking.tracking_url(base_url, tracking.CLICK, by_url[url])

    pixel = None
    if opens:
        token = tracking.new_token()
        tokens.append((token, tracking.OPEN, recipient, None))
        pixel = tracking.tracking_url(base_url, tracking.OPEN, token)
    rewritten = tracking.rewrite_html(source, click_url=click_url if clicks else None, pixel_url=pixel)
    if rewritten.html == source:
        return
    written = mime_writer.with_html_body(raw, span, part, rewritten.html)
    if written is not None:
        prepared.rewritten = written
        prepared.tokens += tokens


def after_store(email: Email, incoming: Incoming, addresses: list[str], prepared: Prepared) -> None:
    """Record `email.sent` (or `email.suppressed`) for each recipient and schedule the outcomes."""
    planned = plan(email, incoming, addresses, prepared)
    written = events.write_events(planned.recordings)
    jobs.schedule_rows(planned.jobs)
    follow(email, written)


@dataclass
class Planned:
    """An email's delivery steps, decided and not yet written (`after_store`, or a slice of
    emails together: capture.py `_file_together`)."""
    recordings: list[events.Recording]
    jobs: list[dict]  # rows for `jobs.schedule_rows`


def plan(email: Email, incoming: Incoming, addresses: list[str], prepared: Prepared) -> Planned:
    """Decide each recipient's event and outcomes (and store the tracking tokens)."""
    with clock.for_organization(email.organization_id):  # its outcomes fall due on its organization's clock
        return _plan(email, incoming, addresses, prepared)


def follow(email: Email, written: list[events.Written]) -> None:
    """The consequences of the email's events once written, on its organization's clock."""
    with clock.for_organization(email.organization_id):
        for event in written:
            events.follow_event(event)


# A cache (address -> count): the emails stored in the same statements as the one being
# delivered but delivered after it, that the address is a recipient of (capture.py `_file_together`).
STORED_AHEAD = "delivery-stored-ahead"


def _ordinal(address: str) -> int:
    """How many emails to `address` were delivered before this one (the realistic profile's seed);
    rows stored ahead of their delivery are not counted."""
    ahead = db.current().cache(STORED_AHEAD).get(address, 0)
    return EmailRecipient.select().where(EmailRecipient.address == address).count() - 1 - ahead


def _plan(email: Email, incoming: Incoming, addresses: list[str], prepared: Prepared) -> Planned:
    options = incoming.options or DeliveryOptions()
    planned = Planned([], [])
    for token, kind, recipient, url in prepared.tokens:
        tracking.store_token(token, kind, email.id, recipient, url)
    for address in addresses:
        if address in prepared.suppressed:
            planned.recordings.append(events.Recording(
                email, events.SUPPRESSED, address, {"reason": prepared.suppressed[address]}, email.created_at, None))
            continue
        rng = None
        if options.profile == "realistic":
            rng = simulate.realistic_rng(options.seed, address, _ordinal(address))
        steps = simulate.plan_for(address, prepared.labels, options.profile, rng)
        if steps.suppressed:
            planned.recordings.append(events.Recording(
                email, events.SUPPRESSED, address, {"reason": "simulated"}, email.created_at, None))
            continue
        planned.recordings.append(events.Recording(email, events.SENT, address, None, email.created_at, None))
        planned.jobs += [jobs.job_row(OUTCOME_JOB, {"email_id": email.id, "recipient": address, "outcome": step.label},
                                      at=email.created_at + timedelta(seconds=step.delay)) for step in steps.steps]
    return planned
