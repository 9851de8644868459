"""apply_event_to_contact(): lifecycle events keep a contact's engagement and status current."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from db_fixture import org_id  # noqa: F401  (fixture)

from gclap_sandbox.contacts.store import apply_event_to_contact
from gclap_sandbox.models import Contact

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)


def test_open_and_click_move_engagement_forward_only(org_id):  # noqa: F811
    Contact.create(organization=org_id, email="ana@example.com")
    contact = apply_event_to_contact(org_id, "Ana <ANA@example.com>", "email.opened", T0)
    assert contact.last_opened_at == T0 and contact.last_clicked_at is None
    apply_event_to_contact(org_id, "ana@example.com", "email.clicked", T0 + timedelta(hours=1))
    apply_event_to_contact(org_id, "ana@example.com", "email.opened", T0 - timedelta(days=1))  # late, older
    stored = Contact.get(Contact.email == "ana@example.com")
    assert stored.last_clicked_at == T0 + timedelta(hours=1)
    assert stored.last_opened_at == T0 + timedelta(hours=1)  # a click implies an open
    assert stored.status == "subscribed"


def test_bounce_unsubscribe_and_complaint_set_status(org_id):  # noqa: F811
    for address, event, status in [("a@x.com", "email.bounced", "bounced"),
                                   ("b@x.com", "email.unsubscribed", "unsubscribed"),
                                   ("c@x.com", "email.spam", "complained"),
                                   ("d@x.com", "email.delivered", "subscribed")]:
        Contact.create(organization=org_id, email=address)
        apply_event_to_contact(org_id, address, event, T0)
        assert Contact.get(Contact.email == address).status == status


def test_unknown_recipients_and_other_organizations_are_ignored(org_id):  # noqa: F811
    assert apply_event_to_contact(org_id, "nobody@x.com", "email.opened", T0) is None
    assert apply_event_to_contact(org_id, "not an address", "email.bounced", T0) is None
    Contact.create(organization=org_id, email="e@x.com")
    assert apply_event_to_contact("00000000-0000-0000-0000-000000000000", "e@x.com", "email.bounced", T0) is None
    assert Contact.get(Contact.email == "e@x.com").status == "subscribed"
