"""A brute-force, second-by-second version of the availability rules, for the fast one to agree with.

It shares nothing with sla/ beyond the parsed inputs: every UTC minute of the period is turned
into local wall-clock time by zoneinfo (minute steps suffice because clock changes fall on whole
minutes), membership of service hours, bank holidays and maintenance windows is decided by
comparing wall-clock times, and states are painted into one array slot per second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from estate.hours import ServiceHours
from estate.windows import OneOffWindow, RecurringWindow
from sla.states import StateInterval

UP, DOWN, UNMON = 1, 2, 3
CAUSES = ("prometheus-unreachable", "collector-not-running", "no-samples", "probe-not-deployed")


def _occurs(window: RecurringWindow, day: date) -> bool:
    if window.which == "daily":
        return True
    if day.weekday() != window.weekday:
        return False
    if window.which == "every":
        return True
    same_weekdays = [
        d
        for d in range(1, 32)
        if _valid(day.year, day.month, d) and date(day.year, day.month, d).weekday() == day.weekday()
    ]
    if window.which == "last":
        return day.day == same_weekdays[-1]
    return day.day == same_weekdays[("first", "second", "third", "fourth").index(window.which)]


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def minute_flags(start: int, end: int, tz: ZoneInfo, hours: ServiceHours, windows, holidays: set[date]):
    """Per UTC minute in [start, end): (in service hours, in a maintenance window)."""
    count = (end - start) // 60
    in_hours = np.zeros(count, bool)
    in_window = np.zeros(count, bool)
    for k in range(count):
        local = datetime.fromtimestamp(start + 60 * k, tz).replace(tzinfo=None)
        minute_of_week = local.weekday() * 1440 + local.hour * 60 + local.minute
        hour_ok = any(s.start_minute <= minute_of_week < s.end_minute for s in hours.spans)
        if hours.excludes_bank_holidays and local.date() in holidays:
            hour_ok = False
        in_hours[k] = hour_ok
        for window in windows:
            if isinstance(window, OneOffWindow):
                hit = window.start_local <= local < window.end_local
            else:
                hit = False
                for back in range(3):
                    day = local.date() - timedelta(days=back)
                    if _occurs(window, day):
                        opens = datetime(day.year, day.month, day.day) + timedelta(
                            minutes=window.start_minute
                        )
                        if opens <= local < opens + timedelta(minutes=window.duration_minutes):
                            hit = True
            if hit:
                in_window[k] = True
    return in_hours, in_window


def paint(intervals, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Per second: state code and cause index (-1 when not unmonitored); unpainted = no data."""
    state = np.full(end - start, UNMON, np.int8)
    cause = np.full(end - start, CAUSES.index("collector-not-running"), np.int8)
    for interval in intervals:
        lo, hi = max(interval.start, start) - start, min(interval.end, end) - start
        if hi <= lo:
            continue
        state[lo:hi] = {"up": UP, "down": DOWN, "unmonitored": UNMON}[interval.state]
        cause[lo:hi] = CAUSES.index(interval.cause) if interval.state == "unmonitored" else -1
    return state, cause


@dataclass
class BruteResult:
    scheduled: int
    up: int
    degraded: int
    down: int
    unmonitored: int
    by_cause: dict[str, int]
    outages: list[tuple[int, int, int, int]]  # start, end, seconds scheduled, seconds in maintenance


def brute(
    sites_intervals: list[list], start: int, end: int, tz: ZoneInfo, hours: ServiceHours, windows, holidays
) -> BruteResult:
    """One endpoint per site; `sites_intervals[k]` are site k's intervals."""
    in_hours_m, in_window_m = minute_flags(start, end, tz, hours, windows, holidays)
    in_hours = np.repeat(in_hours_m, 60)
    scheduled = in_hours & ~np.repeat(in_window_m, 60)
    painted = [paint(intervals, start, end) for intervals in sites_intervals]
    states = np.stack([p[0] for p in painted])
    causes = np.stack([p[1] for p in painted])
    any_up = (states == UP).any(axis=0)
    all_down = (states == DOWN).all(axis=0)
    any_down = (states == DOWN).any(axis=0)
    degraded = any_up & any_down & (len(sites_intervals) >= 2)
    unmon = ~any_up & ~all_down
    # the cause: the first in CAUSES order among unmonitored sites
    cause_rank = np.where(states == UNMON, causes, 99).min(axis=0)
    by_cause = {}
    for k, name in enumerate(CAUSES):
        seconds = int((unmon & scheduled & (cause_rank == k)).sum())
        if seconds:
            by_cause[name] = seconds
    outages = []
    padded = np.concatenate(([False], all_down, [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    for lo, hi in zip(edges[::2], edges[1::2], strict=True):
        outages.append(
            (
                start + int(lo),
                start + int(hi),
                int(scheduled[lo:hi].sum()),
                int((in_hours[lo:hi] & ~scheduled[lo:hi]).sum()),
            )
        )
    return BruteResult(
        int(scheduled.sum()),
        int((any_up & scheduled).sum()),
        int((degraded & scheduled).sum()),
        int((all_down & scheduled).sum()),
        int((unmon & scheduled).sum()),
        by_cause,
        outages,
    )


def utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def overlay_down(intervals: list[StateInterval], lo: int, hi: int) -> list[StateInterval]:
    """The intervals with [lo, hi) made down, whatever was there (holes included)."""
    out = []
    for i in intervals:
        if i.end <= lo or i.start >= hi:
            out.append(i)
            continue
        if i.start < lo:
            out.append(StateInterval(i.start, lo, i.state, i.cause))
        if i.end > hi:
            out.append(StateInterval(hi, i.end, i.state, i.cause))
    out.append(StateInterval(lo, hi, "down"))
    return sorted(out, key=lambda i: i.start)
