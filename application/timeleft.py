"""Time remaining per site and resource pool, and days until each server's storage is full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from application.collected import HISTORY_DAYS, data_end, estate_as_collected
from application.provenance import Provenance, provenance_of
from capacity.hosts import capacity_servers, demand_servers
from capacity.timeleft import Projection, days_until_full, project
from estate.model import Estate
from estate.scope import Scope
from warehouse import Warehouse

POOLS = {
    # pool -> (metric, capacity of a server in the pool's unit, the unit)
    "cpu": ("cpu_percent", lambda s: float(s.cores), "cores"),
    "memory": ("memory_percent", lambda s: float(s.memory_gib), "GiB"),
    "storage": ("storage_percent", lambda s: float(s.storage_gib), "GiB"),
}


@dataclass(frozen=True)
class PoolProjection:
    site_id: str
    pool: str  # cpu, memory, storage
    unit: str
    projection: Projection


@dataclass(frozen=True)
class StorageFill:
    server_id: str
    site_id: str
    used_percent: float
    last_day: date
    days_until_full: float | None  # None: not filling


@dataclass(frozen=True)
class TimeLeftReport:
    as_of_utc: datetime
    ceiling_percent: float
    pools: tuple[PoolProjection, ...]
    storage: tuple[StorageFill, ...]
    provenance: Provenance


def timeleft_report(
    estate: Estate, warehouse: Warehouse, *, scope: Scope, now: datetime | None = None
) -> TimeLeftReport:
    """Per site and pool, the projection of daily peak demand against the usable ceiling; per
    server, the days until its storage is full. A site's pools are the provider's."""
    scope.require_provider("time remaining per site")
    estate = estate_as_collected(estate, warehouse)
    end = data_end(warehouse, now or datetime.now(UTC))
    start = end - timedelta(days=HISTORY_DAYS)
    ceiling = estate.capacity.ceiling_percent
    pools = []
    for pool, (metric, size, unit) in POOLS.items():
        # CPU and memory by the host model (capacity/hosts.py); storage fills where provisioned
        counted = estate.servers if pool == "storage" else demand_servers(estate.servers)
        servers = [s for s in counted if size(s) > 0]
        frame = warehouse.daily_peak_demand(
            metric,
            [s.id for s in servers],
            [size(s) / 100 for s in servers],
            start,
            end,
            estate.estate.time_zone,
            hourly=pool != "storage",
        )
        for site in estate.sites:
            part = frame.filter(frame["site_id"] == site.id)
            carriers = (
                [s for s in servers if s.site == site.id]
                if pool == "storage"
                else capacity_servers(estate.servers, site.id)
            )
            capacity = sum(size(s) for s in carriers)
            if part.height == 0 or capacity == 0:
                continue
            projection = project(part["day"].to_list(), part["peak"].to_list(), capacity, ceiling)
            pools.append(PoolProjection(site.id, pool, unit, projection))
    lookback = end - timedelta(days=estate.capacity.under_use.lookback_days)
    rollups = warehouse.daily_rollups("storage_percent", lookback, end, estate.estate.time_zone)
    storage = []
    for (server_id,), part in rollups.partition_by("server_id", as_dict=True).items():
        days = part["day"].to_list()
        remaining = days_until_full(days, part["mean_value"].to_list())
        storage.append(
            StorageFill(server_id, part["site_id"][0], float(part["mean_value"][-1]), days[-1], remaining)
        )
    # shown to a tenth of a day, and ordered as shown (equal figures by server)
    storage.sort(key=lambda r: (r.days_until_full is None, round(r.days_until_full or 0, 1), r.server_id))
    return TimeLeftReport(end, ceiling, tuple(pools), tuple(storage), provenance_of(estate))
