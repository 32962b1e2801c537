"""The estate document: the catalogue's tables turned into the sections of estate.toml.

`build_estate_document(scale, seed, anchors)` returns the TOML document (plain dicts, every one
new, so nothing of the catalogue's tables is shared with it). The random draws are taken in one
order (every server's size, then each service's database size), so the same seed gives the same
estate; the dates come from the month anchors.
"""

from __future__ import annotations

import copy
import html
import random
from datetime import date, timedelta

from collectors.demo.catalogue import contracts as terms
from collectors.demo.catalogue import money
from collectors.demo.catalogue.provider import ESTATE, SITE_ACCESS, SITE_TIMEOUT_SECONDS, SITES
from collectors.demo.catalogue.scale import (
    ServerSpec,
    build_servers,
    councils_for_scale,
    hypervisor_annual_cost_gbp,
    service_councils,
    services_for_scale,
)
from collectors.demo.catalogue.servers import CONSOLIDATION_HEADROOM_PERCENT, HYPERVISOR_SIZE
from collectors.demo.catalogue.services import DATASET_SIZES_GIB, ENDPOINT_PROBE_INTERVAL_SECONDS, ServiceSpec
from collectors.demo.timeline import Anchors


def _money(value: float) -> float:
    return round(float(value), 2)


# Okabe-Ito colours, each dark enough for white text on it (WCAG AA at this size)
LOGO_COLOURS = ("#0072B2", "#B34700", "#00704F", "#8E3B73", "#2F5F8A", "#7A5C00", "#5E4FA2")


def _logo(name: str, index: int) -> str:
    """A council's logo for the demo's report covers: its name, white on a colour, in the
    reports' own font (estate/logo.py checks it on load like any other)."""
    short = name.removesuffix(" Council")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 48" role="img">'
        f'<rect width="240" height="48" rx="6" fill="{LOGO_COLOURS[index % len(LOGO_COLOURS)]}"/>'
        f'<text x="14" y="30" font-family="Report Sans" font-size="15" font-weight="bold" fill="#ffffff">'
        f"{html.escape(short)}</text></svg>"
    )


def build_estate_document(scale: str, seed: int, anchors: Anchors) -> dict:
    rng = random.Random(seed)
    councils = councils_for_scale(scale)
    council_ids = [c for c, _ in councils]
    specs = services_for_scale(scale, council_ids)
    fleet = build_servers(specs, scale, rng)  # draws first: the servers' sizes, then the databases'

    return {
        "estate": dict(ESTATE),
        "sites": [
            {"id": site, "name": name, "prometheus_url": url, "timeout_seconds": SITE_TIMEOUT_SECONDS}
            | copy.deepcopy(SITE_ACCESS.get(site, {}))
            for site, name, url in SITES
        ],
        "councils": [
            {"id": c, "name": name, "logo_svg": _logo(name, i)} for i, (c, name) in enumerate(councils)
        ],
        "services": [_service(spec, council_ids, anchors, rng) for spec in specs],
        "servers": [_server(server) for server in fleet],
        "contracts": _contracts(specs, council_ids, anchors),
        "dr_tests": [
            {
                "date": anchors.month_start_local(months).date().replace(day=day),
                "service": service,
                "recovered_at_site": site,
                "measured_recovery_minutes": minutes,
                "passed": passed,
                "notes": notes,
            }
            for months, day, service, site, minutes, passed, notes in terms.DR_TESTS
        ],
        "money": _money_section(council_ids, anchors),
        "capacity": {
            "consolidation": {
                "cores": HYPERVISOR_SIZE[0],
                "memory_gib": float(HYPERVISOR_SIZE[1]),
                "headroom_percent": CONSOLIDATION_HEADROOM_PERCENT,
                "annual_cost_gbp": hypervisor_annual_cost_gbp(),
            }
        },
    }


def _service(spec: ServiceSpec, councils: list[str], anchors: Anchors, rng: random.Random) -> dict:
    users = service_councils(spec, councils)
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
                "probe_interval_seconds": ENDPOINT_PROBE_INTERVAL_SECONDS,
            }
            for site in spec.sites
        ],
    }
    if spec.id == anchors.new_service_id:
        service["in_service_from"] = anchors.new_service_live_local.date()
    if spec.recovery_site is not None:
        service["recovery_site"] = spec.recovery_site
    if spec.rpo_hours is not None:
        dataset = {
            "id": f"{spec.id}-db",
            "name": f"{spec.name} database",
            "site": spec.sites[0],
            "size_gib": float(rng.choice(DATASET_SIZES_GIB)),
        }
        if len(spec.sites) == 2:
            dataset["replicated_to"] = spec.sites[1]
        service["datasets"] = [dataset]
    return service


def _server(server: ServerSpec) -> dict:
    return {
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


def _credit_tiers(target_percent: float) -> list[dict]:
    return [
        {
            "below_percent": round(target_percent - points, 2) if points else target_percent,
            "credit_percent": credit,
        }
        for points, credit in terms.CREDIT_TIERS
    ]


def _contracts(specs: list[ServiceSpec], councils: list[str], anchors: Anchors) -> list[dict]:
    contracts = []
    for spec in specs:
        for council in service_councils(spec, councils):
            charge = spec.charge_gbp * (
                1.0 if council == terms.PROVIDER_COUNCIL else terms.CLIENT_CHARGE_SHARE
            )
            base = {
                "council": council,
                "service": spec.id,
                "effective_from": anchors.contracts_start_month,
                "service_hours": spec.hours,
                "availability_target_percent": spec.target_percent,
                "unmonitored_policy": terms.COUNCIL_UNMONITORED_POLICY.get(council, terms.UNMONITORED_POLICY),
                "rto_hours": terms.CRITICAL_RTO_HOURS
                if spec.criticality == "critical"
                else terms.OTHER_RTO_HOURS,
                "monthly_charge_gbp": _money(charge),
                "credit_tiers": _credit_tiers(spec.target_percent),
            }
            if spec.rpo_hours is not None:
                base["rpo_hours"] = spec.rpo_hours
            if spec.response_target_seconds is not None:
                base["response_time_target_seconds"] = spec.response_target_seconds
            if spec.maintenance:
                base["maintenance_windows"] = list(spec.maintenance)
            if council == terms.LATE_JOINER:
                base["effective_from"] = anchors.month_label(anchors.chorley_join_offset)
            if (council, spec.id) == terms.TARGET_CHANGE:
                first = dict(base, effective_until=anchors.month_label(anchors.contract_change_offset - 1))
                second = dict(
                    base,
                    effective_from=anchors.month_label(anchors.contract_change_offset),
                    availability_target_percent=terms.CHANGED_TARGET_PERCENT,
                    monthly_charge_gbp=_money(charge * terms.CHANGED_CHARGE_FACTOR),
                    credit_tiers=[
                        {"below_percent": below, "credit_percent": credit}
                        for below, credit in terms.CHANGED_CREDIT_TIERS
                    ],
                )
                contracts += [first, second]
                continue
            if (council, spec.id) == terms.ONE_OFF_MAINTENANCE:
                base["maintenance_windows"] = [anchors.one_off_maintenance_text]
            contracts.append(base)
    return contracts


# --- money -------------------------------------------------------------------------------------


def _financial_year(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def _fixed_shares_percent(councils: list[str]) -> dict[str, float]:
    """Equal shares to two places; the last council takes what makes them 100."""
    share = round(100 / len(councils), 2)
    return {c: share for c in councils[:-1]} | {councils[-1]: round(100 - share * (len(councils) - 1), 2)}


def _programme_date(first_year: int, year: int, month: int) -> date:
    """The first day of `month` (1 = April) of the programme's `year` (1 = the first)."""
    months = 3 + month - 1  # April is calendar month 4, index 3
    return date(first_year + year - 1 + months // 12, months % 12 + 1, 1)


def _baseline_servers(first_year: int, anchors: Anchors) -> list[dict]:
    """The stragglers the warehouse sees stop, then the rooms' servers switched off before the
    history, evenly from a month into year 1 to a month before the history."""
    servers = [
        {"id": server_id, "site": site, "kind": "physical", "annual_cost_gbp": cost}
        for server_id, site, cost, _offset in anchors.decommissioned_servers
    ]
    first = date(first_year, 5, 1)
    last = anchors.history_start_utc.astimezone(anchors.tz).date() - timedelta(days=31)
    count = len(money.COUNCIL_ROOMS) * money.SERVERS_A_ROOM
    for k in range(count):
        room, number = money.COUNCIL_ROOMS[k % len(money.COUNCIL_ROOMS)], k // len(money.COUNCIL_ROOMS) + 1
        servers.append(
            {
                "id": f"{room}-srv-{number:02d}",
                "kind": "physical",
                "annual_cost_gbp": money.SERVER_ANNUAL_COSTS_GBP[k % len(money.SERVER_ANNUAL_COSTS_GBP)],
                "switched_off_on": first + timedelta(days=(last - first).days * k // (count - 1)),
            }
        )
    return servers


def _storage_arrays(first_year: int, anchors: Anchors) -> list[dict]:
    arrays = []
    for k, (room, tib) in enumerate(zip(money.COUNCIL_ROOMS, money.ARRAY_TB, strict=True)):
        if k < len(money.COUNCIL_ROOMS) - 1:
            retired = _programme_date(first_year, 1 + k // 2, 7 if k % 2 == 0 else 13)
        else:
            retired = anchors.day(-money.LAST_ARRAY_RETIRED_MONTHS_BEFORE_NOW, 1)
        arrays.append(
            {
                "id": f"{room}-array",
                "site": f"{room} server room",
                "tib": float(tib),
                "annual_cost_gbp": money.ARRAY_ANNUAL_GBP,
                "retired_on": retired,
                "source": f"Asset register: {room} storage array disposal certificate",
            }
        )
    return arrays


def _money_section(councils: list[str], anchors: Anchors) -> dict:
    first_year = anchors.first_financial_year_start - money.PROGRAMME_YEARS_BEFORE_HISTORY
    history_start = anchors.history_start_utc.astimezone(anchors.tz).date()
    # the years before the history, and the year it begins inside, are the register's
    reported = [k for k in range(1, 5) if date(first_year + k - 1, 4, 1) < history_start]
    measured_years = [anchors.first_financial_year_start, anchors.first_financial_year_start + 1]
    return {
        "currency": money.CURRENCY,
        "shared_cost_split": money.SHARED_COST_SPLIT,
        "fixed_shares_percent": _fixed_shares_percent(councils),
        "cost_model": {
            "storage_gbp_per_tib_year": money.STORAGE_GBP_PER_TIB_YEAR,
            "power_gbp_per_kwh": money.POWER_GBP_PER_KWH,
            "physical_server_watts": money.PHYSICAL_SERVER_WATTS,
        },
        "baseline": {
            "financial_year": _financial_year(first_year - 1),
            "description": money.BASELINE_DESCRIPTION,
            "items": [
                {"name": name, "category": category, "annual_gbp": annual_gbp, "cashable": cashable}
                for category, name, annual_gbp, cashable, _actual, _source in money.RECORDED
            ],
            "servers": _baseline_servers(first_year, anchors),
            "storage_arrays": _storage_arrays(first_year, anchors),
        },
        "actuals": [
            {
                "financial_year": _financial_year(year),
                "category": category,
                "annual_gbp": actual,
                "source": source,
            }
            for year in measured_years
            for category, _name, _baseline, _cashable, actual, source in money.RECORDED
        ],
        "evidence": [
            {
                "category": category,
                "kind": kind,
                "description": text,
                "annual_gbp": annual_gbp,
                "effective_from": _programme_date(first_year, year, month),
                "source": source,
            }
            for category, kind, text, annual_gbp, year, month, source in money.RECORDED_EVIDENCE
        ],
        "savings_register": [
            {
                "financial_year": _financial_year(first_year + k - 1),
                "category": category,
                "cashable": category not in money.NON_CASHABLE,
                "saving_gbp": float(figures[k - 1]),
                "source": money.REGISTER_SOURCE.format(year=_financial_year(first_year + k - 1)),
                "signed_by": money.REGISTER_SIGNED_BY,
            }
            for k in reported
            for category, figures in money.REGISTER.items()
        ],
        "savings_targets": [
            {"financial_year": _financial_year(first_year + i), "target_gbp": float(target)}
            for i, target in enumerate(money.SAVINGS_TARGETS_GBP)
        ],
        "investments": [
            {
                "financial_year": _financial_year(first_year + years),
                "amount_gbp": amount_gbp,
                "description": text,
            }
            for years, amount_gbp, text in money.INVESTMENTS
        ],
    }
