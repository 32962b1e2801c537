"""Response time: the 95th percentile of probe durations within scheduled time.

The warehouse keeps, per endpoint and interval (an hour as collected), the p95 of that
interval's probe durations. The month's figure is the time-weighted 95th percentile of those
interval p95s, each weighted by the seconds of its interval inside scheduled time: the smallest
value v such that intervals with p95 <= v cover at least 95 % of the weighted time. Intervals
wholly outside scheduled time weigh nothing. Integer weights keep the comparison exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sla.intervals import Spans, seconds_before


@dataclass(frozen=True)
class ProbeSeries:
    """Probe-duration intervals of one service (every site): start (UTC s), length (s), p95 (s)."""

    starts: np.ndarray  # int64
    lengths: np.ndarray  # int64
    p95_seconds: np.ndarray  # float64

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[int, int, float]]) -> ProbeSeries:
        starts, lengths, values = zip(*rows, strict=True) if rows else ((), (), ())
        return cls(np.array(starts, np.int64), np.array(lengths, np.int64), np.array(values, np.float64))


def weighted_percentile(values: np.ndarray, weights: np.ndarray, percent: int = 95) -> float | None:
    """Smallest v with weight(values <= v) * 100 >= percent * total weight; None when weightless."""
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    if len(values) == 0:
        return None
    order = np.argsort(values, kind="stable")
    running = np.cumsum(weights[order])
    position = int(np.searchsorted(running * 100, percent * int(running[-1]), side="left"))
    return float(values[order][position])


def response_p95(series: ProbeSeries, scheduled: Spans) -> tuple[float | None, int]:
    """(p95 in seconds, the number of intervals that carried weight)."""
    weights = seconds_before(scheduled, series.starts + series.lengths) - seconds_before(
        scheduled, series.starts
    )
    return weighted_percentile(series.p95_seconds, weights), int(np.count_nonzero(weights))
