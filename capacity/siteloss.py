"""The site-loss check: could one site carry everything if the other were lost?

Each service is modelled by its mode (docs/capacity.md, "Site-loss check"). For a site lost and a
survivor, what the survivor must carry of a service at each hour of the look-back:

- **active-active**: load-driven demand (CPU) of the lost site's instance moves to the survivor,
  which carries both sites' load; footprint (memory) does not move: the survivor's instance is
  already resident and holds its own working set, so it carries only its own.
- **active-passive** (the first of its sites is where it is active): when the active site is
  lost, the standby at the survivor takes its active's demand: the higher, each hour, of what
  the active used and what the standby already holds (replaced, not added); when the standby's
  site is lost, the active carries on as it was.
- **single-site** at the lost site: moves whole to the survivor when the estate says its DR plan
  recovers it there (`recovery_site`); otherwise it is lost with the site, listed as such, and
  claims no capacity. At the survivor: as it is.
- **infrastructure** (servers that run no service: hypervisor overheads, backup and monitoring
  servers): the survivor keeps its own; the lost site's goes with it.

The survivor's demand is the sum over services at each hour and its peak the highest hour, so
peaks of different services at different hours are not added as if they coincided. It must fit
within the survivor's usable capacity (its servers' capacity x the ceiling). Results per
criticality: whether every service of that criticality and above (infrastructure counting as
critical) fits; and when not everything fits, services are kept in order of criticality
(critical, high, medium, low; then the larger peak; then id) while the peak of those kept fits,
the rest listed in that order with the capacity each would need beyond what is left.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

CRITICALITY_ORDER = ("critical", "high", "medium", "low")
INFRASTRUCTURE = "infrastructure"
LOAD, FOOTPRINT = "load", "footprint"  # how a pool's demand behaves when a site is lost


@dataclass(frozen=True)
class ServiceDemand:
    """One service's hourly demand at each site it has servers at."""

    service: str
    mode: str  # active-active, active-passive, single-site, or infrastructure
    criticality: str
    sites: tuple[str, ...]  # where it runs; for active-passive (active, standby)
    by_site: Mapping[str, np.ndarray]
    recovery_site: str | None = None  # a single-site service's DR site


@dataclass(frozen=True)
class NotFitting:
    service: str
    criticality: str
    needs: float  # capacity beyond what is left once the services before it are kept


@dataclass(frozen=True)
class SiteLoss:
    survivor: str
    lost: str
    pool: str
    usable: float
    combined_peak: float
    headroom: float  # usable - combined peak (negative: short)
    fits: bool
    would_not_fit: tuple[str, ...]
    short: tuple[NotFitting, ...] = ()  # the services that would not fit, with what each needs
    fits_by_criticality: tuple[tuple[str, bool], ...] = ()  # every service of it and above fits
    lost_with_site: tuple[str, ...] = ()  # single-site services with no DR site at the survivor
    peak_by_criticality: tuple[tuple[str, float], ...] = ()  # the combined peak of it and above
    # on the trend of the critical services' daily peaks, the first day they would no longer fit
    # (the application projects it; None: not within the horizon, or not projected)
    critical_stops_fitting_on: date | None = None
    # the critical services' peak a year on, on the same trend (conservative): what a plan that
    # frees hosts must still leave room for
    critical_peak_a_year_on: float | None = None


def carried(demand: ServiceDemand, lost: str, survivor: str, kind: str, hours: int) -> np.ndarray | None:
    """What the survivor carries of one service at each hour; None when the service is lost with
    the site (single-site, no DR plan to the survivor)."""
    zero = np.zeros(hours)
    own, away = demand.by_site.get(survivor, zero), demand.by_site.get(lost, zero)
    if demand.mode == INFRASTRUCTURE:
        return own
    if demand.mode == "active-active":
        return own + away if kind == LOAD else own
    if demand.mode == "active-passive":
        active = demand.sites[0]
        return np.maximum(own, away) if active == lost else own
    if lost in demand.sites:  # single-site at the lost site
        return away if demand.recovery_site == survivor else None
    return own


def _level(demand: ServiceDemand) -> str:
    return "critical" if demand.mode == INFRASTRUCTURE else demand.criticality


def critical_load(
    survivor: str, lost: str, kind: str, services: Sequence[ServiceDemand], hours: int
) -> np.ndarray:
    """The survivor's hourly demand of the critical services (infrastructure counting as
    critical) with `lost` gone: what must fit for the Civil Contingencies duty."""
    series = [carried(d, lost, survivor, kind, hours) for d in services if _level(d) == CRITICALITY_ORDER[0]]
    kept = [s for s in series if s is not None]
    return np.sum(kept, axis=0) if kept else np.zeros(hours)


def check(
    survivor: str,
    lost: str,
    pool: str,
    kind: str,
    usable: float,
    services: Sequence[ServiceDemand],
    hours: int,
) -> SiteLoss:
    """The survivor's hourly demand with `lost` gone, against `usable`."""
    load: dict[str, np.ndarray] = {}
    lost_with_site = []
    for demand in services:
        series = carried(demand, lost, survivor, kind, hours)
        if series is None:
            lost_with_site.append(demand.service)
        else:
            load[demand.service] = series
    level = {d.service: _level(d) for d in services}

    def priority(service: str) -> tuple:
        return (CRITICALITY_ORDER.index(level[service]), -float(load[service].max(initial=0)), service)

    ordered = sorted(load, key=priority)
    combined = np.sum([load[s] for s in ordered], axis=0) if ordered else np.zeros(hours)
    peak = float(combined.max(initial=0))
    kept, short = np.zeros(hours), []
    for service in ordered:
        trial = kept + load[service]
        trial_peak = float(trial.max(initial=0))
        if trial_peak <= usable:
            kept = trial
        else:
            short.append(NotFitting(service, level[service], trial_peak - usable))
    by_level, peaks = [], []
    for k, name in enumerate(CRITICALITY_ORDER):
        members = [load[s] for s in ordered if CRITICALITY_ORDER.index(level[s]) <= k]
        level_peak = float(np.sum(members, axis=0).max(initial=0)) if members else 0.0
        by_level.append((name, level_peak <= usable))
        peaks.append((name, level_peak))
    return SiteLoss(
        survivor,
        lost,
        pool,
        usable,
        peak,
        usable - peak,
        peak <= usable,
        tuple(s.service for s in short),
        tuple(short),
        tuple(by_level),
        tuple(sorted(lost_with_site)),
        tuple(peaks),
    )
