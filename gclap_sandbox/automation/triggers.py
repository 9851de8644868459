"""Bus subscribers that enrol contacts and end runs (DB thread, in the publisher's transaction;
subscribed in server/wiring.py)."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.automation import runs
from gclap_sandbox.automation.definition import EMAIL_EVENTS
from gclap_sandbox.automation.workflows import active_with_trigger
from gclap_sandbox.contacts.store import normalize_email
from gclap_sandbox.models import Contact, ContactList, Email, EmailTag

_CHUNK = 500  # ids per query (an import publishes many at once)


def on_contacts_created(organization_id: str, contact_ids: list[str]) -> None:
    workflows = active_with_trigger(organization_id, "contact_created")
    if not workflows:
        return
    for start in range(0, len(contact_ids), _CHUNK):
        for contact in Contact.select().where(Contact.id.in_(contact_ids[start:start + _CHUNK])):
            for workflow in workflows:
                runs.enroll(workflow, contact, {"type": "contact_created"})


def on_added_to_list(list_id: str, contact_ids: list[str]) -> None:
    contact_list = ContactList.get_or_none(ContactList.id == list_id)
    if contact_list is None:
        return
    workflows = [w for w in active_with_trigger(contact_list.organization_id, "added_to_list")
                 if w.trigger.get("list_id") == list_id]
    if not workflows:
        return
    for start in range(0, len(contact_ids), _CHUNK):
        for contact in Contact.select().where(Contact.id.in_(contact_ids[start:start + _CHUNK])):
            for workflow in workflows:
                runs.enroll(workflow, contact, {"type": "added_to_list", "list_id": list_id})


def on_event(event: Any, payload: dict[str, Any]) -> None:
    """An unsubscribe ends the contact's live runs; then email events enrol per their triggers."""
    if not event.recipient:
        return
    if event.type == "email.unsubscribed":
        runs.exit_contact_runs(event.organization_id, event.recipient, "the contact unsubscribed")
    if event.type not in EMAIL_EVENTS:
        return
    workflows = [w for w in active_with_trigger(event.organization_id, "email_event")
                 if w.trigger.get("event") == event.type]
    if not workflows:
        return
    address = normalize_email(event.recipient)
    contact = address and Contact.get_or_none((Contact.organization == event.organization_id)
                                              & (Contact.email == address))
    if not contact:
        return  # only contacts run through workflows
    email = Email.get_or_none(Email.id == event.email_id)
    tags = {tag for (tag,) in EmailTag.select(EmailTag.tag).where(EmailTag.email == event.email_id).tuples()}
    for workflow in workflows:
        wanted_tag, wanted_campaign = workflow.trigger.get("tag"), workflow.trigger.get("campaign_id")
        if wanted_tag and wanted_tag not in tags:
            continue
        # Emails carry `campaign_id` once campaigns exist; until then a campaign filter matches nothing.
        if wanted_campaign and getattr(email, "campaign_id", None) != wanted_campaign:
            continue
        runs.enroll(workflow, contact, {"type": "email_event", "event": event.type, "email_id": event.email_id})
