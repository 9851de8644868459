"""Fault injection: rules (pure), and their glue for the SMTP server and the HTTP API."""
