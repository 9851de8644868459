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
    "deliverability:write": "Add, verify and delete sending domains; run inbox placement tests.",
    "api_keys:manage": "Create, list, rotate and revoke API keys; manage the organization.",
    "sandbox:control": "Control the sandbox itself: clock, simulation, reset, chaos.",
    "sandbox:admin": "Create, list and delete the sandbox's organizations. Only keys of the default "
                     "organization can hold it.",
}

# Scopes that reach beyond one organization: held only by keys of the default organization,
# whatever a key's scope list says (a key with "every scope" elsewhere does not hold them).
ADMIN_SCOPES = frozenset({"sandbox:admin"})


def scopes_for(organization_is_default: bool) -> list[str]:
    """The scopes a key of such an organization can hold."""
    return [name for name in SCOPES if organization_is_default or name not in ADMIN_SCOPES]
