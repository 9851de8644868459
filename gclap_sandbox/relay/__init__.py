"""Relaying captured mail to a real SMTP server: config and rules, durable store, worker, release."""
