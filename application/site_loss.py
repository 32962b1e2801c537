"""The site-loss check: could each site carry what it must if the other were lost?

The rules, per service mode, are capacity/siteloss.py's; this module reads each service's hourly
demand at each site from the warehouse and asks them for every site lost and every pool.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from application.collected import HISTORY_DAYS, data_end, estate_as_collected
from application.provenance import Provenance, provenance_of
from capacity.hosts import capacity_servers, demand_servers
from capacity.siteloss import (
    CRITICALITY_ORDER,
    FOOTPRINT,
    INFRASTRUCTURE,
    LOAD,
    ServiceDemand,
    SiteLoss,
    check,
    critical_load,
)
from capacity.timeleft import YEAR_DAYS, project
from estate.model import Estate
from estate.scope import Scope
from warehouse import Warehouse

# pool: (metric, a server's size in the pool's units, how its demand behaves when a site is lost)
POOLS = {
    "cpu": ("cpu_percent", lambda s: float(s.cores), LOAD),
    "memory": ("memory_percent", lambda s: float(s.memory_gib), FOOTPRINT),
}
# Under this share of the window's hours measured, nothing is said: a peak over a fraction of
# the hours is not the peak the survivor must carry.
MEASURED_AT_LEAST = 0.75
_SEP = "\x1f"  # between a service id and a site id in a demand group's name


@dataclass(frozen=True)
class SiteLossReport:
    as_of_utc: datetime
    lookback_days: int
    ceiling_percent: float
    checks: tuple[SiteLoss, ...]  # none when too little was measured: "not known", never "fits"
    provenance: Provenance
    measured_hours: int  # hours of the window with any utilisation measured
    window_hours: int


def service_demand(
    estate: Estate,
    warehouse: Warehouse,
    metric: str,
    size,
    start: datetime,
    end: datetime,
    group_of=lambda service: service,
) -> dict[tuple[str, str], np.ndarray]:
    """Per (service or `infrastructure`, site), its hourly demand over [start, end): a server's
    demand (percent x its size) split evenly across the services it runs. `group_of` may sum
    services together in the warehouse (None: leave the service's part out)."""
    triples = []
    for server in demand_servers(estate.servers):
        groups = server.services or (INFRASTRUCTURE,)
        for group in groups:
            name = group if group == INFRASTRUCTURE else group_of(group)
            if name is not None:
                triples.append((server.id, f"{name}{_SEP}{server.site}", size(server) / 100 / len(groups)))
    if not triples:
        return {}
    frame = warehouse.service_hourly_demand(
        metric, *(list(c) for c in zip(*triples, strict=True)), start, end
    )
    hours = int((end - start) / timedelta(hours=1))
    demand = {}
    for (group,), part in frame.partition_by("group_id", as_dict=True).items():
        series = np.zeros(hours)
        series[part["hour"].to_numpy()] = part["demand"].to_numpy()
        service, site = group.split(_SEP)
        demand[(service, site)] = series
    return demand


def critical_trend_demand(
    estate: Estate, warehouse: Warehouse, metric: str, size, start: datetime, end: datetime
) -> list[ServiceDemand]:
    """The critical services' hourly demand over [start, end), summed in the warehouse by how it
    moves when a site is lost. The mode rules are sums for every mode but active-passive (the
    higher of two), so the active-active services are one series a site, the single-site ones one
    per home and recovery site, the infrastructure one a site, and only an active-passive service
    one of its own: a handful of series over 13 months instead of one a service, and the same
    critical load (`tests/capacity/test_siteloss_consolidation.py`)."""
    critical = {s.id: s for s in estate.services if s.criticality == CRITICALITY_ORDER[0]}
    shapes: dict[str, ServiceDemand] = {}

    def group_of(service_id: str) -> str | None:
        service = critical.get(service_id)
        if service is None:
            return None
        if service.mode == "active-active":
            key, shape = "critical active-active", ServiceDemand("", "active-active", "critical", (), {})
        elif service.mode == "active-passive":
            key, shape = service.id, ServiceDemand("", service.mode, "critical", tuple(service.sites), {})
        else:
            home, recovery = service.sites[0], service.recovery_site
            key = f"critical single-site {home} {recovery}"
            shape = ServiceDemand("", "single-site", "critical", (home,), {}, recovery)
        shapes[key] = replace(shape, service=key)
        return key

    demand = service_demand(estate, warehouse, metric, size, start, end, group_of)
    by_key: dict[str, dict[str, np.ndarray]] = {}
    for (key, site), series in demand.items():
        by_key.setdefault(key, {})[site] = series
    out = [ServiceDemand(INFRASTRUCTURE, INFRASTRUCTURE, "critical", (), by_key.get(INFRASTRUCTURE, {}))]
    return out + [replace(shape, by_site=by_key.get(key, {})) for key, shape in shapes.items()]


def _services(estate: Estate, demand: dict[tuple[str, str], np.ndarray]) -> list[ServiceDemand]:
    by_service: dict[str, dict[str, np.ndarray]] = {}
    for (service, site), series in demand.items():
        by_service.setdefault(service, {})[site] = series
    out = [ServiceDemand(INFRASTRUCTURE, INFRASTRUCTURE, "critical", (), by_service.get(INFRASTRUCTURE, {}))]
    for service in estate.services:
        out.append(
            ServiceDemand(
                service.id,
                service.mode,
                service.criticality,
                tuple(service.sites),
                by_service.get(service.id, {}),
                service.recovery_site,
            )
        )
    return out


def _critical_trend(
    hourly: np.ndarray, start: datetime, tz: ZoneInfo, capacity: float, ceiling_percent: float
) -> tuple[date | None, float] | None:
    """The critical services' peak projected on its trend (capacity/timeleft.py: daily peaks,
    then weekly; linear over a look-back shorter than 13 months; the conservative band): the first
    day it reaches the survivor's usable capacity (the day it began when it is already over; None
    beyond the horizon), and the highest it reaches in the year ahead."""
    if capacity <= 0 or not len(hourly):
        return None
    # the hours' local days: a day's peak is the highest hour starting on that local date
    days = [(start + timedelta(hours=h)).astimezone(tz).date() for h in range(len(hourly))]
    peaks: dict[date, float] = {}
    for day, value in zip(days, hourly, strict=True):
        peaks[day] = max(peaks.get(day, 0.0), float(value))
    projection = project(list(peaks), list(peaks.values()), capacity, ceiling_percent)
    year_on = projection.today + timedelta(days=YEAR_DAYS)
    ahead = [upper for day, _central, upper in projection.forecast if day <= year_on]
    return projection.over_since or projection.crossing_conservative, max(
        ahead, default=projection.peak_recent
    )


@dataclass(frozen=True)
class CriticalOutlook:
    """What a survivor's critical services need if the other site is lost, now and on the trend."""

    survivor: str
    lost: str
    pool: str
    peak_now: float  # the highest hour of the look-back
    peak_a_year_on: float | None  # the conservative trend's highest in the year ahead
    stops_fitting_on: date | None  # the first day the trend reaches the usable capacity


def critical_outlooks(estate: Estate, warehouse: Warehouse, end: datetime) -> list[CriticalOutlook]:
    """Per survivor, site lost and pool: the critical services' load read over the history time
    remaining reads (13 months: year on year, so "on the trend" means here what it means there),
    its peak over the look-back, and its trend. The site-loss check and the consolidation plan's
    two-site rule both read it."""
    trend_start = end - timedelta(days=HISTORY_DAYS)
    trend_hours = int((end - trend_start) / timedelta(hours=1))
    window_hours = estate.capacity.under_use.lookback_days * 24
    tz = ZoneInfo(estate.estate.time_zone)
    ceiling = estate.capacity.ceiling_percent
    out = []
    for pool, (metric, size, kind) in POOLS.items():
        history = critical_trend_demand(estate, warehouse, metric, size, trend_start, end)
        for lost in estate.sites:
            for survivor in estate.sites:
                if survivor.id == lost.id:
                    continue
                capacity = sum(size(s) for s in capacity_servers(estate.servers, survivor.id))
                critical = critical_load(survivor.id, lost.id, kind, history, trend_hours)
                trend = _critical_trend(critical, trend_start, tz, capacity, ceiling)
                out.append(
                    CriticalOutlook(
                        survivor.id,
                        lost.id,
                        pool,
                        float(critical[-window_hours:].max(initial=0)),
                        None if trend is None else trend[1],
                        None if trend is None else trend[0],
                    )
                )
    return out


def site_loss_report(
    estate: Estate, warehouse: Warehouse, *, scope: Scope, now: datetime | None = None
) -> SiteLossReport:
    scope.require_provider("the site-loss check")
    estate = estate_as_collected(estate, warehouse)
    end = data_end(warehouse, now or datetime.now(UTC))
    start = end - timedelta(days=estate.capacity.under_use.lookback_days)
    ceiling = estate.capacity.ceiling_percent
    window_hours = int((end - start) / timedelta(hours=1))
    measured = np.zeros(window_hours, dtype=bool)
    per_pool = {}
    for pool, (metric, size, _) in POOLS.items():
        per_pool[pool] = service_demand(estate, warehouse, metric, size, start, end)
        for series in per_pool[pool].values():
            measured |= series > 0
    results = []
    if measured.sum() >= MEASURED_AT_LEAST * window_hours:
        outlook = {(o.survivor, o.lost, o.pool): o for o in critical_outlooks(estate, warehouse, end)}
        for pool, (_, size, kind) in POOLS.items():
            services = _services(estate, per_pool[pool])
            for lost in estate.sites:
                for survivor in estate.sites:
                    if survivor.id == lost.id:
                        continue
                    capacity = sum(size(s) for s in capacity_servers(estate.servers, survivor.id))
                    result = check(
                        survivor.id, lost.id, pool, kind, ceiling / 100 * capacity, services, window_hours
                    )
                    trend = outlook[(survivor.id, lost.id, pool)]
                    results.append(
                        replace(
                            result,
                            critical_stops_fitting_on=trend.stops_fitting_on,
                            critical_peak_a_year_on=trend.peak_a_year_on,
                        )
                    )
    return SiteLossReport(
        end,
        estate.capacity.under_use.lookback_days,
        ceiling,
        tuple(results),
        provenance_of(estate),
        int(measured.sum()),
        window_hours,
    )
