"""Every page of the web UI, in one list: the whole-UI browser checks (accessibility, fitting a
phone, screenshots) walk it. A new page is one line here: a name (the test id and screenshot
file), its path (`{key}` is filled from the showcase's ids, see `ui_showcase.fill`), and a CSS
selector that is visible once the page shows what a person came for.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UiPage:
    name: str
    path: str  # "/emails/{html_email}": formatted with the showcase's ids
    ready: str  # visible once the page has drawn its content
    full_page: bool = True  # the screenshot shows the whole page, not only the window


PAGES = (
    UiPage("inbox", "/", ".rows .row"),
    UiPage("email-html", "/emails/{html_email}", ".frame-stage iframe"),
    UiPage("email-text-only", "/emails/{text_email}", ".text-body"),
    UiPage("email-bounce-report", "/emails/{bounce_report}", ".message-part"),
    UiPage("email-report-run", "/emails/{report_email}", ".attachments"),
    UiPage("contacts", "/contacts", ".table tbody tr"),
    UiPage("contact", "/contacts/{contact}", "#contact-title"),
    UiPage("contact-new", "/contacts/new", "main form"),
    UiPage("contact-edit", "/contacts/{contact}/edit", "main form"),
    UiPage("campaigns", "/campaigns", ".campaigns-table tbody tr"),
    UiPage("campaign", "/campaigns/{campaign}", ".campaign-chart svg"),
    UiPage("analytics", "/analytics", ".kpis"),
    UiPage("alerts", "/alerts", ".alerts-table tbody tr"),
    UiPage("alert-new", "/alerts/new", "[data-alert-form]"),
    UiPage("alert", "/alerts/{alert}", ".alert-history"),
    UiPage("reports", "/reports", "tr[data-report-row]"),
    UiPage("report", "/reports/{report}", "tr[data-run]"),
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
    UiPage("api-keys", "/settings/api-keys", "#key-rows tr"),
    UiPage("preferences", "/settings/preferences", "[data-time-zone]"),
    UiPage("chaos-rules", "/settings/chaos", "[data-chaos-add=smtp]"),
    UiPage("docs", "/docs", ".docs-body h1", full_page=False),  # 60,000 px tall: its first screen
    UiPage("sign-in", "/login", "input[type=password]"),
    UiPage("not-found", "/emails/00000000-0000-4000-8000-000000000000", "main h1"),
)
