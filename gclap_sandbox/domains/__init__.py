"""Sending domains: the DNS records to publish, DKIM keys, resolvers (the sandbox's own zone or
real DNS), verification, DKIM signing of outgoing mail and per-email authentication results."""
