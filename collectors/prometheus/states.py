"""Probe samples to state intervals, by the brief's rule.

A sample of an endpoint taken at time t (probe_success 1 = up, 0 = down) stands from t until
the next sample of the same series when that comes within 1.5 probe intervals; otherwise it
stands for one probe interval, and the time after it until the next sample (or the end of the
window) is unmonitored, with the cause the caller gives (no samples in what the site returned,
by default). Time before the first sample of the window is unmonitored too. Consecutive
stretches of one state are joined. With 60 s probes: samples at 10:00:00 = down and 10:30:00 =
up, every minute between down, give a down interval of exactly 30 minutes; a last sample at
08:59:00 followed by silence until 11:00:00 leaves 09:00:00-11:00:00 unmonitored.

Times are whole seconds; comparisons of 1.5 intervals are made in doubled seconds to stay exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NO_SAMPLES = "no-samples"


@dataclass(frozen=True)
class Interval:
    start_s: int
    end_s: int
    state: str  # up, down, unmonitored
    cause: str | None = None


def _join(out: list[Interval], item: Interval) -> None:
    if item.end_s <= item.start_s:
        return
    if out and out[-1].end_s == item.start_s and (out[-1].state, out[-1].cause) == (item.state, item.cause):
        out[-1] = Interval(out[-1].start_s, item.end_s, item.state, item.cause)
    else:
        out.append(item)


def probe_intervals(
    times_s: Sequence[int] | np.ndarray,
    values: Sequence[float] | np.ndarray,
    interval_s: int,
    window_start_s: int,
    window_end_s: int,
    gap_cause: str = NO_SAMPLES,
) -> list[Interval]:
    """State intervals covering [window_start_s, window_end_s) exactly. `values` must be 0 or 1
    (the caller rejects anything else before, with its reason). A sample just before the window
    may be passed in: it stands into the window by the same rule."""
    times = np.asarray(times_s, dtype=np.int64)
    states = np.where(np.asarray(values) >= 0.5, "up", "down")
    out: list[Interval] = []
    cursor = window_start_s
    for k, t in enumerate(times.tolist()):
        following = int(times[k + 1]) if k + 1 < len(times) else None
        if following is not None and 2 * (following - t) <= 3 * interval_s:
            stands_until = following
        else:
            stands_until = t + interval_s
        lo, hi = max(t, window_start_s), min(stands_until, window_end_s)
        if lo >= window_end_s:
            break
        if lo > cursor:
            _join(out, Interval(cursor, lo, "unmonitored", gap_cause))
        if hi > lo:
            _join(out, Interval(lo, hi, str(states[k])))
            cursor = hi
        cursor = max(cursor, lo)
    if cursor < window_end_s:
        _join(out, Interval(cursor, window_end_s, "unmonitored", gap_cause))
    return out
