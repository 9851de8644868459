"""Alerts: watch a metric over a window of the sandbox clock, fire and resolve through channels.

    definition.py     the config's fields and the rules between them (request schemas; pure)
    store.py          create, list, read, change, delete; history; the test action (DB thread)
    evaluation.py     the metric now (analytics/metrics.py), the condition's verdict, and when the
                      value next changes by itself (DB thread, reads only)
    state_machine.py  ok -> triggered -> resolved, cooldowns; records each move (DB thread)
    schedule.py       evaluation jobs on the sandbox clock: on a change of config, soon after
                      events that move the metric (coalesced), and when data leaves the window
    notify.py         the move as `sandbox.alert.triggered` / `.resolved`: to the webhook outbox
                      and as an email into the inbox (alert_mail.py); the test action's sample
    wording.py        values, conditions and summaries in words (pure)

Who hears an event (schedule.on_event) and a move (notify.to_webhooks, notify.to_inbox) is
written in server/wiring.py.
"""
