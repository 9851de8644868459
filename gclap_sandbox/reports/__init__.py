"""Scheduled reports: a schedule on the sandbox clock, the figures of a period, an email with them."""
