"""`councilops collect`: every site caught up from its watermarks, or a window backfilled.

Each site and each kind of data (availability, utilisation, backups and replication) is collected on its own, a day at
a time, so a site that is down, slow or answering nonsense never stops the other, and the
watermark moves a day at a time: a run stopped part-way resumes where it stopped. A window a
site could not answer is written as unmonitored (availability) or left unwritten
(utilisation), the watermark stays before it, and the next run asks for it again. Before a
site is collected, its `[[server_discovery]]` run, so the servers they find are collected too.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from prometheus_api_client.prometheus_connect import PrometheusConnect

from collectors.prometheus import availability, recovery, utilisation
from collectors.prometheus.discovery import SiteDiscovery, discover_site
from collectors.prometheus.metadata import metadata_client
from collectors.prometheus.source import PrometheusSource, SourceConfigError
from estate.model import Estate, Site

DEFAULT_FIRST_DAYS = 7  # how far back a site with no watermark starts, unless --since says
DAY = timedelta(days=1)
KINDS = {
    "availability": availability.collect_availability,
    "utilisation": utilisation.collect_utilisation,
    "recovery": recovery.collect_recovery,
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
    status: str = "ok"
    message: str = ""
    # utilisation only: the site's [[server_discovery]] run before it, whose servers (or, when it
    # failed, those held from before) it collected; its failure leaves this summary's status be
    discovery: SiteDiscovery | None = None


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
    sites = [site for site in estate.sites if not site_ids or site.id in site_ids]

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
    summaries = []
    try:
        source = source_for(site)
    except SourceConfigError as error:
        return [
            SiteSummary(site.id, kind, clock(), clock(), status="not configured", message=str(error))
            for kind in KINDS
        ]
    discovery = discover_site(estate, site.id, warehouse, until or clock(), clock, discovery_client_for)
    estate = estate.with_discovered(discovery.held)
    for kind, collect_window in KINDS.items():
        end = _floor(until or clock(), kind)
        watermark = warehouse.watermark(site.id, kind)
        if since is not None:
            start = since
        elif watermark is not None:
            start = watermark.replace(tzinfo=UTC)
        else:
            start = end - timedelta(days=DEFAULT_FIRST_DAYS)
        start = _floor(start, kind)
        summary = SiteSummary(site.id, kind, start, end)
        if kind == "utilisation" and discovery.results:
            summary.discovery = discovery
        cursor = start
        total = max(1, -(-(end - start) // DAY))
        progress(site.id, kind, 0, total)
        while cursor < end:
            window_end = min(cursor + DAY, end)
            outcome = collect_window(estate, site.id, source, warehouse, cursor, window_end, clock=clock)
            summary.windows += 1
            summary.rows += outcome.rows
            summary.series = max(summary.series, outcome.series)
            summary.samples += outcome.samples
            summary.gaps += outcome.gaps
            if outcome.status != "ok":
                summary.windows_failed += 1
                summary.status, summary.message = outcome.status, outcome.message
                break  # the rest of the range waits for the next run: the watermark stays here
            cursor = window_end
            progress(site.id, kind, summary.windows, total)
        summaries.append(summary)
    return summaries
