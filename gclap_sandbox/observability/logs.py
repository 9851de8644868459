"""The process's log output: one line per record on stderr, as text or as one JSON object.

Structured lines carry their fields in `extra={"fields": {...}}` (see `log_fields`): the text
form appends them as `key=value`, the JSON form as keys of their own. Formatting happens only
for records that pass the level, and both formatters do little more than join strings, so a
line per captured email costs microseconds (bench/log_cost.py measures it).
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

FORMATS = ("text", "json")
# Loggers that speak for every request, connection or start: their lines say nothing ours do not.
_NEEDS_QUOTES = re.compile(r'[\s"=]')  # a text value with these is written as a JSON string
_NOISY = ("sanic.access", "sanic.root", "sanic.server", "mail.log", "httpx")


def log_fields(logger: logging.Logger, message: str, **fields: Any) -> None:
    """Log `message` at INFO with `fields`, building nothing when INFO is off."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(message, extra={"fields": fields})


class _Timestamps:
    """ISO 8601 UTC times to the millisecond; the date and time part is formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:
            self._second, self._prefix = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int(record.msecs):03d}Z"


def _text_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    text = "" if value is None else str(value)
    if not text or _NEEDS_QUOTES.search(text):
        return json.dumps(text, ensure_ascii=False)
    return text


class _StampedFormatter(logging.Formatter):
    """A formatter whose lines start with a UTC timestamp (`_Timestamps`)."""

    def __init__(self) -> None:
        super().__init__()
        self._time = _Timestamps()


class TextFormatter(_StampedFormatter):
    """`2026-01-02T03:04:05.678Z INFO gclap_sandbox.mail: email captured id=... size=123`"""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{self._time(record)} {record.levelname} {record.name}: {record.getMessage()}"
        fields = getattr(record, "fields", None)
        if fields:
            line += " " + " ".join(f"{key}={_text_value(value)}" for key, value in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(_StampedFormatter):
    """One JSON object per line: time, level, logger, message, then the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"time": self._time(record), "level": record.levelname.lower(),
                                 "logger": record.name, "message": record.getMessage()}
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)  # one line: JSON escapes it
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", fmt: str = "text", quiet: bool = False) -> None:
    """Send every log record of the process to stderr in `fmt`; `quiet` keeps only errors.
    stdout stays for the ready line."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.ERROR if quiet else getattr(logging, level.upper(), logging.INFO))
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Sanic gives its loggers handlers of their own when it configures logging; the sandbox
    # turns that off (server/app.py), so every line goes through the handler above.


__all__ = ["FORMATS", "JsonFormatter", "TextFormatter", "configure_logging", "log_fields"]
