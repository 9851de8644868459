"""Read a sandbox's /metrics as Prometheus does: with the official client library's parser."""
from __future__ import annotations

from typing import Any

import httpx
from helpers import wait_until
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset], float]


def scrape(base_url: str) -> Samples:
    """Every sample of GET /metrics, by (sample name, labels)."""
    response = httpx.get(f"{base_url}/metrics", timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples: Samples, name: str, **labels: Any) -> float:
    """One sample's value; 0 when the series is not there yet."""
    return samples.get((name, frozenset((k, str(v)) for k, v in labels.items())), 0.0)


def wait_for_metric(base_url: str, name: str, at_least: float, **labels: Any) -> Samples:
    """Scrape until `name{labels}` reaches `at_least` (a safety-net deadline, not a timing assertion)."""
    def reached() -> Samples | None:
        samples = scrape(base_url)
        return samples if value(samples, name, **labels) >= at_least else None

    return wait_until(reached, f"{name}{labels} >= {at_least}")


__all__ = ["scrape", "value", "wait_for_metric"]
