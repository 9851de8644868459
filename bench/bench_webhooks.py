"""Webhook delivery throughput: the sandbox's dispatcher against a bare httpx loop.

This is a benchmark, not a test: it prints figures and never asserts on time.

    .venv/bin/python bench/bench_webhooks.py [--deliveries N] [--concurrency C]

Both targets post the same signed JSON bodies to the same local receiver (a minimal
asyncio HTTP/1.1 server in its own process that answers 200 to every POST):

1. sandbox: N emails are sent while the endpoint points at a closed port, so every
   `email.sent` delivery fails once and waits for its 5 s retry. Then the endpoint is
   pointed at the receiver and the sandbox clock is advanced past the retry; the advance
   answers only once every due delivery was posted and recorded, so N / its duration is
   the dispatcher's rate (sign, post, read the answer, write the attempt to SQLite).
2. bare: an httpx.AsyncClient posting the same bodies and headers with the same
   concurrency (a semaphore), doing nothing else.

sandbox/bare is the fraction of the bare loop's rate the dispatcher keeps.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


# --- the receiver (run as `bench_webhooks.py receiver`) ---------------------------------

class _Receiver(asyncio.Protocol):
    received = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            end = head_end + 4 + length
            if len(self.buffer) < end:
                return
            self.buffer = self.buffer[end:]
            if head.startswith("GET /count"):
                body = str(_Receiver.received).encode()
            else:
                _Receiver.received += 1
                body = b'{"ok":true}'
            self.transport.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                                 + str(len(body)).encode() + b"\r\n\r\n" + body)


async def _serve_receiver() -> None:
    server = await asyncio.get_running_loop().create_server(_Receiver, HOST, 0)
    print(json.dumps({"port": server.sockets[0].getsockname()[1]}), flush=True)
    async with server:
        await server.serve_forever()


# --- driving -----------------------------------------------------------------------------

def _start(command: list[str]) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    return process, json.loads(process.stdout.readline())


def _received(port: int) -> int:
    return int(httpx.get(f"http://{HOST}:{port}/count").text)


async def _send_emails(base: str, key: str, count: int) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=20)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        gate = asyncio.Semaphore(20)

        async def one(n: int) -> None:
            async with gate:
                response = await client.post("/api/v1/emails/send/", json={
                    "to": f"user{n}@example.com", "from_email": "app@shop.example", "subject": f"Order {n}",
                    "text": "Thanks for your order.", "tags": ["orders"], "metadata": {"order": str(n)}})
                response.raise_for_status()

        await asyncio.gather(*(one(n) for n in range(count)))


async def _bare(url: str, requests: list[tuple[dict, str]], concurrency: int) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=10, trust_env=False) as client:
        gate = asyncio.Semaphore(concurrency)

        async def one(headers: dict, body: str) -> None:
            async with gate:
                response = await client.post(url, content=body.encode(), headers=headers)
                await response.aread()
                assert 200 <= response.status_code < 300

        started = time.perf_counter()
        await asyncio.gather(*(one(h, b) for h, b in requests))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32,
                        help="requests in flight to the one endpoint (the sandbox gets --webhook-concurrency 2C, "
                             "of which one endpoint may use half)")
    args = parser.parse_args()
    n = args.deliveries

    receiver, ready = _start([sys.executable, __file__, "receiver"])
    port = ready["port"]
    sandbox, info = _start([sys.executable, "-m", "gclap_sandbox", "serve", "--http", "127.0.0.1:0",
                            "--smtp", "127.0.0.1:0", "--db", ":memory:",
                            "--webhook-concurrency", str(args.concurrency * 2), "--webhook-disable-after", "0",
                            "--log-level", "WARNING"])
    try:
        api = httpx.Client(base_url=info["http_url"], headers={"Authorization": f"Bearer {info['api_key']}"},
                           timeout=600)
        endpoint = api.post("/api/v1/webhooks/endpoints/", json={
            "url": f"http://{HOST}:1/closed", "events": ["email.sent"]}).json()
        started = time.perf_counter()
        asyncio.run(_send_emails(info["http_url"], info["api_key"], n))
        sent = time.perf_counter() - started
        # First attempts recorded, `email.delivered` jobs run; no retry is due yet.
        api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 2}).raise_for_status()
        api.patch(f"/api/v1/webhooks/endpoints/{endpoint['id']}/",
                  json={"url": f"http://{HOST}:{port}/hooks"}).raise_for_status()
        before = _received(port)
        started = time.perf_counter()
        # Past the 5 s and 5 min retries: sending took real time, so some have failed twice.
        api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 400}).raise_for_status()
        sandbox_seconds = time.perf_counter() - started
        delivered = _received(port) - before
        pending = api.get("/api/v1/webhooks/deliveries/", params={"status": "pending", "page_size": 1}).json()["count"]

        sample = api.get("/api/v1/webhooks/deliveries/", params={"page_size": 200}).json()["results"]
        bodies = []
        for row in sample:
            attempts = api.get(f"/api/v1/webhooks/deliveries/{row['id']}/").json()["attempts"]
            if attempts:
                bodies.append((attempts[-1]["request"]["headers"], attempts[-1]["request"]["body"]))
        counts = {status: api.get("/api/v1/webhooks/deliveries/", params={"status": status, "page_size": 1})
                  .json()["count"] for status in ("pending", "succeeded", "failed")}
        print("deliveries by status:", counts)
        requests = [bodies[i % len(bodies)] for i in range(n)]
        bare_seconds = asyncio.run(_bare(f"http://{HOST}:{port}/hooks", requests, args.concurrency))
    finally:
        sandbox.terminate()
        receiver.terminate()
        sandbox.wait()
        receiver.wait()

    sandbox_rate, bare_rate = delivered / sandbox_seconds, n / bare_seconds
    print(f"setup: {n} emails sent in {sent:.2f} s ({n / sent:.0f}/s), each delivery failed once")
    print(f"sandbox dispatcher: {delivered} deliveries in {sandbox_seconds:.2f} s = {sandbox_rate:.0f}/s "
          f"(still pending: {pending})")
    print(f"bare httpx loop:    {n} posts in {bare_seconds:.2f} s = {bare_rate:.0f}/s")
    print(f"sandbox/bare: {sandbox_rate / bare_rate:.2f}   concurrency: {args.concurrency}   cpus: {os.cpu_count()}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["receiver"]:
        asyncio.run(_serve_receiver())
    else:
        main()
