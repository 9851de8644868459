"""The content checks (checks package) over recent mail, when this build has them.

`checks_of()` is None when there are no content checks to ask: the content factor is then
"not measured", never guessed.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable


def checks_source() -> Callable[[str], dict[str, Any]] | None:
    try:
        module = importlib.import_module("gclap_sandbox.checks.service")
    except ModuleNotFoundError:
        return None
    return getattr(module, "checks_for_email", None)


def checks_of(email_ids: list[str]) -> list[dict[str, Any]] | None:
    """Each email's checks (DB thread), or None when content checks are not available."""
    source = checks_source()
    if source is None:
        return None
    return [source(email_id) for email_id in email_ids]


def verdict(checks: dict[str, Any]) -> tuple[bool, list[str]]:
    """Whether one email passes its checks, and the problems found (shown in the summary)."""
    problems = [str(problem) for problem in checks.get("problems", [])]
    return not problems, problems
