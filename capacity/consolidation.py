"""A consolidation plan: workloads packed by their p95 demand onto fewer hosts.

- Workloads are the virtual machines (the servers of kind `virtual`; the hosts themselves, role
  `hypervisor`, and other physical servers carry no guests), each with its
  p95 CPU demand (p95 CPU % x cores) and p95 memory demand (p95 memory % x GiB) over the
  look-back.
- A host offers `cores` and `memory_gib` less `headroom_percent` of each.
- Every workload stays at its site, so a two-site service keeps a copy at each site; the plan
  is made per site.
- Packing is first-fit decreasing: workloads in order of their larger share of a host (then by
  id, so the same input always gives the same plan), each onto the first host with room in
  both CPU and memory, else onto a new host. A workload bigger than a host gets a host of its
  own and is flagged.
- Hosts now: the site's `hypervisor` servers (or, without any, its physical servers).
- **The two-site rule**: a site keeps at least the hosts its critical services would need if
  the other site were lost (the site-loss check's critical peak there, less what its
  self-carrying physical servers offer, over a host's usable capacity, CPU and memory alike).
  Hosts needed = the larger of the hosts packed and the hosts kept for site loss.
- Hosts freed = hosts now - hosts needed, when positive; the saving is that times a host's
  annual cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from capacity.hosts import HOST_ROLE  # noqa: F401 (the hosts a plan packs onto)


@dataclass(frozen=True)
class Workload:
    server_id: str
    site: str
    cpu_cores: float
    memory_gib: float


@dataclass
class Host:
    number: int
    cpu_free: float
    memory_free: float
    workloads: list[str] = field(default_factory=list)
    oversized: bool = False


@dataclass(frozen=True)
class SitePlan:
    site: str
    host_cpu_usable: float
    host_memory_usable: float
    hosts_now: int
    hosts: tuple[Host, ...]
    annual_cost_per_host: Decimal
    # the two-site rule: hosts the site keeps so that its critical services would still fit if
    # the other site were lost (the site-loss check's critical peak at this site as survivor)
    kept_for_site_loss: int = 0

    @property
    def hosts_packed(self) -> int:
        return len(self.hosts)

    @property
    def hosts_needed(self) -> int:
        return max(self.hosts_packed, self.kept_for_site_loss)

    @property
    def hosts_freed(self) -> int:
        return max(0, self.hosts_now - self.hosts_needed)

    @property
    def hosts_short(self) -> int:
        """Hosts the plan needs beyond those that exist: the site's hosts cannot carry its guests."""
        return max(0, self.hosts_needed - self.hosts_now)

    @property
    def saving_gbp(self) -> Decimal:
        return self.annual_cost_per_host * self.hosts_freed


def pack(
    workloads: Sequence[Workload],
    site: str,
    host_cores: float,
    host_memory_gib: float,
    headroom_percent: float,
    hosts_now: int,
    annual_cost_per_host: Decimal,
) -> SitePlan:
    usable_cpu = host_cores * (1 - headroom_percent / 100)
    usable_memory = host_memory_gib * (1 - headroom_percent / 100)
    ordered = sorted(
        (w for w in workloads if w.site == site),
        key=lambda w: (-max(w.cpu_cores / usable_cpu, w.memory_gib / usable_memory), w.server_id),
    )
    hosts: list[Host] = []
    for workload in ordered:
        if workload.cpu_cores > usable_cpu or workload.memory_gib > usable_memory:
            free_cpu, free_memory = usable_cpu - workload.cpu_cores, usable_memory - workload.memory_gib
            hosts.append(Host(len(hosts) + 1, free_cpu, free_memory, [workload.server_id], oversized=True))
            continue
        for host in hosts:
            if (
                not host.oversized
                and workload.cpu_cores <= host.cpu_free
                and workload.memory_gib <= host.memory_free
            ):
                break
        else:
            host = Host(len(hosts) + 1, usable_cpu, usable_memory)
            hosts.append(host)
        host.cpu_free -= workload.cpu_cores
        host.memory_free -= workload.memory_gib
        host.workloads.append(workload.server_id)
    return SitePlan(site, usable_cpu, usable_memory, hosts_now, tuple(hosts), annual_cost_per_host)


def hosts_kept_for_site_loss(
    critical_peak: tuple[float, float],
    self_carried: tuple[float, float],
    host_usable: tuple[float, float],
) -> int:
    """Hosts a survivor needs for its critical services' peak (cores, GiB) when the other site is
    lost, beyond what its self-carrying physical servers offer: the larger of the two, never
    below 0. Each is (cores, GiB); the hosts' and the self-carried capacity less the headroom."""
    needed = 0
    for peak, own, usable in zip(critical_peak, self_carried, host_usable, strict=True):
        beyond = peak - own
        if beyond > 0 and usable > 0:
            needed = max(needed, math.ceil(beyond / usable))
    return needed


def hosts_now(servers: Sequence, site: str) -> int:
    """The hosts a site runs today: its `hypervisor` servers, or without any its physical servers."""
    hypervisors = sum(1 for s in servers if s.site == site and s.role == HOST_ROLE)
    return hypervisors or sum(1 for s in servers if s.site == site and s.kind == "physical")


def two_site_services_kept(services: Sequence, guests: Sequence) -> bool:
    """Every workload stays at its site, so a two-site service keeps its servers at both sites
    exactly when it has servers at each of its sites among the workloads packed."""
    sites_of: dict[str, set[str]] = {}
    for server in guests:
        for service_id in server.services:
            sites_of.setdefault(service_id, set()).add(server.site)
    return all(sites_of[s.id] >= set(s.sites) for s in services if len(s.sites) == 2 and s.id in sites_of)
