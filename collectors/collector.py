"""What a collection run drives: one kind of data from one site, a window at a time.

A scheduler (collectors/run.py) needs to know only this of a kind: its name, the source its
watermark is kept under, and how to collect one window. Each kind is constructed with what it
collects for (the estate, the site, the site's source, the warehouse, the clock) and is then
asked for window after window:

    collector = AvailabilityCollector(estate, "dc1", source, warehouse, clock)
    outcome = collector.collect(start, end)  # written, watermark moved when it worked, run recorded
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collectors.prometheus.source import PrometheusSource
    from estate.model import Estate


def utc_now() -> datetime:
    return datetime.now(UTC)


class Outcome(Protocol):
    """What one window gave, as a run's summary adds it up."""

    @property
    def status(self) -> str: ...  # "ok", or why the window waits for the next run
    @property
    def message(self) -> str: ...
    @property
    def rows(self) -> int: ...  # rows written
    @property
    def series(self) -> int: ...
    @property
    def samples(self) -> int: ...
    @property
    def gaps(self) -> int: ...  # unmonitored intervals written, or values refused


class Collector(Protocol):
    kind: str  # what the run's summaries call it
    watermark_source: str  # the collection_watermarks source that says how far it has got

    def collect(self, start: datetime, end: datetime) -> Outcome:
        """Collect [start, end), write it, move the watermark when it worked, record the run."""
        ...


@dataclass(frozen=True)
class SiteCollector:
    """What every kind is constructed with; each kind adds `kind`, `watermark_source` and
    `collect`. The warehouse is the site's own (in a run, its thread's cursor)."""

    estate: Estate
    site_id: str
    source: PrometheusSource
    warehouse: Any
    clock: Callable[[], datetime] = utc_now
