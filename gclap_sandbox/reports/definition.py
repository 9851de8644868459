"""What a scheduled report is made of, declared once for the API and the UI (pure)."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.reports import schedule
from gclap_sandbox.reports.content import SECTIONS
from gclap_sandbox.schema import Address, Bool, ListOf, Obj, Str
from gclap_sandbox.schema_rules import NotEmpty

MAX_RECIPIENTS = 50
FORMATS = ("html", "csv")


def _fields(create: bool) -> dict[str, Any]:
    return {
        "name": Str(required=create, min_length=1, max_length=200, single_line=True,
                    description="Shown in the email's subject."),
        "schedule": schedule.schedule_field(required=create),
        "recipients": ListOf(Address(), one_or_many=True, min_items=1, max_items=MAX_RECIPIENTS, required=create,
                             description="Who gets the report: one email, addressed to them all."),
        "sections": ListOf(Str(choices=list(SECTIONS)), min_items=1, max_items=len(SECTIONS),
                           description="What the report shows, in this order (default: all): "
                                       + ", ".join(f"`{name}` ({title.lower()})" for name, title in SECTIONS.items())
                                       + "."),
        "period": Str(choices=list(schedule.PERIODS), nullable=True,
                      description="What each run covers: the calendar day, week (seven days) or month before the "
                                  "run's day in the schedule's time zone, or the 24 hours, 7 or 30 days before "
                                  "the run. Default (or null): previous_day for daily, previous_week for weekly, "
                                  "previous_month for monthly, last_24_hours for cron."),
        "formats": ListOf(Str(choices=list(FORMATS)), min_items=1, max_items=len(FORMATS),
                          description="`html`: the figures in the email; `csv`: one CSV attachment per section "
                                      "with its rows, as the breakdown export writes them (default: both)."),
        "enabled": Bool(description="A disabled report keeps its settings and runs, and never runs on its own "
                                    "(default: true)."),
    }


CREATE_BODY = Obj(_fields(create=True))
UPDATE_BODY = Obj(_fields(create=False), rules=[NotEmpty("Give at least one field to change.")])
