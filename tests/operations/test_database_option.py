"""`--db` (and GCLAP_SANDBOX_DB) takes a file path, `:memory:`, `sqlite:///PATH` or a PostgreSQL URL
(tests/postgres/ runs on one); any other URL is refused at start in one line naming what it takes,
instead of becoming a folder name."""
from __future__ import annotations

import pytest
from cli_runs import invoke_cli
from sandbox_process import environment, start_sandbox

from gclap_sandbox.settings import database_location

FREE = ["--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0"]
POSTGRES = "postgresql://team:s3cret@db.example:5432/sandbox"


@pytest.mark.parametrize("args, env, expected", [
    (["--db", "postgresql://team:s3cret@db.example:99999/sandbox"], {}, "expected postgresql://USER:PASSWORD@HOST"),
    ([], {"GCLAP_SANDBOX_DB": "postgres://"}, "expected postgresql://USER:PASSWORD@HOST"),
    (["--db", "mysql://team:s3cret@db.example/sandbox"], {}, "mysql:// is not a database this sandbox can use"),
    ([], {"GCLAP_SANDBOX_DB": "sqlite://db.example/x.sqlite3"}, "expected sqlite:///PATH"),
], ids=["postgresql with a bad port", "postgres without a database in the env var", "mysql", "sqlite with a host"])
def test_a_database_url_this_version_cannot_use_is_refused_in_one_line(tmp_path, monkeypatch, args, env, expected):
    monkeypatch.chdir(tmp_path)  # where a URL taken as a path would have made its folder
    with environment(env):
        result = invoke_cli("serve", *FREE, *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    assert expected in result.stderr and "GCLAP_SANDBOX_DB" in result.stderr
    assert "sqlite:///PATH" in result.stderr or "postgresql://USER" in result.stderr
    assert "s3cret" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_sqlite_url_names_the_file_the_sandbox_keeps_its_mail_in(tmp_path):
    path = tmp_path / "mail" / "box.sqlite3"
    box = start_sandbox(db=f"sqlite:///{path}")  # three slashes and an absolute path: four in all
    try:
        assert box.db == str(path)
    finally:
        box.stop()
    assert path.is_file()


@pytest.mark.parametrize("value, path", [
    ("sqlite:///relative/box.sqlite3", "relative/box.sqlite3"),
    ("sqlite:////srv/box.sqlite3", "/srv/box.sqlite3"),
    ("sqlite:///:memory:", ":memory:"),
    ("sqlite:///with%20space.sqlite3", "with space.sqlite3"),
    ("C:/mail/box.sqlite3", "C:/mail/box.sqlite3"),
])
def test_a_sqlite_url_is_read_as_sqlalchemy_and_peewee_read_it(value, path):
    assert database_location(value) == path


@pytest.mark.parametrize("value, location", [
    (POSTGRES, POSTGRES),
    ("postgres://team@db.example/sandbox", "postgresql://team@db.example/sandbox"),
    ("postgresql+psycopg://team@db.example/sandbox", "postgresql://team@db.example/sandbox"),
    ("postgresql:///sandbox?host=/run/postgresql", "postgresql:///sandbox?host=/run/postgresql"),
])
def test_a_postgresql_url_in_any_of_its_usual_spellings_names_a_postgresql_database(value, location):
    assert database_location(value) == location
