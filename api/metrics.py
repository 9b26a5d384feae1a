"""Prometheus metrics: latency per endpoint, routing decisions, re-solves, and the ledger's own
counters (reservations expired, races lost) read from the shared store at scrape time.

Per-process metrics (latency, decisions) follow prometheus_client's multiprocess mode when
``PROMETHEUS_MULTIPROC_DIR`` is set (``dom serve --workers N`` sets it), so one scrape sums every
worker process. Ledger counters live in the store (Redis: shared by every replica), so they are
exact service-wide figures rather than one replica's share.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from dom.inventory import InventoryStore, StoreUnavailable

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_LATENCY_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _LedgerCollector(Collector):
    """The store's counters and the number of restock alerts, read when scraped."""

    def __init__(self, store: Callable[[], InventoryStore]) -> None:
        self._store = store

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("dom_ledger_up", "1 if the inventory ledger answered the scrape")
        try:
            store = self._store()
            counters = store.counters()
            alerts = store.num_restock_alerts()
        except StoreUnavailable:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        for name, value in sorted(counters.items()):
            yield CounterMetricFamily(
                f"dom_ledger_{name}", f"ledger counter {name} (all replicas)", value=value
            )
        yield GaugeMetricFamily(
            "dom_restock_alerts", "node/SKU rows at or below their reorder point", value=alerts
        )


class Metrics:
    """The service's metrics and their exposition."""

    def __init__(self, store: Callable[[], InventoryStore]) -> None:
        own = CollectorRegistry(auto_describe=True)
        self.latency = Histogram(
            "dom_http_request_duration_seconds",
            "HTTP request latency by endpoint",
            ["method", "endpoint", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=own,
        )
        self.decisions = Counter(
            "dom_route_decisions",
            "orders routed, by outcome (filled, partial, unfilled) and whether stock was held",
            ["outcome", "reserved"],
            registry=own,
        )
        self.resolves = Counter(
            "dom_route_resolves",
            "re-solves after a reservation lost a race for stock (this process)",
            registry=own,
        )
        self.contention = Counter(
            "dom_route_contention",
            "orders answered 409 after every re-solve lost its race (this process)",
            registry=own,
        )
        self.jobs = Counter(
            "dom_jobs_submitted", "batch allocation jobs accepted", ["source"], registry=own
        )
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            self.registry = CollectorRegistry()
            MultiProcessCollector(self.registry)
        else:
            self.registry = own
        self.registry.register(_LedgerCollector(store))

    def observe(self, method: str, endpoint: str, status: int, seconds: float) -> None:
        self.latency.labels(method, endpoint, str(status)).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
