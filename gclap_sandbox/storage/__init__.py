"""The database thread and units of work, hot statements, schema and migrations, reset."""
