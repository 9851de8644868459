"""Settings -> Chaos rules: the fault-injection rules in force, each one added, changed or
removed in the page (chaos/editing.py), validated as the API validates them, errors named
per field. The rules live in the sandbox's memory, like `PUT /api/v1/sandbox/chaos/`'s."""
from __future__ import annotations

from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox.chaos import editing
from gclap_sandbox.chaos.rules import DEFAULT_SMTP_MESSAGES, HTTP_METHODS, HTTP_STATUSES, MAX_DELAY, SMTP_STAGES
from gclap_sandbox.http_json import json_body, json_response
from gclap_sandbox.schema import Field, Int, Obj
from gclap_sandbox.ui.base import bp, page, render, sandbox_of

KIND = "<kind:smtp|http>"
# The rule itself is validated by chaos/editing.py, so its errors name the rule's own fields.
ADD_BODY = Obj({"rule": Field(required=True)})
CHANGE_BODY = Obj({"rule": Field(required=True), "seen": Field(required=True)})
REMOVE_BODY = Obj({"seen": Field(required=True)})
SEED_BODY = Obj({"seed": Int(nullable=True, required=True)})


@page("/settings/chaos", name="chaos_rules")
async def chaos_page(request: Request) -> HTTPResponse:
    state = sandbox_of(request).chaos
    return render(request, "chaos.html", document=state.document, seed=state.seed, stages=SMTP_STAGES,
                  statuses=HTTP_STATUSES, methods=HTTP_METHODS, max_delay=MAX_DELAY,
                  default_messages=DEFAULT_SMTP_MESSAGES)


def _answer(document: dict[str, Any], status: int = 200) -> HTTPResponse:
    return json_response(document, status=status)


@bp.post(f"/ui/api/chaos/{KIND}", name="chaos_rule_add")
async def add_rule(request: Request, kind: str) -> HTTPResponse:
    body = ADD_BODY.validate(json_body(request))
    return _answer(editing.add_rule(sandbox_of(request).chaos, kind, body["rule"]), status=201)


@bp.put(f"/ui/api/chaos/{KIND}/<index:int>", name="chaos_rule_change")
async def change_rule(request: Request, kind: str, index: int) -> HTTPResponse:
    body = CHANGE_BODY.validate(json_body(request))
    return _answer(editing.change_rule(sandbox_of(request).chaos, kind, index, body["rule"], body["seen"]))


@bp.delete(f"/ui/api/chaos/{KIND}/<index:int>", name="chaos_rule_remove")
async def remove_rule(request: Request, kind: str, index: int) -> HTTPResponse:
    body = REMOVE_BODY.validate(json_body(request))
    return _answer(editing.remove_rule(sandbox_of(request).chaos, kind, index, body["seen"]))


@bp.put("/ui/api/chaos/seed", name="chaos_seed")
async def set_seed(request: Request) -> HTTPResponse:
    body = SEED_BODY.validate(json_body(request))
    return _answer(editing.set_seed(sandbox_of(request).chaos, body["seed"]))
