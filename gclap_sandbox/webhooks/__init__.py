"""Webhooks: endpoints subscribe to event types; every event becomes signed deliveries.

    signing.py     Standard Webhooks secrets and signatures (pure)
    schedule.py    the retry schedule and Retry-After (pure)
    health.py      when a failing endpoint is disabled: after failing continuously for a span (pure)
    payloads.py    the body each event type is delivered as, and its JSON Schema
    endpoints.py   the endpoint registry (DB thread)
    outbox.py      deliveries written with their event (skipped while the endpoint is disabled);
                   claiming and recording attempts; redelivery and replaying what was missed (DB thread)
    dispatcher.py  the asyncio task that posts due deliveries with bounded concurrency
"""
