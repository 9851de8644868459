"""POST /api/v1/emails/send/ answers 202 once the send is durable (its quota charged), concurrent
sends share commits, the answer is what the inbox then shows (with `email.sent` recorded), and
sends answered before a SIGKILL are filed, exactly as sent, at the next start."""
from __future__ import annotations

import signal
from concurrent.futures import ThreadPoolExecutor

import httpx
from durability import committed, usage
from sandbox_process import start_sandbox

SEND = "/api/v1/emails/send/"


def _request(n: int, unique: str) -> dict:
    # Bodies with bare LF: the API stores text and html as given, while MIME carries CRLF.
    return {"to": [f"Reader {n} <intake-{unique}@example.com>"], "bcc": [f"hidden-{unique}@example.com"],
            "from_email": "App <app@example.com>", "subject": f"intake {n}", "text": f"line one {n}\nline two",
            "html": f"<p>{n}</p>\n<p>two</p>", "tags": ["intake", f"n{n}"], "metadata": {"n": n}}


def _but_status(email: dict, answer: dict) -> dict:
    """The fields of `email` that the send's answer has, but the status (it moves on as outcomes
    fall due)."""
    return {name: email[name] for name in answer if name != "status"}


def _client(sandbox) -> httpx.Client:
    return httpx.Client(base_url=sandbox.http_url, headers={"Authorization": f"Bearer {sandbox.api_key}"},
                        timeout=30)


def test_concurrent_sends_are_answered_once_durable_and_read_back_as_answered(tmp_path, unique):
    db = tmp_path / "sends.sqlite3"
    sandbox = start_sandbox(db=str(db))
    try:
        def send(n: int) -> tuple[dict, bool]:
            with _client(sandbox) as api:
                response = api.post(SEND, json=_request(n, unique))
            assert response.status_code == 202, response.text
            answer = response.json()
            return answer, committed(db, answer["id"])  # looked at the moment the 202 arrived

        with ThreadPoolExecutor(max_workers=20) as pool:
            results = list(pool.map(send, range(40)))
        assert all(committed for _, committed in results)
        assert usage(db) == 80  # two recipients each, charged once
        with _client(sandbox) as api:
            for n, (answer, _) in enumerate(results):
                stored = api.get(f"/api/v1/emails/{answer['id']}/").json()
                assert _but_status(stored, answer) == _but_status(answer, answer)
                assert answer["subject"] == f"intake {n}" and answer["bcc"] == [f"hidden-{unique}@example.com"]
                assert (stored["text"], stored["html"]) == (f"line one {n}\nline two", f"<p>{n}</p>\n<p>two</p>")
                events = api.get(f"/api/v1/emails/{answer['id']}/events/").json()["results"]
                assert sorted(e["recipient"] for e in events if e["type"] == "email.sent") == sorted(
                    [f"intake-{unique}@example.com", f"hidden-{unique}@example.com"])
            listed = api.get("/api/v1/emails/", params={"to": f"intake-{unique}@example.com", "page_size": 100})
            assert listed.json()["count"] == 40
            assert api.get("/api/v1/emails/", params={"search": "tag:intake"}).json()["count"] == 40
        assert usage(db) == 80  # filing charged nothing again
    finally:
        sandbox.stop()


def test_sends_answered_before_a_sigkill_are_filed_at_the_next_start(tmp_path, unique):
    db = tmp_path / "killed.sqlite3"
    first = start_sandbox(db=str(db), process=True)
    sent: dict[str, dict] = {}
    try:
        with _client(first) as api:
            for n in range(30):
                response = api.post(SEND, json=_request(n, unique))
                assert response.status_code == 202, response.text
                sent[response.json()["id"]] = response.json()
        first.process.send_signal(signal.SIGKILL)  # no chance to file what is only received
    finally:
        first.stop()
    used = usage(db)
    again = start_sandbox(db=str(db))
    try:
        with _client(again) as api:
            for n, (email_id, answer) in enumerate(sent.items()):
                stored = api.get(f"/api/v1/emails/{email_id}/").json()
                assert _but_status(stored, answer) == _but_status(answer, answer)
                assert (stored["text"], stored["html"]) == (f"line one {n}\nline two", f"<p>{n}</p>\n<p>two</p>")
                events = api.get(f"/api/v1/emails/{email_id}/events/").json()["results"]
                assert "email.sent" in [event["type"] for event in events]
            assert api.get("/api/v1/emails/", params={"to": f"intake-{unique}@example.com"}).json()["count"] == 30
    finally:
        again.stop()
    assert usage(db) == used == 60  # charged when answered, never again when filed
