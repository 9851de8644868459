"""The template editor in a real browser: a rendering limit shows as a preview problem and
as the reason a save is refused."""
from __future__ import annotations

NESTED = "<h1>{{ title }}</h1>\n{% for a in range(100000) %}{% for b in range(400) %}x{% endfor %}{% endfor %}"


def test_the_editor_shows_which_limit_a_template_goes_over(sandbox, api, page, unique):
    from playwright.sync_api import expect

    page.goto(f"{sandbox.http_url}/templates/new")
    page.fill("#t-name", f"Too big {unique}")
    page.fill("#t-subject", "Hi")
    page.fill("#t-html", NESTED)
    page.fill("#t-variables", '{"title": "Welcome"}')
    errors = page.locator("[data-preview-errors]")
    expect(errors).to_have_text("html: Over the `loop_iterations` limit: at most 100,000 loop iterations "
                                "(all loops together) per part.")
    expect(page.locator("[data-preview-frame]")).to_be_hidden()  # no empty frame under the problem
    page.get_by_role("button", name="Create template").click()
    expect(page.locator('[data-errors-for="html"]')).to_contain_text("Over the `loop_iterations` limit")
    assert page.url.endswith("/templates/new")  # not saved
    names = [t["name"] for t in api.get("/api/v1/templates/", params={"page_size": 500}).json()["results"]]
    assert f"Too big {unique}" not in names
    page.fill("#t-html", "<h1>{{ title }}</h1>")
    expect(page.locator("[data-preview-frame]")).to_be_visible()
    expect(errors).to_be_hidden()
