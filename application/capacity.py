"""Capacity analyses fed from the warehouse: the one place that joins the two for capacity/.

The warehouse reduces what it can (percentiles per server in SQL, bound parameters, fixed
queries in warehouse.reads); the rules in capacity/ judge the results.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np

from capacity.consolidation import HOST_ROLE, Workload, pack
from capacity.profile import profile
from capacity.siteloss import INFRASTRUCTURE, check
from capacity.timeleft import days_until_full, project
from capacity.underuse import MetricStats, ServerEvidence, Verdict, find_underused
from estate.model import Estate
from sla import calendar as cal
from sla.intervals import normalise
from warehouse import Warehouse

HISTORY_DAYS = 396  # 13 months
METRICS = ["cpu_percent", "memory_percent", "network_mbps", "storage_percent"]


def data_end(warehouse: Warehouse, now: datetime) -> datetime:
    """The end of the collected history (the latest watermark), or now if that is earlier."""
    collected = warehouse.collected_until()
    end = now if collected is None else min(now, collected.replace(tzinfo=UTC))
    return end.replace(minute=0, second=0, microsecond=0)


@dataclass
class UnderuseReport:
    as_of_utc: datetime
    lookback_days: int
    verdicts: list[Verdict]

    @property
    def findings(self):
        return [v.finding for v in self.verdicts if v.finding is not None]

    def as_dict(self) -> dict:
        found = self.findings
        return {
            "as_of_utc": self.as_of_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "lookback_days": self.lookback_days,
            "rules": "docs/capacity.md",
            "under_used": [f.as_dict() for f in found if f.kind == "under-used"],
            "possibly_unused": [f.as_dict() for f in found if f.kind == "possibly-unused"],
            "annual_cost_gbp": {
                "under_used": f"{sum((f.annual_cost_gbp for f in found if f.kind == 'under-used'), start=Decimal(0)):.2f}",
                "possibly_unused": f"{sum((f.annual_cost_gbp for f in found if f.kind == 'possibly-unused'), start=Decimal(0)):.2f}",
            },
            "not_listed": {v.server_id: v.reason for v in self.verdicts if v.finding is None},
        }


def server_evidence(
    estate: Estate, warehouse: Warehouse, end: datetime, lookback_days: int
) -> list[ServerEvidence]:
    start = end - timedelta(days=lookback_days)
    stats: dict[str, dict[str, MetricStats]] = defaultdict(dict)
    frame = warehouse.utilisation_stats(start, end, ["cpu_percent", "memory_percent", "network_mbps"])
    for server_id, metric, hours, p50, p95, p99, max_mean, max_peak in frame.iter_rows():
        stats[server_id][metric] = MetricStats(hours, p50, p95, p99, max_mean, max_peak)
    months: dict[str, dict[str, float]] = defaultdict(dict)
    month_peaks: dict[str, dict[str, float]] = defaultdict(dict)
    history_start = end - timedelta(days=HISTORY_DAYS)
    for server_id, month, _days, p95, peak in warehouse.monthly_daily_stats(
        "cpu_percent", history_start, end
    ).iter_rows():
        months[server_id][month] = p95
        month_peaks[server_id][month] = peak
    daily: dict[str, list[tuple[str, float]]] = defaultdict(list)
    rollups = warehouse.daily_rollups("cpu_percent", start, end)
    days = rollups["day_utc"].dt.strftime("%Y-%m-%d").to_list()
    for server_id, day, peak in zip(
        rollups["server_id"].to_list(), days, rollups["peak_value"].to_list(), strict=True
    ):
        daily[server_id].append((day, peak))
    return [
        ServerEvidence(
            server,
            stats.get(server.id, {}),
            months.get(server.id, {}),
            month_peaks.get(server.id, {}),
            daily.get(server.id, []),
        )
        for server in estate.servers
    ]


def underuse_report(estate: Estate, warehouse: Warehouse, now: datetime | None = None) -> UnderuseReport:
    rule = estate.capacity.under_use
    end = data_end(warehouse, now or datetime.now(UTC))
    evidence = server_evidence(estate, warehouse, end, rule.lookback_days)
    return UnderuseReport(end, rule.lookback_days, find_underused(evidence, rule))


POOLS = {
    # pool -> (metric, capacity of a server in the pool's unit)
    "cpu": ("cpu_percent", lambda s: float(s.cores)),
    "memory": ("memory_percent", lambda s: float(s.memory_gib)),
    "storage": ("storage_percent", lambda s: float(s.storage_gib)),
}
POOL_UNITS = {"cpu": "cores", "memory": "GiB", "storage": "GiB"}


@dataclass
class TimeLeftReport:
    as_of_utc: datetime
    ceiling_percent: float
    pools: list[dict]
    storage_servers: list[dict]

    def as_dict(self) -> dict:
        return {
            "as_of_utc": self.as_of_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ceiling_percent": self.ceiling_percent,
            "rules": "docs/capacity.md",
            "pools": self.pools,
            "storage_days_until_full": self.storage_servers,
        }


def timeleft_report(estate: Estate, warehouse: Warehouse, now: datetime | None = None) -> TimeLeftReport:
    """Per site and pool, the projection of daily peak demand against the usable ceiling; per
    server, the days until its storage is full."""
    end = data_end(warehouse, now or datetime.now(UTC))
    start = end - timedelta(days=HISTORY_DAYS)
    ceiling = estate.capacity.ceiling_percent
    pools = []
    for pool, (metric, size) in POOLS.items():
        servers = [s for s in estate.servers if size(s) > 0]
        frame = warehouse.daily_peak_demand(
            metric,
            [s.id for s in servers],
            [size(s) / 100 for s in servers],
            start,
            end,
            hourly=pool != "storage",
        )
        for site in estate.sites:
            part = frame.filter(frame["site_id"] == site.id)
            capacity = sum(size(s) for s in servers if s.site == site.id)
            if part.height == 0 or capacity == 0:
                continue
            projection = project(part["day"].to_list(), part["peak"].to_list(), capacity, ceiling)
            pools.append({"site": site.id, "pool": pool, "unit": POOL_UNITS[pool], **projection.as_dict()})
    lookback = end - timedelta(days=estate.capacity.under_use.lookback_days)
    rollups = warehouse.daily_rollups("storage_percent", lookback, end)
    storage = []
    for (server_id,), part in rollups.partition_by("server_id", as_dict=True).items():
        days = [d.date() for d in part["day_utc"].to_list()]
        remaining = days_until_full(days, part["mean_value"].to_list())
        storage.append(
            {
                "server": server_id,
                "site": part["site_id"][0],
                "used_percent": round(float(part["mean_value"][-1]), 2),
                "days_until_full": None if remaining is None else round(remaining, 1),
            }
        )
    storage.sort(key=lambda r: (r["days_until_full"] is None, r["days_until_full"] or 0, r["server"]))
    return TimeLeftReport(end, ceiling, pools, storage)


SITE_LOSS_POOLS = {
    "cpu": ("cpu_percent", lambda s: float(s.cores)),
    "memory": ("memory_percent", lambda s: float(s.memory_gib)),
}


def _service_demand(
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


def site_loss_report(estate: Estate, warehouse: Warehouse, now: datetime | None = None) -> dict:
    end = data_end(warehouse, now or datetime.now(UTC))
    start = end - timedelta(days=estate.capacity.under_use.lookback_days)
    criticality = {s.id: s.criticality for s in estate.services}
    ceiling = estate.capacity.ceiling_percent
    results = []
    for pool, (metric, size) in SITE_LOSS_POOLS.items():
        demand = _service_demand(estate, warehouse, metric, size, start, end)
        for lost in estate.sites:
            for survivor in estate.sites:
                if survivor.id == lost.id:
                    continue
                usable = ceiling / 100 * sum(size(s) for s in estate.servers if s.site == survivor.id)
                results.append(check(survivor.id, lost.id, pool, usable, demand, criticality).as_dict())
    return {
        "as_of_utc": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lookback_days": estate.capacity.under_use.lookback_days,
        "ceiling_percent": ceiling,
        "rules": "docs/capacity.md",
        "checks": results,
    }


def consolidation_report(estate: Estate, warehouse: Warehouse, now: datetime | None = None) -> dict:
    end = data_end(warehouse, now or datetime.now(UTC))
    host = estate.capacity.consolidation
    start = end - timedelta(days=estate.capacity.under_use.lookback_days)
    stats = warehouse.utilisation_stats(start, end, ["cpu_percent", "memory_percent"])
    p95 = {
        (server_id, metric): value
        for server_id, metric, value in stats.select("server_id", "metric", "p95").iter_rows()
    }
    guests = [s for s in estate.servers if s.role != HOST_ROLE]
    by_demand = [
        Workload(
            s.id,
            s.site,
            p95.get((s.id, "cpu_percent"), 0.0) * s.cores / 100,
            p95.get((s.id, "memory_percent"), 0.0) * s.memory_gib / 100,
        )
        for s in guests
    ]
    by_allocation = [Workload(s.id, s.site, float(s.cores), float(s.memory_gib)) for s in guests]
    plans, allocated = [], []
    for site in estate.sites:
        hosts_now = sum(1 for s in estate.servers if s.site == site.id and s.role == HOST_ROLE) or sum(
            1 for s in estate.servers if s.site == site.id and s.kind == "physical"
        )
        for target, workloads in ((plans, by_demand), (allocated, by_allocation)):
            target.append(
                pack(
                    workloads,
                    site.id,
                    host.cores,
                    host.memory_gib,
                    host.headroom_percent,
                    hosts_now,
                    host.annual_cost_gbp,
                )
            )
    # every workload stays at its site, so a two-site service keeps its servers at both sites
    sites_of: dict[str, set[str]] = defaultdict(set)
    for server in guests:
        for service_id in server.services:
            sites_of[service_id].add(server.site)
    kept = all(
        sites_of[s.id] >= set(s.sites) for s in estate.services if len(s.sites) == 2 and s.id in sites_of
    )
    needed_by_allocation = sum(p.hosts_needed for p in allocated)
    needed = sum(p.hosts_needed for p in plans)
    return {
        "as_of_utc": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lookback_days": estate.capacity.under_use.lookback_days,
        "host": {
            "cores": host.cores,
            "memory_gib": host.memory_gib,
            "headroom_percent": host.headroom_percent,
            "annual_cost_gbp": f"{host.annual_cost_gbp:.2f}",
        },
        "rules": "docs/capacity.md",
        "two_site_services_kept_at_two_sites": kept,
        "hosts_now": sum(p.hosts_now for p in plans),
        "hosts_needed": needed,
        "hosts_freed": sum(p.hosts_freed for p in plans),
        "saving_gbp_a_year": f"{sum((p.saving_gbp for p in plans), start=Decimal(0)):.2f}",
        "hosts_needed_at_allocated_size": needed_by_allocation,
        "hosts_freed_by_right_sizing": max(0, needed_by_allocation - needed),
        "saving_by_right_sizing_gbp_a_year": f"{host.annual_cost_gbp * max(0, needed_by_allocation - needed):.2f}",
        "sites": [p.as_dict() for p in plans],
    }


PROFILE_METRICS = {
    "cpu": ("cpu_percent", lambda s: float(s.cores)),
    "memory": ("memory_percent", lambda s: float(s.memory_gib)),
}


def subject_shares(estate: Estate, kind: str, subject_id: str) -> tuple[dict[str, float], list[str]]:
    """The servers behind a subject with the share of each that counts, and the subject's
    services (whose contracts' service hours apply)."""
    if kind == "server":
        server = estate.server(subject_id)
        return {server.id: 1.0}, list(server.services)
    if kind == "site":
        return {s.id: 1.0 for s in estate.servers if s.site == subject_id}, [
            s.id for s in estate.services if subject_id in s.sites
        ]
    if kind == "service":
        return {s.id: 1.0 / len(s.services) for s in estate.servers if subject_id in s.services}, [subject_id]
    services = {s.id: s for s in estate.services if subject_id in s.councils}  # a council
    shares: dict[str, float] = {}
    for server in estate.servers:
        for service_id in server.services:
            if service_id in services:
                share = 1.0 / len(server.services) / len(services[service_id].councils)
                shares[server.id] = shares.get(server.id, 0.0) + share
    return shares, sorted(services)


def profile_report(
    estate: Estate,
    warehouse: Warehouse,
    kind: str,
    subject_id: str,
    days: int = 90,
    now: datetime | None = None,
) -> dict:
    """Percentiles (24x7 and in service hours), the hour-of-week shape and daily peaks of a
    server's, service's, site's or council's CPU and memory, as a percent of the capacity behind it."""
    tz = ZoneInfo(estate.estate.time_zone)
    end = data_end(warehouse, now or datetime.now(UTC))
    start = end - timedelta(days=days)
    shares, services = subject_shares(estate, kind, subject_id)
    month = end.astimezone(tz).strftime("%Y-%m")
    period = cal.Period("", cal.utc_seconds(start), cal.utc_seconds(end))
    spans = []
    for contract in estate.contracts:
        if (
            contract.service in services
            and estate.contract_in_force(contract.council, contract.service, month) is contract
        ):
            calendar_name = contract.bank_holidays or estate.estate.bank_holidays
            spans += cal.service_hours_spans(contract.service_hours, tz, period, calendar_name)
    hours_spans = normalise(spans)
    result = {
        "subject": {"kind": kind, "id": subject_id},
        "from_utc": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "to_utc": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "servers": len(shares),
        "service_hours_from": services,
        "rules": "docs/capacity.md",
    }
    for name, (metric, size) in PROFILE_METRICS.items():
        ids = sorted(shares)
        capacity = sum(size(estate.server(i)) * shares[i] for i in ids)
        frame = warehouse.hourly_demand(
            metric, ids, [size(estate.server(i)) / 100 * shares[i] for i in ids], start, end
        )
        hours = frame["hour_utc"].to_list()
        values = frame["demand"].to_numpy() * 100 / capacity if capacity else np.zeros(len(hours))
        local = [h.replace(tzinfo=UTC).astimezone(tz) for h in hours]
        slot = np.array([t.weekday() * 24 + t.hour for t in local], dtype=int)
        seconds = np.array([cal.utc_seconds(h.replace(tzinfo=UTC)) for h in hours], dtype=np.int64)
        starts = np.array([a for a, _ in hours_spans], dtype=np.int64)
        ends = np.array([b for _, b in hours_spans], dtype=np.int64)
        index = np.searchsorted(starts, seconds, side="right") - 1
        in_hours = (index >= 0) & (seconds < np.where(index >= 0, ends[np.maximum(index, 0)], 0))
        days_local = [t.date() for t in local]
        result[name] = {
            "unit": "percent of capacity",
            "all_hours": profile(values, slot, days_local).as_dict(),
            "service_hours": profile(values, slot, days_local, in_hours).as_dict() if hours_spans else None,
        }
    return result
