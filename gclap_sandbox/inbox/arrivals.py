"""Whether a newly captured email may be listed under a held request's filters, without a query.

A held `GET /emails/?wait=` (events/waiters.py) hears of every email its organization
captures. Most waits name one recipient (`to`), so this test on the new email's summary lets
mail for other addresses pass by; whatever it cannot rule out wakes the request, which then
runs its real query (inbox/queries.py), so the answer is always the query's.
"""
from __future__ import annotations

from typing import Any, Callable

from gclap_sandbox.mail import message as mail


def may_list(filters: dict[str, Any]) -> Callable[[Any], bool] | None:
    """A test of a new email's summary that is False only when the `to` filter surely leaves
    it out; None when there is no `to` filter (any new email may match)."""
    wanted = filters.get("to")
    if not wanted:
        return None
    address = mail.split_address(wanted)[1] or wanted.lower()  # as queries.filtered reads it

    def may_match(summary: Any) -> bool:
        try:
            # Every recipient is in the To or Cc header or listed as Bcc (pipeline/capture.py).
            values = [*summary["to"], *summary["cc"], *summary["bcc"]]
        except (KeyError, TypeError):
            return True
        return any(mail.split_address(value)[1] == address for value in values)

    return may_match
