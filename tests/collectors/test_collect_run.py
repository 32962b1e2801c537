"""`collect` against two real Prometheus servers: both sites caught up; one site stopped, the
other still collected and the gap recorded; the site back, the gap filled from what it holds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.prometheus.source import PrometheusSource
from collectors.run import collect
from estate import load_estate
from estate.scope import PROVIDER
from tests.collectors.prometheus_server import Metric, prometheus_with
from tests.conftest import SMALL_ESTATE
from warehouse import Warehouse

START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
S0 = int(START.timestamp())
END = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def estate():
    return load_estate(SMALL_ESTATE)


def probes(estate, site: str) -> list[Metric]:
    """Every endpoint of the site up, probed at its own interval, from before START to after END."""
    endpoints = [e for s in estate.services for e in s.endpoints if e.site == site]
    return [
        Metric(
            "probe_success",
            {"instance": e.target},
            [(t, 1.0) for t in range(S0 - 300, S0 + 6 * 3600 + 300, e.probe_interval_seconds)],
        )
        for e in endpoints
    ]


def at(estate, urls: dict[str, str]):
    sites = tuple(
        s.model_copy(
            update={
                "prometheus_url": urls.get(s.id, "http://127.0.0.1:9"),
                "retry_attempts": 1,
                "auth": None,
                "tls": None,
            }
        )
        for s in estate.sites
    )
    return estate.model_copy(update={"sites": sites})


def no_wait(site):
    return PrometheusSource.for_site(site, environ={}, sleep=lambda seconds: None)


def test_a_stopped_site_never_stops_the_other_and_its_gap_is_filled_later(estate, warehouse, tmp_path):
    with prometheus_with(probes(estate, "dc1"), tmp_path / "dc1") as dc1:
        with prometheus_with(probes(estate, "dc2"), tmp_path / "dc2") as dc2:
            first = collect(
                at(estate, {"dc1": dc1, "dc2": dc2}),
                warehouse,
                since=START,
                until=datetime(2026, 1, 5, 3, tzinfo=UTC),
                source_for=no_wait,
                scope=PROVIDER,
            )
        assert {(s.site_id, s.kind, s.status) for s in first} == {
            (site, kind, "ok")
            for site in ("dc1", "dc2")
            for kind in ("availability", "utilisation", "recovery")
        }
        # dc2 is stopped now: dc1 still catches up, dc2's window is unmonitored and waits
        second = collect(at(estate, {"dc1": dc1}), warehouse, until=END, source_for=no_wait, scope=PROVIDER)
    status = {(s.site_id, s.kind): s.status for s in second}
    assert status[("dc1", "availability")] == "ok" and status[("dc2", "availability")] == "unreachable"
    assert warehouse.watermark("dc1", "availability") == END.replace(tzinfo=None)
    assert warehouse.watermark("dc2", "availability") == datetime(2026, 1, 5, 3, 0)
    gap = warehouse.availability_intervals("dc2", datetime(2026, 1, 5, 3, tzinfo=UTC), END)
    assert set(gap["cause"].to_list()) == {"prometheus-unreachable"}
    # dc2 is back with its history: the next run fills the gap from the watermark
    with prometheus_with(probes(estate, "dc2"), tmp_path / "dc2-again") as dc2:
        third = collect(
            at(estate, {"dc2": dc2}),
            warehouse,
            site_ids=["dc2"],
            until=END,
            source_for=no_wait,
            scope=PROVIDER,
        )
    assert {s.status for s in third} == {"ok"}
    filled = warehouse.availability_intervals("dc2", START, END)
    assert set(filled["state"].to_list()) == {"up"}
    assert min(filled["start_utc"]) == START.replace(tzinfo=None) and max(filled["end_utc"]) == END.replace(
        tzinfo=None
    )
    assert warehouse.watermark("dc2", "availability") == END.replace(tzinfo=None)


def test_the_collect_command_reports_each_site_that_could_not_be_collected(tmp_path):
    from tests.test_cli import run

    config = tmp_path / "estate.toml"
    text = SMALL_ESTATE.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            'prometheus_url = "http://127.0.0.1:19091"',
            'prometheus_url = "http://127.0.0.1:9"\nretry_attempts = 1',
        ),
        encoding="utf-8",
    )
    env = {"COUNCILOPS_CONFIG": str(config), "COUNCILOPS_DB": str(tmp_path / "w.duckdb")}
    Warehouse.open(tmp_path / "w.duckdb", create=True).close()
    result = run("collect", "--since", "2026-01-05T00:00:00Z", "--until", "2026-01-05T06:00:00Z", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    (dc1,) = [line for line in lines if line.startswith("site dc1 availability: ")]
    assert "site dc1: http://127.0.0.1:9/api/v1/query gave no usable answer after 1 tries" in dc1
    assert (
        "site dc2 availability: site dc2: auth.password_env names 'DC2_PASSWORD', which is not set" in lines
    )
    assert len([line for line in lines if line.startswith("site ")]) == 6  # three kinds, two sites
    assert "Collected" in result.stdout and "unreachable" in result.stdout


def test_the_summary_counts_windows_series_samples_and_gaps(estate, warehouse, tmp_path):
    with prometheus_with(probes(estate, "dc1"), tmp_path / "dc1") as dc1:
        summaries = collect(
            at(estate, {"dc1": dc1}),
            warehouse,
            site_ids=["dc1"],
            since=START,
            until=END,
            source_for=no_wait,
            scope=PROVIDER,
        )
    (availability,) = [s for s in summaries if s.kind == "availability"]
    endpoints = [e for s in estate.services for e in s.endpoints if e.site == "dc1"]
    # one window (six hours), every dc1 endpoint a series, every sample of the six hours and
    # the one before the window that stands into it, and no gap
    assert (availability.windows, availability.series, availability.gaps) == (1, len(endpoints), 0)
    # samples are read from 1.5 of the longest probe interval (60 s) before the window: 90 s
    reach = S0 - 90
    expected = sum(
        len(
            [
                t
                for t in range(S0 - 300, S0 + 6 * 3600 + 300, e.probe_interval_seconds)
                if reach <= t < S0 + 6 * 3600
            ]
        )
        for e in endpoints
    )
    assert availability.samples == expected


def test_a_backfill_against_an_unreachable_site_keeps_the_history_it_had(estate, warehouse, tmp_path):
    """Collected from a real Prometheus, then asked again for the same window while the site is
    down (a port nothing listens on): the measured intervals stay exactly as they were, and the
    failure is in the collection run, not in the history."""
    with prometheus_with(probes(estate, "dc1"), tmp_path / "dc1") as dc1:
        collect(
            at(estate, {"dc1": dc1}),
            warehouse,
            site_ids=["dc1"],
            since=START,
            until=END,
            source_for=no_wait,
            scope=PROVIDER,
        )
    measured = warehouse.availability_intervals("dc1", START, END)
    assert measured.height > 0 and set(measured["state"]) == {"up"}
    (again,) = [
        s
        for s in collect(
            at(estate, {}),
            warehouse,
            site_ids=["dc1"],
            since=START,
            until=END,
            source_for=no_wait,
            scope=PROVIDER,
        )
        if s.kind == "availability"
    ]
    assert again.status != "ok"
    assert warehouse.availability_intervals("dc1", START, END).equals(measured)
    runs = warehouse.query(
        "SELECT status, message FROM collection_runs WHERE site_id = 'dc1' AND source = 'availability' "
        "ORDER BY started_at_utc DESC LIMIT 1"
    ).rows()
    assert runs[0][0] != "ok" and runs[0][1]  # the failure, with why, is recorded in the run
