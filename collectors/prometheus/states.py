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


UP, DOWN, UNMONITORED = 1, 0, 2
_STATE_NAMES = {UP: "up", DOWN: "down", UNMONITORED: "unmonitored"}


def probe_intervals(
    times_s: Sequence[int] | np.ndarray,
    values: Sequence[float] | np.ndarray,
    interval_s: int,
    window_start_s: int,
    window_end_s: int,
    gap_cause: str = NO_SAMPLES,
    refused_times_s: Sequence[int] | np.ndarray = (),
    refused_cause: str = "prometheus-bad-answer",
) -> list[Interval]:
    """State intervals covering [window_start_s, window_end_s) exactly. `times_s` in increasing
    order; `values` 0 or 1 (the caller refuses anything else first and passes the refused
    samples' times: a gap holding one is unmonitored with `refused_cause`, not `gap_cause`).
    A sample just before the window may be passed in: it stands into the window by the same rule.

    Whole arrays at a time (a day of one-minute probes is 1,440 samples an endpoint); only the
    joined intervals, a handful a day, become Python objects."""
    times = np.asarray(times_s, dtype=np.int64)
    up = np.asarray(values, dtype=np.float64) >= 0.5
    lo_w, hi_w = window_start_s, window_end_s
    if len(times):
        following = np.append(times[1:], np.iinfo(np.int64).max // 4)
        stands_until = np.where(2 * (following - times) <= 3 * interval_s, following, times + interval_s)
        starts = np.maximum(times, lo_w)
        ends = np.minimum(stands_until, hi_w)
        keep = ends > starts
        starts, ends, codes = starts[keep], ends[keep], np.where(up[keep], UP, DOWN)
    else:
        starts = ends = codes = np.empty(0, dtype=np.int64)
    # the unmonitored gaps: before each kept piece, after the one before it (or the window start)
    previous_ends = np.concatenate(([lo_w], ends))
    next_starts = np.concatenate((starts, [hi_w]))
    gap = next_starts > previous_ends
    all_starts = np.concatenate((starts, previous_ends[gap]))
    all_ends = np.concatenate((ends, next_starts[gap]))
    all_codes = np.concatenate((codes, np.full(int(gap.sum()), UNMONITORED)))
    order = np.argsort(all_starts, kind="stable")
    all_starts, all_ends, all_codes = all_starts[order], all_ends[order], all_codes[order]
    refused = np.sort(np.asarray(refused_times_s, dtype=np.int64))
    # an unmonitored piece with a refused sample standing anywhere in it (it may have been sent
    # just before) takes the refused cause
    if len(refused):
        first = np.searchsorted(refused, all_starts - interval_s, side="right")
        holds_refused = (first < len(refused)) & (refused[np.minimum(first, len(refused) - 1)] < all_ends)
    else:
        holds_refused = np.zeros(len(all_starts), dtype=bool)
    key = all_codes * 2 + ((all_codes == UNMONITORED) & holds_refused)
    # join runs of one state (and cause) that meet end to start: a handful a day
    begins = np.ones(len(key), dtype=bool)
    begins[1:] = (key[1:] != key[:-1]) | (all_starts[1:] != all_ends[:-1])
    run_starts = np.flatnonzero(begins)
    run_ends = np.append(run_starts[1:], len(key)) - 1
    out: list[Interval] = []
    for start, end, code, refused_here in zip(
        all_starts[run_starts].tolist(),
        all_ends[run_ends].tolist(),
        all_codes[run_starts].tolist(),
        (key[run_starts] % 2 == 1).tolist(),
        strict=True,
    ):
        cause = (refused_cause if refused_here else gap_cause) if code == UNMONITORED else None
        out.append(Interval(start, end, _STATE_NAMES[code], cause))
    return out
