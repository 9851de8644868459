"""The steps done off the database thread: sending an email through the capture pipeline, and
calling a URL with a signed request (the runner calls these)."""
from __future__ import annotations

import functools
import json
import time
from typing import TYPE_CHECKING, Any

import httpx

from gclap_sandbox import clock
from gclap_sandbox.automation import runs
from gclap_sandbox.automation.runs import StepWork
from gclap_sandbox.mail import message as mail
from gclap_sandbox.pipeline.capture import capture_email
from gclap_sandbox.pipeline.incoming import Controls, Incoming
from gclap_sandbox.templating.render import render_email
from gclap_sandbox.templating.store import get_template
from gclap_sandbox.webhooks import signing

if TYPE_CHECKING:
    from gclap_sandbox.server.context import AppContext

CALL_TIMEOUT = 10.0  # seconds a call_url step waits for an answer


def _template_parts(organization_id: str, template_id: str) -> dict[str, str | None]:
    template = get_template(organization_id, template_id)
    return {"subject": template.subject, "html": template.html, "text": template.text}


def _capture_and_record(work: StepWork, incoming: Incoming) -> str | None:
    """Store the email and move the run on in one unit of work: it is sent once, or not at all."""
    if not runs.still_at(work):
        return None
    email = capture_email(incoming)
    runs.record_step(work, "sent", email_id=email.id, subject=email.subject, to=work.contact["email"])
    return email.id


async def send_email(ctx: AppContext, work: StepWork) -> None:
    """Render the step's template for the contact (on the render threads) and send it as the
    send API does: the message is built once and goes through the one capture pipeline."""
    step = work.step
    parts = await ctx.db.run(_template_parts, work.organization_id, step["template_id"])
    variables = {**(step.get("variables") or {}), "contact": work.contact,
                 "event": work.trigger.get("properties") or {}}
    rendered = await ctx.renderer.run(render_email, parts, variables)
    data: dict[str, Any] = {**rendered, "to": [work.contact["email"]],
                            "from_email": step.get("from_email") or mail.DEFAULT_FROM,
                            "tags": step.get("tags") or []}
    raw = mail.build_raw(data, mail.new_message_id())
    incoming = Incoming(
        raw=raw, source="api", organization_id=work.organization_id,
        envelope_from=mail.split_address(data["from_email"])[1], envelope_to=data["to"], tags=data["tags"],
        metadata={"workflow_id": work.workflow_id, "run_id": work.run_id, "step": work.index},
        api_bodies=(rendered.get("text"), rendered.get("html")),
        controls=Controls(labels=frozenset(step.get("simulate") or ()),
                          category=step.get("category") or "marketing"),
        options=ctx.delivery)
    await ctx.db.run(_capture_and_record, work, incoming)


async def call_url(ctx: AppContext, work: StepWork, client: httpx.AsyncClient) -> None:
    """POST the run's state to the step's URL, signed like a webhook with the step's secret.
    The run goes on whatever the answer; the history keeps the status or the error."""
    message_id = signing.new_message_id()
    body = json.dumps({"type": "automation.step", "workflow_id": work.workflow_id, "run_id": work.run_id,
                       "step": work.index, "contact": work.contact, "trigger": work.trigger,
                       "timestamp": clock.iso(clock.now())}, separators=(",", ":"))
    # webhook-timestamp is real time, as for webhooks: receivers check it against their own clock.
    headers = signing.headers([work.step["secret"]], message_id, int(time.time()), body)
    try:
        response = await client.post(work.step["url"], content=body, headers=headers, timeout=CALL_TIMEOUT)
        outcome, details = ("called" if response.is_success else "failed_call"), {"status": response.status_code}
    except httpx.HTTPError as exc:
        outcome, details = "failed_call", {"error": f"{type(exc).__name__}: {exc}"}
    await ctx.db.run(functools.partial(runs.record_step, work, outcome, None, url=work.step["url"],
                                       webhook_id=message_id, **details))
