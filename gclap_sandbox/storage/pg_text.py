"""Text with NUL characters on PostgreSQL, which cannot store them in a text column.

SQLite keeps any string; PostgreSQL refuses U+0000 in `text` and `varchar`. So that a subject, a
name or a body with one is stored and reads back the same on both engines, strings are escaped
on the way in and unescaped on the way out, with two Unicode noncharacters (reserved for a
program's internal use, never interchanged): U+0000 is stored as U+FDD0 U+FDD2, and U+FDD0 itself
as U+FDD0 U+FDD1, so every string reads back exactly. Only strings holding one of the two pay.
"""
from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg.types.string import StrBinaryDumper, StrDumperUnknown, TextBinaryLoader, TextLoader

MARK = "\ufdd0"
_ESCAPES = {0: MARK + "\ufdd2", ord(MARK): MARK + "\ufdd1"}
_ESCAPED = re.compile(MARK + "([\ufdd1\ufdd2])")
_UNESCAPES = {"\ufdd1": MARK, "\ufdd2": "\x00"}


def escaped(value: str) -> str:
    return value.translate(_ESCAPES) if "\x00" in value or MARK in value else value


def unescaped(value: str) -> str:
    return _ESCAPED.sub(lambda found: _UNESCAPES[found.group(1)], value) if MARK in value else value


class _Dumper(StrDumperUnknown):
    def dump(self, obj: str) -> Any:
        return super().dump(escaped(obj))


class _BinaryDumper(StrBinaryDumper):
    def dump(self, obj: str) -> Any:
        return super().dump(escaped(obj))


class _Loader(TextLoader):
    def load(self, data: Any) -> Any:
        value = super().load(data)
        return unescaped(value) if isinstance(value, str) else value


class _BinaryLoader(TextBinaryLoader):
    def load(self, data: Any) -> Any:
        value = super().load(data)
        return unescaped(value) if isinstance(value, str) else value


def register(connection: psycopg.Connection) -> None:
    """Escape and unescape the strings of this connection (once, as it opens)."""
    adapters = connection.adapters
    adapters.register_dumper(str, _BinaryDumper)
    adapters.register_dumper(str, _Dumper)  # last: the default for `%s`
    for name in ("text", "varchar", "bpchar"):
        adapters.register_loader(name, _Loader)
        adapters.register_loader(name, _BinaryLoader)
