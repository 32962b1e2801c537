"""The served process's own metrics, in Prometheus's text format at /metrics (prometheus-client).

Each app has its own registry (the tests make many apps in one process). No label names a
council: /metrics is for the provider's monitoring, read from configured addresses only.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

# page and callback latencies: the goal is a callback's p95 under 200 ms on the server
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1.0, 2.0, 5.0, 10.0)


class ServedMetrics:
    def __init__(self, guard, answers, collection_state):
        self.registry = CollectorRegistry()
        self.request_seconds = Histogram(
            "councilops_request_seconds",
            "Time to answer a request, by kind (page, callback, download, other).",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.callback_seconds = Histogram(
            "councilops_callback_seconds",
            "Time to answer a Dash callback, by the output it updates.",
            ["output"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.refused = Counter(
            "councilops_refused_requests",
            "Requests refused: without a session, without the CSRF token, outside the user's scope or role.",
            ["what"],
            registry=self.registry,
        )
        self.collection_seconds = Histogram(
            "councilops_collection_seconds",
            "Time a site's collection of one kind took.",
            ["site", "kind"],
            buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800),
            registry=self.registry,
        )
        self.collection_errors = Counter(
            "councilops_collection_errors",
            "Collections of a site and kind that did not end ok.",
            ["site", "kind"],
            registry=self.registry,
        )
        self.collection_last_success = Gauge(
            "councilops_collection_last_success_timestamp_seconds",
            "When a site's collection of one kind last ended ok (Unix time).",
            ["site", "kind"],
            registry=self.registry,
        )
        self.report_failures = Counter(
            "councilops_report_failures",
            "Scheduled report issues that failed (see the log).",
            registry=self.registry,
        )
        self.reports_issued = Counter(
            "councilops_reports_issued", "Reports issued by the served process.", registry=self.registry
        )
        self.registry.register(_FromState(guard, answers, collection_state))


class _FromState:
    """Figures kept elsewhere (the sign-in guard, the kept answers), read at scrape time."""

    def __init__(self, guard, answers, collection_state):
        self._guard = guard
        self._answers = answers
        self._collection_state = collection_state

    def describe(self):
        return []

    def collect(self):
        failed = CounterMetricFamily("councilops_signin_failures", "Sign-ins with a wrong name or password.")
        failed.add_metric([], self._guard.failed)
        yield failed
        refused = CounterMetricFamily(
            "councilops_signin_refused", "Sign-ins refused for too many recent failures."
        )
        refused.add_metric([], self._guard.refused)
        yield refused
        worked = CounterMetricFamily(
            "councilops_answers_worked_out", "Answers worked out rather than served from those kept."
        )
        worked.add_metric([], self._answers.worked_out)
        yield worked
        running = GaugeMetricFamily("councilops_collection_running", "1 while a collection runs.")
        running.add_metric([], 1 if self._collection_state().get("running") else 0)
        yield running
