"""A sandbox filled the way a team's looks after a few days of use, so every page of the web UI
has something real to show: mail with HTML, attachments and a bounce report, contacts in lists (with custom fields),
templates, a campaign that was sent, a workflow with runs, an alert that fired, a report that
ran, sending domains, webhook endpoints (healthy, failing, disabled) with their deliveries, and chaos rules.

`fill(api, receiver)` does it all through the public API and answers the ids the page paths
need (`Showcase`, a dict: `"/emails/{html_email}".format(**showcase)`).
"""
from __future__ import annotations

from typing import Any

import httpx
from automation_ui_helpers import sign_up, welcome_series
from domain_helpers import add_domain, publish, verified_domain
from email_page_helpers import attachment_email
from helpers import wait_until
from lifecycle_helpers import MAGIC, advance
from ui_helpers import rich_email, send_api
from webhook_receiver import Receiver

Showcase = dict[str, str]
DAY = 86400
PEOPLE = [("Ana", "Lima", "subscribed"), ("Bo", "Berg", "subscribed"), ("Cy", "Chen", "unsubscribed"),
          ("Di", "Diaz", "subscribed"), ("Eli", "Evans", "subscribed")]
WEBHOOK_EVENTS = ["email.sent", "email.delivered", "email.bounced"]
ATTRIBUTES = {"plan": "pro", "seats": 3, "address": {"city": "Porto"}}  # one of each kind of custom field


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def fill(api: httpx.Client, receiver: Receiver) -> Showcase:
    """Everything, in the order a team would have made it; the clock moves a day on the way."""
    showcase: Showcase = {}
    showcase.update(_webhooks(api, receiver))
    showcase.update(_contacts_and_templates(api))
    showcase.update(_mail(api))
    showcase.update(_campaign(api, showcase))
    showcase.update(_workflow(api))
    showcase.update(_alert_and_report(api))
    _domains(api)
    receiver.wait_for("crm", 1)  # the CRM endpoint has failed once: its deliveries wait for a retry
    ok(api.patch(f"/api/v1/webhooks/endpoints/{showcase['crm_endpoint']}/", json={"active": False}))
    advance(api, seconds=DAY)  # the events play out; the paused deliveries' next try is now in the past
    showcase.update(_webhook_log(api, receiver, showcase))
    showcase["bounce_report"] = _bounce_report(api)
    _chaos(api)  # last: its HTTP rule fails some sends
    return showcase


def _webhooks(api: httpx.Client, receiver: Receiver) -> Showcase:
    orders = ok(api.post("/api/v1/webhooks/endpoints/", json={
        "url": receiver.url("orders"), "events": ["*"], "description": "Order service (staging)"}), 201)
    receiver.down("crm")  # answers 503: its deliveries fail and wait for their next try
    crm = ok(api.post("/api/v1/webhooks/endpoints/", json={
        "url": receiver.url("crm"), "events": WEBHOOK_EVENTS, "description": "CRM sync"}), 201)
    return {"orders_endpoint": orders["id"], "crm_endpoint": crm["id"]}


def _webhook_log(api: httpx.Client, receiver: Receiver, showcase: Showcase) -> Showcase:
    """One delivery of each kind: delivered, paused (its endpoint was switched off while it waited
    for a retry) and skipped (raised while the endpoint was off)."""
    send_api(api, subject="Password reset", to=[f"delivered@{MAGIC}"])

    def first(endpoint: str, status: str) -> str:
        def found() -> list[dict[str, Any]]:
            return ok(api.get("/api/v1/webhooks/deliveries/", params={
                "endpoint": showcase[endpoint], "status": status, "page_size": 1}))["results"]
        return wait_until(found, f"a {status} delivery for the {endpoint}")[0]["id"]

    return {"delivered_hook": first("orders_endpoint", "succeeded"), "paused_delivery": first("crm_endpoint", "pending"),
            "skipped_delivery": first("crm_endpoint", "skipped")}


def _bounce_report(api: httpx.Client) -> str:
    """The bounce report the sandbox wrote back to the sender of the bounced email."""
    def found() -> list[dict[str, Any]]:
        return ok(api.get("/api/v1/emails/", params={"to": "ship@shop.example", "page_size": 1}))["results"]
    return wait_until(found, "the bounce report to ship@shop.example")[0]["id"]


def _contacts_and_templates(api: httpx.Client) -> Showcase:
    customers = ok(api.post("/api/v1/contacts/lists/", json={"name": "Customers"}), 201)
    ids = []
    for first, last, status in PEOPLE:
        ids.append(ok(api.post("/api/v1/contacts/", json={
            "email": f"{first.lower()}@example.com", "first_name": first, "last_name": last, "status": status,
            "lists": [customers["id"]], "attributes": ATTRIBUTES if first == "Ana" else {}}), 201)["id"])
    welcome = ok(api.post("/api/v1/templates/", json={
        "name": "Welcome", "subject": "Welcome, {{ first_name }}!",
        "html": "<h1 style='font-family:sans-serif;color:#4338ca'>Welcome, {{ first_name }}!</h1>"
                "<p style='font-family:sans-serif'>Your {{ plan }} plan is ready.</p>",
        "text": "Welcome, {{ first_name }}! Your {{ plan }} plan is ready."}), 201)
    sale = ok(api.post("/api/v1/templates/", json={
        "name": "Spring sale", "subject": "{{ contact.first_name }}, the sale is on",
        "html": '<p>Hi {{ contact.first_name }}</p><a href="https://shop.example/sale">Shop now</a>'}), 201)
    return {"contact": ids[0], "list": customers["id"], "template": welcome["id"], "sale_template": sale["id"]}


def _mail(api: httpx.Client) -> Showcase:
    html = rich_email(api, "Your receipt for order #42")
    for event, extra in [("delivered", {}), ("opened", {}), ("clicked", {"url": "https://shop.example/orders/42"})]:
        ok(api.post(f"/api/v1/emails/{html['id']}/simulate/", json={"event": event, "recipient": "ana@example.com",
                                                                    **extra}), 201)
    attachments = attachment_email(api, "Your order with seven files")
    text = send_api(api, subject="Your sign-in code", to=["bo@example.com"], from_email="auth@shop.example",
                    text="Your code is 381 204.\nIt expires in 10 minutes.")
    bounced = send_api(api, subject="Shipping update", to=[f"bounced@{MAGIC}"], from_email="ship@shop.example",
                       text="Your parcel is on its way.")
    for n in range(12):  # a full-looking inbox
        send_api(api, subject=f"Order #{100 + n} confirmed", to=[f"delivered+{n}@{MAGIC}"],
                 from_email="Shop <orders@shop.example>", html=f"<p>Order {100 + n} is confirmed.</p>",
                 tags=["orders"])
    return {"html_email": html["id"], "attachment_email": attachments["id"], "text_email": text["id"],
            "bounced_email": bounced["id"]}


def _campaign(api: httpx.Client, showcase: Showcase) -> Showcase:
    campaign = ok(api.post("/api/v1/campaigns/", json={
        "name": "Spring sale", "template_id": showcase["sale_template"], "audience": {"lists": [showcase["list"]]}}), 201)
    ok(api.post(f"/api/v1/campaigns/{campaign['id']}/send/", json={}))
    ok(api.post("/api/v1/campaigns/", json={
        "name": "Autumn preview", "template_id": showcase["sale_template"], "audience": {"lists": [showcase["list"]]}}), 201)
    return {"campaign": campaign["id"]}


def _workflow(api: httpx.Client) -> Showcase:
    workflow = welcome_series(api, "showcase")
    sign_up(api, "showcase", "di@example.com")
    return {"workflow": workflow["id"]}


def _alert_and_report(api: httpx.Client) -> Showcase:
    alert = ok(api.post("/api/v1/analytics/alert-configs/", json={
        "name": "Bounces above 5%", "metric": "bounce_rate", "condition": {"type": "above", "threshold": 0.05},
        "window": "1h", "channels": {"emails": ["oncall@shop.example"]}}), 201)
    report = ok(api.post("/api/v1/analytics/scheduled-reports/", json={
        "name": "Weekly numbers for the finance team",
        "recipients": ["finance@shop.example", "a-rather-long-address-for-the-chief-financial-officer@shop.example"],
        "schedule": {"frequency": "weekly", "weekday": "monday", "time": "09:00", "timezone": "Europe/Paris"}}), 201)
    ran = ok(api.post(f"/api/v1/analytics/scheduled-reports/{report['id']}/run-now/", json={}), 201)
    return {"alert": alert["id"], "report": report["id"], "report_email": ran["email_ids"][0]}


def _chaos(api: httpx.Client) -> None:
    ok(api.put("/api/v1/sandbox/chaos/", json={
        "smtp": [{"stage": "rcpt", "match": ["*@blocked.test"], "code": 550}],
        "http": [{"path": "/api/v1/emails/*", "methods": ["POST"], "status": 503, "probability": 25}]}))


def _domains(api: httpx.Client) -> None:
    verified_domain(api, "shop.example")
    publish(api, add_domain(api, "news.shop.example"), leave_out=("dkim",))
