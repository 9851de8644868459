"""Campaigns: one email, personalised, sent to every contact of an audience on the sandbox clock.

    content.py    what each recipient gets: the parts (a template or the campaign's own), the
                  variables (the campaign's plus `contact`), the send request and its Incoming (pure)
    audience.py   lists, segments and contact ids -> contacts; who is skipped and why; the preview
                  count and the recipients fixed when sending begins (DB thread)
    stats.py      recipients, skipped, sent and what happened after (from the events), rates and
                  per-link clicks (DB thread; the rates are pure)
    store.py      create, list, read, change, delete, the send and cancel actions (DB thread)
    sender.py     the durable jobs: START_JOB at `send_at` fixes the recipients, then one
                  BATCH_JOB at a time sends a batch in one unit of work through the capture
                  pipeline (paced by `rate_per_minute`); the last one completes the campaign and
                  publishes `campaign_completed` on the bus (DB thread)
    service.py    what routes and pages call: checks that render on the render threads, the
                  send action, and test sends through `pipeline.capture.ingest`

Each recipient's email goes through the one pipeline (quota, suppressions, tracking attributed
to that recipient, `email.sent` and simulated outcomes) and carries `Email.campaign_id`, so the
email and event APIs filter by campaign and the stats read straight from the events.
Who hears `campaign_completed` (the webhook outbox) is written in server/wiring.py.
"""
