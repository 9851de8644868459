"""BDAT (RFC 3030 CHUNKING) for the sandbox's SMTP server: the message travels as counted
octets, with no dot-stuffing and no terminating line, so it lands exactly as the client had
it: a bare-LF message, or one without a final line break, which DATA cannot carry unchanged.
`gclap-sendmail` uses it whenever the server offers it. The message then goes through the
same DATA hook (chaos rules, limits, capture) as one sent with DATA.
"""
from __future__ import annotations

import asyncio
from typing import Any

from aiosmtpd.smtp import SMTP, syntax


class ChunkingSMTP(SMTP):
    async def smtp_EHLO(self, hostname: str) -> None:
        # aiosmtpd pushes its EHLO lines one by one: add CHUNKING just before the last one, and
        # send the whole reply in one write (one system call instead of one a line).
        push = self.push
        lines: list[str] = []

        async def with_chunking(line: str) -> None:
            if line.startswith("250-"):
                lines.append(line)
                return
            if line.startswith("250 "):
                lines.append("250-CHUNKING")
            await push("\r\n".join([*lines, line]))
            lines.clear()

        self.push = with_chunking  # type: ignore[method-assign]
        try:
            await super().smtp_EHLO(hostname)
        finally:
            del self.push

    @syntax("BDAT size [LAST]")
    async def smtp_BDAT(self, arg: str) -> None:
        parts = arg.split()
        if not parts or not parts[0].isdigit() or len(parts) > 2 or (len(parts) == 2 and parts[1].upper() != "LAST"):
            await self.push("501 5.5.4 Syntax: BDAT size [LAST]")
            return
        try:  # the chunk is read whatever the answer, so its bytes are never taken for commands
            chunk = await self._reader.readexactly(int(parts[0]))
        except asyncio.IncompleteReadError:
            return  # the client went away
        if await self.check_helo_needed() or await self.check_auth_needed("BDAT"):
            return
        envelope: Any = self.envelope
        if envelope is None or not envelope.rcpt_tos:
            await self.push("503 5.5.1 Error: need RCPT command")
            return
        chunks: list[bytes] = envelope.__dict__.setdefault("bdat_chunks", [])
        received = envelope.__dict__.get("bdat_size", 0) + len(chunk)
        envelope.bdat_size = received
        limit = self.data_size_limit
        if not (limit and received > limit):
            chunks.append(chunk)  # past the limit nothing more is kept; the last chunk answers 552
        if len(parts) == 1:
            await self.push(f"250 2.0.0 {len(chunk)} octets received")
            return
        if limit and received > limit:
            await self.push(f"552 5.3.4 Message size exceeds fixed limit of {limit} bytes")
        else:
            envelope.content = envelope.original_content = b"".join(chunks)
            await self.push(await self._call_handler_hook("DATA") or "250 OK")
        self._set_post_data_state()


__all__ = ["ChunkingSMTP"]
