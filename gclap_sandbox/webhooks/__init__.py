"""Webhooks: endpoints subscribe to event types; every event becomes signed deliveries.

    signing.py     Standard Webhooks secrets and signatures (pure)
    schedule.py    the retry schedule and Retry-After (pure)
    payloads.py    the body each event type is delivered as, and its JSON Schema
    endpoints.py   the endpoint registry (DB thread)
    outbox.py      deliveries written with their event; claiming and recording attempts (DB thread)
    dispatcher.py  the asyncio task that posts due deliveries with bounded concurrency
"""
