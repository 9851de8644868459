"""What is due when each organization has its own clock (clock.py).

A row of time-based work (a job, a webhook retry, a campaign batch) has a due moment on its
organization's clock. Work done for one organization (a request, the clock's advance for that
organization) takes only that organization's rows, due by its time. The background workers,
which work for no organization, take every organization's rows due on each one's clock: one
condition, with a term for each organization whose clock is ahead of real time.
"""
from __future__ import annotations

import functools
import operator
from datetime import datetime, timedelta, timezone
from typing import Any

import peewee

from gclap_sandbox import clock
from gclap_sandbox.clock import ZERO


def _of(organization: peewee.Field, organization_id: str, default: str | None) -> peewee.Expression:
    """The organization's rows; a row of no organization is the default organization's."""
    mine = organization == organization_id
    return mine | organization.is_null() if organization_id == default else mine


def of_organization_in_hand(organization: peewee.Field) -> peewee.Expression | None:
    """The rows of the organization in hand (None when there is none: every row)."""
    sandbox, organization_id = clock.current(), clock.organization()
    if sandbox is None or organization_id is None:
        return None
    return _of(organization, organization_id, sandbox.default_organization)


def condition(moment: peewee.Field, organization: peewee.Field, limit: datetime | None = None,
              ago: timedelta = ZERO) -> peewee.Expression:
    """Rows whose `moment` has come on their organization's clock (or by `limit`, read on the
    clock of the organization in hand), or came at least `ago` before that (an age limit)."""
    sandbox = clock.current()
    if sandbox is None:
        return moment <= (limit or clock.now()) - ago
    default = sandbox.default_organization
    organization_id = clock.organization()
    if organization_id is not None:
        return _of(organization, organization_id, default) & (moment <= (limit or sandbox.now(organization_id)) - ago)
    real_now = datetime.now(timezone.utc) - ago
    if limit is not None:  # a moment on the default organization's clock, as real time
        real_now = limit - sandbox.offset_of(None) - ago
    ahead = dict(sandbox.offsets)
    if not ahead:
        return moment <= real_now
    others = organization.not_in(list(ahead))
    if default not in ahead:
        others = others | organization.is_null()
    terms = [(moment <= real_now) & others]
    terms += [_of(organization, org_id, default) & (moment <= real_now + offset) for org_id, offset in ahead.items()]
    return functools.reduce(operator.or_, terms)


def earliest(moment: peewee.Field, organization: peewee.Field, where: Any = None) -> datetime | None:
    """The soonest `moment` of the rows (matching `where`), as a time on the clock in hand (the
    organization's, or the default one's); None when there are none. One `ORDER BY moment LIMIT 1`
    per clock in play (the index on `moment` serves each), never a scan of the whole table."""
    sandbox = clock.current()

    def first(condition: peewee.Expression | None) -> datetime | None:
        query = moment.model.select(moment).where(moment.is_null(False))
        for extra in (where, condition):
            if extra is not None:
                query = query.where(extra)
        row = query.order_by(moment).limit(1).tuples().first()
        return None if row is None else row[0]

    if sandbox is None:
        return first(None)
    default, in_hand = sandbox.default_organization, clock.organization()
    if in_hand is not None:
        return first(_of(organization, in_hand, default))
    ahead = dict(sandbox.offsets)
    # Each clock's soonest, as real time: first the organizations at real time, then each one ahead.
    others = organization.not_in(list(ahead)) if ahead else None
    if ahead and default not in ahead:
        others = others | organization.is_null()
    firsts = [(first(others), ZERO)] + [(first(_of(organization, org_id, default)), offset)
                                        for org_id, offset in ahead.items()]
    real = [at - offset for at, offset in firsts if at is not None]
    return None if not real else min(real) + sandbox.offset_of(None)
