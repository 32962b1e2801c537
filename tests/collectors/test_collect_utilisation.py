"""Utilisation reduced by a real Prometheus from node_exporter-style series, written hourly with
daily rollups and a watermark; an unreachable site writes nothing and keeps its watermark."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.prometheus.source import PrometheusSource
from collectors.prometheus.utilisation import collect_utilisation
from councilops.estate import load_estate
from councilops.estate.model import Site
from tests.collectors.prometheus_server import Metric, prometheus_with
from tests.conftest import SMALL_ESTATE

START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
S0 = int(START.timestamp())
HOURS = 6
NO_WAIT = {"sleep": lambda seconds: None}
INSTANCE = {"instance": "dc1-ctax-app01:9100"}


def node_exporter_history() -> list[Metric]:
    """One server, one CPU busy 25 % of the time, memory 60 % used, disks 70 % full, 0.2 Mbit/s
    of traffic, sampled every minute for six hours (plus the five minutes rate() looks back)."""
    minutes = range(-10, HOURS * 60 + 1)
    t = [S0 + 60 * m for m in minutes]
    idle = [(ts, 60.0 * 0.75 * k) for k, ts in enumerate(t)]  # idle seconds: 45 a minute
    received = [(ts, 750_000.0 * k) for k, ts in enumerate(t)]  # 12,500 bytes a second
    sent = [(ts, 750_000.0 * k) for k, ts in enumerate(t)]
    disk = {"fstype": "ext4", "mountpoint": "/"}
    return [
        Metric("node_cpu_seconds_total", {**INSTANCE, "cpu": "0", "mode": "idle"}, idle),
        Metric("node_memory_MemAvailable_bytes", INSTANCE, [(ts, 4e9) for ts in t]),
        Metric("node_memory_MemTotal_bytes", INSTANCE, [(ts, 10e9) for ts in t]),
        Metric("node_filesystem_avail_bytes", {**INSTANCE, **disk}, [(ts, 30e9) for ts in t]),
        Metric("node_filesystem_size_bytes", {**INSTANCE, **disk}, [(ts, 100e9) for ts in t]),
        Metric("node_network_receive_bytes_total", {**INSTANCE, "device": "eth0"}, received),
        Metric("node_network_transmit_bytes_total", {**INSTANCE, "device": "eth0"}, sent),
    ]


@pytest.fixture(scope="module")
def estate():
    return load_estate(SMALL_ESTATE)


def test_hourly_means_and_peaks_are_what_the_exporter_said(estate, warehouse, tmp_path):
    end = datetime(2026, 1, 5, HOURS, 0, tzinfo=UTC)
    with prometheus_with(node_exporter_history(), tmp_path) as url:
        source = PrometheusSource.for_site(
            Site(id="dc1", name="one", prometheus_url=url), environ={}, **NO_WAIT
        )
        outcome = collect_utilisation(estate, "dc1", source, warehouse, START, end)
        again = collect_utilisation(estate, "dc1", source, warehouse, START, end)
    assert outcome.status == "ok" and outcome.refused == dict.fromkeys(outcome.refused, 0)
    assert outcome.rows == again.rows == 4 * HOURS  # four metrics, six hours
    expected = {"cpu_percent": 25.0, "memory_percent": 60.0, "storage_percent": 70.0, "network_mbps": 0.2}
    for metric, value in expected.items():
        rows = warehouse.utilisation(["dc1-ctax-app01"], metric, 3600, START, end)
        assert rows["interval_start_utc"].to_list() == [datetime(2026, 1, 5, h) for h in range(HOURS)]
        assert rows["mean_value"].to_list() == pytest.approx([value] * HOURS, rel=1e-9)
        assert rows["peak_value"].to_list() == pytest.approx([value] * HOURS, rel=1e-9)
    assert warehouse.watermark("dc1", "utilisation") == end.replace(tzinfo=None)
    assert warehouse.row_counts()["utilisation"] == 4 * HOURS + 4  # and one daily rollup a metric


def test_an_unreachable_site_writes_nothing_and_keeps_its_watermark(estate, warehouse):
    source = PrometheusSource.for_site(
        Site(id="dc1", name="one", prometheus_url="http://127.0.0.1:9", retry_attempts=1),
        environ={},
        **NO_WAIT,
    )
    outcome = collect_utilisation(
        estate, "dc1", source, warehouse, START, datetime(2026, 1, 5, HOURS, tzinfo=UTC)
    )
    assert outcome.status == "unreachable" and outcome.rows == 0
    assert warehouse.watermark("dc1", "utilisation") is None
    assert warehouse.row_counts()["utilisation"] == 0


def windows_history() -> list[Metric]:
    """A Windows server: one CPU idle 60 % of the time, 8 of 32 GB free."""
    t = [S0 + 60 * m for m in range(-10, HOURS * 60 + 1)]
    return [
        Metric(
            "windows_cpu_time_total",
            {**INSTANCE, "core": "0,0", "mode": "idle"},
            [(ts, 36.0 * k) for k, ts in enumerate(t)],
        ),
        Metric("windows_os_physical_memory_free_bytes", INSTANCE, [(ts, 8e9) for ts in t]),
        Metric("windows_cs_physical_memory_bytes", INSTANCE, [(ts, 32e9) for ts in t]),
    ]


def test_a_windows_server_by_default_and_a_configured_query(estate, warehouse, tmp_path):
    end = datetime(2026, 1, 5, HOURS, 0, tzinfo=UTC)
    custom = estate.model_copy(
        update={
            "collection": estate.collection.model_copy(
                update={"queries": {"network_mbps": "42 + 0 * windows_os_physical_memory_free_bytes"}}
            )
        }
    )
    with prometheus_with(windows_history(), tmp_path) as url:
        source = PrometheusSource.for_site(
            Site(id="dc1", name="one", prometheus_url=url), environ={}, **NO_WAIT
        )
        outcome = collect_utilisation(custom, "dc1", source, warehouse, START, end)
    assert outcome.status == "ok"
    for metric, value in {"cpu_percent": 40.0, "memory_percent": 75.0, "network_mbps": 42.0}.items():
        rows = warehouse.utilisation(["dc1-ctax-app01"], metric, 3600, START, end)
        assert rows["mean_value"].to_list() == pytest.approx([value] * HOURS, rel=1e-9), metric
    assert (
        warehouse.utilisation(["dc1-ctax-app01"], "storage_percent", 3600, START, end).height == 0
    )  # not exposed
