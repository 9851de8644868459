"""A PostgreSQL server for these tests (postgres_fixtures.py says which)."""
from postgres_fixtures import postgres_admin_url, postgres_url  # noqa: F401  (fixtures)
