"""Time remaining: when projected peak demand crosses a pool's usable capacity.

Input: one value a day, the peak of the pool's combined demand that day (for CPU, the highest
hourly sum over the site's servers of CPU % x cores). Output: the trend, an uncertainty band,
and the first day the conservative projection (the trend plus the band) reaches the usable
ceiling (capacity x `capacity.ceiling_percent`).

- Daily peaks are first taken as **weekly peaks**: the highest of the 7 days ending on each day,
  so quiet weekends do not read as noise, and a year is 52 weeks (364 days), so a Monday is
  compared with a Monday.
- **Seasonal** (at least 13 months of history): next year repeats this year plus growth. The
  growth is the median year-on-year change of the last 90 days' weekly peaks, so a March
  billing peak is compared with last March's: it neither raises an alarm in March (March
  against March is growth only) nor hides growth in April. A future day is projected as the
  weekly peak 52 weeks before it (104 beyond a year ahead) plus the growth for each year.
- **Linear** (less history): a least-squares line through the last 90 days' weekly peaks.
- **Already over**: when the latest weekly peak is already at or above the usable ceiling, the
  pool is over it since the first day of that run of weekly peaks; it has no days left (0), and
  no future crossing is projected (a crossing "tomorrow" would hide that it happened already).
- **Band**: 1.645 standard deviations of how far the last 90 days' weekly peaks stood from what
  the method would have predicted for them (one-sided 95 %), added to the projection.

Storage also gets **days until full** per server: a line through its daily mean usage over the
look-back, extended to 100 %.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

YEAR_DAYS = 364  # 52 weeks, so that a weekday is compared with a weekday
RECENT_DAYS = 90
SMOOTH_DAYS = 7
BAND_Z = 1.645
HORIZON_DAYS = 3 * 365
FLAT_PERCENT_PER_DAY = 1e-6


@dataclass(frozen=True)
class Projection:
    method: str  # seasonal or linear
    today: date
    capacity: float
    usable: float  # capacity x ceiling
    peak_recent: float  # highest daily peak of the last 30 days
    growth_per_year: float  # in the pool's units
    band: float
    crossing_central: date | None
    crossing_conservative: date | None
    forecast: tuple[tuple[date, float, float], ...]  # (day, central, conservative), weekly
    over_since: date | None = None  # already at or over the ceiling, since this day

    @property
    def days_remaining(self) -> int | None:
        if self.over_since is not None:
            return 0
        return None if self.crossing_conservative is None else (self.crossing_conservative - self.today).days


def _dense(days: Sequence[date], values: Sequence[float]) -> tuple[date, np.ndarray]:
    """Values on every day from the first to the last, gaps filled by the previous day's."""
    first = min(days)
    series = np.full((max(days) - first).days + 1, np.nan)
    for day, value in zip(days, values, strict=True):
        series[(day - first).days] = value
    for k in range(1, len(series)):
        if np.isnan(series[k]):
            series[k] = series[k - 1]
    return first, series


def _weekly_peak(series: np.ndarray) -> np.ndarray:
    """The highest daily peak of the 7 days ending on each day: the weekly rhythm (quiet
    weekends) goes, the level that capacity must meet stays."""
    padded = np.concatenate((np.full(SMOOTH_DAYS - 1, np.nan), series))
    return np.nanmax(np.lib.stride_tricks.sliding_window_view(padded, SMOOTH_DAYS), axis=1)


def project(
    days: Sequence[date], peaks: Sequence[float], capacity: float, ceiling_percent: float
) -> Projection:
    first, series = _dense(days, peaks)
    today = first + timedelta(days=len(series) - 1)
    usable = capacity * ceiling_percent / 100
    weekly = _weekly_peak(series)
    recent = weekly[-RECENT_DAYS:]
    peak_recent = float(np.max(series[-30:]))
    future = np.arange(1, HORIZON_DAYS + 1)
    if len(series) >= YEAR_DAYS + RECENT_DAYS // 3:
        span = min(RECENT_DAYS, len(series) - YEAR_DAYS)
        now_part, year_ago = weekly[-span:], weekly[-span - YEAR_DAYS : -YEAR_DAYS]
        growth = float(np.median(now_part - year_ago))
        residuals = now_part - (year_ago + growth)
        last = len(series) - 1
        years_back = np.ceil(future / YEAR_DAYS).astype(int)
        source = last + future - YEAR_DAYS * years_back
        central = weekly[source] + growth * years_back
        method = "seasonal"
    else:
        t = np.arange(len(recent), dtype=float)
        slope, intercept = np.polyfit(t, recent, 1) if len(recent) >= 2 else (0.0, float(recent[-1]))
        residuals = recent - (intercept + slope * t)
        central = intercept + slope * (len(recent) - 1 + future)
        growth = float(slope * YEAR_DAYS)
        method = "linear"
    band = float(BAND_Z * np.std(residuals)) if len(residuals) > 1 else 0.0
    upper = central + band

    def crossing(values: np.ndarray) -> date | None:
        hits = np.flatnonzero(values >= usable)
        return today + timedelta(days=int(future[hits[0]])) if len(hits) else None

    forecast = tuple(
        (today + timedelta(days=int(f)), float(c), float(u))
        for f, c, u in zip(future[6::7], central[6::7], upper[6::7], strict=True)
    )
    over = over_since(first, weekly, usable)
    return Projection(
        method,
        today,
        capacity,
        usable,
        peak_recent,
        growth,
        band,
        None if over else crossing(central),
        None if over else crossing(upper),
        forecast,
        over,
    )


def over_since(first: date, weekly: np.ndarray, usable: float) -> date | None:
    """The first day of the run of weekly peaks at or over `usable` that reaches the last day;
    None when the last day's weekly peak is under it."""
    under = np.flatnonzero(weekly < usable)
    if len(under) and under[-1] == len(weekly) - 1:
        return None
    start = int(under[-1]) + 1 if len(under) else 0
    return first + timedelta(days=start)


def days_until_full(days: Sequence[date], used_percent: Sequence[float]) -> float | None:
    """Days from the last day until a line through the daily usage reaches 100 %; None when it
    is not rising."""
    if len(days) < 2:
        return None
    t = np.array([(d - days[0]).days for d in days], dtype=float)
    slope, intercept = np.polyfit(t, np.asarray(used_percent, dtype=float), 1)
    if slope <= FLAT_PERCENT_PER_DAY:  # flat (within rounding) or falling: never full
        return None
    return float((100 - (intercept + slope * t[-1])) / slope)
