"""Running a report: the figures of its period, as an email into the sandbox's inbox (DB thread).

A scheduled run (REPORT_JOB, due at `next_run_at`) covers the period before its due time, so
moving the clock a week runs seven daily reports one after another, each about its own day,
each dated when it was due. `run_now` covers the period before the sandbox's now and leaves
the schedule alone. The email is the sandbox's own mail, as bounce reports are: stored in the
inbox, never counted in analytics or quotas, never relayed.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.mail.message import split_address
from gclap_sandbox.models import Job, ReportRun, ScheduledReport
from gclap_sandbox.pipeline.capture import capture_email
from gclap_sandbox.pipeline.incoming import Incoming
from gclap_sandbox.reports import content, render, schedule, store


def run_scheduled(payload: dict[str, Any], job: Job) -> None:
    """The REPORT_JOB handler: run the report that fell due, then plan its next run."""
    report = ScheduledReport.get_or_none(ScheduledReport.id == payload.get("report_id"))
    if report is None or not report.enabled or clock.iso(report.next_run_at) != payload.get("due"):
        return  # deleted, disabled or rescheduled since this job was queued
    due = report.next_run_at
    execute(report, "schedule", due, scheduled_for=due)
    store.plan(report, after=due, running_job=job.id)


def run_now(organization_id: str, report_id: str) -> dict[str, Any]:
    report = store.get_report(organization_id, report_id)
    return store.run_dict(execute(report, "manual", clock.now()))


def execute(report: ScheduledReport, trigger: str, at: datetime, scheduled_for: datetime | None = None) -> ReportRun:
    """Build the report for the period before `at`, put its email in the inbox, record the run."""
    zone_name = report.schedule["timezone"]
    start, end = schedule.period(report.period, at, zone_name)
    sections = content.sections(report.sections, report.organization_id, start, end)
    raw = render.build(name=report.name, recipients=report.recipients, sections=sections, formats=report.formats,
                       start=start, end=end, zone_name=zone_name, dated=at,
                       schedule_text=schedule.describe(report.schedule))
    email = capture_email(Incoming(
        raw=raw, source="api", organization_id=report.organization_id, envelope_from="",
        envelope_to=[split_address(value)[1] for value in report.recipients], lifecycle=False,
        metadata={"scheduled_report_id": report.id}))
    report.last_run_at = email.created_at
    report.save()
    return ReportRun.create(report=report.id, trigger=trigger, scheduled_for=scheduled_for, ran_at=email.created_at,
                            period_start=start, period_end=end, email_ids=[email.id])
