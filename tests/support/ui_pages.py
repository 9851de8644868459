"""Every page of the web UI, in one list: the whole-UI browser checks (accessibility, fitting a
phone, screenshots) walk it. A new page is one line here: a name (the test id and screenshot
file), its path (`{key}` is filled from the showcase's ids, see `ui_showcase.fill`), and a CSS
selector that is visible once the page shows what a person came for, and (`shows`) the parts a
person looks for that must be on screen, not cut off, at every size.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UiPage:
    name: str
    path: str  # "/emails/{html_email}": formatted with the showcase's ids
    ready: str  # visible once the page has drawn its content
    full_page: bool = True  # the screenshot shows the whole page, not only the window
    shows: tuple[tuple[str, str], ...] = ()  # (selector, what a person calls it): on screen at every size
    # Sections drawn by one template, checked by axe once per structure (see axe.violations).
    one_per_structure: str | None = None


PAGES = (
    UiPage("inbox", "/", ".rows .row"),
    UiPage("email-html", "/emails/{html_email}", ".frame-stage iframe"),
    UiPage("email-attachments", "/emails/{attachment_email}", ".attachments",
           shows=(("#email-subject", "the subject"), (".attachments", "the seven attachments"))),
    UiPage("email-text-only", "/emails/{text_email}", ".text-body"),
    UiPage("email-bounce-report", "/emails/{bounce_report}", ".message-part"),
    UiPage("email-report-run", "/emails/{report_email}", ".attachments"),
    UiPage("contacts", "/contacts", ".table tbody tr", shows=((".actions a[href='/contacts/new']", "New contact"),)),
    UiPage("contact", "/contacts/{contact}", "#contact-title", shows=((".actions a[href$='/edit']", "Edit contact"),)),
    UiPage("contact-new", "/contacts/new", "main form", shows=(("#contact-email", "the email field"),)),
    UiPage("contact-edit", "/contacts/{contact}/edit", "main form",
           shows=(("input[aria-label='Value of plan']", "a custom field"),)),
    UiPage("campaigns", "/campaigns", ".campaigns-table tbody tr",
           shows=((".campaigns-table tbody tr", "a campaign's row"), ("[data-campaign-form]", "the new-campaign form"))),
    UiPage("campaign", "/campaigns/{campaign}", ".campaign-chart svg",
           shows=(("[data-campaign-status]", "the status"), (".campaign-chart svg", "the chart"))),
    UiPage("analytics", "/analytics", ".kpis"),
    UiPage("alerts", "/alerts", ".alerts-table tbody tr", shows=((".alerts-table tbody tr", "the alert's row"),)),
    UiPage("alert-new", "/alerts/new", "[data-alert-form]"),
    UiPage("alert", "/alerts/{alert}", ".alert-history",
           shows=((".page-head [data-alert-state]", "the state"), (".alert-history", "the history"),
                  ("[data-alert-form] button[type=submit]", "the save button"))),
    UiPage("reports", "/reports", "tr[data-report-row]",
           shows=(("tr[data-report-row]", "the report's row"), ("[data-report-form]", "the new-report form"))),
    UiPage("report", "/reports/{report}", "tr[data-run]",
           shows=(("[data-report-run-now]", "the run-now button"), ("tr[data-run]", "the run"),
                  ("[data-next-run]", "the next run"))),
    UiPage("deliverability", "/deliverability", "[data-score-value]"),
    UiPage("templates", "/templates", ".table tbody tr"),
    UiPage("template-new", "/templates/new", "main form"),
    UiPage("template", "/templates/{template}", "[data-preview-subject]"),
    UiPage("automation", "/automation", ".workflows-table tbody tr"),
    UiPage("workflow", "/automation/{workflow}", ".workflow-steps"),
    UiPage("webhooks", "/webhooks", "#delivery-rows tr"),
    UiPage("webhook-delivery", "/webhooks/deliveries/{delivered_hook}", "[data-attempt]"),
    UiPage("webhook-delivery-paused", "/webhooks/deliveries/{paused_delivery}", "[data-delivery-status]"),
    UiPage("webhook-delivery-skipped", "/webhooks/deliveries/{skipped_delivery}", "[data-delivery-status]"),
    UiPage("api-keys", "/settings/api-keys", "#key-rows tr", shows=(("#keys-title", "the title"),)),
    UiPage("preferences", "/settings/preferences", "[data-time-zone]",
           shows=(("input[name=theme][value=dark]", "the Dark theme choice"), ("[data-time-zone]", "the time zone"))),
    UiPage("chaos-rules", "/settings/chaos", "[data-chaos-add=smtp]",
           shows=((".chaos-rule", "the first rule"), ("[data-chaos-add=http]", "Add HTTP rule"))),
    UiPage("docs", "/docs", ".docs-body h1", full_page=False,  # 60,000 px tall: its first screen
           one_per_structure="article.endpoint"),  # 138 route sections of 27 structures
    UiPage("sign-in", "/login", "input[type=password]"),
    UiPage("not-found", "/emails/00000000-0000-4000-8000-000000000000", "main h1"),
)
