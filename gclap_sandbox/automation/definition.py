"""What a workflow is made of: its trigger and its steps, declared once (pure).

TRIGGER and STEP are schema declarations: they check a request (a 400 names the bad value's
path, e.g. `steps[2].duration`) and state each type's fields in the OpenAPI document.
`check_positions` adds what depends on a step's place in the list. References to other rows
(templates, lists) are checked by the store, which knows the database (`referenced_ids`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from gclap_sandbox.schema import (
    NOT_BLANK,
    Bool,
    DateTime,
    Either,
    Errors,
    Field,
    Int,
    ListOf,
    MapOf,
    Number,
    Obj,
    Str,
    TaggedUnion,
)
from gclap_sandbox.schema_rules import OneOf, Required, Requires, Unless

EMAIL_EVENTS = ("email.opened", "email.clicked", "email.bounced", "email.unsubscribed")
CONDITION_OPERATORS = ("equals", "not_equals", "exists", "not_exists", "contains")
EMAIL_OUTCOMES = ("delivered", "opened", "clicked", "bounced")
REENTRY = ("once", "after_finish")
EXIT = "exit"  # a branch target that ends the run
MAX_STEPS = 100


_PART = r"[0-9]+(?:\.[0-9]+)?[wdhmsWDHMS]"
# A duration as text: `2d`, `1h30m`, `1h 30m` (units w, d, h, m, s) or a number of seconds.
DURATION_PATTERN = rf"[0-9]+(?:\.[0-9]+)?|{_PART}(?: ?{_PART})*"
DURATION_HINT = "Must be a duration such as 2d, 12h, 1h30m or a number of seconds."


def _text(max_length: int = 200, **kw: Any) -> Str:
    """A name or id: a string with something in it besides whitespace."""
    return Str(min_length=1, max_length=max_length, pattern=f"[\\s\\S]*{NOT_BLANK}[\\s\\S]*",
               pattern_hint="Must be a non-empty string.", **kw)


def _duration(*, signed: bool = False, **kw: Any) -> Either:
    """A number of seconds or a text duration; with `signed`, below zero (`-7d`) means before."""
    sign = "-?" if signed else ""
    return Either(Number(minimum=None if signed else 0),
                  Str(pattern=f"{sign}(?:{DURATION_PATTERN})"),
                  message=DURATION_HINT + (" A leading - means before." if signed else ""), **kw)


class _Time(DateTime):
    """An ISO 8601 time, kept as given (the runner reads it with `parse_time`)."""

    def clean(self, value: Any, path: str, errors: Errors) -> Any:
        return value if super().clean(value, path, errors) is not None else None


def _target() -> Either:
    # Positional (a LATER step, so a workflow never loops): `check_positions` checks that part.
    return Either(Str(choices=[EXIT]), Int(minimum=1, maximum=MAX_STEPS - 1), required=True,
                  message=f"Must be the index of a later step or \"{EXIT}\".",
                  description=f"Where the run goes on: a later step's index, or \"{EXIT}\".")


_LIST_ID = _text(36, required=True, description="The id of a contact list of this organization.")

TRIGGER_SHAPES = {
    "contact_created": Obj({}, description="Enrols each new contact."),
    "added_to_list": Obj({"list_id": _LIST_ID}, description="Enrols a contact newly added to the list."),
    "email_event": Obj({
        "event": Str(required=True, choices=list(EMAIL_EVENTS)),
        "tag": _text(nullable=True, description="Only for email carrying this tag."),
        "campaign_id": _text(36, nullable=True, description="Only for email of this campaign."),
    }, description="Enrols the recipient of an email when this happens to it."),
    "date_attribute": Obj({
        "attribute": _text(required=True, description="A contact attribute holding a date."),
        "offset": _duration(signed=True, nullable=True, description="Before (-7d) or after that date."),
        "yearly": Bool(description="Every year on that day (birthdays)."),
    }, description="Enrols a contact when the sandbox clock reaches the date in its attribute."),
    "custom_event": Obj({"event": _text(100, required=True, description="The event's name, e.g. signed_up.")},
                        description="Enrols the contact of each event posted to /api/v1/automation/events/."),
    "manual": Obj({}, description="Enrols the contacts given to .../enroll/."),
}


def trigger_field(*, required: bool = False) -> TaggedUnion:
    return TaggedUnion("type", TRIGGER_SHAPES, name="WorkflowTrigger", required=required,
                       description="What enrols contacts; its `type` decides its other fields.")


STEP = TaggedUnion("type", {
    "send_email": Obj({
        "template_id": _text(36, required=True, description="The id of a template of this organization."),
        "variables": MapOf(),
        "from_email": _text(320, nullable=True),
        "tags": ListOf(Str(min_length=1)),
        "simulate": ListOf(Str(), description="Outcomes to simulate for this email."),
        "category": Str(choices=["marketing", "transactional"], description="marketing (default) or transactional."),
    }),
    "wait": Obj({
        "duration": _duration(nullable=True),
        "until": _Time(nullable=True),
        "until_attribute": _text(nullable=True, description="A contact attribute holding a date."),
        "offset": _duration(signed=True, nullable=True, description="With `until_attribute`: before or after it."),
    }, rules=[OneOf("duration", "until", "until_attribute",
                    message="A wait needs exactly one of `duration`, `until` or `until_attribute`.")]),
    "condition": Obj({
        "attribute": _text(nullable=True),
        "operator": Str(choices=list(CONDITION_OPERATORS), description="equals (default)."),
        "value": Field(nullable=True),
        "email_step": Int(minimum=0, maximum=MAX_STEPS - 2, nullable=True,
                          description="The index of an earlier send_email step of this workflow."),
        "email_event": Str(choices=list(EMAIL_OUTCOMES), nullable=True),
        "yes": _target(),
        "no": _target(),
    }, rules=[Unless("email_step", Required("attribute")),
              Requires("email_step", "email_event", message="A condition on an email needs its `email_event`.")]),
    "add_to_list": Obj({"list_id": _LIST_ID}),
    "remove_from_list": Obj({"list_id": _LIST_ID}),
    "update_attribute": Obj({"attribute": _text(required=True),
                             "value": Field(required=True, nullable=True, description="null removes the attribute.")}),
    "call_url": Obj({
        "url": Str(required=True, max_length=2000, pattern=r"https?://[\s\S]*", single_line=True,
                   pattern_hint="Must be an http:// or https:// URL."),
        "secret": _text(nullable=True, description="Signs the POST like a webhook; generated unless given."),
    }),
    "exit": Obj({}),
}, name="WorkflowStep")


def _add(errors: Errors, path: str, message: str) -> None:
    errors.setdefault(path, []).append(message)


def check_positions(steps: list[dict[str, Any]], errors: Errors) -> None:
    """What depends on where a (well-formed) step stands: a branch goes forward to a later step
    (or ends the run), and a condition on an email names an earlier send_email step."""
    for index, step in enumerate(steps):
        if step["type"] != "condition":
            continue
        path = f"steps[{index}]"
        for name in ("yes", "no"):
            if step[name] != EXIT and not index < step[name] < len(steps):
                _add(errors, f"{path}.{name}",
                     f"Must be the index of a later step ({index + 1}..{len(steps) - 1}) or \"{EXIT}\".")
        source = step.get("email_step")
        if source is None:
            continue
        if source >= index:
            _add(errors, f"{path}.email_step", "Must be the index of an earlier send_email step.")
        elif steps[source]["type"] != "send_email":
            _add(errors, f"{path}.email_step", f"Step {source} does not send an email.")


def referenced_ids(trigger: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """path -> (kind, id) for every template and list the workflow names (the store checks them)."""
    refs: dict[str, tuple[str, str]] = {}
    if trigger.get("type") == "added_to_list":
        refs["trigger.list_id"] = ("list", trigger["list_id"])
    for index, step in enumerate(steps):
        if step.get("template_id"):
            refs[f"steps[{index}].template_id"] = ("template", step["template_id"])
        if step.get("list_id"):
            refs[f"steps[{index}].list_id"] = ("list", step["list_id"])
    return refs


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time (a date alone is midnight UTC); None when it is not one."""
    from datetime import timezone
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
