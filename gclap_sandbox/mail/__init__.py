"""Pure MIME: build, write and parse messages; no database, no HTTP."""
