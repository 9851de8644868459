"""The composition root: the app factory, lifecycle, background workers, SMTP server, TLS."""
