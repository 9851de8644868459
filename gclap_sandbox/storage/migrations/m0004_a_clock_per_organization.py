"""Each organization has its own clock offset, and each job names the organization whose clock it is on.

Until now one offset, kept as the `clock_offset_seconds` setting, moved every organization's
time. Every organization starts from that offset, so no one's time jumps back on upgrade;
the jobs already queued were on it and stay on the default organization's clock.
"""
from __future__ import annotations

from gclap_sandbox.models import Job, Organization, SandboxSetting
from gclap_sandbox.storage.migrations.steps import ensure_columns

OLD_SETTING = "clock_offset_seconds"


def apply() -> None:
    ensure_columns(Organization.clock_offset, Job.organization_id)
    old = SandboxSetting.get_or_none(SandboxSetting.key == OLD_SETTING)
    if old is not None:
        seconds = float(old.value or 0.0)
        if seconds > 0:
            Organization.update(clock_offset=seconds).execute()
        old.delete_instance()
