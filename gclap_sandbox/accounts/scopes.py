"""The scope catalogue: every permission an API key can hold, with what it allows."""
from __future__ import annotations

SCOPES: dict[str, str] = {
    "emails:send": "Send email through the API (and over authenticated SMTP).",
    "emails:read": "List and read captured email, its source and attachments.",
    "emails:write": "Delete captured email and change its state (e.g. mark read).",
    "events:read": "Read delivery events.",
    "contacts:read": "Read contacts, lists and segments.",
    "contacts:write": "Create, change and delete contacts, lists and segments.",
    "templates:read": "Read email templates.",
    "templates:write": "Create, change and delete email templates.",
    "webhooks:read": "Read webhook endpoints and the delivery log.",
    "webhooks:write": "Create, change and delete webhook endpoints; redeliver.",
    "analytics:read": "Read analytics, alerts and reports, and the organization's plan, usage and limits.",
    "analytics:write": "Create, change and delete alert configs and scheduled reports; send tests and run reports now.",
    "campaigns:read": "Read campaigns, their audiences and stats.",
    "campaigns:write": "Create, change, send, cancel and delete campaigns.",
    "automation:read": "Read automations.",
    "automation:write": "Create, change and delete automations.",
    "deliverability:read": "Read deliverability data.",
    "api_keys:manage": "Create, list, rotate and revoke API keys; manage the organization.",
    "sandbox:control": "Control the sandbox itself: clock, simulation, reset, chaos.",
}
