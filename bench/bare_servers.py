"""Bare baseline servers for bench_ingest.py (run as subprocesses).

    python bench/bare_servers.py smtp   # aiosmtpd sink: handle_DATA just returns "250 OK"
    python bench/bare_servers.py http   # Sanic app: one POST route, parse JSON, return 202

Each one prints a single JSON line on stdout once it accepts connections, in
the same shape as the sandbox's ready line (``smtp_host``/``smtp_port`` or
``http_url``), so the benchmark can start every target the same way. They do
the least work their framework allows, which makes them the floor that the
sandbox's per-message cost is compared against.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import socket
import sys

HOST = "127.0.0.1"
SEND_PATH = "/api/v1/emails/send/"


def announce(info: dict) -> None:
    print(json.dumps(info), flush=True)


# --- SMTP -------------------------------------------------------------------


class SinkHandler:
    """Accept every message and throw it away."""

    async def handle_DATA(self, server, session, envelope) -> str:
        return "250 OK"


async def serve_smtp_sink() -> None:
    from aiosmtpd.smtp import SMTP

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        functools.partial(SMTP, SinkHandler(), hostname="bench"), HOST, 0
    )
    port = server.sockets[0].getsockname()[1]
    announce({"smtp_host": HOST, "smtp_port": port})
    async with server:
        await server.serve_forever()


def run_smtp_sink() -> None:
    if "--uvloop" in sys.argv:
        import uvloop

        uvloop.run(serve_smtp_sink())
    else:
        asyncio.run(serve_smtp_sink())


# --- HTTP -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def run_sanic_app() -> None:
    from sanic import Sanic
    from sanic.response import json as json_response

    app = Sanic("bare_bench", configure_logging=False)
    ids = itertools.count(1)
    port = free_port()

    @app.post(SEND_PATH)
    async def send(request):
        payload = request.json  # parse the body, like a real handler would
        return json_response({"id": next(ids), "to": payload["to"]}, status=202)

    @app.after_server_start
    async def ready(app):
        announce({"http_url": f"http://{HOST}:{port}"})

    app.run(HOST, port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    if kind == "smtp":
        run_smtp_sink()
    elif kind == "http":
        run_sanic_app()
    else:
        sys.exit("usage: bare_servers.py smtp [--uvloop] | http")
