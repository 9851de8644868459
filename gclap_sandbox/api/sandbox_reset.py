"""/api/v1/sandbox/reset/: wipe captured data between tests (or everything)."""
from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.accounts import auth
from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint
from gclap_sandbox.events import timeline
from gclap_sandbox.schema import Bool, Obj
from gclap_sandbox.storage import reset, vacuum

bp = Blueprint("sandbox_reset", url_prefix=API_PREFIX, strict_slashes=False)

RESET_BODY = Obj({
    "all": Bool(default=False, description="Also delete keys, organizations and settings, then "
                "recreate the default organization and key (returned as `api_key`)."),
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


def _wipe_and_bootstrap(given_key: str | None) -> tuple[dict[str, int], str, str]:
    deleted = reset.wipe(everything=True)
    org_id, secret = auth.bootstrap(given_key)
    return deleted, org_id, secret


@endpoint(bp, "POST", "/sandbox/reset/", scope="sandbox:control", summary="Reset the sandbox",
          description="Deletes captured email, events, contacts, deliveries and other data, and puts "
          "the sandbox clock back to real time; keys and settings stay unless `all` is true. "
          "The body may be omitted.",
          body=RESET_BODY, responses={200: {"description": "What was deleted.", "schema": RESET_RESULT}})
async def reset_sandbox(request: Request) -> HTTPResponse:
    ctx = request.app.ctx.sandbox
    if not request.ctx.body["all"]:
        deleted = await ctx.db.run(reset.wipe, False)
        await _forget_in_memory_state(ctx)
        return json_response({"scope": "data", "deleted": deleted})
    deleted, ctx.default_org_id, ctx.default_api_key = await ctx.db.run(
        _wipe_and_bootstrap, ctx.settings.api_key)
    ctx.keys.clear()
    await _forget_in_memory_state(ctx)
    return json_response({"scope": "all", "deleted": deleted, "api_key": ctx.default_api_key})


async def _forget_in_memory_state(ctx: Any) -> None:
    """What the sandbox keeps beside the tables: cached organizations and subscriptions, sequences, the clock.
    And the file gives back the space the deleted rows took."""
    await ctx.db.run_alone(vacuum.shrink)
    await ctx.db.run(ctx.db.forget_caches)
    await timeline.reset_clock(ctx)
