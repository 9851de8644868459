"""Spam signals: each documented rule fires on the mail it describes, and clean mail scores clean."""
from __future__ import annotations

from pathlib import Path

from checks_helpers import IMAGE_ONLY_MARKETING, checks_of, only_email_to, send_api, send_raw

from gclap_sandbox.checks.spam_rules import RULES, SPAM_THRESHOLD

README = Path(__file__).resolve().parents[2] / "README.md"


def test_an_image_only_marketing_email_without_unsubscribe_fires_each_rule_it_breaks(sandbox, api, unique):
    to = f"deals-{unique}@example.com"
    send_raw(sandbox, to, IMAGE_ONLY_MARKETING.format(to=to))
    checks = checks_of(api, only_email_to(api, to)["id"])
    spam = checks["spam"]
    fired = {rule["rule"]: rule for rule in spam["rules"]}
    assert set(fired) == {"no-text-part", "image-only", "subject-shouting", "subject-punctuation",
                          "mismatched-links", "ip-links", "shortened-links", "missing-list-unsubscribe",
                          "missing-message-id", "missing-date"}, fired
    assert fired["image-only"]["detail"].startswith("1 image and ")
    assert fired["subject-punctuation"]["detail"] == "“!!!” in the subject."
    assert spam["score"] == sum(rule["score"] for rule in fired.values()) >= SPAM_THRESHOLD
    assert spam["verdict"] == "fail" and checks["verdict"] == "fail" and checks["marketing"] is True


def test_a_clean_transactional_email_scores_clean_in_every_section(api, unique):
    to = f"clean-{unique}@example.com"
    email = send_api(api, to=to, from_email="Shop <orders@shop.example>", subject="Your order 1042 has shipped",
                     text="Your order is on its way. Track it at https://shop.example/orders/1042",
                     html='<table role="presentation"><tr><td>'
                          '<img src="https://shop.example/logo.png" alt="Shop" width="120" height="40">'
                          '<p>Good news: your order 1042 left our warehouse this morning and is on its way. '
                          'The carrier expects to deliver it on Thursday between 9:00 and 13:00; you can '
                          'follow it, change the delivery day or pick a parcel point with the link below.</p>'
                          '<p><a href="https://shop.example/orders/1042">Track your order</a></p>'
                          '</td></tr></table>')
    checks = checks_of(api, email["id"])
    assert checks["spam"]["rules"] == [] and checks["spam"]["score"] == 0
    assert checks["links"]["problems"] == 0
    assert [item["url"] for item in checks["links"]["links"]] == ["https://shop.example/orders/1042"] * 2
    # Outlook on Windows supports role, width and height attributes only in part: not 100, but a pass.
    assert {issue["feature"] for issue in checks["html"]["issues"]} == {"html-role", "html-width", "html-height"}
    assert checks["html"]["score"] >= 90
    assert {checks[s]["verdict"] for s in ("html", "links", "spam")} == {"pass"} and checks["verdict"] == "pass"


def test_marketing_mail_with_one_click_unsubscribe_passes_the_unsubscribe_rules(sandbox, api, unique):
    to = f"news-{unique}@example.com"
    send_raw(sandbox, to, (
        f"From: News <news@shop.example>\r\nTo: {to}\r\nSubject: Our spring collection\r\n"
        "Date: Mon, 30 Nov 2026 09:00:00 +0000\r\nMessage-ID: <spring-1@shop.example>\r\n"
        "Precedence: bulk\r\n"
        "List-Unsubscribe: <https://shop.example/unsubscribe/abc>, <mailto:unsub@shop.example>\r\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nNew arrivals are in.\r\n"))
    checks = checks_of(api, only_email_to(api, to)["id"])
    assert checks["marketing"] is True
    assert checks["spam"]["rules"] == []


def test_marketing_mail_whose_unsubscribe_lacks_one_click_is_flagged(sandbox, api, unique):
    to = f"old-news-{unique}@example.com"
    send_raw(sandbox, to, (
        f"From: News <news@shop.example>\r\nTo: {to}\r\nSubject: Our spring collection\r\n"
        "Date: Mon, 30 Nov 2026 09:00:00 +0000\r\nMessage-ID: <spring-2@shop.example>\r\n"
        "X-Gclap-Category: marketing\r\nList-Unsubscribe: <mailto:unsub@shop.example>\r\n\r\nNew arrivals.\r\n"))
    rules = {rule["rule"] for rule in checks_of(api, only_email_to(api, to)["id"])["spam"]["rules"]}
    assert rules == {"no-one-click-unsubscribe"}


def test_marketing_mail_sent_through_the_api_is_judged_as_sent_and_says_the_sandbox_adds_unsubscribe(api, unique):
    email = send_api(api, to=f"api-news-{unique}@example.com", subject="Spring is here", text="New arrivals.",
                     category="marketing")
    fired = {rule["rule"]: rule for rule in checks_of(api, email["id"])["spam"]["rules"]}
    assert set(fired) == {"missing-list-unsubscribe"}
    assert "the sandbox adds one on delivery" in fired["missing-list-unsubscribe"]["detail"]


def test_html_over_gmails_clipping_limit_is_flagged(api, unique):
    paragraph = "<p>" + "Plenty of words about our products. " * 30 + "</p>\n"
    email = send_api(api, to=f"long-{unique}@example.com", subject="Catalogue", text="Catalogue",
                     html=paragraph * 110)
    fired = {rule["rule"]: rule for rule in checks_of(api, email["id"])["spam"]["rules"]}
    assert set(fired) == {"gmail-clipping"}
    assert int(fired["gmail-clipping"]["detail"].split()[0]) > 102 * 1024


def test_spammy_phrases_and_an_empty_subject_are_flagged(api, unique):
    email = send_api(api, to=f"phrases-{unique}@example.com", subject="",
                     text="Act now: this offer is 100% free and guaranteed.")
    assert {rule["rule"] for rule in checks_of(api, email["id"])["spam"]["rules"]} == {"missing-subject", "spam-phrases"}


def test_every_rule_is_documented_in_the_readme_and_the_api_description(api):
    readme = README.read_text(encoding="utf-8")
    document = api.get("/api/v1/openapi.json").json()
    description = document["paths"]["/api/v1/emails/{email_id}/checks/"]["get"]["description"]
    for rule in RULES:
        row = f"| `{rule.code}` | {rule.score:g} |"
        assert row in readme, f"README lacks the row of {rule.code}"
        assert row in description, f"the API description lacks the row of {rule.code}"
