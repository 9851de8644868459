"""The email page's Checks tab (loaded when opened) and the check verdicts of inbox rows."""
from __future__ import annotations

from typing import Any

from sanic import Request
from sanic.response import HTTPResponse
from sanic.response import html as html_response

from gclap_sandbox.checks import online
from gclap_sandbox.checks.service import verdicts_for
from gclap_sandbox.checks.spam_rules import RULES
from gclap_sandbox.inbox import listing as inbox_page
from gclap_sandbox.ui.base import bp, organization_of, sandbox_of, templates

SECTIONS = (("html", "HTML"), ("links", "Links"), ("spam", "Spam"))
ROW_BUDGET = 0.3  # seconds an inbox page may spend checking emails not checked before


def with_verdicts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Inbox rows with each email's check verdicts under `checks` (DB thread)."""
    verdicts = verdicts_for([row["id"] for row in rows], budget=ROW_BUDGET)
    for row in rows:
        row["checks"] = verdicts.get(row["id"])
    return rows


def page_with_checks(organization_id: str, *args: Any) -> inbox_page.InboxPage:
    result = inbox_page.inbox_page(organization_id, *args)
    with_verdicts(result.rows)
    return result


def rows_above_with_checks(organization_id: str, *args: Any) -> inbox_page.NewRows:
    result = inbox_page.rows_above(organization_id, *args)
    with_verdicts(result.rows)
    return result


@bp.get("/ui/emails/<email_id:uuid>/checks", name="email_checks")
async def email_checks(request: Request, email_id: Any) -> HTTPResponse:
    """The Checks tab's content, as an HTML fragment (with the network checks, when on)."""
    ctx = sandbox_of(request)
    report = await online.full_report(ctx, organization_of(request), str(email_id))
    fragment = templates.get_template("_email_checks.html").render(
        report=report, sections=SECTIONS, rules=RULES,
        family_names={client["family"]: client["name"] for client in report["html"]["clients"]},
        link_check=ctx.settings.link_check, spamassassin=ctx.settings.spamassassin)
    return html_response(fragment, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
