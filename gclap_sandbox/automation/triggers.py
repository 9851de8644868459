"""Bus subscribers that enrol contacts and end runs (DB thread, in the publisher's transaction;
subscribed in server/wiring.py)."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.automation import runs
from gclap_sandbox.automation.definition import EMAIL_EVENTS
from gclap_sandbox.automation.workflows import active_with_trigger
from gclap_sandbox.contacts import store as contacts
from gclap_sandbox.contacts.store import normalize_email
from gclap_sandbox.models import Contact, ContactList, Email, EmailTag, Workflow

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
    """An unsubscribe ends the contact's live runs; then email events enrol per their triggers.

    Enrolment goes by address, as for a custom event: when a workflow's trigger matches an
    address that is no contact yet, the contact is created (subscribers of `contacts_created`
    hear of it) and then learns of this event (a hard bounce or an unsubscribe sets its status)."""
    if not event.recipient:
        return
    if event.type == "email.unsubscribed":
        runs.exit_contact_runs(event.organization_id, event.recipient, "the contact unsubscribed")
    if event.type not in EMAIL_EVENTS:
        return
    workflows = _matching(event)
    address = normalize_email(event.recipient)
    if not workflows or not address:
        return
    contact = Contact.get_or_none((Contact.organization == event.organization_id) & (Contact.email == address))
    if contact is None:
        created = contacts.create_contact(event.organization_id, {"email": address})
        contacts.on_event(event, payload)  # it missed this event's change to contacts: it did not exist yet
        contact = Contact.get_by_id(created["id"])
    for workflow in workflows:
        runs.enroll(workflow, contact, {"type": "email_event", "event": event.type, "email_id": event.email_id})


def _matching(event: Any) -> list[Workflow]:
    """Active workflows whose email-event trigger this event fits (its type, tag and campaign)."""
    workflows = [w for w in active_with_trigger(event.organization_id, "email_event")
                 if w.trigger.get("event") == event.type]
    if not workflows:
        return []
    email = Email.get_or_none(Email.id == event.email_id)
    tags = {tag for (tag,) in EmailTag.select(EmailTag.tag).where(EmailTag.email == event.email_id).tuples()}
    return [w for w in workflows
            if (not w.trigger.get("tag") or w.trigger["tag"] in tags)
            and (not w.trigger.get("campaign_id") or getattr(email, "campaign_id", None) == w.trigger["campaign_id"])]
