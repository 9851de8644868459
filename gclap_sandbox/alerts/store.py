"""Alert configs: create, list, read, change and delete, and their history (DB thread).

A change is checked as a whole: the stored config with the change applied must still be a
valid config (a 409 names what no longer fits). Every create and change asks for an
evaluation now (schedule.py), so the state follows the new definition at once.
"""
from __future__ import annotations

from typing import Any

import peewee

from gclap_sandbox import clock
from gclap_sandbox.alerts import definition, evaluation, notify, schedule
from gclap_sandbox.errors import Conflict, ValidationFailed
from gclap_sandbox.models import (
    AlertConfig,
    AlertState,
    AlertTransition,
    Campaign,
    WebhookEndpoint,
)
from gclap_sandbox.state_errors import unknown_reference
from gclap_sandbox.storage.database import owned

EDITABLE = ("name", "metric", "condition", "min_volume", "cooldown_seconds", "filters", "channels", "enabled")


def get_config(organization_id: str, config_id: str) -> AlertConfig:
    return owned(AlertConfig, organization_id, config_id, f"No alert config with id {config_id}.")


def definition_of(config: AlertConfig) -> dict[str, Any]:
    """The config as a request would give it (what a change is applied to)."""
    return {"name": config.name, "metric": config.metric, "condition": dict(config.condition),
            "window": definition.window_label(config.window_seconds), "min_volume": config.min_volume,
            "cooldown_seconds": config.cooldown_seconds, "filters": dict(config.filters or {}),
            "channels": dict(config.channels or {}), "enabled": config.enabled}


def config_dict(config: AlertConfig, state: AlertState | None = None) -> dict[str, Any]:
    state = state if state is not None else AlertState.get_or_none(AlertState.config == config.id)
    return {
        "id": config.id, **definition_of(config), "window_seconds": config.window_seconds,
        "state": state.state if state else "ok",
        "state_changed_at": clock.iso(state.changed_at) if state else None,
        "last_value": state.last_value if state else None,
        "last_volume": state.last_volume if state else None,
        "last_evaluated_at": clock.iso(state.last_evaluated_at) if state else None,
        "last_triggered_at": clock.iso(state.last_triggered_at) if state else None,
        "next_evaluation_at": clock.iso(state.evaluation_at) if state and config.enabled else None,
        "created_at": clock.iso(config.created_at), "updated_at": clock.iso(config.updated_at),
    }


def _check_references(organization_id: str, data: dict[str, Any]) -> None:
    """404 `unknown-reference` for a campaign or webhook endpoint the organization does not have."""
    errors: dict[str, list[str]] = {}
    campaign_id = (data.get("filters") or {}).get("campaign_id")
    if campaign_id and not Campaign.select().where(
            (Campaign.id == campaign_id) & (Campaign.organization == organization_id)).exists():
        errors["filters.campaign_id"] = [f"No campaign with id {campaign_id}."]
    wanted = (data.get("channels") or {}).get("webhook_endpoint_ids") or []
    known = {row.id for row in WebhookEndpoint.select(WebhookEndpoint.id).where(
        WebhookEndpoint.id.in_(wanted) & (WebhookEndpoint.organization == organization_id))}
    for index, endpoint_id in enumerate(wanted):
        if endpoint_id not in known:
            errors[f"channels.webhook_endpoint_ids[{index}]"] = [f"No webhook endpoint with id {endpoint_id}."]
    if errors:
        raise unknown_reference(errors)


def _columns(data: dict[str, Any]) -> dict[str, Any]:
    columns = {name: data[name] for name in EDITABLE if name in data}
    if "window" in data:
        columns["window_seconds"] = definition.WINDOWS[data["window"]]
    if columns.get("filters", {}).get("sending_domain"):
        columns["filters"] = {**columns["filters"], "sending_domain": columns["filters"]["sending_domain"].lower()}
    if "channels" in columns:  # both kinds always listed; each endpoint once, in the order given
        channels = columns["channels"]
        columns["channels"] = {"emails": list(channels.get("emails") or []),
                               "webhook_endpoint_ids": list(dict.fromkeys(channels.get("webhook_endpoint_ids") or []))}
    return columns


def create_config(organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    _check_references(organization_id, data)
    now = clock.now()
    config = AlertConfig.create(organization=organization_id, created_at=now, updated_at=now, **_columns(data))
    schedule.config_changed(config)
    return config_dict(config)


def update_config(organization_id: str, config_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    config = get_config(organization_id, config_id)
    merged = {**definition_of(config), **changes}
    try:
        data = definition.CREATE_BODY.validate(merged)
    except ValidationFailed as error:  # valid alone, but not with what is stored
        raise Conflict("The change does not fit the stored config: " + "; ".join(
            f"{path}: {' '.join(messages)}" for path, messages in error.errors.items()),
            slug="alert-config-conflict", errors=error.errors) from None
    _check_references(organization_id, changes)
    for column, value in _columns(data).items():
        setattr(config, column, value)
    config.updated_at = clock.now()
    config.save()
    schedule.config_changed(config)
    return config_dict(config)


def delete_config(organization_id: str, config_id: str) -> None:
    config = get_config(organization_id, config_id)
    schedule.config_changed(config, deleted=True)
    config.delete_instance()  # its state and history go with it


def list_configs(organization_id: str, filters: dict[str, Any], offset: int, limit: int
                 ) -> tuple[int, list[dict[str, Any]]]:
    query = AlertConfig.select(AlertConfig, AlertState).join(
        AlertState, peewee.JOIN.LEFT_OUTER, on=(AlertState.config == AlertConfig.id)).where(
        AlertConfig.organization == organization_id)
    if filters.get("state") == "ok":
        query = query.where(AlertState.state.is_null() | (AlertState.state == "ok"))
    elif filters.get("state"):
        query = query.where(AlertState.state == filters["state"])
    rows = query.order_by(AlertConfig.created_at.desc(), AlertConfig.id).offset(offset).limit(limit)
    return query.count(), [config_dict(row, _joined_state(row)) for row in rows]


def _joined_state(row: AlertConfig) -> AlertState | None:
    state = getattr(row, "alertstate", None)
    return state if state is not None and state.state is not None else None


def detail(organization_id: str, config_id: str) -> dict[str, Any]:
    return config_dict(get_config(organization_id, config_id))


def transition_dict(row: AlertTransition) -> dict[str, Any]:
    return {"id": row.id, "number": row.number, "from_state": row.from_state, "to_state": row.to_state,
            "value": row.value, "volume": row.volume, "occurred_at": clock.iso(row.occurred_at), **row.details}


def history(organization_id: str, config_id: str, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """The config's transitions, newest first."""
    config = get_config(organization_id, config_id)
    query = AlertTransition.select().where(AlertTransition.config == config.id)
    rows = query.order_by(AlertTransition.number.desc()).offset(offset).limit(limit)
    return query.count(), [transition_dict(row) for row in rows]


def send_test(organization_id: str, config_id: str) -> dict[str, Any]:
    """POST .../test/: a sample firing with the value measured now, through the config's channels."""
    config = get_config(organization_id, config_id)
    state = AlertState.get_or_none(AlertState.config == config.id)
    return notify.send_test(config, evaluation.evaluate(config, clock.now()), state.state if state else "ok")


def choices(organization_id: str) -> dict[str, dict[str, str]]:
    """What a config can name: webhook endpoints (url by id) and campaigns (name by id)."""
    endpoints = dict(WebhookEndpoint.select(WebhookEndpoint.id, WebhookEndpoint.url).where(
        WebhookEndpoint.organization == organization_id).order_by(WebhookEndpoint.created_at).tuples())
    campaigns = dict(Campaign.select(Campaign.id, Campaign.name).where(
        Campaign.organization == organization_id).order_by(Campaign.created_at.desc()).limit(200).tuples())
    return {"endpoints": endpoints, "campaigns": campaigns}
