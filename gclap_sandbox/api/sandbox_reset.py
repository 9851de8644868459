"""/api/v1/sandbox/reset/: wipe captured data between tests, or put the sandbox back as it started."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox import start_state
from gclap_sandbox.accounts import limits, organizations_admin
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.events import timeline
from gclap_sandbox.schema import Bool, Obj
from gclap_sandbox.storage import engine, reset

if TYPE_CHECKING:
    from gclap_sandbox.settings import Settings

bp = Blueprint("sandbox_reset", url_prefix=API_PREFIX, strict_slashes=False)

RESET_BODY = Obj({
    "all": Bool(default=False, description="Put the sandbox back as it started: also delete keys, "
                "organizations and settings (plan, tracking, webhook endpoints, templates, domains...), "
                "recreate the default organization and key (returned as `api_key`), and restore the "
                "start-up `--plan` and `--chaos` rules."),
})
RESET_RESULT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "scope": {"type": "string", "enum": ["data", "all"]},
        "deleted": {"type": "object", "additionalProperties": {"type": "integer"},
                    "description": "Rows deleted per table."},
        "api_key": {"type": "string", "description": "The new default key (only after `all`)."},
    },
}


def _wipe_and_start_again(settings: Settings) -> tuple[dict[str, int], str, str]:
    # One unit of work: no request ever finds the sandbox without its default key.
    deleted = reset.wipe(everything=True)
    org_id, secret = start_state.establish_accounts(settings)
    return deleted, org_id, secret


@endpoint(bp, "POST", "/sandbox/reset/", scope="sandbox:control", summary="Reset the sandbox",
          description="Deletes captured email, events, contacts, suppressions, deliveries and other "
          "data, and puts the sandbox clock back to real time; keys and settings stay unless `all` is "
          "true, which leaves the sandbox as it was when it started (a fixed `--api-key` stays valid). "
          "That is a reset with a key of the default organization; with a key of any other organization "
          "only that organization's rows go (`all` adds its configuration and puts back the plan it was "
          "created with; its keys stay) and nothing "
          "shared changes (clock, jobs, DNS zone, other organizations). "
          "Never rate limited, so a test that used up its plan cannot block the next one's reset. "
          "The body may be omitted.", rate_limited=False,
          body=RESET_BODY, responses={200: {"description": "What was deleted.", "schema": RESET_RESULT}})
async def reset_sandbox(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    principal = request.ctx.principal
    if not principal.default_organization:  # another organization resets itself, nothing shared
        return await _reset_organization(ctx, principal.organization_id, request.ctx.body["all"])
    if not request.ctx.body["all"]:
        deleted = await ctx.db.run(reset.wipe, False)
        await _forget_in_memory_state(ctx)
        return json_response({"scope": "data", "deleted": deleted})
    deleted, ctx.default_org_id, ctx.default_api_key = await ctx.db.run(_wipe_and_start_again, ctx.settings)
    start_state.restore_in_memory_state(ctx)
    await _forget_in_memory_state(ctx)
    return json_response({"scope": "all", "deleted": deleted, "api_key": ctx.default_api_key})


async def _reset_organization(ctx: Any, organization_id: str, everything: bool) -> HTTPResponse:
    """Only this organization's rows go (with `all`, its configuration too and its plan as created;
    its keys stay), and its clock is back to real time. The DNS zone is shared by every organization."""
    deleted, plan = await ctx.db.run(organizations_admin.reset, organization_id, everything)
    if plan is not None:
        ctx.limiter.switch_plan(organization_id, limits.plan_named(plan))
    await ctx.db.run(ctx.db.forget_caches)
    await timeline.reset_clock(ctx, organization_id)
    return json_response({"scope": "all" if everything else "data", "deleted": deleted})


async def _forget_in_memory_state(ctx: Any) -> None:
    """What the sandbox keeps beside the tables: cached organizations and subscriptions, sequences, every
    organization's clock. And the file gives back the space the deleted rows took."""
    await ctx.db.run_alone(engine.shrink)
    await ctx.db.run(ctx.db.forget_caches)
    await timeline.reset_every_clock(ctx)
