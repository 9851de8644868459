"""The simulate request's body, shared by the API (api/simulation.py) and the email page."""
from __future__ import annotations

from typing import Any

from gclap_sandbox.pipeline import simulate
from gclap_sandbox.schema import Address, Errors, Obj, Str
from gclap_sandbox.schema_rules import OnlyWhen

# Each outcome by its label or its event type (`email.bounced` is the hard bounce).
EVENT_NAMES = [*simulate.TRIGGERABLE, *(f"email.{label}" for label in simulate.TRIGGERABLE if label != "softbounce")]


def _without_prefix(data: dict[str, Any], errors: Errors) -> None:
    data["event"] = data["event"].removeprefix("email.")


SIMULATE_BODY = Obj({
    "event": Str(required=True, choices=EVENT_NAMES,
                 description="The outcome: delivered, bounced (hard), softbounce, deferred, opened, "
                 "clicked, unsubscribed or spam (the `email.` prefix is optional)."),
    "recipient": Address(description="One recipient of the email (default: every recipient)."),
    "url": Str(max_length=4000, pattern=r"[Hh][Tt][Tt][Pp][Ss]?://[\s\S]*", pattern_hint="Must be an http(s) URL.",
               description="For `clicked`: the link (default: the email's first link)."),
}, rules=[OnlyWhen("url", "event", ["clicked", "email.clicked"], "Only for the `clicked` event.")],
   extra_check=_without_prefix)
