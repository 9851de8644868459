"""The Campaigns pages: the list with progress, a new campaign from a template with its audience's
live count, and one campaign's progress and stats (a chart drawn in SVG), refreshed while it sends.
They call the campaigns domain (campaigns/service.py, store.py), as the API does."""
from __future__ import annotations

from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox.campaigns import service, store
from gclap_sandbox.http_json import json_body, json_response
from gclap_sandbox.models.campaigns import CAMPAIGN_STATUSES
from gclap_sandbox.schema import Address, Bool, DateTime, Int, ListOf, MapOf, Obj, Str, Uuid
from gclap_sandbox.ui.base import NavItem, bp, db_run, organization_of, page, render

NAV = NavItem("Campaigns", "/campaigns", 35)
PAGE_SIZE = 50
FILTERS = Obj({"status": Str(choices=list(CAMPAIGN_STATUSES)), "page": Int(minimum=1, maximum=1_000_000, from_string=True)})
# The chart's bars: (label, how to read it from the stats).
CHART = (("Sent", lambda s: s["sent"]), ("Delivered", lambda s: s["delivered"]),
         ("Opened", lambda s: s["opened"]["unique"]), ("Clicked", lambda s: s["clicked"]["unique"]),
         ("Bounced", lambda s: s["bounced"]), ("Unsubscribed", lambda s: s["unsubscribed"]),
         ("Spam", lambda s: s["spam"]))


def _org(request: Request) -> str:
    return organization_of(request)


def chart(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Bars as shares of the recipients (the widest is the whole audience)."""
    whole = max(stats["recipients"], 1)
    return [{"label": label, "value": read(stats), "share": round(100 * read(stats) / whole, 1)}
            for label, read in CHART]


def progress(campaign: dict[str, Any]) -> int:
    stats = campaign["stats"]
    done = stats["recipients"] - stats["pending"]
    return round(100 * done / stats["recipients"]) if stats["recipients"] else (100 if campaign["status"] == "sent" else 0)


def _listing(organization_id: str, filters: dict[str, Any]) -> dict[str, Any]:
    number = filters.get("page") or 1
    total, rows = store.list_campaigns(organization_id, filters, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    return {"campaigns": [{**row, "progress": progress(row)} for row in rows], "total": total,
            "page_number": number, "has_next": number * PAGE_SIZE < total, **store.choices(organization_id)}


@page("/campaigns", name="campaigns")
async def campaigns_view(request: Request) -> HTTPResponse:
    given = {name: values[0] for name, values in request.args.items() if values and values[0] != ""}
    filters = FILTERS.validate(given)
    data = await db_run(request, _listing, _org(request), filters)
    return render(request, "campaigns.html", statuses=CAMPAIGN_STATUSES, status_filter=filters.get("status") or "", **data)


def _one(organization_id: str, campaign_id: str) -> dict[str, Any]:
    campaign = store.detail(organization_id, campaign_id)
    return {"campaign": campaign, "progress": progress(campaign), "chart": chart(campaign["stats"]),
            "names": store.choices(organization_id)}


@page("/campaigns/<campaign_id:uuid>", name="campaign")
async def campaign_view(request: Request, campaign_id: Any) -> HTTPResponse:
    return render(request, "campaign.html", **await db_run(request, _one, _org(request), str(campaign_id)))


@page("/campaigns/<campaign_id:uuid>/progress", name="campaign_progress")
async def campaign_progress(request: Request, campaign_id: Any) -> HTTPResponse:
    """The progress and stats panel alone: the open page swaps it in while the campaign sends."""
    return render(request, "_campaign_progress.html", **await db_run(request, _one, _org(request), str(campaign_id)))


_IDS = {"lists": ListOf(Uuid(), max_items=100), "segments": ListOf(Uuid(), max_items=100)}
AUDIENCE_BODY = Obj(_IDS)
NEW_BODY = Obj({
    "name": Str(required=True, min_length=1, max_length=200, single_line=True),
    "template_id": Uuid(required=True),
    "variables": MapOf(max_items=200, default=dict),
    "from_email": Address(),
    "audience": Obj(_IDS, required=True),
    "rate_per_minute": Int(minimum=1, maximum=1_000_000, nullable=True),
    "send_at": DateTime(nullable=True),
    "send": Bool(default=False),
})


@bp.post("/ui/api/campaigns/audience", name="campaign_audience_count")
async def audience_count(request: Request) -> HTTPResponse:
    """The live count beside the audience picker."""
    body = AUDIENCE_BODY.validate(json_body(request))
    return json_response(await db_run(request, store.preview_for, _org(request), body))


@bp.post("/ui/api/campaigns", name="campaign_create")
async def create(request: Request) -> HTTPResponse:
    """Create from a template; with `send`, schedule it at once (at `send_at`, or now)."""
    body = NEW_BODY.validate(json_body(request))
    ctx = request.app.ctx.sandbox
    send_now, send_at = body.pop("send"), body.pop("send_at", None)
    created = await service.create(ctx, _org(request), body)
    if send_now:
        created = await service.send(ctx, _org(request), created["id"], send_at)
    return json_response(created, status=201)


@bp.post("/ui/api/campaigns/<campaign_id:uuid>/cancel", name="campaign_cancel")
async def cancel(request: Request, campaign_id: Any) -> HTTPResponse:
    return json_response(await db_run(request, store.cancel, _org(request), str(campaign_id)))
