"""The one pipeline every email goes through: capture, delivery, simulation, tracking, suppressions."""
