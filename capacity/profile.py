"""Utilisation profiles: percentiles, the hour-of-week shape and daily peaks of a demand series.

A profile describes one subject (a server, a service, a site or a council) over a window, from
its hourly demand: for a server, its CPU % (or memory %); for a group, the sum over its servers
of CPU % x cores as a share of their cores (a council's share of a shared service is the
service's demand split evenly across the councils that buy it). Percentiles are nearest rank
(the smallest value whose cumulative share reaches the quantile), over every hour or only the
hours inside service hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

QUANTILES = {"p50": 50, "p95": 95, "p99": 99}


@dataclass(frozen=True)
class Profile:
    hours: int
    percentiles: dict[str, float | None]
    maximum: float | None
    hour_of_week_mean: tuple[float | None, ...]  # 168 values, Monday 00:00 local first
    daily_peaks: tuple[tuple[str, float], ...]


def nearest_rank(values: np.ndarray, percent: float) -> float | None:
    if len(values) == 0:
        return None
    return float(np.percentile(values, percent, method="inverted_cdf"))


def profile(
    values: np.ndarray, hour_of_week: np.ndarray, local_days: Sequence[date], keep: np.ndarray | None = None
) -> Profile:
    """`values`, `hour_of_week` (0..167, local) and `local_days` per hour; `keep` selects the
    hours that count (service hours), all when None."""
    keep = np.ones(len(values), bool) if keep is None else keep
    chosen = values[keep]
    shape = []
    for slot in range(168):
        in_slot = chosen[hour_of_week[keep] == slot]
        shape.append(float(in_slot.mean()) if len(in_slot) else None)
    peaks: dict[str, float] = {}
    for day, value, counted in zip(local_days, values, keep, strict=True):
        if counted:
            key = day.isoformat()
            peaks[key] = max(peaks.get(key, float("-inf")), float(value))
    return Profile(
        int(keep.sum()),
        {name: nearest_rank(chosen, q) for name, q in QUANTILES.items()},
        float(chosen.max()) if len(chosen) else None,
        tuple(shape),
        tuple(sorted(peaks.items())),
    )


def in_spans(seconds: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """For each instant (UTC seconds), whether it falls inside one of the sorted, disjoint
    `[start, end)` spans (service hours). No spans: no instant is inside (a server that runs
    no service has no service hours; it is not an error)."""
    if len(spans) == 0:
        return np.zeros(len(seconds), dtype=bool)
    starts = np.array([a for a, _ in spans], dtype=np.int64)
    ends = np.array([b for _, b in spans], dtype=np.int64)
    index = np.searchsorted(starts, seconds, side="right") - 1
    return (index >= 0) & (seconds < ends[np.maximum(index, 0)])
