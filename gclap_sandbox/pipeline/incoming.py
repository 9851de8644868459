"""An email as it arrives at the pipeline, and what its sender asked of its delivery.

Both entry points build an `Incoming`: SMTP with the received bytes, the send API with the
bytes it wrote once from the request. What the sender asks of delivery (simulated outcomes,
tracking, category) are `Controls`: the send API passes its fields straight in; SMTP mail says
the same with `X-Gclap-*` headers, read once by the capture's parse. Nothing is turned into
headers only to be parsed back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from typing import Any

from gclap_sandbox.mail.message import ParsedEmail
from gclap_sandbox.random_ids import uuid7_text
from gclap_sandbox.pipeline import simulate

TRACK_OPENS_HEADER = "X-Gclap-Track-Opens"
TRACK_CLICKS_HEADER = "X-Gclap-Track-Clicks"
CATEGORY_HEADER = "X-Gclap-Category"
# Instructions to the sandbox itself: never passed on when mail is delivered or relayed.
CONTROL_HEADERS = (simulate.HEADER, TRACK_OPENS_HEADER, TRACK_CLICKS_HEADER, CATEGORY_HEADER)
_YES, _NO = {"1", "yes", "true", "on"}, {"0", "no", "false", "off"}


@dataclass(frozen=True)
class DeliveryOptions:
    """What the running sandbox decides delivery with (from `serve` flags)."""

    base_url: str = "http://127.0.0.1:8000"
    profile: str = "none"
    seed: int = 0


@dataclass(frozen=True)
class Controls:
    """What the sender asked of this email's delivery; None: the organization's default."""

    labels: frozenset[str] = frozenset()  # simulated outcomes (simulate.LABELS)
    track_opens: bool | None = None
    track_clicks: bool | None = None
    category: str | None = None  # "marketing" adds RFC 8058 one-click unsubscribe

    @classmethod
    def from_request(cls, data: dict[str, Any]) -> Controls:
        """The send API's `simulate`, `track_opens`, `track_clicks` and `category` fields."""
        return cls(labels=frozenset(data.get("simulate") or ()), track_opens=data.get("track_opens"),
                   track_clicks=data.get("track_clicks"), category=data.get("category"))

    @classmethod
    def from_headers(cls, msg: Message | None) -> Controls:
        """The same, said by SMTP mail with `X-Gclap-Simulate`, `X-Gclap-Track-Opens: yes|no`,
        `X-Gclap-Track-Clicks: yes|no` and `X-Gclap-Category: marketing|transactional`."""
        if msg is None:
            return cls()
        labels, _ = simulate.parse_labels(str(msg.get(simulate.HEADER) or ""))
        category = str(msg.get(CATEGORY_HEADER) or "").strip().lower() or None
        return cls(labels=frozenset(labels), track_opens=_flag(msg, TRACK_OPENS_HEADER),
                   track_clicks=_flag(msg, TRACK_CLICKS_HEADER), category=category)


def _flag(msg: Message, name: str) -> bool | None:
    value = msg.get(name)
    text = str(value).strip().lower() if value is not None else ""
    return True if text in _YES else False if text in _NO else None


@dataclass
class Incoming:
    """An email as it arrives: the exact bytes plus what only the envelope or API knows."""

    raw: bytes
    source: str  # "api" or "smtp"
    organization_id: str
    envelope_from: str | None = None
    # Envelope recipients (SMTP RCPT TO, or API to+cc+bcc); kinds come from the headers.
    envelope_to: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    # (text, html) as the API caller wrote them: stored as given, while the MIME parts carry
    # them with CRLF line endings.
    api_bodies: tuple[str | None, str | None] | None = None
    # The API's delivery fields; None: read from the message's X-Gclap-* headers (SMTP).
    controls: Controls | None = None
    email_id: str = field(default_factory=uuid7_text)  # time-ordered: appended to the indexes
    # False for mail the sandbox writes itself (bounce reports): stored, no delivery steps.
    lifecycle: bool = True
    options: DeliveryOptions | None = None  # set by `ingest` from the running sandbox
    campaign_id: str | None = None  # one recipient's email of a campaign (campaigns/sender.py)
    # Set when it is received before being filed (capture.receive): the time the email is
    # stored with, and whether its quota was charged then.
    received_at: datetime | None = None
    charged: bool = False
    # What parsing `raw` would read, when its writer knows it (the send API: mail.build_sent).
    parsed: ParsedEmail | None = None
    # The per-minute limit to count this email against in the accept transaction itself, when
    # the rate window lives in the database (SMTP on a shared database: no round trip of its
    # own); the window as counted comes back in `rate_window` (accounts/limits.py `Window`).
    rate_limit: int | None = None
    rate_window: Any = None

    def to_record(self) -> dict[str, Any]:
        """What `ReceivedMail` keeps beside the bytes, so a restart can file it (JSON)."""
        controls = self.controls
        return {
            "source": self.source, "organization_id": self.organization_id,
            "envelope_from": self.envelope_from, "envelope_to": self.envelope_to, "bcc": self.bcc,
            "tags": self.tags, "metadata": self.metadata,
            "api_bodies": list(self.api_bodies) if self.api_bodies is not None else None,
            "controls": None if controls is None else {
                "labels": sorted(controls.labels), "track_opens": controls.track_opens,
                "track_clicks": controls.track_clicks, "category": controls.category},
            "lifecycle": self.lifecycle, "campaign_id": self.campaign_id, "charged": self.charged,
        }

    @classmethod
    def from_record(cls, email_id: str, raw: bytes, record: dict[str, Any], received_at: datetime,
                    options: DeliveryOptions | None) -> Incoming:
        controls = record.get("controls")
        bodies = record.get("api_bodies")
        return cls(
            raw=raw, source=record["source"], organization_id=record["organization_id"],
            envelope_from=record.get("envelope_from"), envelope_to=list(record.get("envelope_to") or []),
            bcc=list(record.get("bcc") or []), tags=list(record.get("tags") or []),
            metadata=dict(record.get("metadata") or {}),
            api_bodies=(bodies[0], bodies[1]) if bodies is not None else None,
            controls=None if controls is None else Controls(
                labels=frozenset(controls["labels"]), track_opens=controls["track_opens"],
                track_clicks=controls["track_clicks"], category=controls["category"]),
            email_id=email_id, lifecycle=record.get("lifecycle", True), options=options,
            campaign_id=record.get("campaign_id"), received_at=received_at,
            charged=bool(record.get("charged")),
        )
