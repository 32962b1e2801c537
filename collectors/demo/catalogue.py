"""The demo estate's configuration: Blackpool's shared service hosting its neighbours from two sites.

`build_estate_document(scale, seed, anchors)` returns the TOML document (plain dicts) that
`councilops demo` writes to estate.toml. Everything is derived from the seed and the month
anchors, so the same inputs always give the same file (the shipped example in examples/ is this
file for a fixed date; a test keeps them equal).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from collectors.demo.timeline import Anchors

SITES = (
    ("dc1", "Blackpool DC1 (Bickerstaffe House)", "http://prometheus.dc1.blackpool.example:9090"),
    ("dc2", "Blackpool DC2 (Layton Depot)", "http://prometheus.dc2.blackpool.example:9090"),
)

COUNCILS = (
    ("blackpool", "Blackpool Council"),
    ("fylde", "Fylde Council"),
    ("wyre", "Wyre Council"),
    ("rochdale", "Rochdale Borough Council"),
    ("lancaster", "Lancaster City Council"),
    ("ribble-valley", "Ribble Valley Borough Council"),
    ("chorley", "Chorley Council"),
    # the reference estate adds these
    ("preston", "Preston City Council"),
    ("south-ribble", "South Ribble Borough Council"),
    ("west-lancashire", "West Lancashire Borough Council"),
    ("hyndburn", "Hyndburn Borough Council"),
    ("rossendale", "Rossendale Borough Council"),
)

OFFICE_HOURS = "Mon-Fri 08:00-18:00 excluding bank holidays"
EXTENDED_HOURS = "Mon-Fri 07:00-19:00 excluding bank holidays"
CONTACT_HOURS = "Mon-Fri 08:00-20:00; Sat 09:00-13:00 excluding bank holidays"
ALWAYS = "24x7"


@dataclass(frozen=True)
class ServiceSpec:
    id: str
    name: str
    sites: tuple[str, ...]
    mode: str
    criticality: str
    hours: str
    target_percent: float
    size: str  # large, medium, small: how many servers it runs on
    office_load: bool  # busy in office hours (True) or flat (False)
    charge_gbp: int  # monthly charge per council
    rpo_hours: float | None = 24.0
    maintenance: tuple[str, ...] = ()
    councils: tuple[str, ...] | None = None  # None: every council
    response_target_seconds: float | None = 2.0


BOTH = ("dc1", "dc2")

# The shared services every (or nearly every) council buys.
SHARED_SERVICES = (
    ServiceSpec(
        "council-tax",
        "Council Tax",
        BOTH,
        "active-active",
        "critical",
        OFFICE_HOURS,
        99.5,
        "large",
        True,
        4200,
    ),
    ServiceSpec(
        "business-rates",
        "Business Rates (NNDR)",
        BOTH,
        "active-active",
        "high",
        OFFICE_HOURS,
        99.5,
        "large",
        True,
        2600,
    ),
    ServiceSpec(
        "benefits",
        "Housing Benefit and Council Tax Support",
        BOTH,
        "active-passive",
        "critical",
        OFFICE_HOURS,
        99.5,
        "large",
        True,
        3900,
    ),
    ServiceSpec(
        "revenues-portal",
        "Revenues and Benefits Online Portal",
        BOTH,
        "active-active",
        "high",
        ALWAYS,
        99.0,
        "medium",
        True,
        1200,
        rpo_hours=24.0,
    ),
    ServiceSpec(
        "email",
        "Email and Calendar",
        BOTH,
        "active-active",
        "critical",
        ALWAYS,
        99.9,
        "large",
        True,
        2100,
        maintenance=("first Sunday of the month 02:00-06:00",),
    ),
    ServiceSpec(
        "directory",
        "Directory and Sign-in",
        BOTH,
        "active-active",
        "critical",
        ALWAYS,
        99.95,
        "medium",
        False,
        900,
        rpo_hours=4.0,
    ),
    ServiceSpec(
        "finance",
        "Financial Management System",
        BOTH,
        "active-passive",
        "high",
        EXTENDED_HOURS,
        99.5,
        "large",
        True,
        3100,
        rpo_hours=4.0,
    ),
    ServiceSpec(
        "payroll", "Payroll and HR", BOTH, "active-passive", "high", OFFICE_HOURS, 99.5, "medium", True, 1800
    ),
    ServiceSpec(
        "document-storage",
        "Document and Records Management",
        BOTH,
        "active-active",
        "medium",
        EXTENDED_HOURS,
        99.0,
        "large",
        True,
        1500,
        maintenance=("every Saturday 22:00-02:00",),
    ),
    ServiceSpec(
        "planning",
        "Planning and Building Control",
        BOTH,
        "active-passive",
        "medium",
        OFFICE_HOURS,
        99.0,
        "medium",
        True,
        1300,
    ),
    ServiceSpec(
        "contact-centre",
        "Contact Centre Telephony",
        BOTH,
        "active-active",
        "high",
        CONTACT_HOURS,
        99.5,
        "medium",
        True,
        1700,
        rpo_hours=None,
    ),
    ServiceSpec(
        "website",
        "Council Websites",
        BOTH,
        "active-active",
        "high",
        ALWAYS,
        99.5,
        "medium",
        True,
        800,
        rpo_hours=24.0,
    ),
    ServiceSpec(
        "licensing", "Licensing", ("dc2",), "single-site", "low", OFFICE_HOURS, 98.5, "small", True, 500
    ),
    ServiceSpec(
        "gis", "Mapping (GIS)", ("dc1",), "single-site", "low", OFFICE_HOURS, 98.5, "small", True, 450
    ),
    ServiceSpec(
        "waste",
        "Waste and Recycling Rounds",
        BOTH,
        "active-passive",
        "medium",
        "Mon-Fri 06:00-18:00; Sat 07:00-13:00",
        99.0,
        "small",
        True,
        600,
    ),
    ServiceSpec(
        "electoral",
        "Electoral Registration",
        ("dc2",),
        "single-site",
        "medium",
        OFFICE_HOURS,
        99.0,
        "small",
        True,
        550,
    ),
    ServiceSpec(
        "land-charges",
        "Local Land Charges",
        ("dc1",),
        "single-site",
        "low",
        OFFICE_HOURS,
        98.5,
        "small",
        True,
        350,
        councils=("blackpool", "fylde", "wyre", "ribble-valley"),
    ),
    ServiceSpec(
        "housing-repairs",
        "Housing Repairs",
        BOTH,
        "active-passive",
        "medium",
        EXTENDED_HOURS,
        99.0,
        "medium",
        True,
        1100,
        councils=("blackpool", "rochdale", "lancaster", "chorley"),
    ),
)

# Services one council has to itself (the rest of the default estate).
DEDICATED_SERVICES = (
    ServiceSpec(
        "blackpool-parking",
        "Blackpool Parking Permits",
        ("dc2",),
        "single-site",
        "low",
        OFFICE_HOURS,
        98.0,
        "small",
        True,
        400,
        councils=("blackpool",),
    ),
    ServiceSpec(
        "fylde-intranet",
        "Fylde Intranet",
        BOTH,
        "active-passive",
        "low",
        OFFICE_HOURS,
        98.5,
        "small",
        True,
        300,
        councils=("fylde",),
    ),
    ServiceSpec(
        "rochdale-social-care",
        "Rochdale Social Care Case Management",
        BOTH,
        "active-active",
        "critical",
        ALWAYS,
        99.9,
        "large",
        True,
        5200,
        rpo_hours=4.0,
        councils=("rochdale",),
    ),
    ServiceSpec(
        "wyre-cemeteries",
        "Wyre Bereavement Services",
        ("dc1",),
        "single-site",
        "low",
        OFFICE_HOURS,
        98.0,
        "small",
        False,
        250,
        councils=("wyre",),
    ),
    ServiceSpec(
        "lancaster-museums",
        "Lancaster Museums Ticketing",
        ("dc1",),
        "single-site",
        "low",
        ALWAYS,
        98.0,
        "small",
        False,
        220,
        councils=("lancaster",),
    ),
)

# For the reference estate: every council gets these as dedicated two-site services.
REFERENCE_FUNCTIONS = (
    "parking",
    "cemeteries",
    "building-control",
    "environmental-health",
    "housing-register",
    "leisure-booking",
    "land-charges-local",
    "pest-control",
    "street-lighting",
    "grants",
    "complaints",
    "foi-requests",
    "trade-waste",
    "garden-waste",
    "markets",
    "allotments",
    "car-parks",
    "cctv",
    "community-safety",
    "council-meetings",
    "procurement",
    "fleet",
    "asset-register",
    "estates",
    "licensing-local",
    "noise-nuisance",
    "dog-warden",
    "food-safety",
    "air-quality",
    "empty-homes",
    "homelessness",
    "disabled-facilities-grants",
)

# Which councils take part in the default estate and which service each does NOT buy.
DEFAULT_COUNCILS = 7
NOT_BOUGHT = {
    "ribble-valley": {"contact-centre", "housing-repairs", "planning", "waste"},
    "lancaster": {"payroll", "document-storage", "waste"},
    "chorley": {"revenues-portal", "contact-centre", "gis", "electoral", "waste"},
    "wyre": {"electoral"},
}


def _money(value: float) -> float:
    return round(float(value), 2)


def services_for_scale(scale: str, councils: list[str]) -> list[ServiceSpec]:
    if scale == "default":
        return list(SHARED_SERVICES) + list(DEDICATED_SERVICES)
    specs = [
        ServiceSpec(
            s.id,
            s.name,
            BOTH,
            "active-active" if s.mode == "single-site" else s.mode,
            s.criticality,
            s.hours,
            s.target_percent,
            s.size,
            s.office_load,
            s.charge_gbp,
            s.rpo_hours,
            s.maintenance,
            s.councils,
            s.response_target_seconds,
        )
        for s in SHARED_SERVICES + DEDICATED_SERVICES
    ]
    taken = {s.id for s in specs}
    for function in REFERENCE_FUNCTIONS:
        for council in councils:
            if len(specs) >= 400:
                return specs
            if f"{council}-{function}" in taken:  # blackpool-parking, for one, is a named service
                continue
            specs.append(
                ServiceSpec(
                    f"{council}-{function}",
                    f"{council.replace('-', ' ').title()} {function.replace('-', ' ')}",
                    BOTH,
                    "active-passive",
                    "low",
                    OFFICE_HOURS,
                    98.5,
                    "small",
                    True,
                    200,
                    councils=(council,),
                )
            )
    return specs


def councils_for_scale(scale: str) -> list[tuple[str, str]]:
    return list(COUNCILS[: DEFAULT_COUNCILS if scale == "default" else 12])


def service_councils(spec: ServiceSpec, councils: list[str]) -> list[str]:
    if spec.councils is not None:
        return [c for c in spec.councils if c in councils]
    return [c for c in councils if spec.id not in NOT_BOUGHT.get(c, set())]


SERVERS_PER_SITE = {"large": (3, 1), "medium": (2, 1), "small": (1, 0)}  # (application, database)


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


def _server_cost(kind: str, cores: int, memory_gib: int, storage_gib: int) -> float:
    if kind == "physical":
        return _money(3200 + cores * 95 + memory_gib * 6 + storage_gib * 0.12)
    return _money(cores * 140 + memory_gib * 11 + storage_gib * 0.35)


def build_servers(specs: list[ServiceSpec], scale: str, rng: random.Random) -> list[ServerSpec]:
    servers: list[ServerSpec] = []

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
        servers.append(
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
        apps, dbs = SERVERS_PER_SITE[spec.size]
        for site in spec.sites:
            for n in range(1, apps + 1):
                add(
                    f"{site}-{spec.id}-app{n:02d}",
                    site,
                    "application",
                    (spec.id,),
                    rng.choice((4, 4, 8, 8, 16)) if spec.size != "small" else rng.choice((2, 4)),
                    rng.choice((8, 16, 16, 32)) if spec.size != "small" else rng.choice((4, 8)),
                    rng.choice((100, 200, 400)),
                )
            # active-passive services keep their database at the first site and a replica at the second
            for n in range(1, dbs + 1):
                add(
                    f"{site}-{spec.id}-db{n:02d}",
                    site,
                    "database",
                    (spec.id,),
                    rng.choice((8, 16)),
                    rng.choice((32, 64)),
                    rng.choice((500, 1000, 2000)),
                )
            if scale == "default" and spec.size == "large":
                add(f"{site}-{spec.id}-web01", site, "web", (spec.id,), 4, 8, 100)

    infrastructure = [
        ("directory", "domain-controller", 3),
        ("email", "mail-gateway", 2),
        (None, "backup", 2),
        (None, "monitoring", 1),
        (None, "file", 3),
        (None, "print", 1),
        (None, "hypervisor", 4 if scale == "default" else 10),
    ]
    for site in ("dc1", "dc2"):
        for service, role, count in infrastructure:
            for n in range(1, count + 1):
                kind = "physical" if role in ("hypervisor", "backup") else "virtual"
                add(
                    f"{site}-{role}{n:02d}",
                    site,
                    role,
                    (service,) if service else (),
                    32 if kind == "physical" else 4,
                    256 if kind == "physical" else 16,
                    4000 if role in ("backup", "file") else 200,
                    kind,
                )
    # Standbys at the second site: warm copies for disaster recovery, idle by design.
    for service in ("finance", "benefits", "payroll", "council-tax"):
        add(f"dc2-dr-{service}", "dc2", "dr-standby", (service,), 8, 32, 1000)
    # The print server that only works in the annual billing run, and a few forgotten machines.
    add("dc1-ctax-billing-print", "dc1", "application", ("council-tax",), 8, 16, 500)
    for n in range(1, 4):
        add(f"dc1-legacy-app{n:02d}", "dc1", "application", (), 4, 16, 200)
    add("dc2-old-test01", "dc2", "application", (), 4, 16, 200)
    add("dc2-old-test02", "dc2", "application", (), 2, 8, 100)

    if scale == "reference":
        n = 0
        while len(servers) < 2000:
            n += 1
            site = "dc1" if n % 2 else "dc2"
            service = specs[n % len(specs)].id
            add(
                f"{site}-{service}-vm{n:04d}",
                site,
                "application",
                (service,),
                rng.choice((2, 4, 8)),
                rng.choice((4, 8, 16)),
                rng.choice((100, 200)),
            )
    return servers


def build_estate_document(scale: str, seed: int, anchors: Anchors) -> dict:
    rng = random.Random(seed)
    councils = councils_for_scale(scale)
    council_ids = [c for c, _ in councils]
    specs = services_for_scale(scale, council_ids)
    servers = build_servers(specs, scale, rng)

    document: dict = {
        "estate": {
            "name": "Blackpool Shared Services (demo estate)",
            "provider_council": "blackpool",
            "time_zone": "Europe/London",
            "bank_holidays": "england-and-wales",
        },
        "sites": [
            {"id": site, "name": name, "prometheus_url": url, "timeout_seconds": 30.0}
            for site, name, url in SITES
        ],
        "councils": [{"id": c, "name": name} for c, name in councils],
        "services": [],
        "servers": [],
        "contracts": [],
        "dr_tests": [],
    }
    document["sites"][1]["auth"] = {"type": "bearer", "token_env": "COUNCILOPS_DC2_TOKEN"}
    document["sites"][1]["tls"] = {"ca_file": "/etc/councilops/dc2-ca.pem"}

    for spec in specs:
        users = service_councils(spec, council_ids)
        service: dict = {
            "id": spec.id,
            "name": spec.name,
            "sites": list(spec.sites),
            "mode": spec.mode,
            "tenancy": "dedicated" if len(users) == 1 and spec.councils is not None else "shared",
            "criticality": spec.criticality,
            "councils": users,
            "endpoints": [
                {
                    "site": site,
                    "target": f"https://{spec.id}.{site}.blackpool.example/health",
                    "probe_interval_seconds": 60,
                }
                for site in spec.sites
            ],
        }
        if spec.id == anchors.new_service_id:
            service["in_service_from"] = anchors.new_service_live_local.date()
        if spec.rpo_hours is not None:
            dataset = {
                "id": f"{spec.id}-db",
                "name": f"{spec.name} database",
                "site": spec.sites[0],
                "size_gib": float(rng.choice((50, 120, 400, 900))),
            }
            if len(spec.sites) == 2:
                dataset["replicated_to"] = spec.sites[1]
            service["datasets"] = [dataset]
        document["services"].append(service)

    for server in servers:
        document["servers"].append(
            {
                "id": server.id,
                "site": server.site,
                "role": server.role,
                "kind": server.kind,
                "services": list(server.services),
                "cores": server.cores,
                "memory_gib": float(server.memory_gib),
                "storage_gib": float(server.storage_gib),
                "annual_cost_gbp": server.annual_cost_gbp,
            }
        )

    document["contracts"] = _contracts(specs, council_ids, anchors)
    document["dr_tests"] = [
        {
            "date": anchors.month_start_local(-7).date().replace(day=12),
            "service": "finance",
            "recovered_at_site": "dc2",
            "measured_recovery_minutes": 95.0,
            "passed": True,
            "notes": "Annual failover test: finance database restored at DC2 from the replica.",
        },
        {
            "date": anchors.month_start_local(-4).date().replace(day=9),
            "service": "benefits",
            "recovered_at_site": "dc2",
            "measured_recovery_minutes": 310.0,
            "passed": False,
            "notes": "Failover exceeded the 4-hour RTO: DNS change was manual.",
        },
        {
            "date": anchors.month_start_local(-2).date().replace(day=14),
            "service": "email",
            "recovered_at_site": "dc1",
            "measured_recovery_minutes": 22.0,
            "passed": True,
            "notes": "Mailbox database failover test.",
        },
    ]
    document["money"] = _money_section(council_ids, anchors, rng)
    return document


def _contracts(specs: list[ServiceSpec], councils: list[str], anchors: Anchors) -> list[dict]:
    contracts = []
    for spec in specs:
        for council in service_councils(spec, councils):
            charge = spec.charge_gbp * (1.0 if council == "blackpool" else 0.85)
            base = {
                "council": council,
                "service": spec.id,
                "effective_from": anchors.contracts_start_month,
                "service_hours": spec.hours,
                "availability_target_percent": spec.target_percent,
                "unmonitored_policy": "exclude",
                "rto_hours": 4.0 if spec.criticality == "critical" else 8.0,
                "monthly_charge_gbp": _money(charge),
                "credit_tiers": [
                    {"below_percent": spec.target_percent, "credit_percent": 5.0},
                    {"below_percent": round(spec.target_percent - 0.5, 2), "credit_percent": 10.0},
                    {"below_percent": round(spec.target_percent - 2.0, 2), "credit_percent": 25.0},
                ],
            }
            if spec.rpo_hours is not None:
                base["rpo_hours"] = spec.rpo_hours
            if spec.response_target_seconds is not None:
                base["response_time_target_seconds"] = spec.response_target_seconds
            if spec.maintenance:
                base["maintenance_windows"] = list(spec.maintenance)
            if council == "rochdale":
                base["unmonitored_policy"] = "down"  # Rochdale's contract counts unmonitored time against us
            if council == "lancaster":
                base["unmonitored_policy"] = "up"
            if council == "chorley":  # joined the shared service part-way through the history
                base["effective_from"] = anchors.month_label(anchors.chorley_join_offset)
            if council == "fylde" and spec.id == "council-tax":
                # the planted contract version change: a tighter target from this month on
                first = dict(base, effective_until=anchors.month_label(anchors.contract_change_offset - 1))
                second = dict(
                    base,
                    effective_from=anchors.month_label(anchors.contract_change_offset),
                    availability_target_percent=99.7,
                    monthly_charge_gbp=_money(charge * 1.05),
                    credit_tiers=[
                        {"below_percent": 99.7, "credit_percent": 5.0},
                        {"below_percent": 99.2, "credit_percent": 10.0},
                        {"below_percent": 97.7, "credit_percent": 25.0},
                    ],
                )
                contracts += [first, second]
                continue
            if spec.id == "council-tax" and council == "blackpool":
                base["maintenance_windows"] = [anchors.one_off_maintenance_text]
            contracts.append(base)
    return contracts


def _money_section(councils: list[str], anchors: Anchors, rng: random.Random) -> dict:
    first_year = anchors.first_financial_year_start - 3  # the programme began three years before the history

    def fy(start: int) -> str:
        return f"{start}/{(start + 1) % 100:02d}"

    baseline_servers = [
        {"id": server_id, "site": site, "annual_cost_gbp": cost}
        for server_id, site, cost, _offset in anchors.decommissioned_servers
    ]
    targets = [300_000, 400_000, 500_000, 600_000, 700_000]  # GBP 2.5m over five years
    return {
        "currency": "GBP",
        "shared_cost_split": "measured-use",
        "fixed_shares_percent": {c: round(100 / len(councils), 2) for c in councils[:-1]}
        | {councils[-1]: round(100 - round(100 / len(councils), 2) * (len(councils) - 1), 2)},
        "cost_model": {
            "storage_gbp_per_tib_year": 180.0,
            "power_gbp_per_kwh": 0.28,
            "physical_server_watts": 450.0,
            "licences": [
                {"name": "Hypervisor licences", "annual_gbp": 64_000.0, "services": [], "cashable": True},
                {
                    "name": "Revenues and Benefits software",
                    "annual_gbp": 210_000.0,
                    "services": ["council-tax", "business-rates", "benefits"],
                    "cashable": True,
                },
                {"name": "Email licences", "annual_gbp": 88_000.0, "services": ["email"], "cashable": True},
            ],
        },
        "baseline": {
            "financial_year": fy(first_year - 1),
            "description": "Before consolidation: each council ran its own server rooms.",
            "items": [
                {
                    "name": "Servers across seven server rooms",
                    "category": "servers",
                    "annual_gbp": 1_450_000.0,
                    "cashable": True,
                },
                {"name": "Storage arrays", "category": "storage", "annual_gbp": 420_000.0, "cashable": True},
                {
                    "name": "Software licences",
                    "category": "licences",
                    "annual_gbp": 690_000.0,
                    "cashable": True,
                },
                {"name": "Power and cooling", "category": "power", "annual_gbp": 310_000.0, "cashable": True},
                {
                    "name": "Server-room staff time",
                    "category": "staff",
                    "annual_gbp": 380_000.0,
                    "cashable": False,
                },
                {
                    "name": "Server-room accommodation",
                    "category": "facilities",
                    "annual_gbp": 150_000.0,
                    "cashable": False,
                },
            ],
            "servers": baseline_servers,
        },
        "savings_targets": [
            {"financial_year": fy(first_year + i), "target_gbp": float(t)} for i, t in enumerate(targets)
        ],
        "investments": [
            {
                "financial_year": fy(first_year),
                "amount_gbp": 650_000.0,
                "description": "Second data centre fit-out",
            },
            {
                "financial_year": fy(first_year + 1),
                "amount_gbp": 280_000.0,
                "description": "Hyperconverged hosts",
            },
            {
                "financial_year": fy(first_year + 3),
                "amount_gbp": 120_000.0,
                "description": "Backup appliance refresh",
            },
        ],
    }
