"""A collection run needs only the Collector interface of a kind, and the callbacks its site
threads share are never entered by two threads at once."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from collectors import run
from collectors.collector import SiteCollector
from collectors.prometheus.availability import AvailabilityCollector
from collectors.prometheus.recovery import RecoveryCollector
from collectors.prometheus.source import SourceConfigError
from collectors.prometheus.utilisation import UtilisationCollector
from estate import load_estate
from estate.scope import PROVIDER
from tests.conftest import SMALL_ESTATE

START = datetime(2026, 1, 5, tzinfo=UTC)
END = START + timedelta(days=3)


@dataclass(frozen=True)
class Done:
    status: str = "ok"
    message: str = ""
    rows: int = 2
    series: int = 1
    samples: int = 2
    gaps: int = 0


def no_discovery(site):
    raise SourceConfigError(f"site {site.id}: no discovery in these tests")


class Tally(SiteCollector):
    """A kind that writes nothing: it records each window it is asked for, then moves its
    watermark, as a real kind does when a window worked."""

    kind = "tally"
    watermark_source = "tally-source"
    asked: list[tuple[str, datetime, datetime]] = []

    def collect(self, start: datetime, end: datetime) -> Done:
        self.asked.append((self.site_id, start, end))
        self.warehouse.set_watermark(self.site_id, self.watermark_source, end)
        return Done()


def test_the_three_kinds_are_collectors_keyed_by_their_kind():
    assert run.KINDS == {
        "availability": AvailabilityCollector,
        "utilisation": UtilisationCollector,
        "recovery": RecoveryCollector,
    }
    for kind, make in run.KINDS.items():
        assert make.kind == kind and make.watermark_source == kind  # the watermarks as stored before


def test_a_run_drives_any_collector_a_day_at_a_time_from_its_watermark(warehouse, monkeypatch):
    monkeypatch.setattr(run, "KINDS", {Tally.kind: Tally})
    monkeypatch.setattr(Tally, "asked", [])
    estate = load_estate(SMALL_ESTATE)
    first = run.collect(
        estate,
        warehouse,
        ["dc1"],
        since=START,
        until=END,
        source_for=lambda site: None,
        discovery_client_for=no_discovery,
        scope=PROVIDER,
    )
    assert [(s.site_id, s.kind, s.windows, s.rows, s.status) for s in first] == [("dc1", "tally", 3, 6, "ok")]
    assert Tally.asked == [
        ("dc1", START + timedelta(days=d), START + timedelta(days=d + 1)) for d in range(3)
    ]
    # the next run starts from the watermark the collector moved, under its own source name
    again = run.collect(
        estate,
        warehouse,
        ["dc1"],
        until=END + timedelta(hours=5),
        source_for=lambda site: None,
        discovery_client_for=no_discovery,
        scope=PROVIDER,
    )
    assert [(s.start, s.end, s.windows) for s in again] == [(END, END + timedelta(hours=5), 1)]


def test_the_shared_progress_callback_is_entered_by_one_site_thread_at_a_time(warehouse, monkeypatch):
    monkeypatch.setattr(run, "KINDS", {Tally.kind: Tally})
    estate = load_estate(SMALL_ESTATE)
    threads, inside, most_inside = set(), [0], [0]
    calls: dict[tuple[str, str], list[int]] = {}  # the kind of state a progress display keeps

    def progress(site: str, kind: str, done: int, total: int) -> None:
        inside[0] += 1
        most_inside[0] = max(most_inside[0], inside[0])
        threads.add(threading.current_thread().name)
        time.sleep(0.002)  # long enough that two threads would meet here unless kept apart
        calls.setdefault((site, kind), []).append(done)
        inside[0] -= 1

    summaries = run.collect(
        estate,
        warehouse,
        since=START,
        until=END,
        source_for=lambda site: None,
        progress=progress,
        discovery_client_for=no_discovery,
        scope=PROVIDER,
    )
    assert [s.site_id for s in summaries] == ["dc1", "dc2"] and all(s.status == "ok" for s in summaries)
    assert len(threads) == 2  # each site did run in its own thread
    assert most_inside[0] == 1
    assert calls == {("dc1", "tally"): [0, 1, 2, 3], ("dc2", "tally"): [0, 1, 2, 3]}
