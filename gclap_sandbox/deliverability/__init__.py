"""Deliverability: a score that explains itself (factors), its daily history, inbox placement tests."""
