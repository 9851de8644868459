"""Contacts, lists, segments, CSV import and export (all queries run on the DB thread)."""
