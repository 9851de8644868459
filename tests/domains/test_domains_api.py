"""Sending domains through the API: adding one gives the DNS records to publish (with a real
DKIM key), verification reads the sandbox's zone and judges each record, and every bad input
is a clear problem that changes nothing."""
from __future__ import annotations

import base64
import sqlite3

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key
from domain_helpers import (
    DOMAINS,
    ZONE,
    add_domain,
    delivered_source,
    publish,
    record,
    verified_domain,
    verify,
)
from helpers import assert_problem


def test_adding_a_domain_answers_spf_dkim_dmarc_and_return_path_records_with_a_real_2048_bit_key(api, unique):
    domain = add_domain(api, f"Mail-{unique}.Example.COM.")
    name = f"mail-{unique}.example.com"
    assert domain["domain"] == name and domain["status"] == "pending" and domain["verified"] is False
    assert [(r["purpose"], r["type"], r["required"]) for r in domain["records"]] == [
        ("spf", "TXT", True), ("dkim", "TXT", True), ("dmarc", "TXT", False), ("return_path", "CNAME", False)]
    assert record(domain, "spf") | {} == {**record(domain, "spf"), "name": name,
                                          "value": "v=spf1 include:spf.gclap.test ~all"}
    dkim = record(domain, "dkim")
    assert dkim["name"] == f"{domain['dkim_selector']}._domainkey.{name}"
    public = load_der_public_key(base64.b64decode(dkim["value"].split("p=")[1]))
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048
    assert record(domain, "dmarc")["name"] == f"_dmarc.{name}"
    assert record(domain, "dmarc")["value"].startswith("v=DMARC1; p=")
    assert record(domain, "return_path") | {} == {**record(domain, "return_path"),
                                                  "name": f"gclap-bounces.{name}", "value": "bounces.gclap.test"}
    assert all(r["status"] == "pending" for r in domain["records"])
    assert api.get(f"{DOMAINS}{domain['id']}/").json() == domain
    listed = api.get(DOMAINS, params={"page_size": 500}).json()["results"]
    assert domain in listed


def test_two_domains_get_different_keys_and_selectors(api, unique):
    first, second = add_domain(api, f"a-{unique}.example.com"), add_domain(api, f"b-{unique}.example.com")
    assert first["dkim_selector"] != second["dkim_selector"]
    assert record(first, "dkim")["value"] != record(second, "dkim")["value"]


def test_a_domain_with_spf_and_dkim_published_is_verified_and_each_record_says_what_was_found(api, unique):
    domain = add_domain(api, f"{unique}.example.com")
    publish(api, domain, leave_out=("dmarc", "return_path"))
    checked = verify(api, domain)
    assert checked["status"] == "verified" and checked["verified"] is True
    assert checked["checked_at"] and checked["verified_at"]
    by_purpose = {r["purpose"]: r for r in checked["records"]}
    assert by_purpose["spf"]["status"] == "verified"
    assert by_purpose["spf"]["found"] == ["v=spf1 include:spf.gclap.test ~all"]
    assert by_purpose["dkim"]["status"] == "verified" and by_purpose["dkim"]["found"] == [by_purpose["dkim"]["value"]]
    assert by_purpose["dmarc"]["status"] == "missing" and by_purpose["dmarc"]["found"] == []
    assert by_purpose["return_path"]["status"] == "missing"
    assert all(r["resolver"] == "the sandbox's own DNS zone" for r in checked["records"])
    assert api.get(f"{DOMAINS}{domain['id']}/").json() == checked


WRONG_VALUES = {
    "spf": "v=spf1 include:_spf.elsewhere.test -all",
    "dkim": "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtest",
    "dmarc": "v=DMARC1; rua=mailto:reports@example.com",
    "return_path": "bounces.elsewhere.test",
}


@pytest.mark.parametrize("purpose", ["spf", "dkim", "dmarc", "return_path"])
def test_each_record_is_reported_missing_then_wrong_then_verified(api, unique, purpose):
    domain = add_domain(api, f"{purpose.replace('_', '-')}-{unique}.example.com")
    publish(api, domain, leave_out=(purpose,))
    missing = record(verify(api, domain), purpose)
    assert missing["status"] == "missing" and missing["found"] == [], missing
    assert missing["name"] in missing["detail"]

    publish(api, domain, change={purpose: WRONG_VALUES[purpose]})
    checked = verify(api, domain)
    wrong = record(checked, purpose)
    assert wrong["status"] == "wrong" and wrong["found"] == [WRONG_VALUES[purpose]], wrong
    assert checked["status"] == ("failed" if purpose in ("spf", "dkim") else "verified")

    publish(api, domain)
    assert record(verify(api, domain), purpose)["status"] == "verified"


def test_two_spf_records_are_wrong_because_spf_then_fails_for_everyone(api, unique):
    domain = add_domain(api, f"{unique}.example.com")
    publish(api, domain)
    api.put(ZONE, json={"records": [
        {"name": domain["domain"], "type": "TXT", "value": record(domain, "spf")["value"]},
        {"name": domain["domain"], "type": "TXT", "value": "v=spf1 ip4:192.0.2.1 -all"},
        {"name": domain["domain"], "type": "TXT", "value": "google-site-verification=abc"}]})
    spf = record(verify(api, domain), "spf")
    assert spf["status"] == "wrong" and len(spf["found"]) == 2 and "More than one" in spf["detail"]


def test_the_dmarc_policy_found_is_reported(api, unique):
    domain = add_domain(api, f"{unique}.example.com")
    publish(api, domain, change={"dmarc": "v=DMARC1; p=reject; rua=mailto:d@example.com"})
    dmarc = record(verify(api, domain), "dmarc")
    assert dmarc["status"] == "verified" and dmarc["policy"] == "reject"


def test_a_dkim_key_delegated_by_cname_is_followed(api, unique):
    domain = add_domain(api, f"{unique}.example.com")
    dkim = record(domain, "dkim")
    publish(api, domain, leave_out=("dkim",))
    api.put(ZONE, json={"records": [
        {"name": dkim["name"], "type": "CNAME", "value": f"key.{unique}.provider.test"},
        {"name": f"key.{unique}.provider.test", "type": "TXT", "value": dkim["value"]}]})
    assert record(verify(api, domain), "dkim")["status"] == "verified"


def test_a_verified_domain_fails_when_its_records_go_and_a_later_check_verifies_it_again(api, unique):
    domain = verified_domain(api, f"{unique}.example.com")
    api.delete(ZONE, params={"name": domain["domain"]})
    failed = verify(api, domain)
    assert failed["status"] == "failed" and failed["verified_at"] is None
    assert record(failed, "spf")["status"] == "missing"
    publish(api, domain)
    assert verify(api, domain)["status"] == "verified"


def test_deleting_a_domain_removes_it(api, unique):
    domain = add_domain(api, f"{unique}.example.com")
    assert api.delete(f"{DOMAINS}{domain['id']}/").status_code == 204
    assert_problem(api.get(f"{DOMAINS}{domain['id']}/"), 404)
    assert_problem(api.delete(f"{DOMAINS}{domain['id']}/"), 404)
    again = add_domain(api, f"{unique}.example.com")  # and it can be added again, with a new key
    assert again["dkim_selector"] != domain["dkim_selector"]


@pytest.mark.parametrize("body, field", [
    ({}, "domain"),
    ({"domain": ""}, "domain"),
    ({"domain": "localhost"}, "domain"),
    ({"domain": "192.0.2.10"}, "domain"),
    ({"domain": "exa mple.com"}, "domain"),
    ({"domain": "-bad.example.com"}, "domain"),
    ({"domain": "a..example.com"}, "domain"),
    ({"domain": "under_score.example.com"}, "domain"),
    ({"domain": "x" * 64 + ".example.com"}, "domain"),
    ({"domain": ("a" * 60 + ".") * 4 + "example.com"}, "domain"),
    ({"domain": "bücher.example"}, "domain"),
    ({"domain": "ana@example.com"}, "domain"),
    ({"domain": 42}, "domain"),
    ({"domain": ["example.com"]}, "domain"),
    ({"domain": "example.com", "selector": "mine"}, "selector"),
])
def test_a_bad_domain_is_refused_naming_the_field_and_nothing_is_added(api, body, field):
    before = api.get(DOMAINS, params={"page_size": 1}).json()["count"]
    problem = assert_problem(api.post(DOMAINS, json=body), 400)
    assert field in problem["errors"]
    assert api.get(DOMAINS, params={"page_size": 1}).json()["count"] == before


def test_adding_a_domain_twice_is_a_conflict_naming_the_first(api, unique):
    domain = add_domain(api, f"{unique}.example.com")
    problem = assert_problem(api.post(DOMAINS, json={"domain": f"{unique.upper()}.example.com"}), 409)
    assert problem["type"].endswith("/domain-exists") and problem["domain_id"] == domain["id"]


def test_unknown_domain_ids_are_404_on_every_route(api):
    missing = "00000000-0000-4000-8000-000000000000"
    for method, path in (("GET", ""), ("DELETE", ""), ("POST", "verify/")):
        assert_problem(api.request(method, f"{DOMAINS}{missing}/{path}"), 404)


def test_bad_list_and_body_inputs_are_problems(api):
    assert "page_size" in assert_problem(api.get(DOMAINS, params={"page_size": "0"}), 400)["errors"]
    assert "color" in assert_problem(api.get(DOMAINS, params={"color": "red"}), 400)["errors"]
    assert_problem(api.post(DOMAINS, content=b"{not json", headers={"content-type": "application/json"}), 400)


def test_the_private_key_is_never_in_any_answer(launch, tmp_path, unique):
    path = tmp_path / "sandbox.sqlite3"
    sandbox = launch(db=str(path))
    with sandbox.client() as api:
        domain = verified_domain(api, f"{unique}.example.com")
        sent = api.post("/api/v1/emails/send/", json={"to": "ana@example.net", "subject": "Hi", "text": "Hello",
                                                      "from_email": f"app@{unique}.example.com"}).json()
        with sqlite3.connect(path) as db:
            (private_pem,) = db.execute("SELECT dkim_private_key FROM sending_domain").fetchone()
        # Its full 64-character lines (a short last line could turn up anywhere by chance), less
        # those holding the modulus, which the public key in the DKIM record carries too.
        public = record(domain, "dkim")["value"]
        secret_lines = [line for line in private_pem.splitlines() if len(line) == 64 and line not in public]
        assert len(secret_lines) > 10
        answers = [api.get(DOMAINS).text, api.get(f"{DOMAINS}{domain['id']}/").text,
                   api.post(f"{DOMAINS}{domain['id']}/verify/").text, api.get(ZONE).text,
                   api.get(f"/api/v1/emails/{sent['id']}/").text,
                   api.get(f"/api/v1/emails/{sent['id']}/authentication/").text,
                   delivered_source(api, sent["id"]).decode(),
                   api.get(f"{sandbox.http_url}/emails/{sent['id']}").text,
                   api.get("/api/v1/openapi.json").text]
    for answer in answers:
        assert "PRIVATE KEY" not in answer
        assert not any(line in answer for line in secret_lines)


def test_the_authentication_status_the_score_reads_follows_the_last_check(launch, unique):
    from gclap_sandbox.domains.status import authentication_status

    sandbox = launch()
    with sandbox.client() as api:
        domain = add_domain(api, f"{unique}.example.com")
        publish(api, domain, change={"dmarc": "v=DMARC1; p=quarantine"}, leave_out=("return_path",))
        verify(api, domain)
        other = add_domain(api, f"b{unique}.example.com")
        publish(api, other, leave_out=("dkim",))
    status = _run_on_db(sandbox, authentication_status)
    expected = [
        {"domain": f"{unique}.example.com", "verified": True, "spf": {"status": "verified"},
         "dkim": {"status": "verified", "selector": domain["dkim_selector"]},
         "dmarc": {"status": "verified", "policy": "quarantine"}},
        {"domain": f"b{unique}.example.com", "verified": False, "spf": {"status": "pending"},
         "dkim": {"status": "pending", "selector": other["dkim_selector"]},
         "dmarc": {"status": "pending", "policy": None}}]
    assert status == sorted(expected, key=lambda entry: entry["domain"])  # by name, as the API lists them


def _run_on_db(sandbox, fn):
    """Call a DB-thread function of an in-process sandbox, with its default organization."""
    import asyncio

    ctx = sandbox.app.ctx.sandbox
    return asyncio.run_coroutine_threadsafe(ctx.db.run(fn, ctx.default_org_id), sandbox._loop).result(30)
