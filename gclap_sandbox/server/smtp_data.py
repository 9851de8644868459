"""DATA read as one piece: the message up to its terminating `.` line, found with one search of
what has arrived, instead of aiosmtpd's loop of one read per line (most of the time a message
takes on the loop). The result is the same as aiosmtpd's, byte for byte and refusal for
refusal: the transparency dots are removed (RFC 5321 4.5.2), a line longer than
`line_length_limit` answers `500`, and more than `data_size_limit` octets answer `552`.
A message that does not fit in memory within the limit, a connection that ends, or a stream
without the reader's usual internals goes through aiosmtpd's own loop instead.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.smtp import MISSING, SMTP

log = logging.getLogger("gclap_sandbox.smtp")

START_DATA = "354 End data with <CR><LF>.<CR><LF>"
END = b"\r\n.\r\n"  # a line holding only a dot ends the message
EMPTY_MESSAGE = b".\r\n"  # ... also as its first line
TOO_LONG = "500 Line too long (see RFC5321 4.5.3.1.6)"
TOO_MUCH = "552 Error: Too much mail data"
# The reader's internals the one-piece read needs (asyncio.StreamReader, unchanged since 3.7).
READER_PARTS = ("_buffer", "_wait_for_data", "_maybe_resume_transport", "_eof", "_exception")


class WholeDataSMTP(SMTP):
    async def smtp_DATA(self, arg: str) -> None:
        session, envelope, reader = self.session, self.envelope, self._reader
        if (session is None or not session.host_name or (self._auth_required and not session.authenticated)
                or envelope is None or not envelope.rcpt_tos or arg or self._decode_data
                or not all(hasattr(reader, part) for part in READER_PARTS)):
            await super().smtp_DATA(arg)  # its refusals, in its words
            return
        await self.push(START_DATA)
        try:
            message = await self._whole_message(reader)
        except asyncio.CancelledError:
            log.info("connection lost during DATA")
            self._writer.close()
            raise
        if message is None:
            await self._data_by_lines(arg)
            return
        refusal = self._refusal(message)
        if refusal is not None:
            await self.push(refusal)
            self._set_post_data_state()
            return
        # Transparency (RFC 5321 4.5.2): a line's leading dot was added by the client.
        content = message[1:] if message.startswith(b".") else message
        content = content.replace(b"\r\n.", b"\r\n")
        envelope.content = envelope.original_content = content
        status: Any = await self._call_handler_hook("DATA") if "DATA" in self._handle_hooks else MISSING
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)

    async def _whole_message(self, reader: asyncio.StreamReader) -> bytes | None:
        """The message's lines (CRLF included, dots as sent), taken from the stream with its
        terminator; None, with nothing taken, when it must be read line by line instead."""
        buffer: bytearray = reader._buffer  # type: ignore[attr-defined]
        limit = self.data_size_limit
        searched = 0
        while True:
            if buffer.startswith(EMPTY_MESSAGE):
                del buffer[:len(EMPTY_MESSAGE)]
                reader._maybe_resume_transport()  # type: ignore[attr-defined]
                return b""
            end = buffer.find(END, searched)
            if end >= 0:
                message = bytes(buffer[:end + 2])
                del buffer[:end + len(END)]
                reader._maybe_resume_transport()  # type: ignore[attr-defined]
                return message
            if (limit and len(buffer) > limit + len(END)) or reader._eof or reader._exception:  # type: ignore[attr-defined]
                return None
            searched = max(0, len(buffer) - len(END) + 1)
            await reader._wait_for_data("smtp_DATA")  # type: ignore[attr-defined]

    def _refusal(self, message: bytes) -> str | None:
        """aiosmtpd's refusal of these lines, the first one it would meet (None: acceptable)."""
        limit, longest = self.data_size_limit, self.line_length_limit
        if not (limit and len(message) > limit) and (
                len(message) <= longest or max(map(len, message.split(b"\r\n"))) + 2 <= longest):
            return None  # the usual case, decided without a list of lines
        lines = [line + b"\r\n" for line in message.split(b"\r\n")[:-1]]
        # In aiosmtpd's order: a line past the stream's limit (two octets beyond, the CRLF) is
        # refused as it arrives; otherwise the octets are counted first, then the line measured.
        received = 0
        for line in lines:
            if len(line) > longest + 2:
                return TOO_LONG
            received += len(line)
            if limit and received > limit:
                return TOO_MUCH
            if len(line) > longest:
                return TOO_LONG
        return None

    async def _data_by_lines(self, arg: str) -> None:
        """aiosmtpd's DATA, from the message's first octet still unread; its `354` went out."""
        push = self.push

        async def after_start(status: Any) -> None:
            if status != START_DATA:
                await push(status)

        self.push = after_start  # type: ignore[method-assign]
        try:
            await super().smtp_DATA(arg)
        finally:
            del self.push


__all__ = ["WholeDataSMTP"]
