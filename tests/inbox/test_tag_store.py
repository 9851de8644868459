"""The tag store on the DB thread: counts per organization, and tags kept in step with the rows
that `tag:` searches."""
from __future__ import annotations

from db_fixture import org_id  # noqa: F401  (fixture)

from gclap_sandbox.inbox import tags
from gclap_sandbox.models import Email, EmailTag, Organization
from gclap_sandbox.storage.bulk import insert_rows


def stored(organization: str, *tag_lists: list[str]) -> list[str]:
    ids = []
    for tag_list in tag_lists:
        email = Email.create(organization=organization, source="api", tags=tag_list)
        insert_rows(EmailTag, [{"email": email.id, "tag": t} for t in tag_list])
        ids.append(email.id)
    return ids


def test_each_organization_counts_only_its_own_tags(org_id):  # noqa: F811
    other = Organization.create(name="Other").id
    stored(org_id, ["a"], ["a", "b"])
    stored(other, ["a"], ["c"])
    assert tags.tag_counts(org_id) == [tags.TagCount("a", 2), tags.TagCount("b", 1)]
    assert tags.tag_counts(other) == [tags.TagCount("a", 1), tags.TagCount("c", 1)]


def test_rename_touches_only_the_organization_asked(org_id):  # noqa: F811
    other = Organization.create(name="Other").id
    mine, = stored(org_id, ["promo"])
    theirs, = stored(other, ["promo"])
    assert tags.rename(org_id, "promo", "sale") == 1
    assert Email.get_by_id(mine).tags == ["sale"] and Email.get_by_id(theirs).tags == ["promo"]
    assert sorted(t for (t,) in EmailTag.select(EmailTag.tag).tuples()) == ["promo", "sale"]


def test_changing_tags_keeps_the_search_rows_in_step(org_id):  # noqa: F811
    first, second = stored(org_id, ["x", "y"], ["y"])
    changed = tags.change_tags(Email.select().where(Email.organization == org_id), add=["Z"], remove=["Y"])
    assert changed == 2
    rows = sorted((e, t) for e, t in EmailTag.select(EmailTag.email, EmailTag.tag).tuples())
    assert rows == sorted([(first, "x"), (first, "Z"), (second, "Z")])
    assert Email.get_by_id(first).tags == ["x", "Z"]
