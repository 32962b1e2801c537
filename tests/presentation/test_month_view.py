"""A month at a glance (presentation/month_view.py): each day's state worked out here by hand
for October 2026 in London (the clocks go back on the 25th, so that day is 25 hours long), and
each row's state from its budget."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from presentation.month_view import (
    AT_RISK,
    DEGRADED,
    MET,
    MISSED,
    NO_HOURS,
    NOT_MEASURED,
    ON_TRACK,
    OUTAGE,
    TO_COME,
    UP,
    days_of,
    month_state,
)
from sla import availability as av
from sla import calendar as cal
from sla.month import ContractMonth
from sla.schedule import Schedule

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0) -> int:
    """A London wall-clock time in October 2026 as UTC seconds."""
    return cal.local_to_utc_seconds(datetime(2026, 10, day, hour, minute), LONDON)


def weekday_hours() -> tuple[tuple[int, int], ...]:
    """08:00-18:00 London on every weekday of October 2026 (1 October is a Thursday)."""
    spans = []
    for day in range(1, 32):
        if datetime(2026, 10, day).weekday() < 5:
            spans.append((at(day, 8), at(day, 18)))
    return tuple(spans)


def row(**changes) -> ContractMonth:
    period = cal.month_period("2026-10", LONDON)
    scheduled = weekday_hours()
    base = ContractMonth(
        council_id="fylde",
        service_id="email",
        service_name="Email",
        month="2026-10",
        period=period,
        month_complete=True,
        status="measured",
        schedule=Schedule(period, scheduled, (), scheduled),
    )
    return replace(base, **changes)


def outage(start: int, end: int) -> av.Outage:
    return av.Outage(start, end, end - start, 0, 0, ("dc1", "dc2"), False, False)


def test_each_day_by_hand():
    month = row(
        outages=(
            outage(at(13, 10), at(13, 10, 45)),
            outage(at(17, 3), at(17, 4)),
        ),  # a Tuesday; a Saturday night
        resilience_lost=((at(21, 12), at(21, 12, 30), ("dc1",)),),  # a Wednesday
    )
    days = {d.day.day: d for d in days_of(month, LONDON)}
    assert len(days) == 31
    assert days[13].state == OUTAGE and days[13].outage_seconds == 45 * 60
    # Saturday the 17th has no service hours: its night-time outage counts for nothing there
    assert days[17].state == NO_HOURS and days[17].outage_seconds == 0
    assert days[21].state == DEGRADED and days[21].degraded_seconds == 30 * 60
    assert days[1].state == UP and days[1].scheduled_seconds == 10 * 3600
    # Sunday the 25th (the clocks go back) and Saturday the 3rd: no service hours
    assert days[25].state == NO_HOURS and days[3].state == NO_HOURS
    # Monday the 26th, after the change, is 10 hours of GMT
    assert days[26].scheduled_seconds == 10 * 3600
    assert sum(d.state == UP for d in days.values()) == 22 - 2  # 22 weekdays, two of them marked


def test_days_after_the_as_of_are_to_come():
    period = cal.month_period("2026-10", LONDON)
    evaluated = cal.Period("2026-10", period.start, at(20, 12))
    days = {d.day.day: d for d in days_of(row(period=evaluated, month_complete=False), LONDON)}
    assert days[20].state == UP and days[20].scheduled_seconds == 4 * 3600  # 08:00 to noon
    assert all(days[d].state == TO_COME for d in range(21, 32))


def measured(up: int, down: int) -> av.Measure:
    return av.Measure(
        scheduled_seconds=up + down,
        up_seconds=up,
        degraded_seconds=0,
        down_seconds=down,
        unmonitored_seconds=0,
    )


def test_row_states():
    from estate.model import Contract

    contract = Contract.model_validate(
        {
            "council": "fylde",
            "service": "email",
            "effective_from": "2026-01",
            "service_hours": "Mon-Fri 08:00-18:00",
            "availability_target_percent": Decimal("99.0"),
        }
    )
    good, behind = measured(9_950, 50), measured(9_800, 200)  # 99.5 % and 98 % so far, against 99 %
    # a month that is over: met or missed
    assert month_state(row(contract=contract, measure=good)) == MET
    assert month_state(row(contract=contract, measure=behind)) == MISSED
    # in progress, with 100,000 s scheduled in the whole month: its budget is 1 % of that, 1,000 s
    whole = {"contract": contract, "month_complete": False, "month_scheduled_seconds": 100_000}
    # 50 s down of 10,000 counted: 500 s allowed so far (1 %), burn rate 0.1: on track
    so_far = av.ErrorBudget("month", "2026-10", 10_000, Fraction(100), 50, 10_000)
    assert month_state(row(measure=good, budgets=(so_far,), **whole)) == ON_TRACK
    # 200 s down where 100 s were allowed so far (burn rate 2): below target now, but 800 s of the
    # whole month's 1,000 s budget are left, so a clean rest of the month meets it: at risk
    behind_budget = av.ErrorBudget("month", "2026-10", 10_000, Fraction(100), 200, 10_000)
    assert month_state(row(measure=behind, budgets=(behind_budget,), **whole)) == AT_RISK
    # 1,001 s down: past the whole month's 1,000 s, nothing can bring it back: missed
    spent = measured(9_000, 1_001)
    assert month_state(row(measure=spent, budgets=(behind_budget,), **whole)) == MISSED
    # exactly the whole budget is still (just) met if nothing more goes down: at risk
    assert month_state(row(measure=measured(9_000, 1_000), budgets=(behind_budget,), **whole)) == AT_RISK
    assert month_state(row(status="no-contract")) == NOT_MEASURED
