"""/api/v1/openapi.json: the API's own description."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from gclap_sandbox.api.responses import json_response
from gclap_sandbox.api.routing import API_PREFIX, endpoint

bp = Blueprint("meta", url_prefix=API_PREFIX, strict_slashes=False)


@endpoint(bp, "GET", "/openapi.json", scope=None, authenticated=False,
          summary="The OpenAPI 3.1 document of this API",
          responses={200: {"description": "The document.", "schema": {"type": "object"}}})
async def openapi_document(request: Request) -> HTTPResponse:
    return json_response(request.app.ctx.sandbox.api_document())
