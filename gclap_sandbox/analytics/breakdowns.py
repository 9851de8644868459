"""The dashboard's figures for a period, grouped by tag, campaign, recipient domain or link (DB thread).

Counting is `events.analytics.Tally`, the dashboard's own, so a breakdown's rows add up to
the dashboard's totals for the same events (by tag an email with two tags counts under
both). Events of an email with no tag (no campaign) form one row whose key is null. By link
only clicks count: one row per original URL (null: a click simulated without one), with
total and unique clicks.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any, Iterable, Sequence

from gclap_sandbox import clock
from gclap_sandbox.events import record as events
from gclap_sandbox.events.analytics import FIGURES, RATES, Tally, counted_events, rates
from gclap_sandbox.models import Campaign, Email, Event

DIMENSIONS = ("tag", "campaign", "domain", "link")
LINK_FIGURES = ["clicked", "unique_clicked"]
KEY_COLUMN = {"tag": "tag", "campaign": "campaign_id", "domain": "domain", "link": "url"}


def _keys(by: str, event_type: str, recipient: str | None, data: dict[str, Any] | None,
          tags: list[str] | None, campaign_id: str | None) -> Iterable[str | None]:
    """The groups one event counts in."""
    if by == "tag":
        return tags or [None]
    if by == "campaign":
        return [campaign_id]
    if by == "domain":
        return [recipient.rpartition("@")[2] if recipient else None]
    return [(data or {}).get("url")] if event_type == events.CLICKED else []


def tallies(organization_id: str, dimensions: Sequence[str], start: datetime, end: datetime
            ) -> tuple[Tally, dict[str, dict[str | None, Tally]]]:
    """In one pass over the events from `start` (included) to `end` (excluded): the Tally of
    them all, and per dimension one Tally per group."""
    unknown = [by for by in dimensions if by not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown breakdown {unknown[0]!r}")
    query = counted_events(organization_id, start, end, Email.tags, Email.campaign_id) \
        .join(Email, on=(Event.email == Email.id))
    total = Tally()
    grouped: dict[str, dict[str | None, Tally]] = {by: {} for by in dimensions}
    for event_type, email_id, recipient, data, tags, campaign_id in query.tuples():
        total.add(event_type, email_id, recipient, data)
        for by, groups in grouped.items():
            for key in _keys(by, event_type, recipient, data, tags, campaign_id):
                groups.setdefault(key, Tally()).add(event_type, email_id, recipient, data)
    return total, grouped


def columns(by: str) -> list[str]:
    """The row fields, in order: the CSV header."""
    if by == "link":
        return ["url", *LINK_FIGURES]
    named = ["campaign_id", "campaign_name"] if by == "campaign" else [KEY_COLUMN[by]]
    return [*named, *FIGURES, *RATES]


def figures(organization_id: str, dimensions: Sequence[str], start: datetime, end: datetime
            ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The period's overall figures (`overall`) and a breakdown (`breakdown`) per dimension."""
    total, grouped = tallies(organization_id, dimensions, start, end)
    period = {"start": clock.iso(start), "end": clock.iso(end)}
    overall = {"period": period, "columns": [*FIGURES, *RATES], "rows": [{**total.counts, **rates(total.counts)}]}
    return overall, {by: {"by": by, "period": period, "columns": columns(by), "rows": _rows(organization_id, by, groups)}
                     for by, groups in grouped.items()}


def breakdown(organization_id: str, by: str, start: datetime, end: datetime) -> dict[str, Any]:
    """{by, period, columns, rows}: rows with the most sent (by link: clicked) first."""
    return figures(organization_id, [by], start, end)[1][by]


def overall(organization_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    """The period's totals and rates as one row (the dashboard's figures for any period)."""
    return figures(organization_id, [], start, end)[0]


def _rows(organization_id: str, by: str, groups: dict[str | None, Tally]) -> list[dict[str, Any]]:
    names = _campaign_names(organization_id, [k for k in groups if k]) if by == "campaign" else {}
    rows = []
    for key, tally in groups.items():
        if by == "link":
            rows.append({"url": key, **{name: tally.counts[name] for name in LINK_FIGURES}})
            continue
        row: dict[str, Any] = {KEY_COLUMN[by]: key}
        if by == "campaign":
            row["campaign_name"] = names.get(key) if key else None
        rows.append({**row, **tally.counts, **rates(tally.counts)})
    lead = "clicked" if by == "link" else "sent"
    rows.sort(key=lambda row: (-row[lead], row[KEY_COLUMN[by]] is None, row[KEY_COLUMN[by]] or ""))
    return rows


def _campaign_names(organization_id: str, ids: list[str]) -> dict[str, str]:
    """Names of the campaigns still there (a deleted campaign's row keeps its id, name null)."""
    if not ids:
        return {}
    return dict(Campaign.select(Campaign.id, Campaign.name)
                .where((Campaign.organization == organization_id) & Campaign.id.in_(ids)).tuples())


def to_csv(result: dict[str, Any]) -> str:
    """The rows as CSV (RFC 4180, CRLF), header first; null cells are empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result["columns"])
    for row in result["rows"]:
        writer.writerow(["" if row[name] is None else row[name] for name in result["columns"]])
    return buffer.getvalue()

