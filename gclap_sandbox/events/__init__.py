"""The event funnel (record), durable jobs on the sandbox clock, clock moves, analytics, long polling."""
