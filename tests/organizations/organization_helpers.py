"""Helpers the organization tests share: making organizations and filling one with one of everything."""
from __future__ import annotations

import base64
from typing import Any

import httpx
from helpers import ok

ORGANIZATIONS = "/api/v1/sandbox/organizations/"


def new_organization(admin: httpx.Client, name: str, plan: str = "unlimited") -> tuple[dict[str, Any], str]:
    """A new organization made with an admin key: (the organization, its first key's secret)."""
    created = ok(admin.post(ORGANIZATIONS, json={"name": name, "plan": plan}), 201)
    return created, created["api_key"]["key"]


def fill(api: httpx.Client, marker: str) -> dict[str, str]:
    """One of every resource the API names by id, in the key's organization; every text carries
    `marker`. Returns the ids under the names the OpenAPI document gives its path parameters."""
    ids: dict[str, str] = {}
    ids["key_id"] = ok(api.post("/api/v1/accounts/api-keys/", json={"name": f"key {marker}"}), 201)["id"]
    email = ok(api.post("/api/v1/emails/send/", json={
        "to": [f"{marker}@example.com"], "from_email": f"{marker}@shop.example", "subject": f"Mail {marker}",
        "text": f"Body {marker}", "attachments": [{"filename": f"{marker}.txt", "content_type": "text/plain",
                                                   "content": base64.b64encode(marker.encode()).decode()}]}), 202)
    ids["email_id"] = email["id"]
    ids["attachment_id"] = ok(api.get(f"/api/v1/emails/{email['id']}/"))["attachments"][0]["id"]
    contact = ok(api.post("/api/v1/contacts/", json={"email": f"contact-{marker}@example.com",
                                                     "first_name": marker}), 201)
    ids["contact_id"] = contact["id"]
    ids["list_id"] = ok(api.post("/api/v1/contacts/lists/", json={"name": f"List {marker}"}), 201)["id"]
    ids["segment_id"] = ok(api.post("/api/v1/contacts/segments/", json={
        "name": f"Segment {marker}",
        "rules": {"field": "email", "op": "contains", "value": marker}}), 201)["id"]
    ids["template_id"] = ok(api.post("/api/v1/templates/", json={
        "name": f"Template {marker}", "subject": f"Subject {marker}", "html": f"<p>{marker}</p>"}), 201)["id"]
    # Nobody listens on port 9: the delivery is logged (and failing) all the same.
    ids["endpoint_id"] = ok(api.post("/api/v1/webhooks/endpoints/", json={
        "url": f"http://127.0.0.1:9/{marker}", "events": ["email.sent"], "description": marker}), 201)["id"]
    ok(api.post("/api/v1/emails/send/", json={"to": [f"{marker}-2@example.com"], "subject": f"Second {marker}",
                                              "text": marker, "from_email": f"{marker}@shop.example"}), 202)
    ids["delivery_id"] = _first_delivery(api)
    ids["campaign_id"] = ok(api.post("/api/v1/campaigns/", json={
        "name": f"Campaign {marker}", "template_id": ids["template_id"],
        "audience": {"lists": [ids["list_id"]]}}), 201)["id"]
    ids["workflow_id"] = ok(api.post("/api/v1/automation/", json={
        "name": f"Workflow {marker}", "trigger": {"type": "custom_event", "event": f"signed_up_{marker}"},
        "steps": [{"type": "send_email", "template_id": ids["template_id"]}]}), 201)["id"]
    ids["config_id"] = ok(api.post("/api/v1/analytics/alert-configs/", json={
        "name": f"Alert {marker}", "metric": "bounce_rate", "condition": {"type": "above", "threshold": 0.5},
        "window": "1h", "channels": {"emails": [f"oncall-{marker}@example.com"]}}), 201)["id"]
    ids["report_id"] = ok(api.post("/api/v1/analytics/scheduled-reports/", json={
        "name": f"Report {marker}", "recipients": [f"finance-{marker}@example.com"],
        "schedule": {"frequency": "weekly", "weekday": "monday", "time": "09:00"}}), 201)["id"]
    ids["domain_id"] = ok(api.post("/api/v1/domains/", json={"domain": f"{marker}.example"}), 201)["id"]
    ids["test_id"] = ok(api.post("/api/v1/deliverability/placement-tests/", json={
        "subject": f"Placement {marker}", "text": marker, "from_email": f"{marker}@shop.example"}), 201)["id"]
    return ids


def _first_delivery(api: httpx.Client) -> str:
    results = ok(api.get("/api/v1/webhooks/deliveries/"))["results"]
    assert results, "sending with a subscribed endpoint logs a webhook delivery"
    return results[0]["id"]
