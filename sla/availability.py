"""Availability, outages and the error budget of one service over one period.

- Scheduled time = service hours less maintenance windows (see sla.calendar).
- Within scheduled time each second is up (degraded counts as up), down or unmonitored.
- Unmonitored time counts as the contract says: `exclude` (default: left out of the measured
  time), `up` or `down`.
- Availability = up / (up + down) after the policy, as an exact fraction; None when no time
  was measured (never shown as 100 %).
- Displayed availability is the percentage rounded *down* to three decimals.
- Outages are maximal known-down intervals, clipped to the period, split into seconds in
  scheduled time, in maintenance windows (service hours that were maintenance) and outside
  service hours.
- Error budget = counted x (1 - target) - counted down, where counted time is the scheduled time
  as the contract counts it (counted up + counted down, after the unmonitored policy): so the
  budget left is zero or more exactly when the target is met. A window of several months adds
  each month's part under its own target. Burn rate = counted down / allowed down (the share of
  the budget spent over the share of the window elapsed), so 1.0 spends it exactly by the end.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

import numpy as np

from sla.calendar import from_utc_seconds
from sla.intervals import Spans, intersect, normalise, seconds_before, total
from sla.states import DEGRADED, DOWN, UP, Segment

POLICIES = ("exclude", "up", "down")


@dataclass(frozen=True)
class Measure:
    """Seconds within scheduled time, before and after the unmonitored-time policy."""

    scheduled_seconds: int
    up_seconds: int  # includes degraded
    degraded_seconds: int
    down_seconds: int
    unmonitored_seconds: int
    unmonitored_by_cause: dict[str, int] = field(default_factory=dict)
    policy: str = "exclude"

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise ValueError(f"unknown unmonitored policy {self.policy!r}")

    @property
    def counted_up_seconds(self) -> int:
        return self.up_seconds + (self.unmonitored_seconds if self.policy == "up" else 0)

    @property
    def counted_down_seconds(self) -> int:
        return self.down_seconds + (self.unmonitored_seconds if self.policy == "down" else 0)

    @property
    def measured_seconds(self) -> int:
        return self.counted_up_seconds + self.counted_down_seconds

    @property
    def availability(self) -> Fraction | None:
        if self.measured_seconds == 0:
            return None
        return Fraction(self.counted_up_seconds, self.measured_seconds)

    def meets(self, target_percent: Decimal) -> bool | None:
        """`meets_target(self.availability, target_percent)` in whole numbers: up / measured x 100
        >= n / d is up x 100 x d >= n x measured (pages ask it of thousands of rows)."""
        measured = self.measured_seconds
        if measured == 0:
            return None
        target = _target_fraction(target_percent)
        return self.counted_up_seconds * 100 * target.denominator >= target.numerator * measured

    def plus(self, other: Measure) -> Measure:
        """Add another (disjoint) period's seconds; the policies must agree."""
        causes = dict(self.unmonitored_by_cause)
        for cause, seconds in other.unmonitored_by_cause.items():
            causes[cause] = causes.get(cause, 0) + seconds
        return Measure(
            self.scheduled_seconds + other.scheduled_seconds,
            self.up_seconds + other.up_seconds,
            self.degraded_seconds + other.degraded_seconds,
            self.down_seconds + other.down_seconds,
            self.unmonitored_seconds + other.unmonitored_seconds,
            causes,
            self.policy,
        )


def measure(segments: Sequence[Segment], scheduled: Spans, policy: str = "exclude") -> Measure:
    """Sum the segments' seconds inside the scheduled spans (both sorted; a two-pointer walk)."""
    up = degraded = down = unmonitored = 0
    causes: dict[str, int] = {}
    # start at the first segment that ends after the first scheduled span begins: segments may
    # cover a whole financial year while the scheduled spans are one month of it
    i = bisect.bisect_right(segments, scheduled[0][0], key=lambda s: s.end) if scheduled else 0
    j = 0
    while i < len(segments) and j < len(scheduled):
        segment, (s_lo, s_hi) = segments[i], scheduled[j]
        lo, hi = max(segment.start, s_lo), min(segment.end, s_hi)
        if lo < hi:
            seconds = hi - lo
            if segment.state == UP:
                up += seconds
            elif segment.state == DEGRADED:
                up += seconds
                degraded += seconds
            elif segment.state == DOWN:
                down += seconds
            else:
                unmonitored += seconds
                causes[segment.cause or "unknown"] = causes.get(segment.cause or "unknown", 0) + seconds
        if segment.end < s_hi:
            i += 1
        else:
            j += 1
    return Measure(total(scheduled), up, degraded, down, unmonitored, dict(sorted(causes.items())), policy)


_STATE_CODE = {UP: 0, DEGRADED: 1, DOWN: 2}  # unmonitored: 3 + the cause's index


class Ledger:
    """Seconds of each state within scheduled time, cumulative over a long span, so that the
    measure of any period inside it is two look-ups: F(end) - F(start).

    Built once per service and set of contract terms with numpy: for segment [a, b) the
    scheduled seconds inside it are S(b) - S(a), where S(t) is the scheduled time before t.
    Error budgets over a quarter, a financial year and 30 days then cost no more than a month.
    `measure(segments, clip(scheduled, lo, hi))` is the reference it must agree with (tests).
    """

    def __init__(self, segments: Sequence[Segment], scheduled: Spans):
        self.scheduled = scheduled
        self.causes = sorted({s.cause or "unknown" for s in segments if s.state not in _STATE_CODE})
        self.starts = np.array([s.start for s in segments], np.int64)
        self.ends = np.array([s.end for s in segments], np.int64)
        cause_code = {c: 3 + k for k, c in enumerate(self.causes)}
        self.codes = np.array(
            [_STATE_CODE.get(s.state, cause_code.get(s.cause or "unknown", 0)) for s in segments], np.int64
        )
        before = seconds_before(
            scheduled, np.concatenate((self.starts, self.ends))
        )  # one pass for both edges
        inside = before[len(segments) :] - before[: len(segments)]
        columns = 3 + len(self.causes)
        per_segment = np.zeros((len(segments), columns), np.int64)
        per_segment[np.arange(len(segments)), self.codes] = inside
        self._cumulative = np.vstack(
            (np.zeros((1, columns), np.int64), np.cumsum(per_segment, axis=0))
        ).tolist()
        # plain lists for the look-ups, which are one instant at a time
        self._starts_list = [a for a, _ in scheduled]
        self._lengths_list = [b - a for a, b in scheduled]
        self._before_list = list(itertools.accumulate(self._lengths_list, initial=0))[:-1]
        self._segment_starts = self.starts.tolist()
        self._segment_ends = self.ends.tolist()
        self._segment_codes = self.codes.tolist()

    def _scheduled_before_one(self, instant: int) -> int:
        """`seconds_before(scheduled, [instant])` for one instant, in plain Python (numpy scalars cost more)."""
        k = bisect.bisect_right(self._starts_list, instant) - 1
        if k < 0:
            return 0
        return self._before_list[k] + min(max(instant - self._starts_list[k], 0), self._lengths_list[k])

    def _at(self, instant: int) -> list[int]:
        """Seconds per state column in scheduled time before `instant` (inside the segments)."""
        k = bisect.bisect_right(self._segment_starts, instant) - 1
        if k < 0:
            return list(self._cumulative[0])
        totals = list(self._cumulative[k])
        end = min(instant, self._segment_ends[k])
        totals[self._segment_codes[k]] += self._scheduled_before_one(end) - self._scheduled_before_one(
            self._segment_starts[k]
        )
        return totals

    def measure(self, start: int, end: int, policy: str = "exclude") -> Measure:
        seconds = [b - a for a, b in zip(self._at(start), self._at(end), strict=True)]
        up, degraded, down = seconds[0], seconds[1], seconds[2]
        causes = {c: seconds[3 + k] for k, c in enumerate(self.causes) if seconds[3 + k]}
        scheduled = self._scheduled_before_one(end) - self._scheduled_before_one(start)
        return Measure(scheduled, up + degraded, degraded, down, sum(causes.values()), causes, policy)


def percent_rounded_down(fraction: Fraction | None, decimals: int = 3) -> Decimal | None:
    """100 x fraction, rounded down to `decimals` places: a shown 99.500 never hides 99.4996."""
    if fraction is None:
        return None
    scale = 10**decimals
    return Decimal(math.floor(fraction * 100 * scale)) / Decimal(scale)


@lru_cache(maxsize=256)
def _target_fraction(target_percent: Decimal) -> Fraction:
    return Fraction(target_percent)


def meets_target(availability: Fraction | None, target_percent: Decimal) -> bool | None:
    """Compared at full precision; None when nothing was measured."""
    if availability is None:
        return None
    return availability * 100 >= _target_fraction(target_percent)


@dataclass(frozen=True)
class Outage:
    start: int
    end: int
    seconds_in_scheduled: int
    seconds_in_maintenance: int
    seconds_outside_service_hours: int
    sites: tuple[str, ...]
    continues_before: bool  # it started before the period
    continues_after: bool  # it was still going at the end of the period

    @property
    def seconds(self) -> int:
        return self.end - self.start

    @property
    def start_utc(self) -> datetime:
        """The start as an aware UTC instant (the rules count in whole seconds)."""
        return from_utc_seconds(self.start)

    @property
    def end_utc(self) -> datetime:
        return from_utc_seconds(self.end)


def down_spans(segments: Sequence[Segment]) -> Spans:
    return normalise((s.start, s.end) for s in segments if s.state == DOWN)


def outages(
    segments: Sequence[Segment],
    service_hours: Spans,
    scheduled: Spans,
    period_start: int,
    period_end: int,
    sites: tuple[str, ...],
) -> list[Outage]:
    """Maximal down intervals of the segments (which cover at least the period), clipped to it.
    `continues_*` say whether the service was also down just outside the period."""
    before = any(s.state == DOWN and s.start < period_start <= s.end for s in segments)
    after = any(s.state == DOWN and s.start <= period_end < s.end for s in segments)
    found = []
    for lo, hi in down_spans(segments):
        lo, hi = max(lo, period_start), min(hi, period_end)
        if hi <= lo:
            continue
        spans = [(lo, hi)]
        in_hours = total(intersect(spans, service_hours))
        in_scheduled = total(intersect(spans, scheduled))
        found.append(
            Outage(
                lo,
                hi,
                in_scheduled,
                in_hours - in_scheduled,
                (hi - lo) - in_hours,
                sites,
                lo == period_start and before,
                hi == period_end and after,
            )
        )
    return found


def resilience_lost(
    segments: Sequence[Segment], period_start: int, period_end: int
) -> list[tuple[int, int, tuple[str, ...]]]:
    """Degraded stretches (a two-site service up at one site only): start, end, sites down."""
    out: list[tuple[int, int, tuple[str, ...]]] = []
    for s in segments:
        if s.state != DEGRADED:
            continue
        lo, hi = max(s.start, period_start), min(s.end, period_end)
        if hi <= lo:
            continue
        if out and out[-1][1] == lo and out[-1][2] == s.sites_down:
            out[-1] = (out[-1][0], hi, s.sites_down)
        else:
            out.append((lo, hi, s.sites_down))
    return out


@dataclass(frozen=True)
class ErrorBudget:
    window: str  # month, quarter, financial-year, rolling-30-days
    label: str
    scheduled_seconds: int  # service hours less maintenance, before the unmonitored policy
    allowed_down_seconds: Fraction  # sum over the parts of counted x (1 - the part's target)
    down_seconds: int  # counted down time (after the unmonitored policy)
    counted_seconds: int  # counted up + counted down (after the unmonitored policy)

    @property
    def measured_seconds(self) -> int:
        """The counted time under its name in `Measure`."""
        return self.counted_seconds

    @property
    def left_seconds(self) -> Fraction:
        """Zero or more exactly when the counted availability meets the target (one part), as
        counted - down >= counted x target is counted x (1 - target) - down >= 0."""
        return self.allowed_down_seconds - self.down_seconds

    @property
    def burn_rate(self) -> Fraction | None:
        """Budget consumed share / elapsed share of the window. The budget is of the counted time
        elapsed so far: with C counted seconds so far of a window that will count W, the whole
        window's budget is W x (1 - target), of which down / (W x (1 - target)) is consumed while
        C / W has elapsed, and the ratio is down / (C x (1 - target)) = down / allowed. So 1
        spends the budget exactly over the window and above 1 the window is at risk. None
        without a budget (nothing counted, or a 100 % target)."""
        if self.allowed_down_seconds == 0:
            return None
        return self.down_seconds / self.allowed_down_seconds


@lru_cache(maxsize=256)
def allowed_share(target_percent: Decimal) -> Fraction:
    """1 - target: the share of counted time that may be down."""
    return 1 - Fraction(target_percent) / 100


def allowed_down_seconds(counted_seconds: int, target_percent: Decimal) -> Fraction:
    """Counted time x (1 - target): the down time a part may have and still meet its target."""
    return counted_seconds * allowed_share(target_percent)


def _sum_allowed(parts: Sequence[tuple[Measure, Decimal]]) -> Fraction:
    """Sum of counted x (1 - target) over the parts, exact: one Fraction over a common
    denominator (the product of the shares' denominators, usually one power of ten)."""
    shares = [(m.measured_seconds, allowed_share(t)) for m, t in parts]
    denominator = 1
    for _, share in shares:
        denominator = denominator * share.denominator // math.gcd(denominator, share.denominator)
    numerator = sum(
        seconds * share.numerator * (denominator // share.denominator) for seconds, share in shares
    )
    return Fraction(numerator, denominator)


def error_budget(window: str, label: str, parts: Sequence[tuple[Measure, Decimal]]) -> ErrorBudget:
    """Sum a window's parts, each counted under the target of its own month's contract."""
    return ErrorBudget(
        window,
        label,
        sum(m.scheduled_seconds for m, _ in parts),
        _sum_allowed(parts),
        sum(m.counted_down_seconds for m, _ in parts),
        sum(m.measured_seconds for m, _ in parts),
    )
