"""The demo estate at a scale: its councils, its services, and the servers they run on.

The default estate is the catalogue's seven councils and named services; the reference estate
(for benchmarks) is every council, every service at both sites plus each council's own, and
enough virtual machines to make 2,000 servers. Server sizes are drawn from the seed's generator,
in the order the servers are listed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from collectors.demo.catalogue import servers
from collectors.demo.catalogue.provider import COUNCILS, DEFAULT_COUNCILS, REFERENCE_COUNCILS
from collectors.demo.catalogue.services import (
    BOTH,
    DEDICATED_SERVICES,
    NOT_BOUGHT,
    REFERENCE_FUNCTIONS,
    REFERENCE_SERVICE,
    REFERENCE_SERVICES,
    SHARED_SERVICES,
    ServiceSpec,
)


def councils_for_scale(scale: str) -> list[tuple[str, str]]:
    return list(COUNCILS[: DEFAULT_COUNCILS if scale == "default" else REFERENCE_COUNCILS])


def services_for_scale(scale: str, councils: list[str]) -> list[ServiceSpec]:
    if scale == "default":
        return list(SHARED_SERVICES) + list(DEDICATED_SERVICES)
    # the reference estate runs every service at both sites, then each council's own services
    specs = [
        # a single-site service made active-active runs at both sites: it has no recovery site
        replace(s, sites=BOTH, mode="active-active", recovery_site=None)
        if s.mode == "single-site"
        else replace(s, sites=BOTH)
        for s in SHARED_SERVICES + DEDICATED_SERVICES
    ]
    taken = {s.id for s in specs}
    for function in REFERENCE_FUNCTIONS:
        for council in councils:
            if len(specs) >= REFERENCE_SERVICES:
                return specs
            if f"{council}-{function}" in taken:  # blackpool-parking, for one, is a named service
                continue
            specs.append(
                replace(
                    REFERENCE_SERVICE,
                    id=f"{council}-{function}",
                    name=f"{council.replace('-', ' ').title()} {function.replace('-', ' ')}",
                    councils=(council,),
                )
            )
    return specs


def service_councils(spec: ServiceSpec, councils: list[str]) -> list[str]:
    if spec.councils is not None:
        return [c for c in spec.councils if c in councils]
    return [c for c in councils if spec.id not in NOT_BOUGHT.get(c, set())]


def _money(value: float) -> float:
    return round(float(value), 2)


@dataclass(frozen=True)
class ServerSpec:
    id: str
    site: str
    role: str
    kind: str
    services: tuple[str, ...]
    cores: int
    memory_gib: int
    storage_gib: int
    annual_cost_gbp: float


def hypervisor_annual_cost_gbp() -> float:
    """What a demo hypervisor costs a year: the consolidation plan's host is one of them."""
    cores, memory_gib = servers.HYPERVISOR_SIZE
    return _server_cost("physical", cores, memory_gib, servers.SMALL_STORAGE_GIB)


def _server_cost(kind: str, cores: int, memory_gib: int, storage_gib: int) -> float:
    if kind == "physical":
        per_core, per_memory_gib, per_storage_gib = servers.PHYSICAL_GBP_PER
        return _money(
            servers.PHYSICAL_BASE_GBP
            + cores * per_core
            + memory_gib * per_memory_gib
            + storage_gib * per_storage_gib
        )
    per_core, per_memory_gib, per_storage_gib = servers.VIRTUAL_GBP_PER
    return _money(cores * per_core + memory_gib * per_memory_gib + storage_gib * per_storage_gib)


def build_servers(specs: list[ServiceSpec], scale: str, rng: random.Random) -> list[ServerSpec]:
    built: list[ServerSpec] = []

    def add(
        server_id: str,
        site: str,
        role: str,
        services: tuple[str, ...],
        cores: int,
        memory: int,
        storage: int,
        kind: str = "virtual",
    ) -> None:
        built.append(
            ServerSpec(
                server_id,
                site,
                role,
                kind,
                services,
                cores,
                memory,
                storage,
                _server_cost(kind, cores, memory, storage),
            )
        )

    for spec in specs:
        apps, dbs = servers.SERVERS_PER_SITE[spec.size]
        small = spec.size == "small"
        for site in spec.sites:
            for n in range(1, apps + 1):
                add(
                    f"{site}-{spec.id}-app{n:02d}",
                    site,
                    "application",
                    (spec.id,),
                    rng.choice(servers.SMALL_APPLICATION_CORES if small else servers.APPLICATION_CORES),
                    rng.choice(
                        servers.SMALL_APPLICATION_MEMORY_GIB if small else servers.APPLICATION_MEMORY_GIB
                    ),
                    rng.choice(servers.APPLICATION_STORAGE_GIB),
                )
            # active-passive services keep their database at the first site and a replica at the second
            for n in range(1, dbs + 1):
                add(
                    f"{site}-{spec.id}-db{n:02d}",
                    site,
                    "database",
                    (spec.id,),
                    rng.choice(servers.DATABASE_CORES),
                    rng.choice(servers.DATABASE_MEMORY_GIB),
                    rng.choice(servers.DATABASE_STORAGE_GIB),
                )
            if scale == "default" and spec.size == "large":
                add(f"{site}-{spec.id}-web01", site, "web", (spec.id,), *servers.WEB_SERVER)

    hypervisors = servers.DEFAULT_HYPERVISORS if scale == "default" else servers.REFERENCE_HYPERVISORS
    infrastructure = (*servers.INFRASTRUCTURE, (None, "hypervisor", hypervisors))
    for site in BOTH:
        for service, role, count in infrastructure:
            for n in range(1, count + 1):
                kind = "physical" if role in servers.PHYSICAL_ROLES else "virtual"
                add(
                    f"{site}-{role}{n:02d}",
                    site,
                    role,
                    (service,) if service else (),
                    *(
                        servers.HYPERVISOR_SIZE
                        if role == "hypervisor"
                        else servers.PHYSICAL_SIZE
                        if kind == "physical"
                        else servers.VIRTUAL_SIZE
                    ),
                    servers.LARGE_STORAGE_GIB
                    if role in servers.LARGE_STORAGE_ROLES
                    else servers.SMALL_STORAGE_GIB,
                    kind,
                )
    for service in servers.DR_STANDBY_SERVICES:
        add(f"dc2-dr-{service}", "dc2", "dr-standby", (service,), *servers.DR_STANDBY_SIZE)
    for stray in servers.STRAYS:
        add(*stray)

    if scale == "reference":
        n = 0
        while len(built) < servers.REFERENCE_SERVERS:
            n += 1
            site = "dc1" if n % 2 else "dc2"
            service = specs[n % len(specs)].id
            add(
                f"{site}-{service}-vm{n:04d}",
                site,
                "application",
                (service,),
                rng.choice(servers.REFERENCE_VM_CORES),
                rng.choice(servers.REFERENCE_VM_MEMORY_GIB),
                rng.choice(servers.REFERENCE_VM_STORAGE_GIB),
            )
    return built
