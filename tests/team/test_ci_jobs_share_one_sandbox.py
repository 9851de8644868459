"""A shared team sandbox: two `serve` processes on one database, four CI jobs using it at once.

Each job makes its own organization with the admin key, subscribes a real webhook receiver,
and sends by REST to one process and by SMTP to the other at the same time as the other jobs;
then it schedules a campaign on its clock. Every email must land in exactly its own
organization (seen the same from both processes), every webhook must arrive exactly once, the
campaign must run once, and one organization's reset must touch no other.
"""
from __future__ import annotations

import smtplib
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Iterator

import httpx
import pytest
from helpers import ok, simple_message, wait_until
from serve_subprocess import ServedProcess, serve
from shared_databases import shared_database  # noqa: F401  (fixture)
from webhook_receiver import Receiver

JOBS = 4
REST_SENDS = 5
SMTP_SENDS = 5
CAMPAIGN_CONTACTS = 2
EVENTS = ["email.sent", "email.delivered"]
ADMIN_KEY = "gsk_test_shared_admin_" + "a" * 32


@pytest.fixture
def two_processes(shared_database: str) -> Iterator[tuple[ServedProcess, ServedProcess]]:  # noqa: F811
    url = shared_database
    first = serve("--db", url, "--api-key", ADMIN_KEY)
    try:
        second = serve("--db", url, "--api-key", ADMIN_KEY)
    except BaseException:
        first.stop()
        raise
    try:
        yield first, second
    finally:
        for process in (first, second):  # shown when the test fails: what the server said
            print(f"--- {process.http_url} stderr (last lines)\n" + "\n".join(process.stop().splitlines()[-60:]))


class Job:
    """One simulated CI job: its organization, its key and what it sent."""

    def __init__(self, number: int, processes: tuple[ServedProcess, ServedProcess], receiver: Receiver) -> None:
        self.marker = f"job{number}-{uuid.uuid4().hex[:6]}"
        self.rest_process, self.smtp_process = processes if number % 2 == 0 else processes[::-1]
        with httpx.Client(base_url=self.rest_process.http_url, timeout=30,
                          headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as admin:
            created = ok(admin.post("/api/v1/sandbox/organizations/", json={"name": self.marker}), 201)
        self.organization_id, self.key = created["id"], created["api_key"]["key"]
        self.receiver_path = self.marker
        with self.client(self.rest_process) as api:
            ok(api.post("/api/v1/webhooks/endpoints/", json={
                "url": receiver.url(self.receiver_path), "events": EVENTS, "description": self.marker}), 201)

    def client(self, process: ServedProcess) -> httpx.Client:
        return httpx.Client(base_url=process.http_url, timeout=30, headers={"Authorization": f"Bearer {self.key}"})

    def send_by_rest(self) -> None:
        with self.client(self.rest_process) as api:
            for n in range(REST_SENDS):
                ok(api.post("/api/v1/emails/send/", json={
                    "to": [f"rest{n}-{self.marker}@example.com"], "from_email": f"ci@{self.marker}.example",
                    "subject": f"{self.marker} rest {n}", "text": "sent by REST"}), 202)

    def send_by_smtp(self) -> None:
        with smtplib.SMTP("127.0.0.1", self.smtp_process.smtp_port, timeout=30) as smtp:
            smtp.login("apikey", self.key)
            for n in range(SMTP_SENDS):
                to = f"smtp{n}-{self.marker}@example.com"
                smtp.send_message(simple_message(f"{self.marker} smtp {n}", to=to, sender=f"ci@{self.marker}.example"))

    def schedule_campaign(self) -> str:
        """A campaign due in an hour of this organization's clock, created on one process."""
        with self.client(self.rest_process) as api:
            contacts = [ok(api.post("/api/v1/contacts/", json={"email": f"c{n}-{self.marker}@example.com"}), 201)["id"]
                        for n in range(CAMPAIGN_CONTACTS)]
            campaign = ok(api.post("/api/v1/campaigns/", json={
                "name": self.marker, "subject": f"{self.marker} campaign", "text": "Hello",
                "from_email": f"news@{self.marker}.example", "audience": {"contact_ids": contacts}}), 201)
            now = datetime.fromisoformat(ok(api.get("/api/v1/sandbox/clock/"))["now"].replace("Z", "+00:00"))
            send_at = (now + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
            ok(api.post(f"/api/v1/campaigns/{campaign['id']}/send/", json={"send_at": send_at}))
        return campaign["id"]

    def subjects(self, process: ServedProcess) -> list[str]:
        with self.client(process) as api:
            return sorted(e["subject"] for e in ok(api.get("/api/v1/emails/", params={"page_size": 500}))["results"])

    @property
    def expected_subjects(self) -> list[str]:
        return sorted([f"{self.marker} rest {n}" for n in range(REST_SENDS)]
                      + [f"{self.marker} smtp {n}" for n in range(SMTP_SENDS)]
                      + [f"{self.marker} campaign"] * CAMPAIGN_CONTACTS)


def run_job(job: Job) -> str:
    with ThreadPoolExecutor(max_workers=2) as pool:
        for sent in [pool.submit(job.send_by_rest), pool.submit(job.send_by_smtp)]:
            sent.result()
    campaign_id = job.schedule_campaign()
    with job.client(job.smtp_process) as api:  # the clock moves on the other process than the one that scheduled
        ok(api.post("/api/v1/sandbox/clock/advance/", json={"seconds": 2 * 3600}))
    return campaign_id


def test_four_ci_jobs_each_see_only_their_own_mail_and_webhooks_arrive_once(
        two_processes: tuple[ServedProcess, ServedProcess]) -> None:
    receiver = Receiver()
    try:
        jobs = [Job(n, two_processes, receiver) for n in range(JOBS)]
        with ThreadPoolExecutor(max_workers=JOBS) as pool:
            campaigns = list(pool.map(run_job, jobs))

        for job, campaign_id in zip(jobs, campaigns):
            with job.client(job.rest_process) as api:
                wait_until(lambda: ok(api.get(f"/api/v1/campaigns/{campaign_id}/"))["status"] == "sent",
                           f"{job.marker}'s campaign to finish", within=60)
            for process in two_processes:
                assert job.subjects(process) == job.expected_subjects, f"{job.marker} as seen by {process.http_url}"

        expected_webhooks = len(jobs[0].expected_subjects) * len(EVENTS)
        for job in jobs:
            receiver.wait_for(job.receiver_path, expected_webhooks)
        for job in jobs:
            with job.client(job.rest_process) as api:
                wait_until(lambda: ok(api.get("/api/v1/webhooks/deliveries/", params={"status": "pending"}))["count"] == 0,
                           f"{job.marker}'s deliveries to settle", within=60)
            delivered = receiver.requests[job.receiver_path]
            ids = [request.headers["webhook-id"] for request in delivered]
            assert len(ids) == len(set(ids)) == expected_webhooks, f"{job.marker}: {len(ids)} posts, {len(set(ids))} ids"
            assert all(job.marker in request.body for request in delivered)

        with jobs[0].client(jobs[0].smtp_process) as api:
            ok(api.post("/api/v1/sandbox/reset/", json={}))
        for process in two_processes:
            assert jobs[0].subjects(process) == []
            for job in jobs[1:]:
                assert job.subjects(process) == job.expected_subjects
    finally:
        receiver.stop()
