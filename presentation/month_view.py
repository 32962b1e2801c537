"""How a council's month reads at a glance, for the dashboard (and, later, the reports): each
row's state in words, and each day's state of each service for the days-by-services grid.

Both are read off the month's figures (`ContractMonth`), never worked out anew:

- a month that is over is **met** or **missed**. One in progress is **missed** once the down
  time exceeds the whole month's budget (the whole month's scheduled time x (1 - target): no
  perfect rest of the month can bring it back), **at risk** while its budget burns faster than
  the month elapses (burn rate above 1: below target so far, docs/sla.md), else **on track**; a
  row with nothing measured is **not measured**;
- a day is **outage** when an outage overlaps its scheduled time, else **degraded** when
  resilience was lost in it (a site down, the service up at the other), else **up** when it had
  scheduled time, and **no service hours** when it had none; days after the as-of are **to come**.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sla import calendar as cal
from sla.availability import allowed_share
from sla.intervals import clip, intersect, normalise
from sla.month import ContractMonth

MET, MISSED, AT_RISK, ON_TRACK, NOT_MEASURED = "met", "missed", "at risk", "on track", "not measured"
OUTAGE, DEGRADED, UP, NO_HOURS, TO_COME = "outage", "degraded", "up", "no service hours", "to come"


def month_state(row: ContractMonth) -> str:
    met = None if row.status != "measured" else row.met
    if met is None:
        return NOT_MEASURED
    if row.month_complete:
        return MET if met else MISSED
    if row.month_scheduled_seconds is not None and row.measure.counted_down_seconds > (
        row.month_scheduled_seconds * allowed_share(row.contract.availability_target_percent)
    ):
        return MISSED
    month = next((b for b in row.budgets if b.window == "month"), None)
    # a burn rate above 1 (down / allowed), without dividing: allowed is never negative
    burning = (
        month is not None
        and month.allowed_down_seconds != 0
        and month.down_seconds > month.allowed_down_seconds
    )
    return AT_RISK if burning or not met else ON_TRACK


def budget_left_seconds(row: ContractMonth) -> float | None:
    month = next((b for b in row.budgets if b.window == "month"), None)
    return None if month is None else float(month.left_seconds)


@dataclass(frozen=True)
class DayState:
    day: date
    state: str
    scheduled_seconds: int
    outage_seconds: int  # outage time in scheduled time that day
    degraded_seconds: int


@lru_cache(maxsize=64)
def _day_bounds(month: str, tz: ZoneInfo) -> tuple[tuple[date, ...], tuple[int, ...]]:
    """The month's local days and their midnights in UTC seconds (one more than days)."""
    whole = cal.month_period(month, tz)
    first, last = cal.local_date(whole.start, tz), cal.local_date(whole.end - 1, tz)
    days = tuple(first + timedelta(days=k) for k in range((last - first).days + 1))
    bounds = tuple(cal.local_to_utc_seconds(cal_midnight(d), tz) for d in days) + (whole.end,)
    return days, bounds


def _per_day(spans, bounds: tuple[int, ...]) -> list[int]:
    """Seconds of the spans in each day (each span split at the midnights it crosses)."""
    seconds = [0] * (len(bounds) - 1)
    for start, end in spans:
        k = max(0, bisect_right(bounds, start) - 1)
        while k < len(seconds) and bounds[k] < end:
            seconds[k] += max(0, min(end, bounds[k + 1]) - max(start, bounds[k]))
            k += 1
    return seconds


def days_of(row: ContractMonth, tz: ZoneInfo) -> list[DayState]:
    """Each local day of the row's month, with its state."""
    days, bounds = _day_bounds(row.month, tz)
    evaluated_to = row.period.end
    scheduled = clip(row.schedule.scheduled, bounds[0], evaluated_to) if row.schedule is not None else ()
    down = intersect(scheduled, normalise((o.start, o.end) for o in row.outages))
    lost = intersect(scheduled, normalise((a, b) for a, b, _ in row.resilience_lost))
    scheduled_s, down_s, lost_s = (_per_day(spans, bounds) for spans in (scheduled, down, lost))
    found = []
    for k, day in enumerate(days):
        if bounds[k] >= evaluated_to:
            found.append(DayState(day, TO_COME, 0, 0, 0))
            continue
        if not scheduled_s[k]:
            state = NO_HOURS
        elif down_s[k]:
            state = OUTAGE
        elif lost_s[k]:
            state = DEGRADED
        else:
            state = UP
        found.append(DayState(day, state, scheduled_s[k], down_s[k], lost_s[k]))
    return found


def cal_midnight(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day)
