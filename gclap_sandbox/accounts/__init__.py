"""Accounts: API keys and scopes, organizations and plans, rate limits, quotas, idempotency."""
