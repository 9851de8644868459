"""A report run as an email (pure): HTML and text with the figures, CSV attachments with the rows.

The HTML and text come from `web/templates/reports/` (Jinja2, autoescaped); each section's
CSV is `analytics.breakdowns.to_csv` of its rows, the format of the breakdown export.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import jinja2

from gclap_sandbox.analytics.breakdowns import to_csv
from gclap_sandbox.mail import message as mail
from gclap_sandbox.mail.writer import write_message
from gclap_sandbox.reports.schedule import time_zone
from gclap_sandbox.web_files import web_root

REPORTS_DOMAIN = "gclap-sandbox.test"
SENDER = f"Gclap Sandbox Reports <reports@{REPORTS_DOMAIN}>"
PERCENT = {"delivery_rate", "bounce_rate", "open_rate", "click_rate", "click_to_open_rate",
           "unsubscribe_rate", "spam_rate"}
# What a null key means in a row (analytics/breakdowns.py: mail with no tag, campaign, ...).
NULL_KEYS = {"campaign_name": "not from a campaign", "campaign_id": "not from a campaign", "tag": "no tag",
             "domain": "no recipient", "url": "no link recorded"}
HEADINGS = {"unique_opened": "opened (unique)", "unique_clicked": "clicked (unique)", "opened": "opens",
            "clicked": "clicks", "campaign_name": "campaign", "url": "link", "click_to_open_rate": "click-to-open"}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(web_root() / "templates" / "reports"),
                             autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["cell"] = cell
    env.filters["heading"] = lambda column: HEADINGS.get(column, column.replace("_", " "))
    return env


def cell(value: Any, column: str) -> str:
    """A figure as the email shows it: rates in percent, nulls as a dash."""
    if value is None:
        return NULL_KEYS.get(column, "—")
    if column in PERCENT:
        return f"{value * 100:.1f}%"
    return str(value)


def period_label(start: datetime, end: datetime, zone_name: str) -> str:
    """`2026-03-23 to 2026-03-29` for whole local days, else with the times; in the report's zone."""
    zone = time_zone(zone_name)
    first, last = start.astimezone(zone), end.astimezone(zone)
    if first.time() == last.time() == datetime.min.time():
        last_day = (last - timedelta(days=1)).date()
        dates = first.date().isoformat() if last_day == first.date() else f"{first.date()} to {last_day}"
        return f"{dates} ({zone_name})"
    return f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} ({zone_name})"


def attachment_name(report_name: str, section: str, start: datetime, zone_name: str) -> str:
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in report_name.lower()).strip("-")
    slug = "-".join(part for part in slug.split("-") if part)[:60] or "report"
    return f"{slug}-{section}-{start.astimezone(time_zone(zone_name)).date().isoformat()}.csv"


def build(*, name: str, recipients: list[str], sections: list[dict[str, Any]], formats: list[str],
          start: datetime, end: datetime, zone_name: str, dated: datetime, schedule_text: str) -> bytes:
    """The report email's RFC 5322 bytes."""
    label = period_label(start, end, zone_name)
    context = {"name": name, "period": label, "sections": sections, "show_figures": "html" in formats,
               "attached": "csv" in formats, "schedule": schedule_text, "top_links": 10}
    env = _environment()
    message = {
        "from_email": SENDER, "to": recipients, "subject": f"{name}: {label}",
        "text": env.get_template("report_email.txt").render(context),
        # RFC 3834: written by a program, not to be answered automatically.
        "headers": {"Auto-Submitted": "auto-generated"},
    }
    if "html" in formats:
        message["html"] = env.get_template("report_email.html").render(context)
    if "csv" in formats:
        message["attachments"] = [
            {"filename": attachment_name(name, section["name"], start, zone_name), "content_type": "text/csv",
             "content": to_csv(section).encode("utf-8")} for section in sections]
    # Dated when the run was due (its schedule's time).
    return write_message(message, mail.new_message_id(REPORTS_DOMAIN), SENDER, date=dated)
