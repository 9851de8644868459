"""The inbox-preview web UI: a base (blueprint, rendering, navigation) and one module per page area."""
