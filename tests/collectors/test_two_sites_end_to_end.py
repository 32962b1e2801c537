"""Two sites' generated history, with outages, a gap and a backup failure, backfilled into two
real Prometheus servers and collected: the warehouse holds exactly what was generated, every
interval and every gap with its cause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from collectors.prometheus.source import PrometheusSource
from collectors.run import collect
from estate import load_estate
from estate.scope import PROVIDER
from tests.collectors.prometheus_server import Metric, prometheus_with
from tests.conftest import SMALL_ESTATE
from warehouse import Warehouse

START = datetime(2026, 2, 2, tzinfo=UTC)  # a Monday, in GMT
S0 = int(START.timestamp())
END = START + timedelta(days=2)
H = 3600

# What happened, as (site, from, to, state) in seconds after START; silence is not listed but
# left out of the samples. Everything else is up.
DOWN = {
    "dc1": [(10 * H, 10 * H + 1800), (15 * H, 15 * H + 1200)],  # 10:00-10:30, 15:00-15:20 day 1
    "dc2": [(15 * H, 15 * H + 1200), (36 * H, 36 * H + 300)],  # 15:00-15:20 day 1, 12:00-12:05 day 2
}
SILENT = {"dc1": [], "dc2": [(27 * H, 28 * H)]}  # dc2's probes stopped 03:00-04:00 on day 2
INTERVAL = {"dc1": 60, "dc2": 30}  # as the estate configures the two endpoints
TARGET = {"dc1": "https://ctax.dc1.example/health", "dc2": "https://ctax.dc2.example/health"}


def probe_history(site: str) -> list[Metric]:
    samples = []
    for offset in range(-300, 2 * 24 * H + 300, INTERVAL[site]):
        if any(lo <= offset < hi for lo, hi in SILENT[site]):
            continue
        down = any(lo <= offset < hi for lo, hi in DOWN[site])
        samples.append((S0 + offset, 0.0 if down else 1.0))
    return [Metric("probe_success", {"instance": TARGET[site]}, samples)]


def backup_history() -> list[Metric]:
    """council-tax-db (at dc1) backed up at 01:30 each day; the 01:30 job of day 2 failed."""
    good = [S0 - 22 * H - 1800, S0 + H + 1800]
    bad = [S0 - 100 * H, S0 + 25 * H + 1800]
    scrapes = range(S0 - 300, S0 + 2 * 24 * H, 60)
    labels = {"dataset": "council-tax-db"}
    return [
        Metric(
            "backup_last_success_timestamp_seconds",
            labels,
            [(t, float(max(x for x in good if x <= t))) for t in scrapes],
        ),
        Metric(
            "backup_last_failure_timestamp_seconds",
            labels,
            [(t, float(max(x for x in bad if x <= t))) for t in scrapes],
        ),
    ]


def expected(site: str) -> list[tuple[int, int, str, str | None]]:
    """The intervals by hand from what happened: down and silent stretches, up elsewhere. A
    silence begins one probe interval after the last sample before it (the sample stands that
    long), which is where the silence was planted."""
    marks = sorted(
        [(lo, hi, "down", None) for lo, hi in DOWN[site]]
        + [(lo, hi, "unmonitored", "no-samples") for lo, hi in SILENT[site]]
    )
    out, cursor = [], 0
    for lo, hi, state, cause in marks:
        if lo > cursor:
            out.append((cursor, lo, "up", None))
        out.append((lo, hi, state, cause))
        cursor = hi
    out.append((cursor, 2 * 24 * H, "up", None))
    return out


def joined(intervals: list[tuple]) -> list[tuple]:
    """Collection writes a day at a time, so an interval running over midnight is stored as two
    that touch; joined, they are the interval that happened."""
    out: list[tuple] = []
    for lo, hi, state, cause in intervals:
        if out and out[-1][1] == lo and out[-1][2:] == (state, cause):
            out[-1] = (out[-1][0], hi, state, cause)
        else:
            out.append((lo, hi, state, cause))
    return out


def test_two_sites_collected_exactly_as_generated(tmp_path):
    estate = load_estate(SMALL_ESTATE)
    with prometheus_with(probe_history("dc1") + backup_history(), tmp_path / "dc1") as dc1:
        with prometheus_with(probe_history("dc2"), tmp_path / "dc2") as dc2:
            urls = {"dc1": dc1, "dc2": dc2}
            sites = tuple(
                s.model_copy(update={"prometheus_url": urls[s.id], "auth": None, "tls": None})
                for s in estate.sites
            )
            local = estate.model_copy(update={"sites": sites})
            with Warehouse.open(tmp_path / "w.duckdb", create=True) as warehouse:
                summaries = collect(
                    local,
                    warehouse,
                    since=START,
                    until=END,
                    source_for=lambda s: PrometheusSource.for_site(s, environ={}),
                    scope=PROVIDER,
                )
                assert {s.status for s in summaries} == {"ok"}
                for site in ("dc1", "dc2"):
                    rows = warehouse.availability_intervals(site, START, END)
                    got = [
                        (
                            int(r["start_utc"].replace(tzinfo=UTC).timestamp()) - S0,
                            int(r["end_utc"].replace(tzinfo=UTC).timestamp()) - S0,
                            r["state"],
                            r["cause"],
                        )
                        for r in rows.iter_rows(named=True)
                    ]
                    assert joined(got) == expected(site), site
                jobs = warehouse.backup_jobs(START, END)
                assert [(r["finished_at_utc"], r["status"]) for r in jobs.iter_rows(named=True)] == [
                    (datetime(2026, 2, 2, 1, 30), "success"),
                    (datetime(2026, 2, 3, 1, 30), "failed"),
                ]
