"""Prometheus metrics in a registry owned by the app (no import-time globals)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from hotline.app import Services

__all__ = ["Metrics", "RequestMetrics"]


class _LiveCollector(Collector):
    """Reads counters kept by the services at scrape time."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        log = self.services.event_log
        yield CounterMetricFamily(
            "hotline_events_appended", "Events committed to the log", value=log.appended
        )
        yield CounterMetricFamily(
            "hotline_event_batches", "Group commits of the event log", value=log.batches
        )
        yield CounterMetricFamily(
            "hotline_event_write_errors",
            "Failed event log writes (retried)",
            value=log.write_errors,
        )
        yield GaugeMetricFamily(
            "hotline_events_pending", "Events queued, not yet committed", value=log.pending
        )
        yield GaugeMetricFamily(
            "hotline_bus_subscribers",
            "Live event subscribers",
            value=self.services.bus.subscriber_count,
        )
        backlog, backlog_max = self.services.bus.backlog()
        yield GaugeMetricFamily(
            "hotline_bus_backlog",
            "Event records published and not yet taken by their subscribers",
            value=backlog,
        )
        yield GaugeMetricFamily(
            "hotline_bus_backlog_max",
            "The largest one subscriber's backlog of event records",
            value=backlog_max,
        )
        yield CounterMetricFamily(
            "hotline_bus_dropped",
            "Event records dropped for live subscribers' full queues (read back from the log)",
            value=self.services.bus.dropped,
        )
        yield GaugeMetricFamily(
            "hotline_draining",
            "1 while the server drains",
            value=1 if self.services.draining else 0,
        )
        for name, value, help_text in self.services.extra_metrics():
            yield GaugeMetricFamily(name, help_text, value=value)


class Metrics:
    def __init__(self, services: Services) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_LiveCollector(services))
        self.requests = Counter(
            "hotline_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "hotline_http_request_seconds",
            "HTTP request duration",
            ["route"],
            registry=self.registry,
        )

    def count(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)


class RequestMetrics:
    """Counts and times each HTTP request by its route (a plain ASGI middleware: Starlette's
    `BaseHTTPMiddleware` costs a task group and two streams per request, measured as a large
    share of a chat reply's CPU, docs/performance.md)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        counted = False

        def count(status: int) -> None:
            nonlocal counted
            counted = True
            # the router put the matched route in the scope (the same dict) on its way in
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.count(scope["method"], route, status, time.perf_counter() - start)

        async def send_status(message: Message) -> None:
            # Counted before the response leaves: a client that reads /metrics right after
            # its answer finds its own request there.
            if message["type"] == "http.response.start" and not counted:
                count(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            if not counted:  # no response started (an error below every handler)
                count(500)
