"""Schemathesis hooks for tests/test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

The fuzzer calls every operation with whatever the document allows. A few calls would
change the ground under the rest of the run, so each is made and then undone or bounded:

- the caller's own key is never rotated or revoked (its id is swapped for one that does not
  exist, so those operations still run and answer 404);
- chaos rules a PUT switched on are switched off again at once (they make later calls fail
  on purpose);
- a plan a PATCH switched to is switched back to `unlimited` (a real plan's per-minute limit
  would answer the rest of the run with 429);
- a long poll (`wait`) is cut to a tenth of a second, so no call outlasts the client's timeout;
- a scheduled report a POST or PATCH left enabled is disabled again (an hourly report would
  otherwise run thousands of times when the fuzzer moves the clock a year).

`filter_failure` drops only failures that stem from a rule JSON Schema cannot state (named
one by one in UNSTATABLE), each matched by operation, status and the fields the problem
names, never a whole check; and response times, as the suite asserts no time limits.
"""
from __future__ import annotations

import functools
import json
import os
import re
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit
from typing import Any

import httpx
import schemathesis

OWN_KEY_ID = os.environ.get("GCLAP_FUZZ_KEY_ID", "")
BASE_URL = os.environ.get("GCLAP_FUZZ_BASE_URL", "")
HEADERS = {"Authorization": f"Bearer {os.environ.get('GCLAP_FUZZ_API_KEY', '')}"}
LONGEST_WAIT = 0.1

@dataclass(frozen=True)
class Unstatable:
    """A rule the document cannot state: a 400 to schema-valid input at `method path` is that
    rule at work when its `errors` name only `fields` (and every message matches `message`)."""

    method: str
    path: str
    fields: tuple[str, ...]
    rule: str
    message: str = ""

    def explains(self, case: Any, errors: dict[str, list[str]]) -> bool:
        return (case.method.upper(), case.path) == (self.method, self.path) and bool(errors) and all(
            re.split(r"[.\[]", name)[0] in self.fields and all(re.match(self.message, m) for m in messages)
            for name, messages in errors.items())


UNSTATABLE = [
    Unstatable("POST", "/api/v1/templates/", ("subject", "html", "text"), "Jinja2 syntax of each part"),
    Unstatable("PATCH", "/api/v1/templates/{template_id}/", ("subject", "html", "text"),
               "Jinja2 syntax; the stored template must keep `html` or `text`"),
    Unstatable("POST", "/api/v1/templates/{template_id}/render/", ("variables",),
               "the variables the stored template uses"),
    Unstatable("POST", "/api/v1/emails/send/", ("variables", "subject", "html", "text"),
               "the variables the stored template uses, and rendering it"),
    Unstatable("POST", "/api/v1/emails/send/", ("to",), "a cap on the recipients of to, cc and bcc together",
               message=r"At most \d+ recipients in all"),
    Unstatable("POST", "/api/v1/contacts/import/", ("file", "encoding"),
               "the CSV's contents: its encoding and an `email` header column"),
    Unstatable("PUT", "/api/v1/sandbox/chaos/", ("smtp", "http"), "a `re:` pattern must compile",
               message="Not a valid pattern: not a valid regular expression"),
    # From fix-api on, a bulk delete needs filters or `all=true` (never neither, never both):
    # OpenAPI parameters cannot depend on one another.
    Unstatable("DELETE", "/api/v1/emails/", ("all",), "some filters, or all=true"),
    Unstatable("DELETE", "/api/v1/suppressions/", ("all",), "`email`, or all=true"),
    # A time series is a `period` or a `from`/`to` range, never both; `to` needs `from` and must
    # come after it; the span fits in 1,000 buckets: query parameters cannot depend on one another.
    Unstatable("GET", "/api/v1/analytics/timeseries/", ("period", "from", "to", "interval"),
               "a period or a range, a range not empty, at most 1,000 buckets",
               message=r"Give `period` or `from`, not both|Only used with `from`|The range is empty"
                       r"|That is [\d,]+ buckets"),
    Unstatable("DELETE", "/api/v1/sandbox/dns/", ("all",), "`name` and/or `type`, or all=true"),
    # A bulk action's selection: `all` must be true, `q` must parse as a search with terms, and
    # `expected` goes only with `q` or `all` (inbox/bulk.py).
    *(Unstatable("POST", f"/api/v1/emails/bulk/{action}/", ("q", "all", "expected", "ids"),
                 "`all` true, a search with terms, `expected` only with `q` or `all`")
      for action in ("read", "tags", "delete")),
    # A condition's branch must go FORWARD (`yes`/`no` a later step's index) and its `email_step`
    # must name an EARLIER send_email step: both depend on the step's place in the list, which
    # JSON Schema cannot relate to an item's value. The document states the rest of each step.
    *(Unstatable(method, path, ("steps",), "a branch names a later step; email_step an earlier send_email",
                 message=r"Must be the index of a later step|Must be the index of an earlier send_email step"
                         r"|Step \d+ does not send an email")
      for method, path in (("POST", "/api/v1/automation/"), ("PATCH", "/api/v1/automation/{workflow_id}/"))),
    # A breakdown's period: `from` before `to` (which defaults to now), at most 366 days long.
    *(Unstatable("GET", path, ("from",), "`from` before `to`, a period of at most 366 days",
                 message=r"Must be before `to`|The period may span at most")
      for path in ("/api/v1/analytics/breakdown/", "/api/v1/analytics/breakdown/export.csv")),
    # A report's time zone must be one the IANA database names, and a cron expression one that
    # cronsim parses and that runs at most once an hour.
    *(Unstatable(method, path, ("schedule",), "an IANA time zone; a cron expression running at most hourly",
                 message=r"Must be an IANA time zone name|Not a cron expression|A report runs at most once an hour")
      for method, path in (("POST", "/api/v1/analytics/scheduled-reports/"),
                           ("PATCH", "/api/v1/analytics/scheduled-reports/{report_id}/"))),
]


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    parameters = case.path_parameters or {}
    if str(parameters.get("key_id", "")).lower() == OWN_KEY_ID:
        case.path_parameters = {**parameters, "key_id": str(uuid.uuid4())}
    query = case.query or {}
    if _seconds(query.get("wait")) > LONGEST_WAIT:
        case.query = {**query, "wait": LONGEST_WAIT}


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    if not 200 <= response.status_code < 300:
        return
    target = (case.method.upper(), case.path.rstrip("/"))
    if target == ("PUT", "/api/v1/sandbox/chaos"):
        _restore("PUT", "/api/v1/sandbox/chaos/", {})
    elif target == ("PATCH", "/api/v1/accounts/organization"):
        _restore("PATCH", "/api/v1/accounts/organization/", {"plan": "unlimited"})
    elif target[1].startswith("/api/v1/analytics/scheduled-reports") and target[0] in ("POST", "PATCH") \
            and not target[1].endswith("run-now"):
        report = response.json()
        if report.get("enabled"):
            _restore("PATCH", f"/api/v1/analytics/scheduled-reports/{report['id']}/", {"enabled": False})


def _restore(method: str, path: str, body: dict[str, Any]) -> None:
    answer = _client().request(method, path, json=body)
    answer.raise_for_status()


@functools.lru_cache(maxsize=1)
def _client() -> httpx.Client:
    """One client for the run: a client per call loaded the CA bundle each time (an eighth of
    the fuzzer's CPU went to that)."""
    return httpx.Client(base_url=BASE_URL, headers=HEADERS, timeout=30)


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """False drops the failure (see the module docstring)."""
    # No time limits are asserted: a loaded CI machine is slow, which says nothing about the API.
    if failure.code == "ST112":
        return False
    if failure.code == "ST202" and response.status_code == 400:
        errors = _problem_errors(response.content)
        if any(rule.explains(case, errors) for rule in UNSTATABLE):
            return False
    return True


def _seconds(value: Any) -> float:
    """A `wait` value as a number of seconds, 0 when it is none (the fuzzer sends junk too)."""
    try:
        return float(value) if not isinstance(value, bool) else 0.0
    except (TypeError, ValueError):
        return 0.0


def _has_blank_query_value(url: str) -> bool:
    """Whether the request went out with a query value that is empty or blank (`?page=`)."""
    return any(not value.strip() for _, value in parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _problem_errors(content: bytes) -> dict[str, list[str]]:
    try:
        errors = json.loads(content).get("errors")
    except (ValueError, AttributeError):
        return {}
    return errors if isinstance(errors, dict) else {}
