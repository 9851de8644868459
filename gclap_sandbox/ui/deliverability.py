"""The Deliverability page: the score with its factors and their trend (inline SVG sparklines),
each sending domain's score, and inbox placement tests (run one from the page). It calls the
deliverability package (score, history, placement, service), as the API does."""
from __future__ import annotations

import asyncio
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from gclap_sandbox.deliverability import history, placement, service
from gclap_sandbox.deliverability import score as scoring
from gclap_sandbox.deliverability.providers import PROVIDERS
from gclap_sandbox.domains import keys, names, verification
from gclap_sandbox.domains import store as domains
from gclap_sandbox.errors import ValidationFailed
from gclap_sandbox.http_json import json_body, json_response
from gclap_sandbox.schema import Address, Obj, Str
from gclap_sandbox.ui.base import NavItem, bp, db_run, organization_of, page, render

NAV = NavItem("Deliverability", "/deliverability", 55)
TREND_DAYS = 30  # the most the trend shows
MIN_TREND_DAYS = 7  # ... and the least, while the history is younger
SHORT_LABELS = {"authentication": "Auth", "complaint_rate": "Complaints", "bounce_rate": "Bounces",
                "list_hygiene": "Hygiene", "unsubscribe": "Unsubscribe", "content": "Content"}
RECENT_TESTS = 10
SPARK_W, SPARK_H = 120.0, 28.0

PLACEMENT_FORM = Obj({
    "from_email": Address(required=True),
    "subject": Str(required=True, min_length=1, max_length=998, single_line=True),
    "html": Str(max_length=1024 * 1024),
    "text": Str(max_length=1024 * 1024),
    "category": Str(choices=["transactional", "marketing"], default="transactional"),
})


DOMAIN_FORM = Obj({"domain": Str(required=True, max_length=254, pattern=names.DOMAIN_PATTERN,
                                 pattern_hint=names.DOMAIN_HINT)})
MAX_DOMAINS_SHOWN = 100


def _org(request: Request) -> str:
    return organization_of(request)


def sparkline(values: list[float | None], top: float = 100.0) -> dict[str, Any]:
    """SVG polylines (one per run of known values) for values from 0 to `top`; gaps stay gaps."""
    step = SPARK_W / max(len(values) - 1, 1)
    runs: list[list[tuple[float, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        x, y = index * step, SPARK_H - 2 - (SPARK_H - 4) * max(0.0, min(value, top)) / top
        runs[-1].append((x, y))
    # A lone known value draws as a short flat stroke, so it shows.
    lines = [" ".join(f"{x:.1f},{y:.1f}" for x, y in (run if len(run) > 1 else [run[0], (run[0][0] + 0.1, run[0][1])]))
             for run in runs if run]
    return {"lines": lines,
            "width": SPARK_W, "height": SPARK_H, "known": sum(v is not None for v in values)}


def _trend(points: list[dict[str, Any]], name: str, weight: int) -> list[float | None]:
    shares = []
    for point in points:
        factor = (point.get("factors") or {}).get(name) or {}
        shares.append(None if factor.get("points") is None else 100.0 * factor["points"] / weight)
    return shares


def _page_data(organization_id: str) -> dict[str, Any]:
    scored = scoring.compute(organization_id)
    points = history.history(organization_id, TREND_DAYS, None, live=scored)["points"]
    # From the first day with a point (a week at least), so a young history is not squeezed.
    first = next((i for i, p in enumerate(points) if p["score"] is not None), len(points) - 1)
    points = points[min(first, len(points) - MIN_TREND_DAYS):]
    factors = [{**f, "trend": sparkline(_trend(points, f["name"], f["weight"]))} for f in scored["factors"]]
    _, tests = placement.list_tests(organization_id, 0, RECENT_TESTS)
    _, registered = domains.list_domains(organization_id, 0, MAX_DOMAINS_SHOWN)
    scores = {d["domain"]: d for d in scored["domains"]}
    return {"scored": {**scored, "factors": factors},
            "trend": sparkline([p["score"] for p in points]), "trend_days": TREND_DAYS,
            "first_day": points[0]["date"], "tests": tests, "providers": PROVIDERS,
            "short_labels": SHORT_LABELS,
            "registered": [{**d, "scored": scores.get(d["domain"])} for d in registered],
            "unregistered": [d for d in scored["domains"] if d["domain"] not in {r["domain"] for r in registered}]}


@page("/deliverability", name="deliverability")
async def deliverability_view(request: Request) -> HTTPResponse:
    return render(request, "deliverability.html", **await db_run(request, _page_data, _org(request)))


@bp.post("/ui/api/deliverability/placement-tests", name="deliverability_placement_run")
async def run_placement(request: Request) -> HTTPResponse:
    """Run a placement test from the page's form (the API's POST with fewer fields)."""
    body = PLACEMENT_FORM.validate(json_body(request))
    data = {name: value for name, value in body.items() if value not in (None, "")}
    if not data.get("html") and not data.get("text"):
        raise ValidationFailed({"text": ["Give the email an HTML or a text body (or both)."]})
    return json_response(await service.run_placement_test(request.app.ctx.sandbox, _org(request), data), status=201)


@bp.post("/ui/api/deliverability/domains", name="deliverability_domain_add")
async def add_domain(request: Request) -> HTTPResponse:
    """Add a sending domain from the page: its key pair and the records to publish."""
    body = DOMAIN_FORM.validate(json_body(request))
    key_pair = await asyncio.get_running_loop().run_in_executor(None, keys.new_key_pair)  # CPU-bound
    data = await db_run(request, domains.add_domain, _org(request), names.normalize(body["domain"]), key_pair)
    return json_response(data, status=201)


@bp.post("/ui/api/deliverability/domains/<domain_id:uuid>/verify", name="deliverability_domain_verify")
async def verify_domain(request: Request, domain_id: Any) -> HTTPResponse:
    """Check the domain's records now (the page then shows each record's result)."""
    return json_response(await verification.verify_domain(request.app.ctx.sandbox, _org(request), str(domain_id)))
