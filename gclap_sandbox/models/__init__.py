"""All peewee models; importing this package registers them for schema creation."""
from gclap_sandbox.models.accounts import ApiKey, Organization, SandboxSetting
from gclap_sandbox.models.emails import Attachment, Email, EmailContent, EmailRecipient, EmailTag
from gclap_sandbox.models.contacts import Contact, ContactList, ContactListMember, Segment
from gclap_sandbox.models.templates import Template

__all__ = [
    "ApiKey", "Organization", "SandboxSetting",
    "Attachment", "Email", "EmailContent", "EmailRecipient", "EmailTag",
    "Contact", "ContactList", "ContactListMember", "Segment",
    "Template",
]
