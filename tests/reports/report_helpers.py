"""Helpers the report and breakdown tests share: API calls that must succeed, the sandbox's now."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def sandbox_now(api: httpx.Client) -> datetime:
    return datetime.fromisoformat(ok(api.get("/api/v1/sandbox/clock/"))["now"].replace("Z", "+00:00"))


def campaign_to(api: httpx.Client, name: str, addresses: list[str]) -> dict[str, Any]:
    """A campaign sent (scheduled for now) to new contacts at these addresses."""
    ids = [ok(api.post("/api/v1/contacts/", json={"email": address}), 201)["id"] for address in addresses]
    created = ok(api.post("/api/v1/campaigns/", json={
        "name": name, "subject": name, "text": "Hello", "from_email": "news@shop.example",
        "audience": {"contact_ids": ids}}), 201)
    ok(api.post(f"/api/v1/campaigns/{created['id']}/send/", json={}))
    return created


REPORTS = "/api/v1/analytics/scheduled-reports/"


def iso(moment: datetime) -> str:
    """As the API writes timestamps: UTC, milliseconds, `Z`."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def move_to(api: httpx.Client, moment: datetime) -> None:
    ok(api.post("/api/v1/sandbox/clock/advance/", json={"to": iso(moment)}))


def schedule_report(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": "Numbers", "recipients": ["finance@shop.example"], **fields}
    return ok(api.post(REPORTS, json=body), 201)


def runs_of(api: httpx.Client, report_id: str) -> list[dict[str, Any]]:
    """The report's runs, oldest first."""
    return list(reversed(ok(api.get(f"{REPORTS}{report_id}/runs/", params={"page_size": 500}))["results"]))


def email(api: httpx.Client, email_id: str) -> dict[str, Any]:
    return ok(api.get(f"/api/v1/emails/{email_id}/"))


def csv_attachments(api: httpx.Client, message: dict[str, Any]) -> dict[str, str]:
    """{filename: text} of the email's CSV attachments, downloaded through the API."""
    found = {}
    for attachment in message["attachments"]:
        if attachment["content_type"] == "text/csv":
            response = api.get(attachment["download_url"])
            assert response.status_code == 200, response.text
            found[attachment["filename"]] = response.content.decode("utf-8")
    return found


def arrived_at(message: dict[str, Any], due: datetime) -> bool:
    """The email is dated exactly `due` and was stored then (in the same sandbox second)."""
    dated = parsedate_to_datetime(next(h["value"] for h in message["headers"] if h["name"].lower() == "date"))
    stored = parse(message["created_at"])
    return dated == due and due <= stored < due + timedelta(seconds=1)
