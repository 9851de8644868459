"""The sandbox's error tree, each mapped to an RFC 9457 problem document in one place.

    ApiError                 base: status, title, detail, a `type` URI, extra members
    ├── ValidationFailed     400, with `errors: {field: [messages]}`
    ├── Unauthorized         401 (missing, unknown, expired or revoked key)
    ├── Forbidden            403 (a scope the key lacks)
    ├── NotFound             404
    ├── Conflict             409
    ├── PayloadTooLarge      413
    ├── TooManyRequests      429 (rate limit), with Retry-After
    │   └── QuotaExceeded    429 (monthly email quota), a distinct problem `type`
    └── BadGateway           502 (an upstream server, e.g. the relay, failed)

Handlers raise these; `app.py` turns them (and any other exception) into
`application/problem+json` responses. A stack trace never reaches a client.
"""
from __future__ import annotations

from typing import Any

PROBLEM_BASE = "https://gclap-sandbox.dev/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


class ApiError(Exception):
    status = 500
    title = "Internal Server Error"
    slug = "internal-error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if slug:
            self.slug = slug
        if title:
            self.title = title
        self.headers = headers or {}
        self.extra = extra

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        problem: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            problem["instance"] = instance
        problem.update(self.extra)
        return problem


class ValidationFailed(ApiError):
    status = 400
    title = "Invalid request"
    slug = "validation-error"

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None) -> None:
        fields = ", ".join(sorted(errors))
        super().__init__(detail or f"Invalid fields: {fields}", errors=errors)
        self.errors = errors


class BadRequest(ApiError):
    status = 400
    title = "Bad request"
    slug = "bad-request"


class Unauthorized(ApiError):
    status = 401
    title = "Unauthorized"
    slug = "unauthorized"


class Forbidden(ApiError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class NotFound(ApiError):
    status = 404
    title = "Not found"
    slug = "not-found"


class MethodNotAllowed(ApiError):
    status = 405
    title = "Method not allowed"
    slug = "method-not-allowed"


class Conflict(ApiError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class PayloadTooLarge(ApiError):
    status = 413
    title = "Payload too large"
    slug = "payload-too-large"


class TooManyRequests(ApiError):
    status = 429
    title = "Too many requests"
    slug = "rate-limited"


class QuotaExceeded(TooManyRequests):
    title = "Monthly email quota exceeded"
    slug = "quota-exceeded"


class ServiceUnavailable(ApiError):
    status = 503
    title = "Service unavailable"
    slug = "unavailable"


class BadGateway(ApiError):
    status = 502
    title = "Bad gateway"
    slug = "upstream-failed"
