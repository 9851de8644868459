"""The sandbox's own DNS zone (`/api/v1/sandbox/dns/`): set, read and delete records, refuse bad
ones, and start empty again after a reset, while sending domains are kept."""
from __future__ import annotations

import pytest
from domain_helpers import DOMAINS, ZONE, verified_domain
from helpers import assert_problem


def zone_of(api, name: str) -> list[dict]:
    return [r for r in api.get(ZONE).json()["records"] if r["name"].endswith(name)]


def test_records_set_for_a_name_and_type_replace_only_those(api, unique):
    name = f"{unique}.example.com"
    api.put(ZONE, json={"records": [
        {"name": name, "type": "TXT", "value": "v=spf1 -all"},
        {"name": name, "type": "TXT", "value": "site-check=1"},
        {"name": f"WWW.{name}.", "type": "CNAME", "value": f"Edge.{name}."}]})
    assert zone_of(api, name) == [
        {"name": name, "type": "TXT", "value": "v=spf1 -all"},
        {"name": name, "type": "TXT", "value": "site-check=1"},
        {"name": f"www.{name}", "type": "CNAME", "value": f"edge.{name}"}]
    response = api.put(ZONE, json={"records": [{"name": name, "type": "TXT", "value": "v=spf1 include:spf.gclap.test ~all"}]})
    assert response.status_code == 200
    assert zone_of(api, name) == [
        {"name": name, "type": "TXT", "value": "v=spf1 include:spf.gclap.test ~all"},
        {"name": f"www.{name}", "type": "CNAME", "value": f"edge.{name}"}]


def test_deleting_takes_a_name_a_type_or_all_and_never_defaults_to_everything(api, unique):
    name = f"{unique}.example.com"
    api.put(ZONE, json={"records": [{"name": name, "type": "TXT", "value": "a"},
                                    {"name": name, "type": "CNAME", "value": "b.example.com"},
                                    {"name": f"x.{name}", "type": "TXT", "value": "c"}]})
    for params in ({}, {"name": ""}, {"type": ""}, {"all": "true", "name": name}, {"type": "MX"},
                   {"name": "bad name"}):
        assert_problem(api.delete(ZONE, params=params), 400)
    assert len(zone_of(api, name)) == 3
    assert api.delete(ZONE, params={"name": name, "type": "CNAME"}).json() == {"deleted": 1}
    assert api.delete(ZONE, params={"name": f"X.{name}."}).json() == {"deleted": 1}
    assert zone_of(api, name) == [{"name": name, "type": "TXT", "value": "a"}]


@pytest.mark.parametrize("body, field", [
    ({}, "records"),
    ({"records": []}, "records"),
    ({"records": "example.com TXT x"}, "records"),
    ({"records": [{"name": "example.com", "type": "MX", "value": "10 mx.example.com"}]}, "records[0].type"),
    ({"records": [{"name": "example.com", "value": "x"}]}, "records[0].type"),
    ({"records": [{"name": "exa mple.com", "type": "TXT", "value": "x"}]}, "records[0].name"),
    ({"records": [{"name": "a..example.com", "type": "TXT", "value": "x"}]}, "records[0].name"),
    ({"records": [{"name": "x" * 64 + ".com", "type": "TXT", "value": "x"}]}, "records[0].name"),
    ({"records": [{"name": "example.com", "type": "TXT"}]}, "records[0].value"),
    ({"records": [{"name": "example.com", "type": "TXT", "value": "one\r\nInjected: two"}]}, "records[0].value"),
    ({"records": [{"name": "example.com", "type": "TXT", "value": "x" * 4097}]}, "records[0].value"),
    ({"records": [{"name": "example.com", "type": "TXT", "value": 5}]}, "records[0].value"),
    ({"records": [{"name": "www.example.com", "type": "CNAME", "value": "not a name"}]}, "records[0].value"),
    ({"records": [{"name": "example.com", "type": "TXT", "value": "x", "ttl": 60}]}, "records[0].ttl"),
    ({"records": [{"name": "example.com", "type": "TXT", "value": "x"}] * 501}, "records"),
])
def test_bad_records_are_refused_naming_the_field_and_the_zone_is_unchanged(api, body, field):
    before = api.get(ZONE).json()
    problem = assert_problem(api.put(ZONE, json=body), 400)
    assert field in problem["errors"], problem["errors"]
    assert api.get(ZONE).json() == before


def test_a_reset_empties_the_zone_and_keeps_the_domains_with_their_last_check(launch, unique):
    sandbox = launch()
    with sandbox.client() as api:
        domain = verified_domain(api, f"{unique}.example.com")
        assert api.post("/api/v1/sandbox/reset/").status_code == 200
        assert api.get(ZONE).json() == {"records": []}
        kept = api.get(f"{DOMAINS}{domain['id']}/").json()
        assert kept["status"] == "verified" and kept["dkim_selector"] == domain["dkim_selector"]
        assert api.post(f"{DOMAINS}{domain['id']}/verify/").json()["status"] == "failed"
        reset = api.post("/api/v1/sandbox/reset/", json={"all": True}).json()
    with sandbox.client(reset["api_key"]) as api:
        assert api.get(DOMAINS).json()["count"] == 0
