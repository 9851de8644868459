"""What operators see: log lines (text or JSON), per-sandbox Prometheus metrics, and the bus
subscribers that feed both."""
