"""Compact JSON text (no spaces, UTF-8 as is), written fast.

orjson writes the same JSON as `json.dumps(value, separators=(",", ":"), ensure_ascii=False)`
for the values the sandbox stores and answers with, at a fraction of the cost (it runs for every
stored event, job and API answer). What orjson refuses (integers beyond 64 bits, keys that are
not strings, lone surrogates) is written by the standard library, exactly as before. Two
differences remain, both still valid JSON of the same value: floats in exponent form lose a
leading zero (`1e-7`, not `1e-07`), and NaN or infinity, which the standard library writes as
invalid JSON, become `null`.
"""
from __future__ import annotations

import json
from typing import Any

import orjson


def dumps_bytes(value: Any) -> bytes:
    """`value` as compact JSON, UTF-8 encoded."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError: what only the standard library writes
        return _standard(value).encode()


def dumps(value: Any) -> str:
    """`value` as compact JSON text."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return _standard(value)


def _standard(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


__all__ = ["dumps", "dumps_bytes"]
