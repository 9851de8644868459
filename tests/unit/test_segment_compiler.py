"""The segment rule validator and SQL compiler, without a server: rules in, matching contacts out."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from db_fixture import org_id  # noqa: F401  (fixture)

from gclap_sandbox.contacts.segments import MAX_DEPTH, compile_rules, validate_rules
from gclap_sandbox.models import Contact, ContactList, ContactListMember

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def people(org_id):  # noqa: F811
    def add(email, **kw):
        return Contact.create(organization=org_id, email=email, created_at=kw.pop("created_at", NOW), **kw)

    vip = ContactList.create(organization=org_id, name="VIP")
    ana = add("ana@acme.com", first_name="Ana", attributes={"plan": "pro", "seats": 12},
              last_opened_at=NOW - timedelta(days=2), last_clicked_at=NOW - timedelta(days=2))
    bo = add("bo@example.org", first_name="Bo", attributes={"plan": "free", "seats": 1},
             last_opened_at=NOW - timedelta(days=40), status="unsubscribed")
    cy = add("cy_x@acme.com", last_name="Lee", attributes={"seats": 5})
    ContactListMember.create(contact_list=vip, contact=ana)
    return {"org": org_id, "vip": vip.id, "ana": ana, "bo": bo, "cy": cy}


def matching(people, rules) -> set[str]:
    assert validate_rules(rules) == {}
    query = Contact.select().where((Contact.organization == people["org"]) & compile_rules(rules, NOW))
    return {c.email.split("@")[0] for c in query}


@pytest.mark.parametrize("rule, expected", [
    ({"field": "attributes.plan", "op": "eq", "value": "pro"}, {"ana"}),
    ({"field": "attributes.plan", "op": "ne", "value": "pro"}, {"bo", "cy_x"}),  # missing counts as not equal
    ({"field": "attributes.seats", "op": "gt", "value": 5}, {"ana"}),
    ({"field": "attributes.seats", "op": "gte", "value": 5}, {"ana", "cy_x"}),
    ({"field": "attributes.seats", "op": "lt", "value": 5}, {"bo"}),
    ({"field": "attributes.seats", "op": "lte", "value": 5}, {"bo", "cy_x"}),
    ({"field": "email", "op": "contains", "value": "ACME"}, {"ana", "cy_x"}),
    ({"field": "email", "op": "starts_with", "value": "cy_"}, {"cy_x"}),
    ({"field": "email", "op": "starts_with", "value": "c%"}, set()),  # wildcards are literal
    ({"field": "email", "op": "ends_with", "value": "@example.org"}, {"bo"}),
    ({"field": "email", "op": "eq", "value": "ANA@acme.com"}, {"ana"}),
    ({"field": "first_name", "op": "exists"}, {"ana", "bo"}),
    ({"field": "first_name", "op": "exists", "value": False}, {"cy_x"}),
    ({"field": "attributes.plan", "op": "exists"}, {"ana", "bo"}),
    ({"field": "attributes.plan", "op": "in", "value": ["free", "team"]}, {"bo"}),
    ({"field": "status", "op": "eq", "value": "unsubscribed"}, {"bo"}),
    ({"field": "last_opened_at", "op": "within_days", "value": 30}, {"ana"}),
    ({"field": "last_opened_at", "op": "lt", "value": "2026-02-01T00:00:00Z"}, {"bo"}),
    ({"field": "created_at", "op": "lte", "value": "2026-03-01T12:00:00Z"}, {"ana", "bo", "cy_x"}),
    ({"op": "opened_within_days", "value": 7}, {"ana"}),
    ({"op": "opened_within_days", "value": 60}, {"ana", "bo"}),
    ({"op": "clicked_within_days", "value": 7}, {"ana"}),
    ({"op": "never_opened"}, {"cy_x"}),
])
def test_each_operator_selects_the_right_contacts(people, rule, expected):
    assert matching(people, rule) == expected


def test_list_membership_conditions(people):
    assert matching(people, {"field": "list", "op": "eq", "value": people["vip"]}) == {"ana"}
    assert matching(people, {"field": "list", "op": "ne", "value": people["vip"]}) == {"bo", "cy_x"}


def test_nested_all_and_any_groups(people):
    rules = {"all": [{"field": "email", "op": "ends_with", "value": "@acme.com"},
                     {"any": [{"field": "attributes.plan", "op": "eq", "value": "pro"},
                              {"op": "never_opened"}]}]}
    assert matching(people, rules) == {"ana", "cy_x"}
    either = {"any": [{"field": "attributes.plan", "op": "eq", "value": "free"},
                      {"all": [{"field": "attributes.seats", "op": "eq", "value": 5},
                               {"field": "last_name", "op": "eq", "value": "Lee"}]}]}
    assert matching(people, either) == {"bo", "cy_x"}


def test_compiles_to_one_parameterised_query(people):
    rules = {"field": "attributes.plan", "op": "eq", "value": "x' OR 1=1 --"}
    sql, params = Contact.select().where(compile_rules(rules, NOW)).sql()
    assert "x' OR" not in sql and "x' OR 1=1 --" in params
    assert matching(people, rules) == set()


@pytest.mark.parametrize("rules, path", [
    ({"all": [{"field": "attributes.plan", "op": "eq", "value": "pro"}, {"field": "nope", "op": "eq", "value": 1}]},
     "rules.all[1].field"),
    ({"all": [{"any": [{"field": "email", "op": "resembles", "value": "x"}]}]}, "rules.all[0].any[0].op"),
    ({"any": []}, "rules.any"),
    ({"all": [{"field": "created_at", "op": "contains", "value": "2026"}]}, "rules.all[0].op"),
    ({"field": "created_at", "op": "gt", "value": "yesterday"}, "rules.value"),
    ({"field": "email", "op": "eq"}, "rules.value"),
    ({"field": "attributes.plan", "op": "in", "value": []}, "rules.value"),
    ({"field": "status", "op": "eq", "value": "happy"}, "rules.value"),
    ({"op": "opened_within_days", "value": -1}, "rules.value"),
    ({"op": "opened_within_days", "value": "30"}, "rules.value"),
    ({"op": "never_opened", "value": 3}, "rules.value"),
    ({"field": "list", "op": "contains", "value": "x"}, "rules.op"),
    ({"field": "email", "op": "eq", "value": "a", "extra": 1}, "rules.extra"),
    ({"all": [{"field": "email", "op": "eq", "value": "a"}], "any": []}, "rules"),
    ([1, 2], "rules"),
    ({"field": "attributes.a.b", "op": "exists"}, "rules.field"),
])
def test_invalid_rules_name_the_bad_path(rules, path):
    assert path in validate_rules(rules)


def test_depth_is_bounded():
    rules: dict = {"field": "email", "op": "exists"}
    for _ in range(12):
        rules = {"all": [rules]}
    errors = validate_rules(rules)
    assert list(errors.values()) == [[f"Groups may nest at most {MAX_DEPTH} deep."]]
    assert next(iter(errors)) == "rules" + ".all[0]" * MAX_DEPTH  # the group one level too deep
