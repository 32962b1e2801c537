"""`councilops collect`: every site caught up from its watermarks, or a window backfilled.

Each site and each kind of data (availability, utilisation, backups and replication) is collected on its own, a day at
a time, so a site that is down, slow or answering nonsense never stops the other, and the
watermark moves a day at a time: a run stopped part-way resumes where it stopped. A window a
site could not answer is unmonitored where nothing was held before (availability; what was
measured stays) or left unwritten (utilisation), the watermark stays before it, and the next run asks for it again. Before a
site is collected, its `[[server_discovery]]` run, so the servers they find are collected too.

Each kind is a `Collector` (collectors/collector.py): this module only schedules them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from prometheus_api_client.prometheus_connect import PrometheusConnect

from collectors.collector import Collector
from collectors.prometheus.availability import AvailabilityCollector
from collectors.prometheus.discovery import SiteDiscovery, discover_site
from collectors.prometheus.metadata import metadata_client
from collectors.prometheus.recovery import RecoveryCollector
from collectors.prometheus.source import PrometheusSource, SourceConfigError
from collectors.prometheus.utilisation import UtilisationCollector
from estate.model import Estate, Site
from estate.scope import Scope

DEFAULT_FIRST_DAYS = 7  # how far back a site with no watermark starts, unless --since says
DAY = timedelta(days=1)
# The kinds, in the order a site collects them: kind -> its collector's constructor, called
# with (estate, site_id, source, warehouse, clock); collectors/collector.py says what it gives.
KINDS: dict[str, Callable[[Estate, str, PrometheusSource, Any, Callable[[], datetime]], Collector]] = {
    collector.kind: collector
    for collector in (AvailabilityCollector, UtilisationCollector, RecoveryCollector)
}


@dataclass
class SiteSummary:
    site_id: str
    kind: str
    start: datetime
    end: datetime
    windows: int = 0
    windows_failed: int = 0
    rows: int = 0
    series: int = 0  # the most series any window held
    samples: int = 0
    gaps: int = 0  # unmonitored intervals written, or values refused
    responses: int = 0  # availability only: successful probes' durations kept
    notes: list[str] = field(default_factory=list)  # what was refused in windows that worked
    status: str = "ok"
    message: str = ""
    # utilisation only: the site's [[server_discovery]] run before it, whose servers (or, when it
    # failed, those held from before) it collected; its failure leaves this summary's status be
    discovery: SiteDiscovery | None = None


R = TypeVar("R")


def _one_at_a_time(function: Callable[..., R]) -> Callable[..., R]:
    """`function`, called by one thread at a time."""
    lock = threading.Lock()

    @wraps(function)
    def guarded(*args, **kwargs) -> R:
        with lock:
            return function(*args, **kwargs)

    return guarded


def _floor(moment: datetime, kind: str) -> datetime:
    moment = moment.astimezone(UTC)
    if kind == "utilisation":
        return moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(second=0, microsecond=0)


def collect(
    estate: Estate,
    warehouse,
    site_ids: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    source_for: Callable[[Site], PrometheusSource] = PrometheusSource.for_site,
    progress: Callable[[str, str, int, int], None] = lambda site, kind, done, total: None,
    sites_at_once: bool = True,
    discovery_client_for: Callable[[Site], PrometheusConnect] = metadata_client,
    *,
    scope: Scope,
) -> list[SiteSummary]:
    """Catch every site (or those named) up, each site in its own thread with its own cursor
    on the warehouse: a slow site never holds the other back, and while one site's Prometheus
    works out an answer the other's is being read and written (on two cores the backfill
    takes about half as long). Summaries come back in the estate's site order.

    Before a site's collection its `[[server_discovery]]` run (at `until`, else now) and what they
    find is written; every kind is then collected for the estate with the servers held for the
    site added (`Estate.with_discovered`). A discovery that fails keeps the servers held from
    the last one and is reported on the site's utilisation summary (`discovery`); it never
    stops the collection."""
    scope.require_provider("a collection run")  # it writes every council's data: the operators' own
    sites = [site for site in estate.sites if not site_ids or site.id in site_ids]
    # What the site threads write is each thread's own (its cursor, its source, its collectors,
    # its list of summaries, returned through pool.map), except what the caller hands in, which
    # every thread calls: the progress callback keeps state of its own (the command line's dict
    # of progress bars, a test's list), and a clock or a factory may too (a test's stepping
    # clock). So each of those is called by one thread at a time.
    progress, clock, source_for, discovery_client_for = (
        _one_at_a_time(function) for function in (progress, clock, source_for, discovery_client_for)
    )

    def one(site: Site, store) -> list[SiteSummary]:
        return _collect_site(
            estate, site, store, since, until, clock, source_for, progress, discovery_client_for
        )

    if not sites_at_once or len(sites) < 2 or not hasattr(warehouse, "cursor"):
        return [summary for site in sites for summary in one(site, warehouse)]

    def in_thread(site: Site) -> list[SiteSummary]:
        with warehouse.cursor() as store:  # DuckDB: a cursor per thread, one process
            return one(site, store)

    with ThreadPoolExecutor(len(sites), thread_name_prefix="collect") as pool:
        per_site = list(pool.map(in_thread, sites))
    return [summary for summaries in per_site for summary in summaries]


def _collect_site(
    estate: Estate,
    site: Site,
    warehouse,
    since: datetime | None,
    until: datetime | None,
    clock: Callable[[], datetime],
    source_for: Callable[[Site], PrometheusSource],
    progress: Callable[[str, str, int, int], None],
    discovery_client_for: Callable[[Site], PrometheusConnect],
) -> list[SiteSummary]:
    try:
        source = source_for(site)
    except SourceConfigError as error:
        return [
            SiteSummary(site.id, kind, clock(), clock(), status="not configured", message=str(error))
            for kind in KINDS
        ]
    discovery = discover_site(estate, site.id, warehouse, until or clock(), clock, discovery_client_for)
    estate = estate.with_discovered(discovery.held)
    collectors = [make(estate, site.id, source, warehouse, clock) for make in KINDS.values()]
    summaries = []
    for collector in collectors:
        summary = _catch_up(collector, site.id, warehouse, since, until, clock, progress)
        if collector.kind == "utilisation" and discovery.results:
            summary.discovery = discovery
        summaries.append(summary)
    return summaries


def _catch_up(
    collector: Collector,
    site_id: str,
    warehouse,
    since: datetime | None,
    until: datetime | None,
    clock: Callable[[], datetime],
    progress: Callable[[str, str, int, int], None],
) -> SiteSummary:
    """One kind at one site, from `since` (else its watermark, else DEFAULT_FIRST_DAYS back) to
    `until` (else now), a day at a time, stopping at the first window that does not work."""
    kind = collector.kind
    end = _floor(until or clock(), kind)
    watermark = warehouse.watermark(site_id, collector.watermark_source)
    if since is not None:
        start = since
    elif watermark is not None:
        start = watermark.replace(tzinfo=UTC)
    else:
        start = end - timedelta(days=DEFAULT_FIRST_DAYS)
    start = _floor(start, kind)
    summary = SiteSummary(site_id, kind, start, end)
    cursor = start
    total = max(1, -(-(end - start) // DAY))
    progress(site_id, kind, 0, total)
    while cursor < end:
        window_end = min(cursor + DAY, end)
        outcome = collector.collect(cursor, window_end)
        summary.windows += 1
        summary.rows += outcome.rows
        summary.series = max(summary.series, outcome.series)
        summary.samples += outcome.samples
        summary.gaps += outcome.gaps
        summary.responses += getattr(outcome, "responses", 0)
        summary.notes += getattr(outcome, "notes", ())
        if outcome.status != "ok":
            summary.windows_failed += 1
            summary.status, summary.message = outcome.status, outcome.message
            break  # the rest of the range waits for the next run: the watermark stays here
        cursor = window_end
        progress(site_id, kind, summary.windows, total)
    return summary
