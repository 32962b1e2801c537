"""The site-loss check: could each site carry what it must if the other were lost?

The rules, per service mode, are capacity/siteloss.py's; this module reads each service's hourly
demand at each site from the warehouse and asks them for every site lost and every pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from application.collected import data_end, estate_as_collected
from application.provenance import Provenance, provenance_of
from capacity.siteloss import FOOTPRINT, INFRASTRUCTURE, LOAD, ServiceDemand, SiteLoss, check
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
    estate: Estate, warehouse: Warehouse, metric: str, size, start: datetime, end: datetime
) -> dict[tuple[str, str], np.ndarray]:
    """Per (service or `infrastructure`, site), its hourly demand over [start, end): a server's
    demand (percent x its size) split evenly across the services it runs."""
    triples = []
    for server in estate.servers:
        groups = server.services or (INFRASTRUCTURE,)
        for group in groups:
            triples.append((server.id, f"{group}{_SEP}{server.site}", size(server) / 100 / len(groups)))
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
        for pool, (_, size, kind) in POOLS.items():
            services = _services(estate, per_pool[pool])
            for lost in estate.sites:
                for survivor in estate.sites:
                    if survivor.id == lost.id:
                        continue
                    usable = ceiling / 100 * sum(size(s) for s in estate.servers if s.site == survivor.id)
                    results.append(check(survivor.id, lost.id, pool, kind, usable, services, window_hours))
    return SiteLossReport(
        end,
        estate.capacity.under_use.lookback_days,
        ceiling,
        tuple(results),
        provenance_of(estate),
        int(measured.sum()),
        window_hours,
    )
