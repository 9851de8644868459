"""DATA read in one piece (server/smtp_data.py) answers and stores exactly what aiosmtpd's own
line-by-line DATA does: the same replies and the same bytes, for dot-stuffed lines, bare LFs,
empty messages, lines at and past the length limit, messages past the size limit, commands
pipelined behind the terminator, and data arriving in pieces that split the terminator."""
from __future__ import annotations

import asyncio

import pytest
from helpers import run_async

from aiosmtpd.smtp import SMTP

from gclap_sandbox.server.smtp_data import WholeDataSMTP

SIZE_LIMIT = 3000
DEADLINE = 30.0
START = b"EHLO client.test\r\nMAIL FROM:<app@example.com>\r\nRCPT TO:<to@example.com>\r\nDATA\r\n"
LINE = b"x" * 60 + b"\r\n"


class Recorder:
    def __init__(self) -> None:
        self.stored: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.stored.append(envelope.original_content)
        return f"250 stored {len(envelope.original_content)}"


def long_line(length: int) -> bytes:
    """A line of `length` octets, its CRLF included."""
    return b"y" * (length - 2) + b"\r\n"


CASES = {
    "plain": [START + b"Subject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n"],
    "dot-stuffed": [START + b".leading\r\n..two\r\nmid.dle\r\n..\r\n\r\n...\r\n.\r\nQUIT\r\n"],
    "empty": [START + b".\r\nQUIT\r\n"],
    "one empty line": [START + b"\r\n.\r\nQUIT\r\n"],
    "bare line feeds": [START + b"a\nb\n.\nc\r\n.\r\nQUIT\r\n"],
    "lines at the limit": [START + long_line(1001) + long_line(1001) + b".\r\nQUIT\r\n"],
    "a line one past": [START + long_line(1002) + b"after\r\n.\r\nQUIT\r\n"],
    "a line three past": [START + long_line(1004) + b".\r\nQUIT\r\n"],
    "a very long line": [START + long_line(5000) + b".\r\nQUIT\r\n"],
    "past the size limit": [START + LINE * 60 + b".\r\nQUIT\r\n"],
    "long line after the size": [START + LINE * 60 + long_line(1200) + b".\r\nQUIT\r\n"],
    "size passed by a long line": [START + LINE * 40 + long_line(1002) + LINE * 40 + b".\r\nQUIT\r\n"],
    "size passed by a far too long line": [START + LINE * 40 + long_line(1100) + b".\r\nQUIT\r\n"],
    "two messages pipelined": [START + b"one\r\n.\r\nMAIL FROM:<b@example.com>\r\nRCPT TO:<c@example.com>\r\n"
                               b"DATA\r\ntwo\r\n..\r\n.\r\nQUIT\r\n"],
    "terminator split": [START, b"first\r\n", b"second\r", b"\n.", b"\r", b"\nQUIT\r\n"],
    "in small pieces": [START, *(bytes([c]) for c in b".a\r\n..b\r\nc\r\n"), b".\r\nQUIT\r\n"],
    "dot in a piece of its own": [START, b".", b"\r\nQUIT\r\n"],
    "over the limit in pieces": [START, *([LINE * 20] * 4), b".\r\nQUIT\r\n"],
}


async def transcript(protocol: type[SMTP], pieces: list[bytes]) -> tuple[bytes, list[bytes]]:
    """Every reply of a session that sends `pieces` one after another, and what was stored."""
    recorder = Recorder()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: protocol(recorder, hostname="sandbox.test", data_size_limit=SIZE_LIMIT), "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.02)  # each piece arrives on its own
        replies = await asyncio.wait_for(reader.read(), DEADLINE)  # until the server closes (QUIT)
        writer.close()
        return replies, recorder.stored
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("pieces", CASES.values(), ids=CASES.keys())
def test_data_read_in_one_piece_answers_and_stores_as_aiosmtpd_does(pieces):
    async def both() -> tuple[tuple[bytes, list[bytes]], tuple[bytes, list[bytes]]]:
        return await transcript(SMTP, pieces), await transcript(WholeDataSMTP, pieces)

    expected, ours = run_async(both())
    assert b"221" in expected[0]  # the session ran to its QUIT
    assert ours == expected
