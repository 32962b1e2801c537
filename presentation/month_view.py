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

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from sla import calendar as cal
from sla.intervals import intersect, normalise, total
from sla.month import ContractMonth

MET, MISSED, AT_RISK, ON_TRACK, NOT_MEASURED = "met", "missed", "at risk", "on track", "not measured"
OUTAGE, DEGRADED, UP, NO_HOURS, TO_COME = "outage", "degraded", "up", "no service hours", "to come"


def month_state(row: ContractMonth) -> str:
    if row.status != "measured" or row.met is None:
        return NOT_MEASURED
    if row.month_complete:
        return MET if row.met else MISSED
    target = Fraction(row.contract.availability_target_percent) / 100
    if (
        row.month_scheduled_seconds is not None
        and row.measure.counted_down_seconds > row.month_scheduled_seconds * (1 - target)
    ):
        return MISSED
    month = next((b for b in row.budgets if b.window == "month"), None)
    burning = month is not None and month.burn_rate is not None and month.burn_rate > 1
    return AT_RISK if burning or not row.met else ON_TRACK


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


def days_of(row: ContractMonth, tz: ZoneInfo) -> list[DayState]:
    """Each local day of the row's month, with its state."""
    whole = cal.month_period(row.month, tz)
    first = cal.local_date(whole.start, tz)
    last = cal.local_date(whole.end - 1, tz)
    scheduled = row.schedule.scheduled if row.schedule is not None else ()
    outages = normalise((o.start, o.end) for o in row.outages)
    degraded = normalise((a, b) for a, b, _ in row.resilience_lost)
    evaluated_to = row.period.end
    days = []
    day = first
    while day <= last:
        start = cal.local_to_utc_seconds(cal_midnight(day), tz)
        nxt = day + timedelta(days=1)
        end = cal.local_to_utc_seconds(cal_midnight(nxt), tz)
        if start >= evaluated_to:
            days.append(DayState(day, TO_COME, 0, 0, 0))
            day = nxt
            continue
        today = normalise(intersect(scheduled, ((start, min(end, evaluated_to)),)))
        down = total(intersect(today, outages))
        lost = total(intersect(today, degraded))
        if not today:
            state = NO_HOURS
        elif down:
            state = OUTAGE
        elif lost:
            state = DEGRADED
        else:
            state = UP
        days.append(DayState(day, state, total(today), down, lost))
        day = nxt
    return days


def cal_midnight(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day)
