"""Utilisation reduced by a real Prometheus from node_exporter-style series, written hourly with
daily rollups and a watermark; an unreachable site writes nothing and keeps its watermark."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.prometheus.source import PrometheusSource
from collectors.prometheus.utilisation import collect_utilisation
from estate import load_estate
from estate.model import Site
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


def test_a_busy_spell_gives_the_hours_mean_and_its_busiest_five_minutes(estate, warehouse, tmp_path):
    """Hour 01:00-02:00: one CPU busy 100 % from 01:20 to 01:30 and idle otherwise; memory
    available 4 GB of 10 GB except 1 GB at 01:40 (one sample); disks 70 % full all along.

    CPU peak: the busiest five minutes (rate over 5 m, evaluated each minute) is 100 %. CPU mean:
    10 of 60 minutes busy is 16.67 %, as Prometheus 2 reads the hour's counter from both ends
    ([01:00, 02:00]); Prometheus 3 leaves out the sample at 01:00 and extrapolates 59 minutes to
    the hour, giving 16.95 % (1 - 2,940 idle s / 3,540 s). Memory peak: 1 - 1/10 = 90 % exactly;
    mean is the steady 60 % plus that one sample's extra 30 points shared over the hour's
    samples: 61 with both ends (60 + 30/61 = 60.4918 %), or 60 in Prometheus 3 (60.5 %)."""
    t = [S0 + 60 * m for m in range(0, 3 * 60 + 1)]
    idle, total = [], 0.0
    for ts in t:
        idle.append((ts, total))
        minute = (ts - S0) // 60
        total += 0.0 if 80 <= minute < 90 else 60.0  # busy 01:20-01:30
    disk = {"fstype": "ext4", "mountpoint": "/"}
    history = [
        Metric("node_cpu_seconds_total", {**INSTANCE, "cpu": "0", "mode": "idle"}, idle),
        Metric(
            "node_memory_MemAvailable_bytes",
            INSTANCE,
            [(ts, 1e9 if ts == S0 + 100 * 60 else 4e9) for ts in t],
        ),
        Metric("node_memory_MemTotal_bytes", INSTANCE, [(ts, 10e9) for ts in t]),
        Metric("node_filesystem_avail_bytes", {**INSTANCE, **disk}, [(ts, 30e9) for ts in t]),
        Metric("node_filesystem_size_bytes", {**INSTANCE, **disk}, [(ts, 100e9) for ts in t]),
    ]
    hour = datetime(2026, 1, 5, 1, tzinfo=UTC)
    with prometheus_with(history, tmp_path) as url:
        source = PrometheusSource.for_site(
            Site(id="dc1", name="one", prometheus_url=url), environ={}, **NO_WAIT
        )
        outcome = collect_utilisation(
            estate, "dc1", source, warehouse, hour, datetime(2026, 1, 5, 2, tzinfo=UTC)
        )
    assert outcome.status == "ok"

    def one(metric):
        (row,) = warehouse.utilisation(
            ["dc1-ctax-app01"], metric, 3600, hour, datetime(2026, 1, 5, 2, tzinfo=UTC)
        ).iter_rows(named=True)
        return row["mean_value"], row["peak_value"]

    cpu_mean, cpu_peak = one("cpu_percent")
    assert cpu_peak == pytest.approx(100.0, rel=1e-9)
    assert 100 / 6 - 1e-9 <= cpu_mean <= 100 * (1 - 2940 / 3540) + 1e-9
    memory_mean, memory_peak = one("memory_percent")
    assert memory_peak == pytest.approx(90.0, rel=1e-12)
    assert 60.0 + 30 / 61 - 1e-9 <= memory_mean <= 60.0 + 30 / 60 + 1e-9
    assert one("storage_percent") == pytest.approx((70.0, 70.0), rel=1e-12)
