"""Organizations are invisible to each other: every route that takes an id answers A's key with
404 for B's ids (exactly as for an id that never existed), and no list shows A anything of B's."""
from __future__ import annotations

import re
import uuid

import pytest
from organization_helpers import fill, new_organization, ok

from helpers import assert_problem

# Bodies that pass validation, so the answer comes from the lookup of the id (validation runs first).
BODIES = {
    ("PATCH", "/api/v1/analytics/alert-configs/{config_id}/"): {"name": "renamed"},
    ("PATCH", "/api/v1/analytics/scheduled-reports/{report_id}/"): {"name": "renamed"},
    ("PATCH", "/api/v1/automation/{workflow_id}/"): {"name": "renamed"},
    ("POST", "/api/v1/automation/{workflow_id}/enroll/"): {"emails": ["someone@example.com"]},
    ("PATCH", "/api/v1/campaigns/{campaign_id}/"): {"name": "renamed"},
    ("POST", "/api/v1/campaigns/{campaign_id}/test/"): {"to": ["someone@example.com"]},
    ("PATCH", "/api/v1/contacts/{contact_id}/"): {"first_name": "renamed"},
    ("PATCH", "/api/v1/contacts/lists/{list_id}/"): {"name": "renamed"},
    ("POST", "/api/v1/contacts/lists/{list_id}/members/"): {"emails": ["someone@example.com"]},
    ("DELETE", "/api/v1/contacts/lists/{list_id}/members/"): {"emails": ["someone@example.com"]},
    ("PATCH", "/api/v1/contacts/segments/{segment_id}/"): {"name": "renamed"},
    ("POST", "/api/v1/emails/{email_id}/simulate/"): {"event": "delivered"},
    ("PATCH", "/api/v1/templates/{template_id}/"): {"name": "renamed"},
    ("PATCH", "/api/v1/webhooks/endpoints/{endpoint_id}/"): {"description": "renamed"},
}
PARAMETER = re.compile(r"\{(\w+)\}")


@pytest.fixture(scope="module")
def two_organizations(own_sandbox):
    """(A's client, B's client, B's ids, B's marker), both organizations made by the admin key."""
    marker = "orgb" + uuid.uuid4().hex[:8]
    with own_sandbox.client() as admin:
        _, key_a = new_organization(admin, "Organization A")
        _, key_b = new_organization(admin, "Organization B")
        document = ok(admin.get("/api/v1/openapi.json"))
    with own_sandbox.client(key_a) as a, own_sandbox.client(key_b) as b:
        yield a, b, fill(b, marker), marker, document


def id_operations(document):
    """(method, path template, required scope) of every authenticated operation with an id in its path."""
    for path, item in document["paths"].items():
        if "{" not in path or not path.startswith("/api/v1/"):
            continue  # the tracking links (/t/...) are capabilities in mail, not organization data
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, operation.get("x-required-scope")


def call(client, method, template, ids):
    path = PARAMETER.sub(lambda match: ids[match.group(1)], template)
    body = BODIES.get((method, template))
    return client.request(method, path, json=body) if body is not None else client.request(method, path)


def test_every_route_with_an_id_answers_another_organizations_id_with_404(two_organizations):
    a, b, ids_b, _, document = two_organizations
    ids_b["organization_id"] = ok(b.get("/api/v1/accounts/organization/"))["id"]
    never_existed = {name: str(uuid.uuid4()) for name in ids_b}
    walked = []
    for method, template, scope in id_operations(document):
        missing = set(PARAMETER.findall(template)) - ids_b.keys()
        assert not missing, f"{method} {template}: the test makes no {missing} in organization B"
        answer = call(a, method, template, ids_b)
        unknown = call(a, method, template, never_existed)
        # A's key cannot hold the admin scope: refused alike whatever the id.
        expected = 403 if scope == "sandbox:admin" else 404
        for response in (answer, unknown):
            assert response.status_code == expected, f"{method} {template}: {response.text}"
            assert_problem(response, expected)
        assert answer.json()["type"] == unknown.json()["type"], f"{method} {template}"
        walked.append((method, template))
    assert len(walked) >= 60  # every id route of the document (a sanity floor, not a count to keep)


def test_another_organizations_resources_are_untouched_after_the_walk(two_organizations):
    a, b, ids_b, _, document = two_organizations
    for method, template, scope in id_operations(document):
        if method == "GET" and scope != "sandbox:admin":
            response = call(b, method, template, ids_b)
            assert response.status_code == 200, f"B reads its own {template}: {response.text}"


def test_no_list_shows_another_organizations_data(two_organizations):
    a, b, ids_b, marker, document = two_organizations
    listed = 0
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path or not path.startswith("/api/v1/") \
                or operation.get("x-required-scope") == "sandbox:admin":
            continue
        response = a.get(path)
        assert response.status_code in (200, 400), f"GET {path}: {response.text}"
        text = response.text
        assert marker not in text, f"GET {path} shows organization B's data"
        leaked = [name for name, value in ids_b.items() if value in text]
        assert not leaked, f"GET {path} shows organization B's {leaked}"
        listed += response.status_code == 200
    assert listed >= 25  # every list route of the document (a sanity floor)
