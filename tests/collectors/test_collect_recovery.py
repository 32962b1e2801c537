"""Backups and replication read from textfile-collector gauges on a real Prometheus."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.prometheus.recovery import collect_recovery
from collectors.prometheus.source import PrometheusSource
from estate import load_estate
from estate.model import Site
from tests.collectors.prometheus_server import Metric, prometheus_with
from tests.conftest import SMALL_ESTATE

START = datetime(2026, 1, 5, tzinfo=UTC)
S0 = int(START.timestamp())
END = datetime(2026, 1, 7, tzinfo=UTC)
HOUR = 3600


@pytest.fixture(scope="module")
def estate():
    return load_estate(SMALL_ESTATE)


def gauges() -> list[Metric]:
    """Two days scraped every minute. Backups succeed at 01:30 and 13:30 except 13:30 on the
    second day, which fails at 13:10. The gauge holds the last time until the next job. Lag is
    60 s, except 05:00-05:10 on the first day when it is 20,000 s; one sample says -5."""
    successes = [S0 - 12 * HOUR + 1800, S0 + 1 * HOUR + 1800, S0 + 13 * HOUR + 1800, S0 + 25 * HOUR + 1800]
    failures = [S0 - 30 * HOUR, S0 + 37 * HOUR + 600]
    scrapes = range(S0 - 600, S0 + 48 * HOUR, 60)

    def held(times: list[int]) -> list[tuple[int, float]]:
        return [(t, float(max(x for x in times if x <= t))) for t in scrapes]

    lag = [(t, 20_000.0 if S0 + 5 * HOUR <= t < S0 + 5 * HOUR + 600 else 60.0) for t in scrapes]
    lag[100] = (lag[100][0], -5.0)
    labels = {"dataset": "council-tax-db", "instance": "dc1-ctax-app01:9100"}
    return [
        Metric("backup_last_success_timestamp_seconds", labels, held(successes)),
        Metric("backup_last_failure_timestamp_seconds", labels, held(failures)),
        Metric("replication_lag_seconds", labels, lag),
        Metric("replication_lag_seconds", {**labels, "dataset": "not-ours"}, [(t, 1.0) for t in scrapes]),
    ]


def test_jobs_and_lag_come_from_the_gauges(estate, warehouse, tmp_path):
    with prometheus_with(gauges(), tmp_path) as url:
        source = PrometheusSource.for_site(
            Site(id="dc1", name="one", prometheus_url=url), environ={}, sleep=lambda s: None
        )
        outcome = collect_recovery(estate, "dc1", source, warehouse, START, END)
        again = collect_recovery(estate, "dc1", source, warehouse, START, END)
    assert outcome.status == "ok" and (outcome.jobs, again.jobs) == (4, 4)
    jobs = warehouse.backup_jobs(START, END)
    got = [(r["finished_at_utc"].strftime("%d %H:%M"), r["status"]) for r in jobs.iter_rows(named=True)]
    # the successes at 01:30 and 13:30 on the 5th and 01:30 on the 6th; the failure at 13:10 on
    # the 6th; the earlier values the gauges held at the start are not jobs of this window
    assert got == [
        ("05 01:30", "success"),
        ("05 13:30", "success"),
        ("06 01:30", "success"),
        ("06 13:10", "failed"),
    ]
    lag = warehouse.replication_lag(START, END)
    assert lag.height == 48 * 60 - 1  # every minute of two days but the one negative sample
    assert lag["sampled_at_utc"].n_unique() == lag.height  # none twice across chunk boundaries
    assert outcome.refused == 1
    assert set(lag["to_site_id"].to_list()) == {"dc2"} and lag["lag_seconds"].max() == 20_000.0
    assert warehouse.watermark("dc1", "recovery") == END.replace(tzinfo=None)
