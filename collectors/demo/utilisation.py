"""The demo's hourly utilisation: a mean and a peak per server, metric and hour.

Each server follows a profile: a base load, an office-hours bump for services people use at
work, growth over the year (fast at DC1, so that DC1 runs out of CPU within a year), the March
annual-billing peak on Council Tax and Business Rates, and noise. Idle profiles make the planted
under-used servers, the possibly-unused ones, the disaster-recovery standbys and the print server
that only works in March. `noiseless_site_cpu_percent` evaluates the same model without noise,
also in the future, for the ground truth of "time remaining".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import holidays
import numpy as np
import polars as pl

from collectors.demo.timeline import Anchors

UNDER_USED = (
    "dc1-wyre-cemeteries-app01",
    "dc1-lancaster-museums-app01",
    "dc1-fylde-intranet-app01",
    "dc2-fylde-intranet-app01",
    "dc1-print01",
    "dc2-print01",
)
POSSIBLY_UNUSED = (
    "dc1-legacy-app01",
    "dc1-legacy-app02",
    "dc1-legacy-app03",
    "dc2-old-test01",
    "dc2-old-test02",
)
SEASONAL_IDLE = ("dc1-ctax-billing-print",)
MARCH_PEAK_SERVICES = ("council-tax", "business-rates")
FAST_FILLING_STORAGE = "dc1-file01"
GROWTH_PER_YEAR = {"dc1": 0.5, "dc2": 0.25}  # relative growth of the busy servers' load
# ...and more for these services at either site: Benefits takes on the caseload moving to it, so
# on the trend the critical services would stop fitting at one site if the other were lost
SERVICE_GROWTH_PER_YEAR = {"benefits": 2.0, "email": 1.5, "directory": 1.5}
SITE_LOAD_FACTOR = {"dc1": 1.6, "dc2": 1.0}  # DC1 carries the heavier share of the work
CPU_CEILING_PERCENT = 80.0


@dataclass(frozen=True)
class Fleet:
    """Per-server model parameters as arrays, index-aligned with `ids`."""

    ids: tuple[str, ...]
    sites: np.ndarray
    cores: np.ndarray
    profile: tuple[str, ...]
    cpu_base: np.ndarray
    cpu_office: np.ndarray
    cpu_march: np.ndarray
    cpu_nightly: np.ndarray
    growth: np.ndarray
    memory_base: np.ndarray
    memory_office: np.ndarray
    storage_start: np.ndarray
    storage_per_year: np.ndarray
    network_base: np.ndarray
    noise_scale: np.ndarray
    stops_at_utc: tuple[datetime | None, ...]  # decommissioned servers stop reporting

    def on_site(self, site: str) -> np.ndarray:
        return np.flatnonzero(self.sites == site)


def _profile(server: dict) -> str:
    if server["id"] in UNDER_USED:
        return "under-used"
    if server["id"] in POSSIBLY_UNUSED:
        return "unused"
    if server["id"] in SEASONAL_IDLE:
        return "seasonal"
    if server["role"] == "dr-standby":
        return "standby"
    if server["role"] == "backup":
        return "backup"
    return "busy"


def build_fleet(document: dict, anchors: Anchors, seed: int) -> Fleet:
    rng = np.random.default_rng([seed, 7])
    office_services = {
        s["id"] for s in document["services"] if s["id"] not in ("directory", "lancaster-museums")
    }
    rows = [dict(s, stops=None) for s in document["servers"]]
    for server_id, site, _cost, offset in anchors.decommissioned_servers:
        stops = anchors.utc(anchors.day(offset, 10), datetime.min.time())
        rows.append(
            {"id": server_id, "site": site, "role": "application", "services": [], "cores": 8, "stops": stops}
        )

    n = len(rows)
    profile = tuple(_profile(r) for r in rows)
    uniform = rng.uniform
    cpu_base = uniform(12, 24, n)
    cpu_office = uniform(10, 22, n)
    memory_base = uniform(40, 62, n)
    memory_office = uniform(2, 8, n)
    network_base = uniform(2, 60, n)
    noise = np.ones(n)
    cpu_march = np.zeros(n)
    cpu_nightly = np.zeros(n)
    growth = np.array([GROWTH_PER_YEAR.get(r["site"], 0.0) for r in rows])
    storage_start = uniform(25, 55, n)
    storage_per_year = uniform(2, 12, n)

    for i, (row, kind) in enumerate(zip(rows, profile, strict=True)):
        is_office = any(s in office_services for s in row["services"])
        if kind == "busy":
            cpu_base[i] *= SITE_LOAD_FACTOR.get(row["site"], 1.0)
            cpu_office[i] *= SITE_LOAD_FACTOR.get(row["site"], 1.0)
            if not is_office:
                cpu_office[i] = uniform(0, 4)
            if any(s in MARCH_PEAK_SERVICES for s in row["services"]):
                cpu_march[i] = uniform(22, 30)
            if row["role"] == "hypervisor":
                cpu_base[i], cpu_office[i] = uniform(28, 36), uniform(8, 14)
            growth[i] += max((SERVICE_GROWTH_PER_YEAR.get(s, 0.0) for s in row["services"]), default=0.0)
        elif kind == "backup":
            cpu_base[i], cpu_office[i], cpu_nightly[i], growth[i] = uniform(4, 8), 0, uniform(45, 60), 0
        elif kind in ("under-used", "unused", "seasonal", "standby"):
            low = {
                "under-used": (1.5, 3.5),
                "unused": (0.2, 0.5),
                "seasonal": (1.0, 2.0),
                "standby": (0.8, 1.5),
            }[kind]
            cpu_base[i] = uniform(*low)
            cpu_office[i] = uniform(0.5, 2.0) if kind == "under-used" else 0.0
            memory_base[i] = uniform(14, 24) if kind != "unused" else uniform(8, 12)
            memory_office[i] = uniform(0, 1.5)
            network_base[i] = 0.01 if kind == "unused" else uniform(0.5, 3)
            noise[i] = 0.05 if kind == "unused" else 0.15
            growth[i] = 0.0
            if kind == "seasonal":
                cpu_march[i] = uniform(55, 65)
        if row["id"] == FAST_FILLING_STORAGE:
            history_years = (anchors.now_utc - anchors.history_start_utc) / timedelta(days=365)
            storage_start[i], storage_per_year[i] = 70.0, 20.0 / history_years

    return Fleet(
        ids=tuple(r["id"] for r in rows),
        sites=np.array([r["site"] for r in rows]),
        cores=np.array([r["cores"] for r in rows], dtype=float),
        profile=profile,
        cpu_base=cpu_base,
        cpu_office=cpu_office,
        cpu_march=cpu_march,
        cpu_nightly=cpu_nightly,
        growth=growth,
        memory_base=memory_base,
        memory_office=memory_office,
        storage_start=storage_start,
        storage_per_year=storage_per_year,
        network_base=network_base,
        noise_scale=noise,
        stops_at_utc=tuple(r["stops"] for r in rows),
    )


@dataclass(frozen=True)
class Hours:
    """Hour starts (UTC) and what the wall clock says at each."""

    starts_utc: np.ndarray  # datetime64[us], naive UTC
    office: np.ndarray  # 1 in weekday office hours, partial at the edges, 0 otherwise
    nightly: np.ndarray  # 1 from 01:00 to 03:00 local
    march: np.ndarray  # the billing-peak ramp, 0 outside March
    years_since_start: np.ndarray


def hours_of(start: datetime, end: datetime, anchors: Anchors) -> Hours:
    count = int((end - start) / timedelta(hours=1))
    starts = [start + timedelta(hours=h) for h in range(count)]
    local = [t.astimezone(anchors.tz) for t in starts]
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(start.year, end.year + 2))
    office = np.zeros(count)
    nightly = np.zeros(count)
    march = np.zeros(count)
    for h, t in enumerate(local):
        if t.weekday() < 5 and t.date() not in bank:
            office[h] = {7: 0.3, 8: 0.8, 17: 0.7, 18: 0.3}.get(t.hour, 1.0 if 9 <= t.hour < 17 else 0.0)
        nightly[h] = 1.0 if 1 <= t.hour < 3 else 0.0
        if t.month == 3:
            march[h] = 0.4 if t.day <= 3 else (1.0 if t.day <= 20 else 0.5)
    years = np.array([(t - anchors.history_start_utc) / timedelta(days=365) for t in starts])
    naive = np.array([t.astimezone(UTC).replace(tzinfo=None) for t in starts], dtype="datetime64[us]")
    return Hours(naive, office, nightly, march, years)


def cpu_mean_noiseless(fleet: Fleet, index: np.ndarray, hours: Hours) -> np.ndarray:
    """CPU percent (servers x hours) before noise."""
    col = (slice(None), None)
    office = fleet.cpu_office[index][col] * hours.office[None, :]
    growth = 1.0 + fleet.growth[index][col] * hours.years_since_start[None, :]
    march = fleet.cpu_march[index][col] * (hours.march * np.maximum(hours.office, 0.2))[None, :]
    nightly = fleet.cpu_nightly[index][col] * hours.nightly[None, :]
    return np.clip((fleet.cpu_base[index][col] + office) * growth + march + nightly, 0.05, 100.0)


def utilisation_window(
    fleet: Fleet,
    site: str,
    start: datetime,
    end: datetime,
    anchors: Anchors,
    seed: int,
    lost: list[tuple[datetime, datetime]],
) -> pl.DataFrame:
    """One site's hourly rows for [start, end), without the hours lost to collection gaps."""
    index = fleet.on_site(site)
    hours = hours_of(start, end, anchors)
    rng = np.random.default_rng([seed, int(start.timestamp()), sum(map(ord, site))])
    n, h = len(index), len(hours.starts_utc)
    col = (slice(None), None)
    noise = fleet.noise_scale[index][col]

    def noisy(mean: np.ndarray, spread: float, burst: float) -> tuple[np.ndarray, np.ndarray]:
        mean = np.clip(mean + rng.normal(0, spread, (n, h)) * noise, 0.01, 100.0)
        peak = np.clip(mean + np.abs(rng.normal(0, burst, (n, h))) * noise + 0.5 * noise, 0.0, 100.0)
        return mean, np.maximum(peak, mean)

    cpu = noisy(cpu_mean_noiseless(fleet, index, hours), 1.5, 5.0)
    growth = 1.0 + 0.5 * fleet.growth[index][col] * hours.years_since_start[None, :]
    memory = noisy(
        fleet.memory_base[index][col] * growth + fleet.memory_office[index][col] * hours.office[None, :],
        1.0,
        2.5,
    )
    storage_mean = np.clip(
        fleet.storage_start[index][col]
        + fleet.storage_per_year[index][col] * hours.years_since_start[None, :],
        0.0,
        99.5,
    )
    storage = (storage_mean, np.minimum(storage_mean + 0.1, 100.0))
    network_mean = fleet.network_base[index][col] * (1.0 + 1.5 * hours.office[None, :])
    network_mean = np.maximum(network_mean * (1 + rng.normal(0, 0.1, (n, h)) * noise), 0.0)
    network = (network_mean, network_mean * (1.3 + np.abs(rng.normal(0, 0.3, (n, h)))))

    keep = np.ones((n, h), dtype=bool)
    for position, server in enumerate(index):
        stops = fleet.stops_at_utc[server]
        if stops is not None:
            keep[position] &= hours.starts_utc < np.datetime64(
                stops.astimezone(UTC).replace(tzinfo=None), "us"
            )
    for lost_start, lost_end in lost:
        lo = np.datetime64(lost_start.astimezone(UTC).replace(tzinfo=None), "us")
        hi = np.datetime64(lost_end.astimezone(UTC).replace(tzinfo=None), "us")
        keep[:, (hours.starts_utc >= lo) & (hours.starts_utc < hi)] = False

    ids = np.array(fleet.ids, dtype=object)[index]
    server_of_cell = np.repeat(ids, h).reshape(n, h)[keep]
    hour_of_cell = np.tile(hours.starts_utc, n).reshape(n, h)[keep]
    frames = [
        pl.DataFrame(
            {
                "server_id": server_of_cell,
                "metric": metric,
                "interval_start_utc": hour_of_cell,
                "mean_value": np.round(mean[keep], 3),
                "peak_value": np.round(peak[keep], 3),
            },
            schema_overrides={"server_id": pl.Utf8},
        )
        for metric, (mean, peak) in (
            ("cpu_percent", cpu),
            ("memory_percent", memory),
            ("storage_percent", storage),
            ("network_mbps", network),
        )
    ]
    return pl.concat(frames)


def noiseless_site_cpu_percent(fleet: Fleet, site: str, start: datetime, days: int, anchors: Anchors):
    """Daily peak of the site's CPU demand as a share of its cores, without noise: [(date, percent)]."""
    index = np.array([i for i in fleet.on_site(site) if fleet.stops_at_utc[i] is None])
    hours = hours_of(start, start + timedelta(days=days), anchors)
    demand = (cpu_mean_noiseless(fleet, index, hours) * fleet.cores[index][:, None]).sum(axis=0)
    percent = demand / fleet.cores[index].sum()
    local_days = [np.datetime64(t, "D") for t in hours.starts_utc]
    result: dict = {}
    for day, value in zip(local_days, percent, strict=True):
        result[day] = max(result.get(day, 0.0), float(value))
    return sorted(result.items())


def projected_cpu_crossing(fleet: Fleet, site: str, anchors: Anchors) -> tuple[str | None, float, float]:
    """(first future day the noiseless daily peak reaches the ceiling, today's peak, a year ago's peak)."""
    future = noiseless_site_cpu_percent(fleet, site, anchors.now_utc, 730, anchors)
    crossing = next((str(day) for day, value in future if value >= CPU_CEILING_PERCENT), None)
    past = noiseless_site_cpu_percent(fleet, site, anchors.history_start_utc, 14, anchors)
    recent = noiseless_site_cpu_percent(fleet, site, anchors.now_utc - timedelta(days=14), 14, anchors)
    return crossing, max(v for _, v in recent), max(v for _, v in past)
