"""The site-loss check: could one site carry everything if the other were lost?

For each surviving site and pool (CPU cores, memory GiB): the demand is the combined hourly
demand of every service at both sites (a server's demand, CPU % x cores or memory % x GiB, split
evenly across the services it runs; servers that run no service count as "infrastructure",
critical). The peak is the highest hour of that combined demand over the look-back: peaks of
different services at different hours are not added up as if they coincided. It must fit within
the survivor's usable capacity (its servers' capacity x the ceiling).

When it does not fit, services are taken in order of criticality (critical, high, medium, low;
then the larger peak first; then by id) and each is kept while the combined peak of those kept
stays within the usable capacity; the rest are the services that would not fit, in that order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

CRITICALITY_ORDER = ("critical", "high", "medium", "low")
INFRASTRUCTURE = "infrastructure"


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


def _priority(service: str, peak: float, criticality: Mapping[str, str]) -> tuple:
    level = criticality.get(service, "critical" if service == INFRASTRUCTURE else "low")
    return (CRITICALITY_ORDER.index(level), -peak, service)


def check(
    survivor: str,
    lost: str,
    pool: str,
    usable: float,
    demand: Mapping[str, np.ndarray],
    criticality: Mapping[str, str],
) -> SiteLoss:
    """`demand`: per service, its combined demand at both sites for each hour (same hours)."""
    services = sorted(demand, key=lambda s: _priority(s, float(demand[s].max(initial=0)), criticality))
    hours = len(next(iter(demand.values()))) if demand else 0
    combined = np.sum([demand[s] for s in services], axis=0) if services else np.zeros(hours)
    peak = float(combined.max(initial=0))
    kept = np.zeros(hours)
    left_out = []
    for service in services:
        trial = kept + demand[service]
        if float(trial.max(initial=0)) <= usable:
            kept = trial
        else:
            left_out.append(service)
    return SiteLoss(survivor, lost, pool, usable, peak, usable - peak, peak <= usable, tuple(left_out))
