"""Analytics over the event log: metrics for alerts, breakdowns for reports, time series for charts."""
