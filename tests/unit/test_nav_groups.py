"""The top bar: pages that share a group take one place in it, and each shows where it is."""
from __future__ import annotations

from gclap_sandbox.ui.base import NavItem, nav_entries


def test_grouped_pages_take_one_place_named_after_the_group_at_its_first_page():
    entries = nav_entries([
        NavItem("Reports", "/reports", 47, group="Analytics"),
        NavItem("Inbox", "/", 10),
        NavItem("Analytics", "/analytics", 45, group="Analytics"),
        NavItem("Alerts", "/alerts", 46, group="Analytics"),
        NavItem("Docs", "/docs", 90),
    ])
    assert [(e.label, e.path) for e in entries] == [("Inbox", "/"), ("Analytics", "/analytics"), ("Docs", "/docs")]
    assert [p.label for p in entries[1].pages] == ["Analytics", "Alerts", "Reports"]


def test_an_entry_is_current_on_its_pages_and_below_them_but_not_on_lookalike_paths():
    analytics = nav_entries([NavItem("Analytics", "/analytics", 1, group="A"), NavItem("Alerts", "/alerts", 2, group="A")])[0]
    assert analytics.shows("/alerts/123") and analytics.shows("/analytics")
    assert not analytics.shows("/alertsx")
    inbox = nav_entries([NavItem("Inbox", "/", 1)])[0]
    assert inbox.shows("/") and inbox.shows("/emails/abc") and not inbox.shows("/docs")
