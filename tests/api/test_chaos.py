"""Fault injection over real SMTP (smtplib) and real HTTP (httpx)."""
from __future__ import annotations

import json
import smtplib

import httpx
import pytest

RAW = b"From: a@app.test\r\nTo: b@team.test\r\nSubject: chaos\r\n\r\nbody\r\n"
CHAOS_URL = "/api/v1/sandbox/chaos/"


def chaos(*flags: str, **document) -> tuple[str, ...]:
    return ("--chaos", json.dumps(document), *flags)


def captured(sandbox) -> int:
    with sandbox.client() as client:
        return client.get("/api/v1/emails/").json()["count"]


def test_reject_at_connect(launch):
    sandbox = launch(*chaos(smtp=[{"stage": "connect", "code": 421, "message": "Too busy, come back later"}]))
    with pytest.raises(smtplib.SMTPConnectError) as caught:
        smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port)
    assert caught.value.smtp_code == 421 and caught.value.smtp_error == b"Too busy, come back later"


def test_reject_mail_from_for_matching_senders_only(launch):
    sandbox = launch(*chaos(smtp=[{"stage": "mail", "match": ["*@spammer.test"], "code": 550}]))
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as client:
        with pytest.raises(smtplib.SMTPSenderRefused) as caught:
            client.sendmail("x@spammer.test", ["b@team.test"], RAW)
        assert caught.value.smtp_code == 550 and b"sandbox chaos" in caught.value.smtp_error
        client.sendmail("a@app.test", ["b@team.test"], RAW)
    assert captured(sandbox) == 1


def test_reject_rcpt_to_for_matching_recipients(launch):
    sandbox = launch(*chaos(smtp=[{"stage": "rcpt", "match": "re:^gone", "code": 550, "message": "5.1.1 No such user"}]))
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as client:
        refused = client.sendmail("a@app.test", ["b@team.test", "gone@team.test"], RAW)
        assert refused == {"gone@team.test": (550, b"5.1.1 No such user")}
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("a@app.test", ["gone@team.test"], RAW)
    with sandbox.client() as client:
        only = client.get("/api/v1/emails/").json()["results"]
        assert len(only) == 1 and only[0]["to"] == ["b@team.test"]


def test_reject_at_data_stores_nothing(launch):
    sandbox = launch(*chaos(smtp=[{"stage": "data", "code": 451, "message": "4.3.0 Try again"}]))
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as client:
        with pytest.raises(smtplib.SMTPDataError) as caught:
            client.sendmail("a@app.test", ["b@team.test"], RAW)
    assert (caught.value.smtp_code, caught.value.smtp_error) == (451, b"4.3.0 Try again")
    assert captured(sandbox) == 0


def test_delay_makes_a_slow_server_that_impatient_clients_give_up_on_and_patient_ones_get_through(launch):
    # The server cannot answer before its delay, so a client waiting a fifth of it always times out.
    sandbox = launch(*chaos(smtp=[{"stage": "connect", "delay": 0.5}, {"stage": "data", "delay": 0.5}]))
    with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
        smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=0.1)  # no greeting in time
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=30) as client:
        client.ehlo()
        client.mail("a@app.test")
        client.rcpt("b@team.test")
        client.sock.settimeout(0.1)
        with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
            client.data(RAW)  # no answer to DATA in time
    with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port, timeout=30) as client:
        client.sendmail("a@app.test", ["b@team.test"], RAW.replace(b"Subject: chaos", b"Subject: patient"))
    with sandbox.client() as client:
        subjects = [e["subject"] for e in client.get("/api/v1/emails/").json()["results"]]
    assert "patient" in subjects


def test_probability_is_replayable_with_a_seed(launch):
    document = {"smtp": [{"stage": "rcpt", "code": 450, "probability": 50}]}
    sandbox = launch(*chaos("--seed", "1234", **document))

    def outcomes() -> list[bool]:
        with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as client:
            client.ehlo()
            client.mail("a@app.test")
            results = [client.rcpt(f"r{i}@team.test")[0] == 250 for i in range(24)]
            client.rset()
        return results

    first = outcomes()
    assert any(first) and not all(first)
    with sandbox.client() as client:
        assert client.get(CHAOS_URL).json()["seed"] == 1234
        client.put(CHAOS_URL, json=document)  # replacing the rules reseeds with --seed
    assert outcomes() == first


def test_without_a_seed_one_is_picked_and_shown_so_the_run_replays(launch):
    document = {"smtp": [{"stage": "rcpt", "code": 450, "probability": 50}]}

    def outcomes(sandbox) -> list[bool]:
        with smtplib.SMTP(sandbox.smtp_host, sandbox.smtp_port) as client:
            client.ehlo()
            client.mail("a@app.test")
            return [client.rcpt(f"r{i}@team.test")[0] == 250 for i in range(40)]

    unseeded = launch(*chaos(**document))
    with unseeded.client() as client:
        seed = client.get(CHAOS_URL).json()["seed"]
        assert isinstance(seed, int)
    first = outcomes(unseeded)
    assert outcomes(launch(*chaos("--seed", str(seed), **document))) == first
    with unseeded.client() as client:
        reseeded = client.put(CHAOS_URL, json=document).json()["seed"]
        assert isinstance(reseeded, int) and client.get(CHAOS_URL).json()["seed"] == reseeded
        assert client.put(CHAOS_URL, json={**document, "seed": seed}).json()["seed"] == seed
    assert outcomes(unseeded) == first


def test_http_failures_for_matching_routes_never_for_control_routes(launch):
    sandbox = launch()
    with sandbox.client() as client:
        put = client.put(CHAOS_URL, json={"http": [
            {"path": "/api/v1/emails/send/", "methods": "POST", "status": 503, "retry_after": 9},
            {"path": "*", "status": 429}]})
        assert put.status_code == 200 and put.json()["http"][0]["status"] == 503
        failed = client.post("/api/v1/emails/send/", json={"to": "b@team.test", "subject": "s", "text": "t"})
        assert failed.status_code == 503 and failed.headers["retry-after"] == "9"
        assert failed.headers["content-type"] == "application/problem+json"
        assert failed.json()["chaos_rule"] == "http[0]" and failed.headers["x-gclap-chaos"] == "http[0]"
        limited = client.get("/api/v1/emails/")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
        assert client.get(CHAOS_URL).status_code == 200  # the control routes stay reachable
        assert client.get("/healthz").status_code == 200  # outside the API
        off = client.put(CHAOS_URL, json={}).json()
        assert (off["smtp"], off["http"]) == ([], []) and isinstance(off["seed"], int)
        assert client.get("/api/v1/emails/").status_code == 200


@pytest.mark.parametrize("status", [500, 502])
def test_http_server_errors(launch, status):
    sandbox = launch(*chaos(http=[{"path": "/api/v1/emails/*", "status": status}]))
    with sandbox.client() as client:
        assert client.get("/api/v1/emails/").status_code == status
        assert client.get("/api/v1/openapi.json").status_code == 200  # not matched


def test_http_latency_and_seeded_probability(launch):
    sandbox = launch("--seed", "99")
    with sandbox.client() as client:
        client.put(CHAOS_URL, json={"http": [{"path": "/api/v1/emails/", "methods": ["GET"], "delay": 0.5}]})
        with pytest.raises(httpx.ReadTimeout):  # the answer cannot come before the delay
            client.get("/api/v1/emails/", timeout=0.1)
        assert client.get("/api/v1/emails/").status_code == 200  # a patient client gets it
        document = {"seed": 5, "http": [{"status": 500, "probability": 40}]}
        runs = []
        for _ in range(2):
            client.put(CHAOS_URL, json=document)
            runs.append([client.get("/api/v1/emails/").status_code for _ in range(20)])
        assert runs[0] == runs[1] and set(runs[0]) == {200, 500}


def test_bad_rules_are_refused_by_name_and_change_nothing(launch):
    sandbox = launch(*chaos(smtp=[{"stage": "data", "code": 451}]))
    with sandbox.client() as client:
        before = client.get(CHAOS_URL).json()
        for body, fields in (
            ({"smtp": [{"stage": "helo", "code": 451}]}, {"smtp[0].stage"}),
            ({"smtp": [{"stage": "rcpt"}]}, {"smtp[0]"}),
            ({"smtp": [{"stage": "rcpt", "code": 250, "match": ["re:("]}]}, {"smtp[0].code", "smtp[0].match[0]"}),
            ({"http": [{"status": 404}]}, {"http[0].status"}),
            ({"http": [{"status": 500, "probability": 120, "delay": -1}]}, {"http[0].probability", "http[0].delay"}),
            ({"rules": []}, {"rules"}),
            ([], {"body"}),
        ):
            response = client.put(CHAOS_URL, json=body)
            assert response.status_code == 400, body
            assert response.headers["content-type"] == "application/problem+json"
            assert set(response.json()["errors"]) == fields, body
        assert client.put(CHAOS_URL, content=b"not json").status_code == 400
        assert client.get(CHAOS_URL).json() == before
    with sandbox.client(api_key="gclap_test_nope") as client:
        assert client.get(CHAOS_URL).status_code == 401


@pytest.mark.parametrize("value", ['{"smtp": [{"stage": "helo"}]}', "{broken", "/no/such/file.json"])
def test_bad_chaos_flag_stops_serve(value):
    from click.testing import CliRunner

    from gclap_sandbox.cli.commands import main

    result = CliRunner().invoke(main, ["serve", "--http", "0", "--smtp", "0", "--chaos", value])
    assert result.exit_code == 1 and "--chaos" in result.output


def test_openapi_documents_the_new_routes(sandbox):
    with sandbox.client() as client:
        paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/sandbox/chaos/"]) == {"get", "put"}
    release = paths["/api/v1/emails/{email_id}/release/"]["post"]
    assert release["x-required-scope"] == "emails:send" and release["requestBody"]["required"] is False
    assert "502" in release["responses"]
