"""Brute-force, second-by-second versions of the service-level rules, for the fast ones to agree with.

It shares nothing with sla/ beyond the parsed inputs: every UTC minute of the period is turned
into local wall-clock time by zoneinfo (minute steps suffice because clock changes fall on whole
minutes), membership of service hours, bank holidays and maintenance windows is decided by
comparing wall-clock times, and states are painted into one array slot per second.

The error budget (`brute_budget`) adds up one second at a time, the recovery point age
(`brute_rpo`) is worked out for every second, jobs are counted one by one, and service credits
(`brute_credit`) are decided tier by tier in whole numbers and rounded in whole pence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
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


# --- the error budget, second by second ---------------------------------------------------------


@dataclass
class BruteBudget:
    allowed: Fraction
    down: int
    counted: int

    @property
    def left(self) -> Fraction:
        return self.allowed - self.down

    @property
    def burn_rate(self) -> Fraction | None:
        return None if self.allowed == 0 else self.down / self.allowed


def brute_budget(parts) -> BruteBudget:
    """A window's error budget from each part's seconds, one at a time.

    `parts`: (states, policy, target_percent) per part, `states` one entry per second: "up",
    "degraded", "down", "unmonitored", or None for a second outside scheduled time. A scheduled
    second counts when it is known up or down, or unmonitored under a policy other than exclude;
    each counted second earns (1 - target) of a second of allowed down time; a counted second is
    down when known down, or unmonitored under the policy "down"."""
    allowed, down, counted = Fraction(0), 0, 0
    for states, policy, target_percent in parts:
        earns = 1 - Fraction(target_percent) / 100
        for state in states:
            if state is None:
                continue
            if state == "unmonitored" and policy == "exclude":
                continue
            counted += 1
            allowed += earns
            if state == "down" or (state == "unmonitored" and policy == "down"):
                down += 1
    return BruteBudget(allowed, down, counted)


def states_per_second(segments, scheduled, lo: int, hi: int) -> list[str | None]:
    """The state of every second of [lo, hi): None outside the scheduled spans, else the state of
    the segment holding it (found by looking through them all)."""
    out: list[str | None] = []
    for t in range(lo, hi):
        if not any(a <= t < b for a, b in scheduled):
            out.append(None)
            continue
        holding = [s.state for s in segments if s.start <= t < s.end]
        out.append(holding[0] if holding else None)
    return out


# --- recovery points and the RPO, second by second ----------------------------------------------


GOOD = ("success", "warning")
NO_POINT = np.iinfo(np.int64).min // 4


@dataclass
class BruteDataset:
    jobs: list[tuple[int, str]]  # (finished, status)
    lag: list[tuple[int, float]]  # (sampled at, lag seconds); empty when not replicated
    backup_limit: int  # the backup chain's own limit, seconds


@dataclass
class BruteRpo:
    assessed: int
    breach_in_scheduled: int
    breaches: list[list[tuple[int, int]]]  # per dataset: age over the RPO
    backup_breaches: list[list[tuple[int, int]]]  # per dataset: backup age over its limit
    age_at_end: list[int | None]
    backup_age_at_end: list[int | None]
    jobs: list[tuple[int, int, int, int]]  # attempted, succeeded (success or warning), warnings, failed

    @property
    def compliance(self) -> Fraction | None:
        if self.assessed == 0:
            return None
        return Fraction(self.assessed - self.breach_in_scheduled, self.assessed)


def _events(dataset: BruteDataset, with_replica: bool) -> list[tuple[int, int]]:
    """(from when it is known, the point it makes recoverable): a good backup is both at its
    finish; a replica sampled at s with lag L makes s - L (to the whole second before) safe."""
    events = [(finished, finished) for finished, status in dataset.jobs if status in GOOD]
    if with_replica:
        events += [(sampled, sampled - math.ceil(lag)) for sampled, lag in dataset.lag]
    return events


def newest_point_each_second(events, start: int, end: int) -> np.ndarray:
    """For each second t of [start, end), the newest recovery point among the events known by t
    (NO_POINT before any): each event is written at the second it becomes known (the first second
    for those known earlier), then a running maximum carries it forward."""
    newest = np.full(end - start, NO_POINT, np.int64)
    for known, point in events:
        if known < end:
            k = max(known - start, 0)
            newest[k] = max(newest[k], point)
    return np.maximum.accumulate(newest)


def _over(newest: np.ndarray, start: int, limit: int) -> np.ndarray:
    """Seconds [t, t + 1) during which the age exceeds `limit`: at the second's end the age is
    t + 1 - newest, and the age grows through the second."""
    seconds = start + np.arange(len(newest), dtype=np.int64)
    return (newest != NO_POINT) & (seconds + 1 - newest > limit)


def runs(flags: np.ndarray, start: int) -> list[tuple[int, int]]:
    """Maximal runs of True as [start, end) spans."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(start + int(a), start + int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _age_at(events, at: int) -> int | None:
    known = [point for when, point in events if when <= at]
    return at - max(known) if known else None


def brute_rpo(
    datasets: list[BruteDataset], rpo_seconds: int, scheduled: np.ndarray, start: int, end: int
) -> BruteRpo:
    """RPO compliance of a service over [start, end): `scheduled` flags each second. A second is
    assessed when it is scheduled and every dataset's age is known; it is in breach when assessed
    and any dataset's age exceeds the RPO during it."""
    every_known = np.ones(end - start, bool)
    any_over = np.zeros(end - start, bool)
    out = BruteRpo(0, 0, [], [], [], [], [])
    for dataset in datasets:
        both = _events(dataset, with_replica=True)
        backups = _events(dataset, with_replica=False)
        newest = newest_point_each_second(both, start, end)
        over = _over(newest, start, rpo_seconds)
        every_known &= newest != NO_POINT
        any_over |= over
        out.breaches.append(runs(over, start))
        out.backup_breaches.append(
            runs(_over(newest_point_each_second(backups, start, end), start, dataset.backup_limit), start)
        )
        out.age_at_end.append(_age_at(both, end))
        out.backup_age_at_end.append(_age_at(backups, end))
        attempted = succeeded = warnings = failed = 0
        for finished, status in dataset.jobs:  # job by job
            if start <= finished < end:
                attempted += 1
                succeeded += status in GOOD
                warnings += status == "warning"
                failed += status == "failed"
        out.jobs.append((attempted, succeeded, warnings, failed))
    assessed = scheduled & every_known
    out.assessed = int(assessed.sum())
    out.breach_in_scheduled = int((assessed & any_over).sum())
    return out


# --- service credits, tier by tier ---------------------------------------------------------------


def brute_credit(
    up: int, measured: int, tiers: list[tuple[Decimal, Decimal]], charge_pence: int
) -> tuple[Fraction, int]:
    """(credit percent, credit in whole pence) for counted up / measured seconds.

    Tier by tier (below percent, credit percent), in whole numbers: availability up / measured is
    strictly below b = n / d percent when 100 x up x d < n x measured. The largest credit among
    the tiers that apply is due. The pence are charge x credit / 100, half a penny rounded up:
    floor(x + 1/2), worked in integers."""
    if measured == 0:
        return Fraction(0), 0
    best = Fraction(0)
    for below, credit in tiers:
        b = Fraction(below)
        if 100 * up * b.denominator < b.numerator * measured:
            best = max(best, Fraction(credit))
    n, d = best.numerator, best.denominator
    # charge_pence x n / (100 d), plus a half, floored
    pence = (2 * charge_pence * n + 100 * d) // (200 * d)
    return best, pence
