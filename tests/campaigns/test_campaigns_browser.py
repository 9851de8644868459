"""The Campaigns page in a real browser: a campaign made from a template, its audience's live
count, scheduled, and watched until it is sent (the sandbox clock moves it). Its pages at
desktop and phone sizes, light and dark, are checked in tests/ui/test_every_page_browser.py."""
from __future__ import annotations

from campaign_helpers import contact, contact_list, emails_of, template
from lifecycle_helpers import MAGIC, advance


def _shop(api, unique: str) -> dict:
    people = [contact(api, f"clicked+{n}-{unique}@{MAGIC}", first_name=name)
              for n, name in enumerate(("Ana", "Ben", "Cleo"))]
    people.append(contact(api, f"left-{unique}@example.com", status="unsubscribed"))
    newsletter = contact_list(api, f"Newsletter {unique}", people)
    spring = template(api, name=f"Spring {unique}", subject="{{ contact.first_name }}, the sale is on",
                      html='<p>Hi {{ contact.first_name }}</p><a href="https://shop.example/sale">Shop now</a>')
    return {"list": newsletter, "template": spring}


def test_a_campaign_is_made_from_a_template_counted_scheduled_and_watched_until_sent(page, own_sandbox, unique):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        _shop(api, unique)
        page.goto(f"{own_sandbox.http_url}/campaigns")
        form = page.locator("[data-campaign-form]")
        form.get_by_label("Name").fill(f"Spring sale {unique}")
        form.get_by_label("Template").select_option(label=f"Spring {unique}")
        form.get_by_label(f"Newsletter {unique}").check()
        expect(form.locator("[data-audience-count]")).to_have_text("3 recipients · 1 skipped (1 unsubscribed)")
        form.get_by_label("Per minute").fill("2")
        form.get_by_role("button", name="Schedule").click()

        expect(page.locator("#campaign-title")).to_have_text(f"Spring sale {unique}")
        campaign_id = page.locator("[data-campaign]").get_attribute("data-campaign")
        advance(api, seconds=1)  # the first minute's two recipients
        expect(page.locator("[data-campaign-status]")).to_have_text("sending")
        expect(page.locator("[data-campaign-sent]")).to_contain_text("2 of 4 recipients sent")
        advance(api, seconds=600)  # the rest, and the simulated clicks
        expect(page.locator("[data-campaign-status]")).to_have_text("sent")
        expect(page.locator("[data-campaign-sent]")).to_contain_text("3 of 4 recipients sent · 1 skipped")
        expect(page.locator(".kpis div", has_text="Clicked").locator("dd").first).to_have_text("3")
        expect(page.locator(".campaign-chart rect")).to_have_count(7)
        expect(page.locator("table", has_text="Clicks per link")).to_contain_text("https://shop.example/sale")
        assert len(emails_of(api, campaign_id)) == 3

        page.goto(f"{own_sandbox.http_url}/campaigns?status=sent")
        row = page.locator(".campaigns-table tr", has_text=f"Spring sale {unique}")
        expect(row.locator(".status")).to_have_text("sent")


def test_a_bad_campaign_form_names_the_problem_and_creates_nothing(page, own_sandbox, unique):
    from playwright.sync_api import expect

    with own_sandbox.client() as api:
        _shop(api, unique)
        before = api.get("/api/v1/campaigns/", params={"page_size": 1}).json()["count"]
        page.goto(f"{own_sandbox.http_url}/campaigns")
        form = page.locator("[data-campaign-form]")
        form.get_by_label("Template").select_option(label=f"Spring {unique}")
        form.get_by_role("button", name="Schedule").click()
        expect(form.locator("[data-campaign-errors]")).to_contain_text("name")
        assert api.get("/api/v1/campaigns/", params={"page_size": 1}).json()["count"] == before
