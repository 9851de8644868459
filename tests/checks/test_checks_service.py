"""checks_for_email: what other parts of the sandbox call (DB thread), parsed once per email."""
from __future__ import annotations

import pytest
from db_fixture import org_id  # noqa: F401  (fixture)

from gclap_sandbox.checks.service import checks_for_email, verdicts_for
from gclap_sandbox.errors import NotFound
from gclap_sandbox.models import Email, EmailContent

RAW = (b"From: a@shop.example\r\nTo: b@example.com\r\nSubject: Hello\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\n"
       b"Message-ID: <1@shop.example>\r\n\r\nHello there.\r\n")


def _stored(org: str, raw: bytes = RAW) -> str:
    email = Email.create(organization=org, source="smtp", subject="Hello")
    EmailContent.create(email=email, raw=raw)
    return email.id


def test_the_report_has_the_shape_other_parts_rely_on_and_is_computed_once(org_id):  # noqa: F811
    email_id = _stored(org_id)
    report = checks_for_email(email_id)
    assert 0 <= report["html"]["score"] <= 100
    assert isinstance(report["links"]["problems"], int)
    assert isinstance(report["spam"]["score"], float) and isinstance(report["spam"]["rules"], list)
    assert report["verdict"] == "pass"
    assert checks_for_email(email_id) is report  # kept, not parsed again


def test_an_unknown_id_is_not_found(org_id):  # noqa: F811
    with pytest.raises(NotFound):
        checks_for_email("00000000-0000-0000-0000-000000000000")


def test_a_spent_budget_leaves_emails_not_checked_yet_out_of_the_row_verdicts(org_id):  # noqa: F811
    checked, fresh = _stored(org_id), _stored(org_id)
    checks_for_email(checked)
    verdicts = verdicts_for([checked, fresh], budget=0)
    assert list(verdicts) == [checked]
    assert verdicts[checked] == {"html": "pass", "links": "pass", "spam": "pass", "overall": "pass"}
    assert set(verdicts_for([checked, fresh])) == {checked, fresh}
