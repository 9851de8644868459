"""The email page's delivery panels: trigger events by hand, the live events timeline and
relaying upstream, with the JSON calls behind their buttons.

Buttons go through the same units of work as the API (`outcomes.trigger` for
`POST /api/v1/emails/{id}/simulate/`, `relay_release.release_email` for `release/`), with
the API's own body validators, so the UI can do nothing the API would refuse. Release asks
first: the page fetches the plan, names the upstream and recipients, and only then sends.
"""
from __future__ import annotations

from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox import clock
from gclap_sandbox.events import record as events
from gclap_sandbox.http_json import json_body, json_response
from gclap_sandbox.inbox.queries import get_email, recipient_addresses
from gclap_sandbox.mail.message import split_address
from gclap_sandbox.pipeline import outcomes
from gclap_sandbox.pipeline.schemas import SIMULATE_BODY
from gclap_sandbox.relay import store as relay_store
from gclap_sandbox.relay.release import plan_release, release_email
from gclap_sandbox.relay.schemas import RELEASE_BODY
from gclap_sandbox.schema import Obj, Str
from gclap_sandbox.ui.base import EmailPanel, bp, db_run, organization_of, site_of, templates

TIMELINE_LIMIT = 200  # newest events shown; the API pages through the rest
# The buttons, in the order a message's life usually goes (labels as the simulate API takes them).
TRIGGERS = [("delivered", "Delivered"), ("opened", "Opened"), ("bounced", "Bounced"),
            ("spam", "Spam"), ("unsubscribed", "Unsubscribed")]


def _org(request: Request) -> str:
    return organization_of(request)


# --- panel loaders (DB thread) ---------------------------------------------------------------

def _simulate_panel(organization_id: str, email_id: str) -> dict[str, Any]:
    return {"email_id": email_id, "recipients": recipient_addresses(email_id),
            "links": outcomes.clickable_links(email_id),
            "triggers": TRIGGERS}


def _timeline_panel(organization_id: str, email_id: str) -> dict[str, Any]:
    total, rows = events.email_timeline(email_id, TIMELINE_LIMIT)
    return {"email_id": email_id, "events": rows, "total": total,
            "descriptions": events.EVENT_TYPES}


def _relay_panel(organization_id: str, email_id: str) -> dict[str, Any]:
    view = relay_store.relay_views([email_id], with_jobs=True).get(email_id)
    return {"email_id": email_id, "relay": view, "now": clock.iso(clock.now())}


EMAIL_PANELS = (
    EmailPanel("panels/simulate.html", _simulate_panel),
    EmailPanel("panels/timeline.html", _timeline_panel, live=True),
    EmailPanel("panels/relay.html", _relay_panel, live=True),
)


def _live_panels(organization_id: str, email_id: str, panels: tuple[EmailPanel, ...]) -> dict[str, Any]:
    email = get_email(organization_id, email_id)
    return {"status": email.status,
            "panels": {p.template: p.load(organization_id, email_id) for p in panels if p.live}}


def _email_status(organization_id: str, email_id: str) -> str:
    return get_email(organization_id, email_id).status


# --- JSON calls ------------------------------------------------------------------------------

@bp.get("/ui/api/emails/<email_id:uuid>/panels", name="email_panels")
async def live_panels(request: Request, email_id: Any) -> HTTPResponse:
    """The email page's live panels, re-rendered (the page swaps them in when events arrive)."""
    data = await db_run(request, _live_panels, _org(request), str(email_id), site_of(request).email_panels)
    relay_configured = request.app.ctx.sandbox.relay is not None
    html = {name: templates.get_template(name).render(panel=context, relay_configured=relay_configured)
            for name, context in data["panels"].items()}
    return json_response({"status": data["status"], "panels": html})


@bp.post("/ui/api/emails/<email_id:uuid>/simulate", name="email_simulate")
async def simulate(request: Request, email_id: Any) -> HTTPResponse:
    body = SIMULATE_BODY.validate(json_body(request))
    recipient = split_address(body["recipient"])[1] if body.get("recipient") else None
    recorded = await db_run(request, outcomes.trigger, _org(request), str(email_id), body["event"],
                            recipient, body.get("url"))
    status = await db_run(request, _email_status, _org(request), str(email_id))
    return json_response({"events": recorded, "status": status}, status=201)


# The Release button sends to a real server, so the page first shows the plan (upstream and
# recipients) and the send must name the upstream the user confirmed.
CONFIRMED_RELEASE_BODY = Obj({
    **RELEASE_BODY.fields,
    "confirm_upstream": Str(required=True, min_length=1, max_length=1000,
                            description="The relay server the user confirmed, as the plan named it."),
})


@bp.post("/ui/api/emails/<email_id:uuid>/release/plan", name="email_release_plan")
async def release_plan(request: Request, email_id: Any) -> HTTPResponse:
    """Where Release would send this email (upstream server, recipients), without sending."""
    body = RELEASE_BODY.validate(json_body(request) if request.body else {})
    plan = await plan_release(request.app.ctx.sandbox, _org(request), str(email_id), body.get("to"))
    return json_response(plan.describe())


@bp.post("/ui/api/emails/<email_id:uuid>/release", name="email_release")
async def release(request: Request, email_id: Any) -> HTTPResponse:
    body = CONFIRMED_RELEASE_BODY.validate(json_body(request))
    job = await release_email(request.app.ctx.sandbox, _org(request), str(email_id), body.get("to"),
                              confirmed_upstream=body["confirm_upstream"])
    return json_response(job)
