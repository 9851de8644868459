"""All peewee models; importing this package registers them for schema creation."""
from gclap_sandbox.models.accounts import ApiKey, Organization, SandboxSetting
from gclap_sandbox.models.alerts import AlertConfig, AlertState, AlertTransition
from gclap_sandbox.models.automation import Workflow, WorkflowRun
from gclap_sandbox.models.base import BaseModel, owned
from gclap_sandbox.models.campaigns import Campaign, CampaignCount, CampaignRecipient
from gclap_sandbox.models.contacts import (
    Contact,
    ContactList,
    ContactListMember,
    Segment,
)
from gclap_sandbox.models.deliverability import (
    MarketingEmail,
    PlacementTest,
    ScoreSnapshot,
)
from gclap_sandbox.models.domains import DnsRecord, SendingDomain
from gclap_sandbox.models.emails import (
    Attachment,
    Email,
    EmailContent,
    EmailRecipient,
    EmailTag,
)
from gclap_sandbox.models.intake import ReceivedMail
from gclap_sandbox.models.jobs import Job
from gclap_sandbox.models.lifecycle import Event, Suppression, TrackingToken
from gclap_sandbox.models.limits import IdempotencyRecord, RateWindow, UsageCounter
from gclap_sandbox.models.relay import EmailRelay
from gclap_sandbox.models.reports import ReportRun, ScheduledReport
from gclap_sandbox.models.templates import Template
from gclap_sandbox.models.webhooks import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

__all__ = [
    "BaseModel", "owned",
    "ApiKey", "Organization", "SandboxSetting",
    "Attachment", "Email", "EmailContent", "EmailRecipient", "EmailTag",
    "IdempotencyRecord", "RateWindow", "UsageCounter",
    "Job", "Event", "Suppression", "TrackingToken",
    "ReceivedMail",
    "EmailRelay",
    "Contact", "ContactList", "ContactListMember", "Segment",
    "Template",
    "Workflow", "WorkflowRun",
    "Campaign", "CampaignCount", "CampaignRecipient",
    "AlertConfig", "AlertState", "AlertTransition",
    "ScheduledReport", "ReportRun",
    "MarketingEmail", "ScoreSnapshot", "PlacementTest",
    "SendingDomain", "DnsRecord",
    "WebhookEndpoint", "WebhookDelivery", "WebhookAttempt",
]
