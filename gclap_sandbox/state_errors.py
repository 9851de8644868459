"""Errors for rules no request document can state, because they depend on the sandbox's state.

A 400 means "this request breaks a rule the OpenAPI document states", so a client (or a
fuzzer) can tell in advance. Whether a referenced list exists, or whether a time is still
ahead of the sandbox clock, depends on the moment; those answers say so with their status,
and still name the field in `errors`:

    404 unknown-reference        an id in the request names nothing (of this organization)
    409 sandbox-time-conflict    a time valid in itself but in the past (or too far ahead)
    409 <resource>-conflict      a change valid in itself that would leave the stored resource
                                 invalid (e.g. a campaign with neither template nor subject)
"""
from __future__ import annotations

from gclap_sandbox.errors import Conflict, NotFound

Errors = dict[str, list[str]]


def unknown_reference(errors: Errors) -> NotFound:
    first_field, messages = next(iter(errors.items()))
    return NotFound(f"{first_field}: {messages[0]}", slug="unknown-reference", errors=errors)


def change_conflict(resource: str, errors: Errors) -> Conflict:
    first_field, messages = next(iter(errors.items()))
    return Conflict(f"{first_field}: {messages[0]}", slug=f"{resource}-conflict", errors=errors)


def time_conflict(field: str, message: str) -> Conflict:
    return Conflict(f"{field}: {message}", slug="sandbox-time-conflict", errors={field: [message]})
