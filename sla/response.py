"""Response time: the 95th percentile of probe durations within scheduled time.

**The rule** (../shared/PRODUCT.md, "Availability"; docs/sla.md): a month's response time is the
95th percentile, nearest rank, of the durations of the successful probes taken in scheduled
time, over every site the service runs at: sorted, the value at rank ceil(0.95 x n).
`probes_p95` applies it to the probes themselves (durations in 10 ms ticks, so exact to 10 ms).
A percentile of hourly percentiles is not the percentile of the probes: it can turn a met target
into a missed one (tests/sla/test_response_rule.py).

**The old resolution.** Before the probes were kept (migration 0006), the warehouse kept per
endpoint and hour only the p95 of that hour's probe durations (`probe_durations`). A month for
which it holds no probes but such rows gets `response_p95` on them, and is marked HOURLY_P95S:
the time-weighted 95th percentile of those interval p95s, each weighted by the seconds of its
interval inside scheduled time: the smallest value v such that intervals with p95 <= v cover at
least 95 % of the weighted time. Intervals wholly outside scheduled time weigh nothing. Integer
weights keep the comparison exact.
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


TICK_SECONDS = 0.01  # a duration is kept in 10 ms ticks: the rule's figures are exact to 10 ms
PROBES = "probes"  # the rule on the successful probes themselves, to 10 ms
HOURLY_P95S = "hourly p95s (old resolution)"  # the months before probes were kept


@dataclass(frozen=True)
class ProbeDurations:
    """The successful probes of one service (every site): when each was taken (UTC s) and its
    duration in 10 ms ticks."""

    instants: np.ndarray  # int64
    ticks: np.ndarray  # int32


def nearest_rank(values: np.ndarray, percent: int = 95) -> float | None:
    """The value at rank ceil(percent / 100 x n) of the sorted values (1-based); None for none.
    Integer arithmetic for the rank, so 95 % of 20 is rank 19 exactly."""
    n = len(values)
    if n == 0:
        return None
    rank = -(-percent * n // 100)  # ceil without floats
    return float(np.partition(values, rank - 1)[rank - 1])


def in_scheduled_time(scheduled: Spans, instants: np.ndarray) -> np.ndarray:
    """Whether each instant lies in the (normalised) scheduled spans: [start, end)."""
    return (seconds_before(scheduled, instants + 1) - seconds_before(scheduled, instants)) == 1


def probes_p95(probes: ProbeDurations, scheduled: Spans) -> tuple[float | None, int]:
    """(the nearest-rank p95 in seconds of the probes taken in scheduled time, how many): the
    rule on a plain list of probes. `kept_probes_p95` is the same on the warehouse's form."""
    counted = probes.ticks[in_scheduled_time(scheduled, probes.instants)]
    return _seconds(nearest_rank(counted)), int(len(counted))


def _seconds(ticks: float | None) -> float | None:
    return None if ticks is None else round(ticks * TICK_SECONDS, 2)


@dataclass(frozen=True)
class KeptProbes:
    """One service's probes as the warehouse keeps them (warehouse/probe_days.py): rows of slots
    (an endpoint's UTC day), each slot `interval_s` after the one before from `first_s`, its
    duration in 10 ms ticks or -1 where no probe succeeded. Row r's slots are
    ticks[begin[r]:end[r]]; `ticks` may be shared with other services, in any order."""

    first_s: np.ndarray  # int64, a row's first slot (UTC s)
    interval_s: np.ndarray  # int64
    begin: np.ndarray  # int64, where its slots start in `ticks`
    end: np.ndarray  # int64, and end
    ticks: np.ndarray  # int16

    @classmethod
    def none(cls) -> KeptProbes:
        empty = np.empty(0, np.int64)
        return cls(empty, empty, empty, empty, np.empty(0, np.int16))


def scheduled_ticks(kept: KeptProbes, scheduled: Spans) -> np.ndarray:
    """The ticks of the probes taken in scheduled time. Each row's slots are an arithmetic
    sequence, so the slots inside a span are a range of it: the work is per row and span it
    overlaps, and a gather of the slots inside, never a test of each slot against the spans."""
    if not len(kept.first_s) or not scheduled:
        return np.empty(0, np.int16)
    starts = np.array([a for a, _ in scheduled], np.int64)
    ends = np.array([b for _, b in scheduled], np.int64)
    lengths = kept.end - kept.begin
    row_end = kept.first_s + lengths * kept.interval_s  # past the last slot
    first_span = np.searchsorted(
        ends, kept.first_s, side="right"
    )  # the first span ending after the row begins
    last_span = np.searchsorted(starts, row_end, side="left")  # spans starting before it ends
    pairs = np.maximum(last_span - first_span, 0)
    row = np.repeat(np.arange(len(lengths)), pairs)
    span = np.repeat(first_span, pairs) + (
        np.arange(int(pairs.sum())) - np.repeat(np.cumsum(pairs) - pairs, pairs)
    )
    interval = kept.interval_s[row]
    # slot k is at first + k x interval: inside [a, b) for ceil((a - first) / interval) <= k < ceil((b - first) / interval)
    k_lo = np.clip(-((kept.first_s[row] - starts[span]) // interval), 0, lengths[row])
    k_hi = np.clip(-((kept.first_s[row] - ends[span]) // interval), 0, lengths[row])
    size = k_hi - k_lo
    taken = np.repeat(kept.begin[row] + k_lo - (np.cumsum(size) - size), size) + np.arange(int(size.sum()))
    found = kept.ticks[taken]
    return found[found >= 0]


def kept_probes_p95(kept: KeptProbes, scheduled: Spans) -> tuple[float | None, int]:
    """`probes_p95` on the warehouse's form: (p95 in seconds, how many probes counted)."""
    counted = scheduled_ticks(kept, scheduled)
    return _seconds(nearest_rank(counted)), int(len(counted))
