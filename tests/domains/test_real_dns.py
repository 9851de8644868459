"""`serve --dns IP:PORT` checks records against a real DNS server (here a small one the test
runs), the way `--dns system` uses the machine's resolver: the same results as the sandbox zone."""
from __future__ import annotations

import dkim
import pytest
from dns_server import DnsServer
from domain_helpers import add_domain, delivered_source, record, verify
from helpers import assert_problem


@pytest.fixture
def dns_server():
    server = DnsServer()
    yield server
    server.close()


def test_records_published_on_a_real_name_server_verify_the_domain_and_its_signed_mail(launch, dns_server, unique):
    sandbox = launch("--dns", dns_server.address)
    with sandbox.client() as api:
        domain = add_domain(api, f"{unique}.example.com")
        for item in domain["records"]:
            if item["purpose"] != "return_path":
                dns_server.publish(item["name"], item["type"], item["value"])
        dns_server.publish(domain["domain"], "TXT", "v=spf1 include:spf.gclap.test ~all", "other=1")
        checked = verify(api, domain)
        assert checked["status"] == "verified"
        assert record(checked, "dkim")["found"] == [record(domain, "dkim")["value"]]  # 255-byte strings joined
        assert record(checked, "return_path")["status"] == "missing"
        assert record(checked, "spf")["resolver"] == f"the name server {dns_server.address}"

        sent = api.post("/api/v1/emails/send/", json={"to": "bob@example.net", "subject": "Real DNS",
                                                      "text": "Hi", "from_email": f"app@{domain['domain']}"}).json()
        delivered = delivered_source(api, sent["id"])
        key = record(domain, "dkim")["value"].encode()
        assert dkim.verify(delivered, dnsfunc=lambda name, timeout=5: key)
        result = api.get(f"/api/v1/emails/{sent['id']}/authentication/").json()
        assert (result["spf"]["result"], result["dkim"]["result"], result["dmarc"]["result"]) == ("pass", "pass", "pass")

        dns_server.publish(f"gclap-bounces.{domain['domain']}", "CNAME", "bounces.elsewhere.test")
        assert record(verify(api, domain), "return_path") | {} == {
            **record(verify(api, domain), "return_path"), "status": "wrong", "found": ["bounces.elsewhere.test"]}


def test_a_name_server_that_does_not_answer_makes_records_missing_with_the_reason(launch, unique):
    silent = DnsServer()
    address = silent.address
    silent.close()  # nothing answers there now
    sandbox = launch("--dns", address)
    with sandbox.client() as api:
        spf = record(verify(api, add_domain(api, f"{unique}.example.com")), "spf")
    assert spf["status"] == "missing" and "timed out" in spf["detail"]


@pytest.mark.parametrize("value", ["nowhere", "127.0.0.1:0", "127.0.0.1:99999", "dns.example.com:53", ""])
def test_a_bad_dns_setting_is_a_usage_error(value):
    from click.testing import CliRunner

    from gclap_sandbox.cli.commands import serve

    result = CliRunner().invoke(serve, ["--dns", value, "--db", ":memory:"])
    assert result.exit_code == 1 and "--dns" in result.output


def test_the_sandbox_zone_routes_still_work_when_real_dns_is_used(launch, dns_server):
    sandbox = launch("--dns", dns_server.address)
    with sandbox.client() as api:
        assert api.get("/api/v1/sandbox/dns/").json() == {"records": []}
        assert_problem(api.delete("/api/v1/sandbox/dns/"), 400)
