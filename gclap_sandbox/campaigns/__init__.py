"""Campaigns: one email, personalised, sent to every contact of an audience on the sandbox clock.

    content.py    what each recipient gets: the parts (a template or the campaign's own), the
                  variables (the campaign's plus `contact`), the send request and its Incoming (pure)
    audience.py   lists, segments and contact ids -> contacts; who is skipped and why; the preview
                  count, and the recipients written a chunk at a time when sending begins (DB thread)
    counting.py   running counts of each campaign's events (total and per recipient, clicks per
                  link), added to as each event is recorded, so stats cost the same at any size
    stats.py      recipients, skipped, sent and what happened after (from those counts), rates and
                  per-link clicks (DB thread; the rates are pure)
    store.py      create, list, read, change, delete, the send and cancel actions (DB thread)
    sender.py     the database side of sending: START_JOB at `send_at`, FILL_JOBs writing the
                  recipients, then per batch: claim it, capture its emails in short units of work,
                  finish it (the next batch due now, or paced by `rate_per_minute` with a
                  BATCH_JOB); the last completes the campaign and publishes `campaign_completed`
    runner.py     the loop side: takes due batches, renders them on the render threads, hands
                  them to sender.capture; a clock runner, so advancing the clock sends what is due
    service.py    what routes and pages call: checks that render on the render threads, the
                  send action, and test sends through `pipeline.capture.ingest`

Each recipient's email goes through the one pipeline (quota, suppressions, tracking attributed
to that recipient, `email.sent` and simulated outcomes) and carries `Email.campaign_id`, so the
email and event APIs filter by campaign, and its events add to the campaign's counts.
Who hears `campaign_completed` (the webhook outbox) is written in server/wiring.py.
"""
