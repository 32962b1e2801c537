"""The test harness works end to end: generated history, backfilled with promtool, served by a
real Prometheus, read back by a range query through the answer parser, sample for sample."""

from __future__ import annotations

import urllib.parse
import urllib.request

import numpy as np

from collectors.prometheus.matrix import parse_matrix
from tests.collectors.prometheus_server import Metric, openmetrics, prometheus_with

START = 1_767_225_600  # 2026-01-01T00:00:00Z
STEP = 60


def test_openmetrics_text_ends_with_eof_and_keeps_time_order():
    text = openmetrics([Metric("probe_success", {"instance": "a"}, [(START, 1.0), (START + 60, 0.0)])])
    assert text.splitlines()[0] == "# TYPE probe_success gauge"
    assert text.splitlines()[1:] == [
        'probe_success{instance="a"} 1.0 1767225600',
        'probe_success{instance="a"} 0.0 1767225660',
        "# EOF",
    ]


def test_a_backfilled_prometheus_answers_a_range_query_with_exactly_what_was_generated(tmp_path):
    rng = np.random.default_rng(3)
    hours = 6
    metrics = [
        Metric(
            "probe_success",
            {"instance": f"https://svc{k}.example/health", "site": "dc1"},
            [(START + STEP * i, float(rng.random() < 0.9)) for i in range(hours * 60)],
        )
        for k in range(3)
    ]
    with prometheus_with(metrics, tmp_path) as url:
        query = urllib.parse.urlencode(
            {"query": "probe_success", "start": START, "end": START + hours * 3600 - STEP, "step": STEP}
        )
        request = urllib.request.Request(
            f"{url}/api/v1/query_range?{query}", headers={"Accept-Encoding": "identity"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = answer.read()
    series = {
        s.labels["instance"]: s
        for s in parse_matrix(body, "dc1 probe_success", window=(START, START + hours * 3600))
    }
    assert set(series) == {m.labels["instance"] for m in metrics}
    for metric in metrics:
        got = series[metric.labels["instance"]]
        assert got.labels["site"] == "dc1" and got.labels["__name__"] == "probe_success"
        assert got.times_s.tolist() == [float(t) for t, _ in metric.samples]
        assert got.values.tolist() == [v for _, v in metric.samples]
