"""Per email: SPF, DKIM and DMARC results as a receiving server's Authentication-Results would
give them, computed against the sandbox's zone (GET /api/v1/emails/{id}/authentication/)."""
from __future__ import annotations

from domain_helpers import ZONE, publish, record, verified_domain
from helpers import assert_problem


def send(api, sender: str) -> str:
    response = api.post("/api/v1/emails/send/", json={"to": "bob@example.net", "subject": "Auth",
                                                      "text": "Hello", "from_email": sender})
    assert response.status_code == 202, response.text
    return response.json()["id"]


def authentication(api, email_id: str) -> dict:
    response = api.get(f"/api/v1/emails/{email_id}/authentication/")
    assert response.status_code == 200, response.text
    return response.json()


def test_mail_from_a_verified_domain_passes_spf_dkim_and_dmarc(api, unique):
    domain = verified_domain(api, f"{unique}.example.com")
    result = authentication(api, send(api, f"App <app@{domain['domain']}>"))
    name, selector = domain["domain"], domain["dkim_selector"]
    assert result["spf"] | {} == {**result["spf"], "result": "pass", "domain": name}
    assert result["dkim"]["result"] == "pass" and (result["dkim"]["domain"], result["dkim"]["selector"]) == (name, selector)
    assert result["dmarc"]["result"] == "pass" and result["dmarc"]["policy"] == "none"
    assert result["dmarc"]["alignment"] == {"spf": True, "dkim": True}
    assert result["header"] == (f"Authentication-Results: gclap-sandbox; spf=pass smtp.mailfrom={name}; "
                                f"dkim=pass header.d={name} header.s={selector}; "
                                f"dmarc=pass (p=none dis=none) header.from={name}")
    assert result["resolver"] == "the sandbox's own DNS zone"


def test_breaking_each_record_changes_the_results_as_a_receiver_would_see_it(api, unique):
    domain = verified_domain(api, f"{unique}.example.com")
    name = domain["domain"]
    email_id = send(api, f"app@{name}")

    publish(api, domain, change={"spf": "v=spf1 ip4:192.0.2.1 -all"})
    result = authentication(api, email_id)
    assert result["spf"]["result"] == "fail" and result["dmarc"]["result"] == "pass"  # DKIM still aligned
    assert result["dmarc"]["alignment"] == {"spf": False, "dkim": True}

    broken = {"spf": "v=spf1 ip4:192.0.2.1 -all", "dkim": record(domain, "dkim")["value"][:-12] + "AAAAAAAAAAAA"}
    publish(api, domain, change=broken)
    result = authentication(api, email_id)
    assert result["dkim"]["result"] == "fail" and result["dkim"]["domain"] == name
    assert result["dmarc"] | {} == {**result["dmarc"], "result": "fail", "policy": "none", "disposition": "none"}

    publish(api, domain, change={**broken, "dmarc": "v=DMARC1; p=reject"})
    assert authentication(api, email_id)["dmarc"]["disposition"] == "reject"

    api.delete(ZONE, params={"name": f"_dmarc.{name}"})
    assert authentication(api, email_id)["dmarc"]["result"] == "none"
    api.delete(ZONE, params={"name": name})
    assert authentication(api, email_id)["spf"]["result"] == "none"


def test_strict_alignment_fails_a_subdomain_sender_that_relaxed_alignment_passes(api, unique):
    domain = verified_domain(api, f"{unique}.example.com")
    email_id = send(api, f"app@news.{domain['domain']}")
    api.put(ZONE, json={"records": [{"name": f"_dmarc.news.{domain['domain']}", "type": "TXT",
                                     "value": "v=DMARC1; p=quarantine; adkim=s; aspf=s"}]})
    strict = authentication(api, email_id)
    assert strict["dkim"]["result"] == "pass" and strict["dmarc"]["result"] == "fail"
    assert strict["dmarc"]["disposition"] == "quarantine"
    api.put(ZONE, json={"records": [{"name": f"_dmarc.news.{domain['domain']}", "type": "TXT",
                                     "value": "v=DMARC1; p=quarantine"}]})
    assert authentication(api, email_id)["dmarc"]["result"] == "pass"


def test_unsigned_mail_from_an_unknown_domain_has_no_results_to_give(api, unique):
    result = authentication(api, send(api, f"app@{unique}.example.org"))
    assert (result["spf"]["result"], result["dkim"]["result"], result["dmarc"]["result"]) == ("none", "none", "none")
    assert result["dkim"]["signatures"] == []
    assert result["header"].endswith(f"dkim=none; dmarc=none header.from={unique}.example.org")


def test_an_unknown_email_is_404_and_the_route_takes_no_parameters(api):
    assert_problem(api.get("/api/v1/emails/00000000-0000-4000-8000-000000000000/authentication/"), 404)
    email_id = send(api, "app@example.com")
    assert "x" in assert_problem(api.get(f"/api/v1/emails/{email_id}/authentication/", params={"x": "1"}), 400)["errors"]
