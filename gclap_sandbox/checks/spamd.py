"""A SPAMC protocol client: ask a SpamAssassin daemon (spamd) for its report on a message.

One `REPORT SPAMC/1.5` request per message, as `spamc -R` sends it; spamd answers
`SPAMD/1.1 0 EX_OK`, a `Spam: True|False ; score / threshold` header and the report text,
whose "Content analysis details" table lists the rules that hit.
"""
from __future__ import annotations

import asyncio
import re
from typing import Any

MAX_MESSAGE = 512 * 1024  # spamc's default: larger messages are not sent for scanning
MAX_REPLY = 1024 * 1024
TIMEOUT = 30.0  # seconds for the whole exchange (spamd can take a few seconds per message)
_STATUS = re.compile(r"^SPAMD/(\d+\.\d+)\s+(\d+)\s+(.*)$")
_SPAM = re.compile(r"^\s*(true|false|yes|no)\s*;\s*(-?[\d.]+)\s*/\s*(-?[\d.]+)\s*$", re.I)
_RULE_LINE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$")


class SpamdError(Exception):
    """spamd could not be reached, refused the request or answered something unreadable."""


async def report(host: str, port: int, message: bytes, *, timeout: float = TIMEOUT) -> dict[str, Any]:
    """spamd's verdict on `message`: is_spam, score, threshold, rules (score, name, description), report."""
    if len(message) > MAX_MESSAGE:
        raise SpamdError(f"The message is {len(message)} bytes; spamc sends at most {MAX_MESSAGE}.")
    try:
        reply = await asyncio.wait_for(_exchange(host, port, message), timeout)
    except asyncio.TimeoutError:
        raise SpamdError(f"spamd at {host}:{port} did not answer within {timeout:g} s.") from None
    except OSError as exc:
        raise SpamdError(f"Cannot reach spamd at {host}:{port}: {exc.strerror or exc}.") from None
    return parse_reply(reply)


async def _exchange(host: str, port: int, message: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(b"REPORT SPAMC/1.5\r\n" + f"Content-length: {len(message)}\r\n\r\n".encode("ascii") + message)
        await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()  # spamd reads the body by Content-length; EOF only makes it plain
        reply = await reader.read(MAX_REPLY + 1)
        chunks = [reply]
        while reply and sum(map(len, chunks)) <= MAX_REPLY:
            reply = await reader.read(MAX_REPLY + 1)
            chunks.append(reply)
        data = b"".join(chunks)
        if len(data) > MAX_REPLY:
            raise SpamdError(f"spamd's answer is over {MAX_REPLY} bytes.")
        return data
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


def parse_reply(reply: bytes) -> dict[str, Any]:
    head, sep, body = reply.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = reply.partition(b"\n\n")
    lines = head.decode("utf-8", "replace").splitlines()
    status = _STATUS.match(lines[0].strip()) if lines else None
    if status is None:
        raise SpamdError("spamd answered something that is not SPAMD protocol.")
    if status.group(2) != "0":
        raise SpamdError(f"spamd refused the request: {status.group(2)} {status.group(3).strip()}.")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    spam = _SPAM.match(headers.get("spam", ""))
    if spam is None:
        raise SpamdError("spamd's answer has no readable Spam header.")
    text = body.decode("utf-8", "replace")
    length = headers.get("content-length")
    if length and length.isdigit() and len(body) < int(length):
        raise SpamdError("spamd's answer was cut short.")
    return {"is_spam": spam.group(1).lower() in ("true", "yes"), "score": float(spam.group(2)),
            "threshold": float(spam.group(3)), "rules": report_rules(text), "report": text}


def report_rules(text: str) -> list[dict[str, Any]]:
    """The rules of a report's "pts rule name description" table (continuation lines joined)."""
    rules: list[dict[str, Any]] = []
    in_table = False
    for line in text.splitlines():
        if line.strip().startswith("---- "):
            in_table = True
            continue
        if not in_table or not line.strip():
            continue
        match = _RULE_LINE.match(line)
        if match:
            rules.append({"score": float(match.group(1)), "rule": match.group(2),
                          "description": match.group(3).strip()})
        elif rules and line.startswith(" "):
            rules[-1]["description"] += " " + line.strip()
    return rules
