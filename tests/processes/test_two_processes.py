"""Two `serve` processes on one SQLite file behave as one sandbox: mail captured by either is
read through both, due work runs once, webhooks arrive once, rate limits count both, the clock
is one clock, and a live inbox connected to one shows mail the other captured."""
from __future__ import annotations

import json
import queue
import smtplib
import threading
import time
import uuid

import httpx
from lifecycle_helpers import MAGIC
from process_helpers import DEADLINE, new_organization, ok, until
from webhook_helpers import subscribe

from helpers import simple_message


def subjects(api: httpx.Client, address: str) -> list[str]:
    return sorted(e["subject"] for e in ok(api.get("/api/v1/emails/", params={"to": address}))["results"])


def smtp_send(process, key: str | None, message) -> None:
    with smtplib.SMTP("127.0.0.1", process.smtp_port, timeout=30) as smtp:
        if key:
            smtp.login("apikey", key)
        smtp.send_message(message)


def rest_send(api: httpx.Client, to: str, subject: str) -> str:
    return ok(api.post("/api/v1/emails/send/", json={"to": [to], "subject": subject, "text": "hi",
                                                     "from_email": "app@shop.example"}), 202)["id"]


def test_mail_sent_to_either_process_by_smtp_or_rest_is_read_through_both(pair, organization):
    address = f"both-{uuid.uuid4().hex[:8]}@example.com"
    with pair.client(pair.a, organization) as a, pair.client(pair.b, organization) as b:
        rest_send(a, address, "REST to A")
        rest_send(b, address, "REST to B")
        smtp_send(pair.a, organization, simple_message("SMTP to A", to=address))
        smtp_send(pair.b, organization, simple_message("SMTP to B", to=address))
        expected = ["REST to A", "REST to B", "SMTP to A", "SMTP to B"]
        until(lambda: subjects(a, address) == expected, "A lists all four")
        until(lambda: subjects(b, address) == expected, "B lists all four")


def test_due_jobs_and_their_webhooks_run_exactly_once_with_two_processes(pair, organization, slow_receiver):
    count = 10
    with pair.client(pair.a, organization) as a, pair.client(pair.b, organization) as b:
        # One webhook per email: an email's webhooks are posted in order, so a second event type
        # would only queue behind the first's slow answer (the jobs of both still run, checked below).
        endpoint = subscribe(a, slow_receiver.url, ["email.opened"])
        ids = [rest_send(a if n % 2 else b, f"opened+{n}@{MAGIC}", f"Once {n}") for n in range(count)]
        ok(b.post("/api/v1/sandbox/clock/advance/", json={"seconds": 3600}))  # both workers take due work

        slow_receiver.wait_for(count)

        def all_recorded() -> list[dict] | None:
            done = ok(a.get("/api/v1/webhooks/deliveries/", params={
                "endpoint": endpoint["id"], "status": "succeeded", "page_size": 100}))["results"]
            return done if len(done) == count else None

        done = until(all_recorded, "every delivery recorded as succeeded")
        assert [d["attempt_count"] for d in done] == [1] * count
        assert sorted(slow_receiver.webhook_ids) == sorted(d["webhook_id"] for d in done)  # each posted once
        for email_id in ids:
            types = [e["type"] for e in ok(b.get(f"/api/v1/emails/{email_id}/events/"))["results"]]
            assert types.count("email.delivered") == 1 and types.count("email.opened") == 1, types


def test_the_rate_limit_counts_requests_to_both_processes(pair):
    with pair.client(pair.a) as admin:
        key = new_organization(admin, "Limited " + uuid.uuid4().hex[:6], plan="free")
    limit = 100  # the free plan's requests per minute: a window no test run takes a minute to fill
    with pair.client(pair.a, key) as a, pair.client(pair.b, key) as b:
        statuses = [(a if n % 2 else b).get("/api/v1/emails/").status_code for n in range(limit + 20)]
    assert statuses.count(200) == limit and statuses.count(429) == 20
    assert statuses[:limit] == [200] * limit


def test_an_organizations_clock_moved_through_one_process_is_the_others_clock(pair, organization):
    with pair.client(pair.a, organization) as a, pair.client(pair.b, organization) as b:
        moved = ok(a.post("/api/v1/sandbox/clock/advance/", json={"seconds": 7200}))
        seen = ok(b.get("/api/v1/sandbox/clock/"))
        assert seen["offset_seconds"] == moved["offset_seconds"] > 7000
        created = ok(b.get(f"/api/v1/emails/{rest_send(b, 'x@example.com', 'Later')}/"))["created_at"]
        assert created >= moved["now"]


def test_the_live_pages_of_one_process_show_mail_and_events_the_other_stored(pair):
    messages: queue.Queue[tuple[str, dict]] = queue.Queue()
    stop = threading.Event()

    def read_stream() -> None:  # what a browser's EventSource on process A receives
        with httpx.Client(base_url=pair.a.http_url, timeout=DEADLINE) as browser:
            with browser.stream("GET", "/ui/events") as stream:
                kind = ""
                for line in stream.iter_lines():
                    if line.startswith("retry:"):
                        messages.put(("subscribed", {}))
                    elif line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("data:"):
                        messages.put((kind, json.loads(line[5:])))
                    if stop.is_set():
                        return

    def heard(kind: str, **expected: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while True:
            got, data = messages.get(timeout=max(0.1, deadline - time.monotonic()))
            if got == kind and all(data.get(key) == value for key, value in expected.items()):
                return

    reader = threading.Thread(target=read_stream, daemon=True)
    reader.start()
    try:
        heard("subscribed")
        with pair.client(pair.b) as b:
            email_id = rest_send(b, "live@example.com", "Captured by B")
            heard("email", id=email_id)  # the inbox inserts the row
            ok(b.post(f"/api/v1/emails/{email_id}/simulate/", json={"event": "opened"}), 201)
            heard("event", email_id=email_id, type="email.opened")  # the email's page refreshes
            stop.set()
            rest_send(b, "live@example.com", "Wakes the reader")  # rather than the 15-s keep-alive
    finally:
        stop.set()
    reader.join(DEADLINE)
    assert not reader.is_alive()


def test_a_key_revoked_through_one_process_stops_working_in_the_other(pair, organization):
    with pair.client(pair.a, organization) as a:
        created = ok(a.post("/api/v1/accounts/api-keys/", json={"name": "short-lived"}), 201)
    with pair.client(pair.b, created["key"]) as b:
        ok(b.get("/api/v1/emails/"))  # B knows the key now
        with pair.client(pair.a, organization) as a:
            ok(a.delete(f"/api/v1/accounts/api-keys/{created['id']}/"), 204)
        until(lambda: b.get("/api/v1/emails/").status_code == 401, "B refuses the revoked key")
