"""Segment rules and contact attributes that SQLite cannot hold are refused with a 400, never a 500."""
from __future__ import annotations

SEGMENTS = "/api/v1/contacts/segments/"
HUGE = 99999999999999999999999


def _raw_post(api, url: str, body: str):
    return api.post(url, content=body, headers={"Content-Type": "application/json"})


def _segment_names(api) -> list[str]:
    return [s["name"] for s in api.get(SEGMENTS, params={"page_size": 500}).json()["results"]]


def test_numbers_outside_64_bits_are_refused_naming_the_rule(api, unique):
    for rules, path in (({"field": "attributes.n", "op": "gt", "value": HUGE}, "rules.value"),
                        ({"any": [{"field": "attributes.n", "op": "in", "value": [1, -HUGE]}]},
                         "rules.any[0].value")):
        refused = api.post(SEGMENTS, json={"name": f"huge-{unique}", "rules": rules})
        assert refused.status_code == 400, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "64 bits" in refused.json()["errors"][path][0]
    infinite = _raw_post(api, SEGMENTS, '{"name": "inf-%s", "rules": {"field": "attributes.n", "op": "lt", '
                                        '"value": 1e400}}' % unique)
    # 1e400 overflows to infinity: refused while parsing the JSON, before the rules are read
    assert infinite.status_code == 400 and infinite.json()["type"].endswith("/invalid-json")
    assert 2 ** 63 - 1 == api.post(SEGMENTS, json={"name": f"max-{unique}", "rules": {
        "field": "attributes.n", "op": "lte", "value": 2 ** 63 - 1}}).json()["rules"]["value"]
    assert not any(name in _segment_names(api) for name in (f"huge-{unique}", f"inf-{unique}"))


def test_deeply_nested_rules_are_refused_naming_the_path(api, unique):
    leaf = '{"field": "email", "op": "eq", "value": "a@x.com"}'
    for depth in (30, 500):  # 500 groups are 1000 JSON levels: too deep for the JSON decoder itself
        body = '{"name": "deep-%s", "rules": %s%s%s}' % (unique, '{"all": [' * depth, leaf, ']}' * depth)
        refused = _raw_post(api, SEGMENTS, body)
        assert refused.status_code == 400, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        if depth == 30:
            assert "rules" + ".all[0]" * 8 in refused.json()["errors"]
    assert f"deep-{unique}" not in _segment_names(api)


def test_contact_attributes_that_would_break_segments_are_refused(api, unique):
    url = "/api/v1/contacts/"
    refused = api.post(url, json={"email": f"huge.{unique}@x.com", "attributes": {"n": HUGE}})
    assert refused.status_code == 400 and "attributes.n" in refused.json()["errors"]
    infinite = _raw_post(api, url, '{"email": "inf.%s@x.com", "attributes": {"n": -1e400}}' % unique)
    assert infinite.status_code == 400 and infinite.json()["type"].endswith("/invalid-json")
    nested = _raw_post(api, url, '{"email": "deep.%s@x.com", "attributes": {"n": %s1%s}}'
                       % (unique, "[" * 50, "]" * 50))
    assert nested.status_code == 400 and "attributes.n" in nested.json()["errors"]
    assert api.get(url, params={"search": unique}).json()["count"] == 0

    contact = api.post(url, json={"email": f"ok.{unique}@x.com", "attributes": {"n": 5}}).json()
    patched = api.patch(f"{url}{contact['id']}/", json={"attributes": {"n": {"deep": [HUGE]}}})
    assert patched.status_code == 400 and "attributes.n" in patched.json()["errors"]
    assert api.get(f"{url}{contact['id']}/").json()["attributes"] == {"n": 5}

    # An import keeps a number too long to compare exactly as text, so segments still evaluate.
    imported = api.post("/api/v1/contacts/import/", content=f"email,n\r\nbig.{unique}@x.com,{HUGE}\r\n",
                        headers={"Content-Type": "text/csv"})
    assert imported.json()["created"] == 1
    segment = api.post(SEGMENTS, json={"name": f"n-{unique}", "rules": {"all": [
        {"field": "email", "op": "ends_with", "value": f"{unique}@x.com"},
        {"field": "attributes.n", "op": "gte", "value": 2 ** 63 - 1}]}})
    assert segment.status_code == 201 and segment.json()["contact_count"] == 1
    members = api.get(f"{SEGMENTS}{segment.json()['id']}/contacts/").json()["results"]
    assert [m["attributes"]["n"] for m in members] == [str(HUGE)]
