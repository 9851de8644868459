"""All peewee models; importing this package registers them for schema creation."""
from gclap_sandbox.models.accounts import ApiKey, Organization, SandboxSetting
from gclap_sandbox.models.emails import Attachment, Email, EmailContent, EmailRecipient, EmailTag
from gclap_sandbox.models.relay import EmailRelay

__all__ = [
    "ApiKey", "Organization", "SandboxSetting",
    "Attachment", "Email", "EmailContent", "EmailRecipient", "EmailTag",
    "EmailRelay",
]
