"""The REST API: one blueprint module per resource, all under /api/v1."""
from __future__ import annotations

from sanic import Blueprint


def blueprints() -> list[Blueprint]:
    from gclap_sandbox.api import (
        accounts,
        alert_configs,
        analytics,
        analytics_breakdowns,
        automation,
        campaigns,
        clock,
        contact_lists,
        contact_transfer,
        contacts,
        deliverability,
        domains,
        email_authentication,
        email_bulk,
        email_checks,
        email_release,
        emails,
        events,
        health,
        held_requests,
        meta,
        organizations,
        sandbox_chaos,
        sandbox_dns,
        sandbox_reset,
        scheduled_reports,
        segments,
        simulation,
        suppressions,
        templates,
        tracking,
        webhooks,
    )

    return [health.bp, meta.bp, email_bulk.bp, emails.bp, email_release.bp, accounts.bp, events.bp, simulation.bp,
            suppressions.bp, clock.bp, analytics.bp, analytics_breakdowns.bp, tracking.bp, sandbox_chaos.bp, sandbox_reset.bp,
            contact_lists.bp, segments.bp, contact_transfer.bp, contacts.bp, templates.bp,
            webhooks.bp, held_requests.bp, automation.bp, campaigns.bp, alert_configs.bp,
            scheduled_reports.bp, domains.bp, sandbox_dns.bp, email_authentication.bp,
            email_checks.bp, deliverability.bp, organizations.bp]
