"""Address and path patterns shared by relay rules and chaos rules (pure, no I/O).

A pattern is a shell-style glob matched against the whole value (`*@example.com`,
`qa+*@corp.test`), or, with the prefix `re:`, a regular expression searched in it
(`re:^ops-\\d+@`). Matching ignores case, as email addresses are compared case-blind.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Iterable

REGEX_PREFIX = "re:"


@dataclass(frozen=True)
class Pattern:
    text: str
    regex: re.Pattern[str]

    def matches(self, value: str) -> bool:
        return self.regex.search(value) is not None


def compile_pattern(text: str) -> Pattern:
    """Compile one pattern; raises ValueError naming the problem for a bad regex or blank text."""
    if not text or not text.strip():
        raise ValueError("a pattern may not be blank")
    if text.startswith(REGEX_PREFIX):
        source = text[len(REGEX_PREFIX):]
        if not source:
            raise ValueError("`re:` needs a regular expression after it")
        try:
            return Pattern(text, re.compile(source, re.IGNORECASE))
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
    return Pattern(text, re.compile(fnmatch.translate(text), re.IGNORECASE))


def compile_patterns(texts: Iterable[str]) -> tuple[Pattern, ...]:
    return tuple(compile_pattern(text) for text in texts)


def pattern_error(text: str) -> str | None:
    """The problem with a pattern, or None when it compiles (for validators)."""
    try:
        compile_pattern(text)
    except ValueError as exc:
        return str(exc)
    return None


def any_match(patterns: Iterable[Pattern], value: str) -> bool:
    return any(p.matches(value) for p in patterns)
