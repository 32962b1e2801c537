"""The site-loss check: could each site carry both sites' peak demand if the other were lost?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from application.collected import data_end, estate_as_collected
from application.provenance import Provenance, provenance_of
from capacity.siteloss import INFRASTRUCTURE, SiteLoss, check
from estate.model import Estate
from estate.scope import Scope
from warehouse import Warehouse

POOLS = {
    "cpu": ("cpu_percent", lambda s: float(s.cores)),
    "memory": ("memory_percent", lambda s: float(s.memory_gib)),
}


@dataclass(frozen=True)
class SiteLossReport:
    as_of_utc: datetime
    lookback_days: int
    ceiling_percent: float
    checks: tuple[SiteLoss, ...]  # none when nothing was measured: an empty window proves nothing
    provenance: Provenance
    measured_hours: int  # hours of the window with any utilisation measured
    window_hours: int


def service_demand(
    estate: Estate, warehouse: Warehouse, metric: str, size, start: datetime, end: datetime
) -> dict[str, np.ndarray]:
    """Per service (or `infrastructure`), its hourly demand over [start, end) at both sites."""
    triples = []
    for server in estate.servers:
        groups = server.services or (INFRASTRUCTURE,)
        for group in groups:
            triples.append((server.id, group, size(server) / 100 / len(groups)))
    frame = warehouse.service_hourly_demand(
        metric, *(list(c) for c in zip(*triples, strict=True)), start, end
    )
    hours = int((end - start) / timedelta(hours=1))
    demand = {}
    for (group,), part in frame.partition_by("group_id", as_dict=True).items():
        series = np.zeros(hours)
        series[part["hour"].to_numpy()] = part["demand"].to_numpy()
        demand[group] = series
    return demand


def site_loss_report(
    estate: Estate, warehouse: Warehouse, *, scope: Scope, now: datetime | None = None
) -> SiteLossReport:
    scope.require_provider("the site-loss check")
    estate = estate_as_collected(estate, warehouse)
    end = data_end(warehouse, now or datetime.now(UTC))
    start = end - timedelta(days=estate.capacity.under_use.lookback_days)
    criticality = {s.id: s.criticality for s in estate.services}
    ceiling = estate.capacity.ceiling_percent
    results = []
    window_hours = int((end - start) / timedelta(hours=1))
    measured = np.zeros(window_hours, dtype=bool)
    for pool, (metric, size) in POOLS.items():
        demand = service_demand(estate, warehouse, metric, size, start, end)
        for series in demand.values():
            measured |= series > 0
        if not demand:
            continue  # "fits: yes" over no measurements would be a claim made of nothing
        for lost in estate.sites:
            for survivor in estate.sites:
                if survivor.id == lost.id:
                    continue
                usable = ceiling / 100 * sum(size(s) for s in estate.servers if s.site == survivor.id)
                results.append(check(survivor.id, lost.id, pool, usable, demand, criticality))
    return SiteLossReport(
        end,
        estate.capacity.under_use.lookback_days,
        ceiling,
        tuple(results),
        provenance_of(estate),
        int(measured.sum()),
        window_hours,
    )
