"""Scheduled report records: create, list, read, change, delete; each keeps one pending run (DB thread).

An enabled report has exactly one job (REPORT_JOB) at its `next_run_at`; every change plans
it again from the sandbox's now. A disabled report, or one whose schedule never matches
again, has none (`next_run_at` null).
"""
from __future__ import annotations

from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.events import jobs
from gclap_sandbox.mail.message import format_address
from gclap_sandbox.models import Job, ReportRun, ScheduledReport
from gclap_sandbox.reports import schedule as schedules
from gclap_sandbox.reports.content import SECTIONS
from gclap_sandbox.reports.definition import FORMATS
from gclap_sandbox.schema import normalize_address
from gclap_sandbox.storage.database import owned

REPORT_JOB = "reports.run"
EDITABLE = ("name", "schedule", "recipients", "sections", "period", "formats", "enabled")


def report_dict(report: ScheduledReport) -> dict[str, Any]:
    return {
        "id": report.id, "name": report.name, "schedule": report.schedule,
        "schedule_text": schedules.describe(report.schedule), "recipients": report.recipients,
        "sections": report.sections, "period": report.period, "formats": report.formats,
        "enabled": report.enabled, "next_run_at": clock.iso(report.next_run_at),
        "last_run_at": clock.iso(report.last_run_at),
        "created_at": clock.iso(report.created_at), "updated_at": clock.iso(report.updated_at),
    }


def run_dict(run: ReportRun) -> dict[str, Any]:
    return {"id": run.id, "report_id": run.report_id, "trigger": run.trigger,
            "scheduled_for": clock.iso(run.scheduled_for), "ran_at": clock.iso(run.ran_at),
            "period": {"start": clock.iso(run.period_start), "end": clock.iso(run.period_end)},
            "email_ids": run.email_ids}


def get_report(organization_id: str, report_id: str) -> ScheduledReport:
    return owned(ScheduledReport, organization_id, report_id, f"No scheduled report with id {report_id}.")


def list_reports(organization_id: str, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    query = ScheduledReport.select().where(ScheduledReport.organization == organization_id)
    rows = query.order_by(ScheduledReport.created_at.desc(), ScheduledReport.id).offset(offset).limit(limit)
    return query.count(), [report_dict(row) for row in rows]


def detail(organization_id: str, report_id: str) -> dict[str, Any]:
    return report_dict(get_report(organization_id, report_id))


def _cleaned(data: dict[str, Any]) -> dict[str, Any]:
    fields = {name: data[name] for name in EDITABLE if name in data}
    if "recipients" in fields:  # one form for each address, each once
        fields["recipients"] = list(dict.fromkeys(format_address(*normalize_address(value))  # type: ignore[misc]
                                                  for value in fields["recipients"]))
    for name in ("sections", "formats"):
        if name in fields:
            fields[name] = list(dict.fromkeys(fields[name]))
    return fields


def create_report(organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    now = clock.now()
    fields = {"sections": list(SECTIONS), "formats": list(FORMATS), **_cleaned(data)}
    if fields.get("period") is None:
        fields["period"] = schedules.DEFAULT_PERIOD[fields["schedule"]["frequency"]]
    report = ScheduledReport.create(organization=organization_id, created_at=now, updated_at=now, **fields)
    plan(report)
    return report_dict(report)


def update_report(organization_id: str, report_id: str, data: dict[str, Any]) -> dict[str, Any]:
    report = get_report(organization_id, report_id)
    fields = _cleaned(data)
    if "period" in fields and fields["period"] is None:  # null: the default for the schedule
        fields["period"] = schedules.DEFAULT_PERIOD[fields.get("schedule", report.schedule)["frequency"]]
    for name, value in fields.items():
        setattr(report, name, value)
    report.updated_at = clock.now()
    plan(report)
    return report_dict(report)


def delete_report(organization_id: str, report_id: str) -> None:
    report = get_report(organization_id, report_id)
    _drop_jobs(report.id)
    report.delete_instance()  # its runs go with it (CASCADE); the emails stay in the inbox


def plan(report: ScheduledReport, after: Any = None, running_job: int | None = None) -> None:
    """Set `next_run_at` (first run after `after`, default now) and keep one job for it; saves.

    `running_job`: the job running this, left for the job runner to delete (deleting it here
    would let the new job reuse its row id, and the runner would then delete the new one).
    """
    _drop_jobs(report.id, keep=running_job)
    report.next_run_at = schedules.next_run(report.schedule, after or clock.now()) if report.enabled else None
    report.save()
    if report.next_run_at is not None:
        jobs.schedule(REPORT_JOB, {"report_id": report.id, "due": clock.iso(report.next_run_at)},
                      at=report.next_run_at)


def _drop_jobs(report_id: str, keep: int | None = None) -> None:
    stale = [job.id for job in Job.select(Job.id, Job.payload).where(Job.kind == REPORT_JOB)
             if job.payload.get("report_id") == report_id and job.id != keep]
    if stale:
        Job.delete().where(Job.id.in_(stale)).execute()


def list_runs(organization_id: str, report_id: str, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """A report's runs, newest first."""
    report = get_report(organization_id, report_id)
    query = ReportRun.select().where(ReportRun.report == report.id)
    rows = query.order_by(ReportRun.ran_at.desc(), ReportRun.id).offset(offset).limit(limit)
    return query.count(), [run_dict(row) for row in rows]
