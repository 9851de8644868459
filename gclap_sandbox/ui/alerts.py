"""The Alerts pages: the configs with their state, a new one, one config (edit, history, test,
delete). Plain HTML forms, no script: the form's fields become the same request the API takes
(alerts/definition.py checks it), and a problem is shown beside the field it names.

The form asks for thresholds in the unit people read (a rate in percent, the quota in percent,
a count as a count) and the cooldown in minutes; they are turned into the API's units here.
"""
from __future__ import annotations

import re
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse, redirect

from gclap_sandbox.alerts import definition, store, wording
from gclap_sandbox.analytics.metrics import METRICS
from gclap_sandbox.errors import ApiError
from gclap_sandbox.ui.base import NavItem, db_run, organization_of, page, render

NAV = NavItem("Alerts", "/alerts", 46, group="Analytics")
SHOWN = 200  # configs on the list page; the API pages through any number
HISTORY_SHOWN = 100
CONDITIONS = (("above", "is above"), ("below", "is below"), ("anomaly", "departs from its baseline"))
# Where a problem's path is shown on the form.
_FIELD_OF = {"condition.threshold": "threshold", "condition.type": "condition_type",
             "condition.deviations": "deviations", "condition.direction": "direction",
             "condition.baseline_windows": "baseline_windows", "cooldown_seconds": "cooldown_minutes",
             "filters.tag": "tag", "filters.campaign_id": "campaign_id", "filters.sending_domain": "sending_domain",
             "filters": "tag", "channels": "emails", "channels.emails": "emails",
             "channels.webhook_endpoint_ids": "endpoints", "body": "name"}


def _org(request: Request) -> str:
    return organization_of(request)


def _number(text: str) -> Any:
    """A number typed in a field; the text itself when it is none (the check then says so)."""
    try:
        return int(text) if re.fullmatch(r"-?\d+", text) else float(text)
    except ValueError:
        return text


def _scaled(metric: str, text: str) -> Any:
    value = _number(text)
    return value / 100 if isinstance(value, (int, float)) and METRICS.get(metric, METRICS["emails_sent"]).kind == "rate" \
        else value


def request_from_form(form: dict[str, list[str]]) -> dict[str, Any]:
    """The API request a submitted form stands for."""
    def one(name: str) -> str:
        return (form.get(name) or [""])[0].strip()

    metric, kind = one("metric"), one("condition_type")
    condition: dict[str, Any] = {"type": kind}
    if kind == "anomaly":
        for name in ("deviations", "baseline_windows"):
            if one(name):
                condition[name] = _number(one(name))
        condition["direction"] = one("direction") or "either"
    elif one("threshold"):
        condition["threshold"] = _scaled(metric, one("threshold"))
    filters = {name: one(name) for name in ("tag", "campaign_id", "sending_domain") if one(name)}
    emails = [part.strip() for part in re.split(r"[\n,;]+", one("emails")) if part.strip()]
    cooldown = _number(one("cooldown_minutes") or "0")
    return {
        "name": one("name"), "metric": metric, "condition": condition, "window": one("window"),
        "min_volume": _number(one("min_volume") or "0"),
        "cooldown_seconds": cooldown * 60 if isinstance(cooldown, (int, float)) else cooldown,
        "filters": filters, "channels": {"emails": emails, "webhook_endpoint_ids": form.get("endpoints") or []},
        "enabled": one("enabled") == "on",
    }


def form_values(config: dict[str, Any]) -> dict[str, Any]:
    """What the form shows for a stored config (or a new one's defaults)."""
    metric = METRICS[config["metric"]]
    condition = config["condition"]
    threshold = condition.get("threshold")
    if threshold is not None and metric.kind == "rate":
        threshold = round(threshold * 100, 6)
    return {"name": config["name"], "metric": config["metric"], "condition_type": condition["type"],
            "threshold": "" if threshold is None else f"{threshold:g}",
            "deviations": f"{condition.get('deviations', 3):g}", "direction": condition.get("direction", "either"),
            "baseline_windows": condition.get("baseline_windows", 24), "window": config["window"],
            "min_volume": config["min_volume"], "cooldown_minutes": f"{config['cooldown_seconds'] / 60:g}",
            "tag": config["filters"].get("tag", ""), "campaign_id": config["filters"].get("campaign_id", ""),
            "sending_domain": config["filters"].get("sending_domain", ""),
            "emails": "\n".join(config["channels"].get("emails") or []),
            "endpoints": config["channels"].get("webhook_endpoint_ids") or [], "enabled": config["enabled"]}


NEW = {"name": "", "metric": "bounce_rate", "condition": {"type": "above", "threshold": 0.05}, "window": "1h",
       "min_volume": 50, "cooldown_seconds": 3600, "filters": {}, "channels": {}, "enabled": True}


def field_errors(error: ApiError, form: dict[str, list[str]]) -> dict[str, list[str]]:
    """A problem's messages by form field (the whole problem's detail when it names none)."""
    named: dict[str, list[str]] = {}
    for path, messages in (error.extra.get("errors") or {}).items():
        base = re.sub(r"\[\d+\]$", "", path)
        named.setdefault(_FIELD_OF.get(base, base), []).extend(messages)
    metric = METRICS.get((form.get("metric") or [""])[0])
    if "threshold" in named and metric is not None and metric.kind == "rate":  # the form takes percent
        named["threshold"] = ["A rate's threshold is a percentage from 0 to 100."]
    return named or {"name": [error.detail]}


def described(config: dict[str, Any]) -> dict[str, Any]:
    """A config with the words the pages show."""
    metric = METRICS[config["metric"]]
    return {**config, "metric_label": metric.label,
            "condition_text": wording.condition_text(config["metric"], config["condition"]),
            "value_text": wording.value_text(metric, config["last_value"])}


def _form_context(organization_id: str) -> dict[str, Any]:
    return {"metrics": {name: m.label for name, m in METRICS.items()}, "windows": list(definition.WINDOWS),
            "conditions": CONDITIONS, "directions": definition.DIRECTIONS, **store.choices(organization_id)}


def _listing(organization_id: str) -> dict[str, Any]:
    total, rows = store.list_configs(organization_id, {}, 0, SHOWN)
    return {"configs": [described(row) for row in rows], "total": total}


def _one(organization_id: str, config_id: str) -> dict[str, Any]:
    config = described(store.detail(organization_id, config_id))
    metric = METRICS[config["metric"]]
    _, steps = store.history(organization_id, config_id, 0, HISTORY_SHOWN)
    steps = [{**step, "value_text": wording.value_text(metric, step["value"])} for step in steps]
    return {"config": config, "history": steps, **_form_context(organization_id)}


@page("/alerts", name="alerts")
async def alerts_view(request: Request) -> HTTPResponse:
    return render(request, "alerts.html", **await db_run(request, _listing, _org(request)))


@page("/alerts/new", name="alert_new")
async def new_view(request: Request) -> HTTPResponse:
    context = await db_run(request, _form_context, _org(request))
    return render(request, "alert_new.html", values=form_values(NEW), errors={}, **context)


@page("/alerts/new", name="alert_create", methods=["POST"])
async def create(request: Request) -> HTTPResponse:
    form = {name: request.form.getlist(name) for name in request.form}
    try:
        body = definition.CREATE_BODY.validate(request_from_form(form))
        created = await db_run(request, store.create_config, _org(request), body)
    except ApiError as error:
        context = await db_run(request, _form_context, _org(request))
        return render(request, "alert_new.html", status=error.status, values=_echo(form),
                      errors=field_errors(error, form), **context)
    return redirect(f"/alerts/{created['id']}?saved=1", status=303)


def _echo(form: dict[str, list[str]]) -> dict[str, Any]:
    """The submitted fields, shown again as typed."""
    values: dict[str, Any] = {name: "" for name in form_values(NEW)}  # a blank field is not sent back at all
    values.update({name: (given[0] if given else "") for name, given in form.items()})
    values["endpoints"] = form.get("endpoints") or []
    values["enabled"] = "enabled" in form
    return values


@page("/alerts/<config_id:uuid>", name="alert")
async def alert_view(request: Request, config_id: Any) -> HTTPResponse:
    data = await db_run(request, _one, _org(request), str(config_id))
    return render(request, "alert.html", values=form_values(data["config"]), errors={},
                  notice=_notice(request), **data)


def _notice(request: Request) -> str:
    if request.args.get("saved"):
        return "Saved. It is evaluated at once."
    if request.args.get("tested"):
        emails, hooks = request.args.get("emails", "0"), request.args.get("hooks", "0")
        return f"Test sent: {emails} email(s) to the inbox, {hooks} webhook delivery(ies)."
    return ""


@page("/alerts/<config_id:uuid>", name="alert_update", methods=["POST"])
async def update(request: Request, config_id: Any) -> HTTPResponse:
    form = {name: request.form.getlist(name) for name in request.form}
    try:
        changes = definition.UPDATE_BODY.validate(request_from_form(form))
        await db_run(request, store.update_config, _org(request), str(config_id), changes)
    except ApiError as error:
        if error.status == 404 and not error.extra.get("errors"):
            raise
        data = await db_run(request, _one, _org(request), str(config_id))
        return render(request, "alert.html", status=error.status, values=_echo(form),
                      errors=field_errors(error, form), notice="", **data)
    return redirect(f"/alerts/{config_id}?saved=1", status=303)


@page("/alerts/<config_id:uuid>/test", name="alert_test", methods=["POST"])
async def send_test(request: Request, config_id: Any) -> HTTPResponse:
    sent = await db_run(request, store.send_test, _org(request), str(config_id))
    return redirect(f"/alerts/{config_id}?tested=1&emails={len(sent['email_ids'])}"
                    f"&hooks={len(sent['webhook_delivery_ids'])}", status=303)


@page("/alerts/<config_id:uuid>/delete", name="alert_delete", methods=["POST"])
async def delete(request: Request, config_id: Any) -> HTTPResponse:
    await db_run(request, store.delete_config, _org(request), str(config_id))
    return redirect("/alerts", status=303)
