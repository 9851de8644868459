"""Automation: workflows that take contacts through steps, on the sandbox clock.

    definition.py  a workflow's trigger and steps: checked and normalised, problems named by step (pure)
    decisions.py   what a step decides: condition branches, when waits end, date triggers, re-entry (pure)
    workflows.py   workflow CRUD, runs listing, custom events and manual enrolment, date checks (DB thread)
    triggers.py    bus subscribers: contact created, added to a list, email events, unsubscribe exits (DB thread)
    runs.py        enrolment, and a run's database-only steps; a wait is a durable job (DB thread)
    actions.py     the steps done off the database thread: send an email, call a signed URL
    runner.py      the loop-side runner that takes ready runs through their steps; a clock runner

A trigger enrols a contact: a `WorkflowRun` row, `ready`. The runner asks `runs.proceed` to do
the steps that need only the database; a send or call step comes back to the runner, which
does it and records it (`runs.record_step`). A wait sets the run `waiting` and schedules a job
(`automation.resume`) at its end; the job makes the run ready again. Everything is in the
database, so runs survive a restart. Subscriptions are in server/wiring.py.
"""
