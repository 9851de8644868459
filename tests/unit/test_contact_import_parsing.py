"""CSV parsing for contact import: what is read, what is skipped, what refuses the whole file."""
from __future__ import annotations

import pytest

from gclap_sandbox.contacts.csv_import import BrokenFile, decode, parse_csv


def parse(data: bytes | str, encoding: str = "utf-8"):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_csv(decode(raw, encoding))


def test_header_mapping_quoted_fields_and_typed_attributes():
    parsed = parse('Email,First Name,last-name,Plan,seats,zip\r\n'
                   '"ANA@Example.com","Ana, ""the"" first","Line\nTwo",pro,12,007\r\n')
    [row] = parsed.rows
    assert row.email == "ana@example.com"
    assert row.fields == {"first_name": 'Ana, "the" first', "last_name": "Line\nTwo"}
    assert row.attributes == {"plan": "pro", "seats": 12, "zip": "007"}


def test_bom_and_blank_lines_are_ignored_and_rows_keep_their_line_numbers():
    parsed = parse("\ufeffemail,name_x\n\nana@x.com,1\n\n\n,\nbad-address,2\n")
    assert [r.email for r in parsed.rows] == ["ana@x.com"]
    assert parsed.errors == [{"row": 7, "email": "bad-address", "reason": "Not a valid email address: 'bad-address'."}]


def test_duplicates_in_the_file_are_reported_against_the_first():
    parsed = parse("email\nana@x.com\nANA@x.com \n")
    assert len(parsed.rows) == 1
    assert parsed.errors[0]["row"] == 3 and "line 2" in parsed.errors[0]["reason"]


def test_bad_rows_do_not_stop_good_ones():
    parsed = parse("email,status\n,subscribed\na@x.com,happy\nb@x.com,unsubscribed,extra\nc@x.com,\n")
    assert [r.email for r in parsed.rows] == ["c@x.com"]
    assert [(e["row"], e["reason"].split()[0]) for e in parsed.errors] == [(2, "No"), (3, "Unknown"), (4, "3")]


@pytest.mark.parametrize("data, message", [
    ("", "empty"),
    ("\n\n", "empty"),
    ("name,plan\nana,pro\n", "no `email` column"),
    ("email,Plan,plan\na@x.com,1,2\n", "appears twice"),
    ("email,,plan\na@x.com,1,2\n", "no name"),
    ("email,pl@n\na@x.com,1\n", "pl@n"),
    ('email,plan\n"a@x.com,pro\n', "not valid CSV"),
    ('email,plan\na@x.com,"pro"x\n', "not valid CSV"),
    ("email\na@x.com\x00\n", "NUL"),
])
def test_unreadable_files_are_refused_whole(data, message):
    with pytest.raises(BrokenFile, match=message):
        parse(data)


def test_wrong_encoding_is_refused_with_a_hint_and_accepted_when_named():
    latin = "email,city\nana@x.com,Malmö\n".encode("latin-1")
    with pytest.raises(BrokenFile, match="not valid utf-8.*encoding"):
        parse(latin)
    assert parse(latin, "latin-1").rows[0].attributes == {"city": "Malmö"}
    assert parse("email\nbo@x.com\n".encode("utf-16"), "utf-16").rows[0].email == "bo@x.com"
