"""A consolidation plan: workloads packed by p95 demand onto hosts of the configured size."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from application.collected import data_end, estate_as_collected
from application.provenance import Provenance, provenance_of
from application.site_loss import critical_outlooks
from capacity.consolidation import (
    HOST_ROLE,
    SitePlan,
    Workload,
    hosts_kept_for_site_loss,
    hosts_now,
    pack,
    two_site_services_kept,
)
from capacity.hosts import capacity_servers
from estate.model import ConsolidationHost, Estate
from estate.scope import Scope
from warehouse import Warehouse


@dataclass(frozen=True)
class ConsolidationReport:
    as_of_utc: datetime
    lookback_days: int
    host: ConsolidationHost
    two_site_services_kept_at_two_sites: bool
    plans: tuple[SitePlan, ...]  # by p95 demand, per site; none when nothing was measured
    at_allocated_size: tuple[SitePlan, ...]  # the same workloads at the size they are given
    provenance: Provenance
    measured_servers: int  # guests with a measured p95 in the window
    unmeasured_servers: tuple[str, ...]  # guests without one: packed at their allocated size

    @property
    def hosts_now(self) -> int:
        return sum(p.hosts_now for p in self.plans)

    @property
    def hosts_needed(self) -> int:
        return sum(p.hosts_needed for p in self.plans)

    @property
    def hosts_freed(self) -> int:
        return sum(p.hosts_freed for p in self.plans)

    @property
    def saving_gbp_a_year(self) -> Decimal:
        return sum((p.saving_gbp for p in self.plans), start=Decimal(0))

    @property
    def hosts_needed_at_allocated_size(self) -> int:
        return sum(p.hosts_needed for p in self.at_allocated_size)

    @property
    def hosts_short(self) -> int:
        return sum(p.hosts_short for p in self.plans)

    @property
    def hosts_avoided_by_right_sizing(self) -> int:
        """Hosts packing by p95 needs fewer than packing at allocated size: hosts not bought, not
        hosts freed (those are counted against the hosts that exist), so no money is claimed."""
        return max(0, self.hosts_needed_at_allocated_size - self.hosts_needed)

    @property
    def findings(self) -> tuple[str, ...]:
        """What a planner must know first: a site whose hosts cannot carry their own guests."""
        headroom = self.host.headroom_percent
        return tuple(
            f"{p.site}'s {p.hosts_now} hosts cannot carry its guests at p95 with {headroom} % headroom: "
            f"{p.hosts_needed} needed, {p.hosts_short} more than it has"
            for p in self.plans
            if p.hosts_short
        )


def _kept_for_site_loss(estate: Estate, warehouse: Warehouse, end: datetime) -> dict[str, int]:
    """Per site, the hosts it keeps for the two-site rule: its critical services' peak if the
    other site were lost, today or a year on along their trend, whichever is higher (the
    site-loss check's own outlook, the same host model and window)."""
    host = estate.capacity.consolidation
    share = 1 - host.headroom_percent / 100
    outlooks = critical_outlooks(estate, warehouse, end)
    kept: dict[str, int] = {}
    for site in estate.sites:
        mine = [o for o in outlooks if o.survivor == site.id]
        if not mine:
            continue
        peak = {
            pool: max((max(o.peak_now, o.peak_a_year_on or 0.0) for o in mine if o.pool == pool), default=0.0)
            for pool in ("cpu", "memory")
        }
        own = [s for s in capacity_servers(estate.servers, site.id) if s.role != HOST_ROLE]
        kept[site.id] = hosts_kept_for_site_loss(
            (peak["cpu"], peak["memory"]),
            (sum(s.cores for s in own) * share, sum(s.memory_gib for s in own) * share),
            (host.cores * share, host.memory_gib * share),
        )
    return kept


def consolidation_report(
    estate: Estate, warehouse: Warehouse, *, scope: Scope, now: datetime | None = None
) -> ConsolidationReport:
    scope.require_provider("the consolidation plan")
    estate = estate_as_collected(estate, warehouse)
    end = data_end(warehouse, now or datetime.now(UTC))
    host = estate.capacity.consolidation
    start = end - timedelta(days=estate.capacity.under_use.lookback_days)
    stats = warehouse.utilisation_stats(start, end, ["cpu_percent", "memory_percent"])
    p95 = {
        (server_id, metric): value
        for server_id, metric, value in stats.select("server_id", "metric", "p95").iter_rows()
    }
    # the guests are the virtual machines the hosts carry; a physical server carries itself
    guests = [s for s in estate.servers if s.role != HOST_ROLE and s.kind == "virtual"]
    measured = {server_id for server_id, _ in p95}
    # a guest never measured is packed at the size it is given: counting it as using nothing
    # would free hosts on no evidence
    by_demand = [
        Workload(
            s.id,
            s.site,
            p95.get((s.id, "cpu_percent"), 100.0) * s.cores / 100,
            p95.get((s.id, "memory_percent"), 100.0) * s.memory_gib / 100,
        )
        for s in guests
    ]
    by_allocation = [Workload(s.id, s.site, float(s.cores), float(s.memory_gib)) for s in guests]
    plans, allocated = [], []
    kept = _kept_for_site_loss(estate, warehouse, end) if measured else {}
    for site in estate.sites if measured else ():  # no measurement, no plan
        now_at_site = hosts_now(estate.servers, site.id)
        for target, workloads in ((plans, by_demand), (allocated, by_allocation)):
            plan = pack(
                workloads,
                site.id,
                host.cores,
                host.memory_gib,
                host.headroom_percent,
                now_at_site,
                host.annual_cost_gbp,
            )
            target.append(replace(plan, kept_for_site_loss=kept.get(site.id, 0)))
    return ConsolidationReport(
        end,
        estate.capacity.under_use.lookback_days,
        host,
        two_site_services_kept(estate.services, guests),
        tuple(plans),
        tuple(allocated),
        provenance_of(estate),
        sum(1 for s in guests if s.id in measured),
        tuple(sorted(s.id for s in guests if s.id not in measured)),
    )
