"""Random service-level inputs for the property and reference tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from estate.hours import parse_service_hours
from estate.windows import parse_maintenance_window
from sla.calendar import Period, local_to_utc_seconds
from sla.states import StateInterval

LONDON = ZoneInfo("Europe/London")

# Stretches of days around the hard parts of the calendar: the spring-forward and fall-back
# weekends, a leap day, and a bank-holiday Monday at a month's end.
PERIODS = (
    (date(2026, 3, 27), 4),
    (date(2026, 10, 23), 4),
    (date(2024, 2, 27), 4),
    (date(2026, 8, 28), 5),
    (date(2026, 10, 1), 31),
)
HOURS = (
    "24x7",
    "Mon-Fri 08:00-18:00 excluding bank holidays",
    "Mon-Fri 08:00-18:00",
    "Mon-Sun 00:00-03:00",
    "Mon-Fri 08:00-12:00 13:00-18:00; Sat 09:00-13:00",
    "Mon-Sun 22:00-06:00 excluding bank holidays",
    "Sun 00:00-24:00",
)
# Boundaries avoid the local hour 01:00-02:00 that is skipped or repeated at a clock change:
# there the rules take the earlier offset, which the golden tests pin down instead.
WINDOWS = (
    "every Sunday 02:00-06:00",
    "first Sunday of the month 02:00-06:00",
    "last Saturday of the month 22:00-03:00",
    "daily 12:00-12:30",
    "2026-10-25 00:00 to 2026-10-25 04:00",
    "2026-03-29 00:00-03:00",
    "2024-02-29 09:00-17:00",
)
CAUSES = ("prometheus-unreachable", "collector-not-running", "no-samples", "probe-not-deployed")
# The brute force's bank holidays, written out rather than taken from sla.calendar (the code under
# test): England and Wales, as published at https://www.gov.uk/bank-holidays. Where a holiday falls
# at a weekend the published bank holiday is the substitute weekday (Boxing Day 2026 is Monday 28
# December; Christmas Day and Boxing Day 2027 are Monday 27 and Tuesday 28 December).
HOLIDAY_YEARS = (2024, 2027)
HOLIDAYS = {
    date(y, m, d)
    for y, m, d in (
        (2024, 1, 1), (2024, 3, 29), (2024, 4, 1), (2024, 5, 6),
        (2024, 5, 27), (2024, 8, 26), (2024, 12, 25), (2024, 12, 26),
        (2025, 1, 1), (2025, 4, 18), (2025, 4, 21), (2025, 5, 5),
        (2025, 5, 26), (2025, 8, 25), (2025, 12, 25), (2025, 12, 26),
        (2026, 1, 1), (2026, 4, 3), (2026, 4, 6), (2026, 5, 4),
        (2026, 5, 25), (2026, 8, 31), (2026, 12, 25), (2026, 12, 28),
        (2027, 1, 1), (2027, 3, 26), (2027, 3, 29), (2027, 5, 3),
        (2027, 5, 31), (2027, 8, 30), (2027, 12, 27), (2027, 12, 28),
    )
}  # fmt: skip


def within_holiday_years(first: date, days: int) -> bool:
    """Whether [first, first + days) lies inside the years HOLIDAYS writes out."""
    last = first + timedelta(days=days - 1)
    return HOLIDAY_YEARS[0] <= first.year and last.year <= HOLIDAY_YEARS[1]


# Every period drawn must lie inside the written-out years, or a bank holiday could be missed.
assert all(within_holiday_years(first, days) for first, days in PERIODS), PERIODS


def period_of(first: date, days: int) -> Period:
    start = local_to_utc_seconds(datetime(first.year, first.month, first.day), LONDON)
    last = first + timedelta(days=days)
    return Period(
        f"{first}+{days}d", start, local_to_utc_seconds(datetime(last.year, last.month, last.day), LONDON)
    )


@st.composite
def site_intervals(draw, period: Period) -> list[StateInterval]:
    """Non-overlapping intervals that may start before and end after the period, with holes:
    random cut points, each stretch between two cuts up, down, unmonitored or not recorded."""
    lo, hi = period.start - 7200, period.end + 7200
    cuts = sorted(set(draw(st.lists(st.integers(lo, hi), min_size=1, max_size=40))) | {lo, hi})
    intervals = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        state = draw(st.sampled_from(("up", "up", "up", "down", "unmonitored", None)))
        if state is None:
            continue  # a hole: nothing recorded, counted as collector-not-running
        cause = draw(st.sampled_from(CAUSES)) if state == "unmonitored" else None
        intervals.append(StateInterval(start, end, state, cause))
    return intervals


@st.composite
def service_inputs(draw, full_months: bool = True):
    periods = PERIODS if full_months else PERIODS[:-1]
    first, days = draw(st.sampled_from(periods))
    period = period_of(first, days)
    sites = draw(st.integers(1, 2))
    return {
        "period": period,
        "hours": parse_service_hours(draw(st.sampled_from(HOURS))),
        "windows": tuple(
            parse_maintenance_window(w)
            for w in draw(st.lists(st.sampled_from(WINDOWS), max_size=3, unique=True))
        ),
        "sites": [draw(site_intervals(period)) for _ in range(sites)],
        "policy": draw(st.sampled_from(("exclude", "up", "down"))),
    }
