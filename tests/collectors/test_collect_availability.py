"""Availability collected from a real Prometheus into the warehouse, to the second; an
unreachable site recorded as unmonitored without moving the watermark; re-runs idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.prometheus.availability import collect_availability
from collectors.prometheus.source import PrometheusSource
from estate import load_estate
from estate.model import Site
from tests.collectors.prometheus_server import Metric, prometheus_with
from tests.conftest import SMALL_ESTATE

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
S0 = int(START.timestamp())
NO_WAIT = {"sleep": lambda seconds: None}


@pytest.fixture(scope="module")
def estate():
    return load_estate(SMALL_ESTATE)


def dc1_endpoints(estate):
    return [(service.id, e) for service in estate.services for e in service.endpoints if e.site == "dc1"]


def history(estate):
    """Three hours of one-minute probes for each dc1 endpoint. The first endpoint is down
    10:00-10:30 (samples 10:00..10:29 say 0) and silent 11:00-11:20 (no samples at all)."""
    metrics = []
    for k, (_, endpoint) in enumerate(dc1_endpoints(estate)):
        samples = []
        for minute in range(180):
            t = S0 + 60 * minute
            if k == 0 and 120 <= minute < 140:
                continue  # silence
            samples.append((t, 0.0 if k == 0 and 60 <= minute < 90 else 1.0))
        metrics.append(Metric("probe_success", {"instance": endpoint.target, "job": "blackbox"}, samples))
    return metrics


def test_collected_intervals_are_exactly_what_the_probes_said(estate, warehouse, tmp_path):
    with prometheus_with(history(estate), tmp_path) as url:
        source = PrometheusSource.for_site(
            Site(id="dc1", name="one", prometheus_url=url), environ={}, **NO_WAIT
        )
        end = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
        outcome = collect_availability(estate, "dc1", source, warehouse, START, end)
        again = collect_availability(estate, "dc1", source, warehouse, START, end)  # idempotent
    assert outcome.status == "ok" and again.intervals == outcome.intervals
    (service_id, first), *others = dc1_endpoints(estate)
    rows = warehouse.availability_intervals("dc1", START, end)
    mine = rows.filter(rows["endpoint_id"] == f"{service_id}@dc1")
    got = [
        (r["start_utc"].strftime("%H:%M"), r["end_utc"].strftime("%H:%M"), r["state"], r["cause"])
        for r in mine.iter_rows(named=True)
    ]
    # 09:00-10:00 up; 10:00-10:30 down; 10:30 up until the last sample before the silence
    # (10:59) stands its minute; 11:00-11:20 no samples; up again from 11:20 to the end.
    assert got == [
        ("09:00", "10:00", "up", None),
        ("10:00", "10:30", "down", None),
        ("10:30", "11:00", "up", None),
        ("11:00", "11:20", "unmonitored", "no-samples"),
        ("11:20", "12:00", "up", None),
    ]
    for other_service, _ in others:
        theirs = rows.filter(rows["endpoint_id"] == f"{other_service}@dc1")
        assert [(r["state"], r["start_utc"], r["end_utc"]) for r in theirs.iter_rows(named=True)] == [
            ("up", START.replace(tzinfo=None), end.replace(tzinfo=None))
        ]
    assert warehouse.watermark("dc1", "availability") == end.replace(tzinfo=None)


def test_an_unreachable_site_is_unmonitored_and_the_watermark_stays(estate, warehouse):
    source = PrometheusSource.for_site(
        Site(id="dc1", name="one", prometheus_url="http://127.0.0.1:9", retry_attempts=2),
        environ={},
        **NO_WAIT,
    )
    end = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    outcome = collect_availability(estate, "dc1", source, warehouse, START, end)
    assert outcome.status == "unreachable" and "site dc1: http://127.0.0.1:9" in outcome.message
    rows = warehouse.availability_intervals("dc1", START, end)
    assert set(rows["cause"].to_list()) == {"prometheus-unreachable"}
    assert rows.height == len(dc1_endpoints(estate))
    assert warehouse.watermark("dc1", "availability") is None
