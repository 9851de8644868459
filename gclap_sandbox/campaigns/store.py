"""Campaign records: create, list, read, change and delete drafts, send and cancel (DB thread)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from gclap_sandbox import clock
from gclap_sandbox.campaigns import audience, sender, stats
from gclap_sandbox.contacts.lists import names_by_id
from gclap_sandbox.errors import Conflict
from gclap_sandbox.models import Campaign, Segment, Template
from gclap_sandbox.state_errors import change_conflict
from gclap_sandbox.storage.database import owned
from gclap_sandbox.templating.store import get_template

EDITABLE = ("name", "template_id", "variables", "subject", "html", "text", "from_email", "reply_to", "tags",
            "track_opens", "track_clicks", "audience", "rate_per_minute")


def campaign_dict(campaign: Campaign, with_stats: bool = True) -> dict[str, Any]:
    data = {
        "id": campaign.id, "name": campaign.name, "status": campaign.status,
        "template_id": campaign.template_id, "variables": campaign.variables,
        "subject": campaign.subject, "html": campaign.html, "text": campaign.text,
        "from_email": campaign.from_email, "reply_to": campaign.reply_to, "tags": campaign.tags,
        "track_opens": campaign.track_opens, "track_clicks": campaign.track_clicks,
        "category": "marketing", "audience": audience.normalized(campaign.audience),
        "rate_per_minute": campaign.rate_per_minute,
        "send_at": clock.iso(campaign.send_at), "started_at": clock.iso(campaign.started_at),
        "completed_at": clock.iso(campaign.completed_at), "cancelled_at": clock.iso(campaign.cancelled_at),
        "created_at": clock.iso(campaign.created_at), "updated_at": clock.iso(campaign.updated_at),
    }
    if with_stats:
        data["stats"] = stats.compute(campaign)
    return data


def get_campaign(organization_id: str, campaign_id: str) -> Campaign:
    return owned(Campaign, organization_id, campaign_id, f"No campaign with id {campaign_id}.")


def list_campaigns(organization_id: str, filters: dict[str, Any], offset: int, limit: int
                   ) -> tuple[int, list[dict[str, Any]]]:
    query = Campaign.select().where(Campaign.organization == organization_id)
    if filters.get("status"):
        query = query.where(Campaign.status == filters["status"])
    rows = query.order_by(Campaign.created_at.desc(), Campaign.id).offset(offset).limit(limit)
    return query.count(), [campaign_dict(row) for row in rows]


def detail(organization_id: str, campaign_id: str) -> dict[str, Any]:
    return campaign_dict(get_campaign(organization_id, campaign_id))


def check_references(organization_id: str, data: dict[str, Any]) -> None:
    """404 `unknown-reference` for a template or an audience source the organization does not have."""
    if data.get("template_id"):
        get_template(organization_id, data["template_id"], field="template_id")
    if data.get("audience"):
        audience.check_references(organization_id, data["audience"])


def create_campaign(organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    check_references(organization_id, data)
    now = clock.now()
    fields = {name: data[name] for name in EDITABLE if name in data and data[name] is not None}
    if "audience" in fields:
        fields["audience"] = audience.normalized(fields["audience"])
    return campaign_dict(Campaign.create(organization=organization_id, created_at=now, updated_at=now, **fields))


def _require(campaign: Campaign, statuses: tuple[str, ...], doing: str) -> None:
    if campaign.status not in statuses:
        raise Conflict(f"The campaign is {campaign.status}; only a campaign that is "
                       f"{' or '.join(statuses)} can be {doing}.", slug="campaign-not-" + statuses[0])


def update_campaign(organization_id: str, campaign_id: str, data: dict[str, Any]) -> dict[str, Any]:
    campaign = get_campaign(organization_id, campaign_id)
    _require(campaign, ("draft",), "changed")
    check_references(organization_id, data)
    for name in EDITABLE:
        if name in data:
            value = data[name]
            if name == "audience":
                value = audience.normalized(value)
            elif name in ("variables",) and value is None:
                value = {}
            elif name in ("reply_to", "tags") and value is None:
                value = []
            setattr(campaign, name, value)
    # The change is valid in itself (400s are the document's); with what is stored it may not be.
    if campaign.template_id is None and campaign.subject is None:
        raise change_conflict("campaign", {"subject": ["Without `template_id`, a campaign needs a `subject`."]})
    if campaign.template_id is None and campaign.html is None and campaign.text is None:
        raise change_conflict("campaign", {"html": ["Without `template_id`, a campaign needs `html` or `text`."]})
    campaign.updated_at = clock.now()
    campaign.save()
    return campaign_dict(campaign)


def delete_campaign(organization_id: str, campaign_id: str) -> None:
    campaign = get_campaign(organization_id, campaign_id)
    _require(campaign, ("draft",), "deleted")
    campaign.delete_instance()


def ready_to_send(organization_id: str, campaign_id: str) -> Campaign:
    """The draft, with everything sending needs (refusals name the field)."""
    campaign = get_campaign(organization_id, campaign_id)
    _require(campaign, ("draft",), "sent")
    if audience.is_empty(campaign.audience):
        # The request is fine; the draft is not ready: a conflict with its state, not a 400.
        raise Conflict("audience: give the campaign at least one list, segment or contact id before "
                       "sending it.", slug="campaign-not-ready",
                       errors={"audience": ["Give at least one list, segment or contact id before sending."]})
    check_references(organization_id, {"template_id": campaign.template_id, "audience": campaign.audience})
    return campaign


def schedule_send(organization_id: str, campaign_id: str, send_at: datetime | None) -> dict[str, Any]:
    """draft -> scheduled: sending starts at `send_at` (now without it) on the sandbox clock."""
    campaign = ready_to_send(organization_id, campaign_id)
    now = clock.now()
    campaign.status, campaign.send_at, campaign.updated_at = "scheduled", max(send_at or now, now), now
    campaign.save()
    sender.schedule_start(campaign)
    return campaign_dict(campaign)


def cancel(organization_id: str, campaign_id: str) -> dict[str, Any]:
    """scheduled or sending -> cancelled: no more of its email is sent (what was sent stays)."""
    campaign = get_campaign(organization_id, campaign_id)
    _require(campaign, ("scheduled", "sending"), "cancelled")
    campaign.status, campaign.cancelled_at = "cancelled", clock.now()
    campaign.updated_at, campaign.batch_due_at = campaign.cancelled_at, None
    campaign.save()
    return campaign_dict(campaign)


def audience_preview(organization_id: str, campaign_id: str) -> dict[str, Any]:
    campaign = get_campaign(organization_id, campaign_id)
    return {"campaign_id": campaign.id, "audience": audience.normalized(campaign.audience),
            **audience.preview(organization_id, campaign.audience)}


def preview_for(organization_id: str, given: dict[str, Any]) -> dict[str, Any]:
    audience.check_references(organization_id, given)
    return {"audience": audience.normalized(given), **audience.preview(organization_id, given)}


def choices(organization_id: str) -> dict[str, dict[str, str]]:
    """What a new campaign can be made of: templates, lists and segments, name by id."""
    def named(model: Any) -> dict[str, str]:
        return dict(model.select(model.id, model.name).where(model.organization == organization_id)
                    .order_by(model.name).tuples())
    return {"templates": named(Template), "lists": names_by_id(organization_id), "segments": named(Segment)}
