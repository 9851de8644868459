"""The Analytics page in a real browser: the time series drawn by the vendored chart library with
the right lines and figures, the period picker changing what is shown, and the page readable at
desktop and phone sizes in light and dark (screenshots kept in GCLAP_SCREENSHOT_DIR, else a
temporary folder)."""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from analytics_helpers import CHARTED, move_to, next_hour, send_mix, series
from browser_support import WAIT_MS
from lifecycle_helpers import MAGIC, advance, send
from ui_layout import (
    assert_colour_scheme,
    assert_readable_page,
    luminance,
    sizes_and_schemes,
)

LINK = "https://shop.example/spring"
NON_TEXT_CONTRAST = 3.0  # WCAG 1.4.11: lines and markers against their background


@pytest.fixture(scope="module")
def busy_sandbox(own_sandbox):
    """Six emails tagged `spring` (one of each outcome, at the simulator's domain) two days ago,
    three tagged `receipt` to example.com in the last hour."""
    with own_sandbox.client() as api:
        move_to(api, next_hour(api, 1) + timedelta(minutes=5))
        send_mix(api, "early", tags=["spring"], html=f'<a href="{LINK}">Shop the spring sale</a>')
        advance(api, seconds=2 * 86400)
        for n in range(3):
            send(api, f"buyer-{n}@example.com", tags=["receipt"])
        advance(api, seconds=60)
    return own_sandbox


def _kpi(page, label: str):
    # the figure: the card's second dd notes what it counts
    return page.locator("[data-analytics-rates] > div", has=page.locator("dt", has_text=label)).locator("dd").first


def test_the_page_charts_each_series_with_the_figures_the_api_gives(page, busy_sandbox):
    from playwright.sync_api import expect

    page.goto(f"{busy_sandbox.http_url}/analytics?period=7d")
    volume, problems = page.locator('[data-chart="volume"]'), page.locator('[data-chart="problems"]')
    for figure in (volume, problems):
        expect(figure).to_have_attribute("data-drawn", "1")
        expect(figure.locator("canvas")).to_have_count(1)
    expect(volume.locator(".u-legend .u-series th")).to_have_text(["Day (UTC)", "Sent", "Delivered", "Opened", "Clicked"])
    expect(problems.locator(".u-legend .u-series th")).to_have_text(["Day (UTC)", "Bounced", "Complained"])
    expect(_kpi(page, "Sent")).to_have_text("9")
    expect(_kpi(page, "Bounced")).to_have_text(f"{100 / 9:.1f}%")

    with busy_sandbox.client() as api:
        week = series(api, period="7d")
    drawn = json.loads(page.locator("#analytics-data").text_content())
    lines = {line["key"]: line["values"] for chart in drawn["charts"] for line in chart["lines"]}
    assert set(lines) == set(CHARTED)
    assert {key: [b[key] for b in week["series"]] for key in CHARTED} == lines
    rows = page.locator("[data-series-table] tbody tr")
    expect(rows).to_have_count(7)
    page.get_by_text("Figures per day").click()
    expect(rows.last.locator("td").first).to_have_text("3")  # today: three sent

    # Pointing at a day shows its figures in the legend, as a person reads the chart.
    box = volume.locator(".u-over").bounding_box()
    busy_day = next(n for n, b in enumerate(week["series"]) if b["bounced"])
    page.mouse.move(box["x"] + box["width"] * (busy_day + 0.5) / 7, box["y"] + box["height"] / 2)
    expect(volume.locator(".u-legend .u-series").nth(1).locator(".u-value")).to_have_text("6")
    expect(volume.locator(".u-legend .u-series").nth(2).locator(".u-value")).to_have_text("5")


def test_the_period_picker_changes_the_figures(page, busy_sandbox):
    from playwright.sync_api import expect

    page.goto(f"{busy_sandbox.http_url}/analytics")
    picker = page.get_by_role("navigation", name="Period")
    expect(picker.get_by_role("link", name="7 days")).to_have_attribute("aria-current", "page")
    expect(_kpi(page, "Sent")).to_have_text("9")
    picker.get_by_role("link", name="24 hours").click()
    expect(picker.get_by_role("link", name="24 hours")).to_have_attribute("aria-current", "page")
    expect(_kpi(page, "Sent")).to_have_text("3")  # the six of two days ago are out of the window
    expect(_kpi(page, "Bounced")).to_have_text("0.0%")
    expect(page.locator('[data-chart="volume"] .u-legend .u-series th').first).to_have_text("Hour (UTC)")
    expect(page.locator("[data-series-table] tbody tr")).to_have_count(24)
    picker.get_by_role("link", name="30 days").click()
    expect(_kpi(page, "Sent")).to_have_text("9")
    expect(page.locator("[data-series-table] tbody tr")).to_have_count(30)


def _rows(page, by: str) -> list[list[str]]:
    """A breakdown table as a person reads it: each row's cells, key first."""
    return page.locator(f'[data-breakdown="{by}"] tbody tr').evaluate_all(
        "rows => rows.map(r => Array.from(r.children).map(c => c.innerText.trim()))")


def test_the_breakdowns_show_the_period_by_domain_tag_campaign_and_link_and_download_as_csv(page, busy_sandbox):
    from playwright.sync_api import expect

    page.goto(f"{busy_sandbox.http_url}/analytics?period=7d")
    expect(page.locator('[data-breakdown="domain"] tbody tr')).to_have_count(2)
    #                sent delivered     bounced      complained opened clicked
    assert _rows(page, "domain") == [[MAGIC, "6", "5 83%", "1 17%", "1", "40%", "20%"],
                                     ["example.com", "3", "3 100%", "0 0%", "0", "0%", "0%"]]
    assert [row[:2] for row in _rows(page, "tag")] == [["spring", "6"], ["receipt", "3"]]
    assert [row[:2] for row in _rows(page, "campaign")] == [["(not from a campaign)", "9"]]
    assert _rows(page, "link") == [[LINK, "1", "1"]]

    with page.expect_download() as download:
        page.locator('[data-breakdown="domain"]').get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "gclap-domain-breakdown-7d.csv"
    downloaded = Path(download.value.path()).read_bytes().decode("utf-8")
    with busy_sandbox.client() as api:
        period = series(api, period="7d")["period"]
        exported = api.get("/api/v1/analytics/breakdown/export.csv",
                           params={"by": "domain", "from": period["start"], "to": period["end"]})
    assert exported.status_code == 200 and downloaded == exported.text
    assert [row["domain"] for row in csv.DictReader(io.StringIO(downloaded))] == [MAGIC, "example.com"]

    page.get_by_role("navigation", name="Period").get_by_role("link", name="24 hours").click()
    expect(page.locator('[data-breakdown="domain"] tbody tr')).to_have_count(1)
    assert _rows(page, "domain")[0][:2] == ["example.com", "3"]
    expect(page.locator('[data-breakdown="link"] [data-empty]')).to_have_text("No clicks in this period.")


def _alert(api, name: str, metric: str, threshold: float) -> dict:
    response = api.post("/api/v1/analytics/alert-configs/", json={
        "name": name, "metric": metric, "condition": {"type": "above", "threshold": threshold},
        "window": "7d", "channels": {"emails": ["oncall@shop.example"]}})
    assert response.status_code == 201, response.text
    return response.json()


def test_the_alerts_are_listed_with_their_state_those_firing_first_linking_to_their_pages(page, busy_sandbox):
    from playwright.sync_api import expect

    with busy_sandbox.client() as api:
        firing = _alert(api, "Bounce spike", "bounce_rate", 0.05)  # 1 of 9 sent bounced this week
        _alert(api, "Complaint storm", "spam_complaint_rate", 0.5)  # 1 of 8 delivered: quiet
        states = {c["name"]: c["state"] for c in api.get("/api/v1/analytics/alert-configs/").json()["results"]}
    assert states == {"Bounce spike": "triggered", "Complaint storm": "ok"}

    page.goto(f"{busy_sandbox.http_url}/analytics")
    alerts = page.locator("[data-alerts]")
    expect(alerts.locator("[data-alerts-firing]")).to_have_text("1 firing")
    rows = alerts.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("th")).to_have_text("Bounce spike")
    expect(rows.nth(0).locator("[data-alert-state]")).to_have_text("triggered")
    expect(rows.nth(0)).to_contain_text("Bounce rate above 5.0%")
    expect(rows.nth(0).locator("td.num")).to_have_text("11.1%")
    expect(rows.nth(1).locator("[data-alert-state]")).to_have_text("ok")
    rows.nth(0).get_by_role("link", name="Bounce spike").click()
    expect(page).to_have_url(f"{busy_sandbox.http_url}/alerts/{firing['id']}")


def test_a_sandbox_with_no_mail_shows_zeros_and_empty_tables_not_made_up_figures(page, launch):
    from playwright.sync_api import expect

    page.goto(f"{launch().http_url}/analytics?period=24h")
    expect(page.locator('[data-chart="volume"]')).to_have_attribute("data-drawn", "1")
    expect(_kpi(page, "Sent")).to_have_text("0")
    expect(_kpi(page, "Delivered")).to_have_text("0.0%")
    expect(page.locator('[data-chart="volume"] .u-legend .u-series').nth(1)).to_contain_text("0 in all")
    for by in ("domain", "tag", "campaign"):
        expect(page.locator(f'[data-breakdown="{by}"] [data-empty]')).to_have_text("No email in this period.")
        expect(page.locator(f'[data-breakdown="{by}"] tbody tr')).to_have_count(0)
    expect(page.locator("[data-alerts] [data-empty]")).to_contain_text("No alerts yet")


def test_the_chart_follows_a_switch_between_light_and_dark_while_open(page, busy_sandbox):
    from playwright.sync_api import expect

    marker = page.locator('[data-chart="volume"] .u-legend .u-series').nth(1).locator(".u-marker")
    page.emulate_media(color_scheme="light")
    page.goto(f"{busy_sandbox.http_url}/analytics")
    expect(marker).to_have_css("border-top-color", "rgb(67, 56, 202)")  # the light palette's Sent
    page.emulate_media(color_scheme="dark")
    expect(marker).to_have_css("border-top-color", "rgb(165, 180, 252)")  # the dark palette's Sent


def test_a_bad_period_is_an_error_page_naming_it(page, busy_sandbox):
    from playwright.sync_api import expect

    response = page.goto(f"{busy_sandbox.http_url}/analytics?period=forever")
    assert response.status == 400
    expect(page.locator("main")).to_contain_text("period")


def _markers_contrast(page) -> list[tuple[str, float]]:
    """Each legend marker's colour against the chart's background (the page's surface)."""
    found = page.evaluate("""() => Array.from(document.querySelectorAll('[data-chart] .u-series .u-marker'))
        .slice(1).map(m => [getComputedStyle(m).borderTopColor,
                            getComputedStyle(m.closest('[data-chart]')).backgroundColor])""")
    contrast = []
    for line, background in found:
        high, low = sorted((luminance(line), luminance(background)), reverse=True)
        contrast.append((line, (high + 0.05) / (low + 0.05)))
    return contrast


def test_the_analytics_page_reads_well_on_desktop_and_phone_in_light_and_dark(browser, busy_sandbox):
    from playwright.sync_api import expect

    folder = Path(os.environ.get("GCLAP_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="gclap-analytics-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        # Drawn in dark without a reload: the charts redraw on the scheme's change (analytics.js).
        for size, scheme in sizes_and_schemes(page, lambda: page.goto(f"{busy_sandbox.http_url}/analytics?period=7d")):
            content = [(page.locator('[data-chart="volume"] canvas'), "the sending chart"),
                       (page.locator('[data-chart="problems"] canvas'), "the problems chart"),
                       (page.locator("[data-analytics-rates]"), "the rates"),
                       (page.get_by_role("navigation", name="Period"), "the period picker")]
            for locator, what in content:
                expect(locator, what).to_be_visible()
            expect(page.locator('[data-chart="problems"]')).to_have_attribute("data-drawn", "1")
            page.screenshot(path=str(folder / f"analytics-{size}-{scheme}.jpg"), full_page=True)
            assert_readable_page(page, *content)
            assert_colour_scheme(page, scheme)
            weak = [(colour, round(ratio, 2)) for colour, ratio in _markers_contrast(page)
                    if ratio < NON_TEXT_CONTRAST]
            assert not weak, f"chart lines hard to see in {scheme}: {weak}"
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the Analytics page: {errors}"
    print(f"\nAnalytics screenshots in {folder}")
