"""Service hours and maintenance windows: the grammar, worked by hand, and its invariants."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estate.hours import (
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    WEEKDAY_NAMES,
    ServiceHoursError,
    WeeklySpan,
    parse_service_hours,
)
from estate.windows import (
    MaintenanceWindowError,
    OneOffWindow,
    RecurringWindow,
    parse_maintenance_window,
)

DAY = MINUTES_PER_DAY


@pytest.mark.parametrize(
    ("text", "spans", "excludes"),
    [
        ("24x7", [(0, MINUTES_PER_WEEK)], False),
        # Monday 08:00 is minute 480; Friday is day 4
        ("Mon-Fri 08:00-18:00", [(d * DAY + 480, d * DAY + 1080) for d in range(5)], False),
        (
            "Mon-Fri 08:00-18:00 excluding bank holidays",
            [(d * DAY + 480, d * DAY + 1080) for d in range(5)],
            True,
        ),
        ("Mon 08:00-12:00 13:00-18:00", [(480, 720), (780, 1080)], False),
        (
            "Mon-Fri 08:00-20:00; Sat 09:00-13:00",
            [(d * DAY + 480, d * DAY + 1200) for d in range(5)] + [(5 * DAY + 540, 5 * DAY + 780)],
            False,
        ),
        ("Sun 20:00-24:00", [(6 * DAY + 1200, MINUTES_PER_WEEK)], False),
        # Sunday 22:00 to Monday 06:00 wraps past the end of the week
        ("Sun 22:00-06:00", [(0, 360), (6 * DAY + 1320, MINUTES_PER_WEEK)], False),
        # touching spans join: Mon 00:00-24:00 and Tue 00:00-12:00 are one span
        ("Mon,Tue 00:00-24:00", [(0, 2 * DAY)], False),
        (
            "Sat-Mon 10:00-11:00",
            [(600, 660), (5 * DAY + 600, 5 * DAY + 660), (6 * DAY + 600, 6 * DAY + 660)],
            False,
        ),
        ("monday-friday 9:00-17:00", [(d * DAY + 540, d * DAY + 1020) for d in range(5)], False),
    ],
)
def test_service_hours_worked_by_hand(text, spans, excludes):
    hours = parse_service_hours(text)
    assert hours.spans == tuple(WeeklySpan(a, b) for a, b in spans)
    assert hours.excludes_bank_holidays is excludes
    assert str(hours) == text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("Mon-Fri", "cannot read"),
        ("Mon-Fri 08:00", "cannot read"),
        ("Funday 08:00-09:00", "unknown day"),
        ("Mon 08:00-08:00", "is empty"),
        ("Mon 08:60-09:00", "not a time of day"),
        ("Mon 24:30-01:00", "not a time of day"),
    ],
)
def test_bad_service_hours_say_what_is_wrong(text, words):
    with pytest.raises(ServiceHoursError, match=words):
        parse_service_hours(text)


spans = st.tuples(st.sampled_from(WEEKDAY_NAMES), st.integers(0, 23), st.integers(1, 24)).filter(
    lambda s: s[1] < s[2]
)


@given(st.lists(spans, min_size=1, max_size=6))
def test_parsed_hours_are_sorted_disjoint_and_within_the_week(groups):
    text = "; ".join(f"{day.title()} {start:02d}:00-{end:02d}:00" for day, start, end in groups)
    hours = parse_service_hours(text)
    expected_minutes = {
        d * DAY + m for day, s, e in groups for d in [WEEKDAY_NAMES.index(day)] for m in range(s * 60, e * 60)
    }
    covered = {m for span in hours.spans for m in range(span.start_minute, span.end_minute)}
    assert covered == expected_minutes  # brute force: the same minutes of the week
    assert hours.weekly_minutes == len(expected_minutes) <= MINUTES_PER_WEEK
    for before, after in zip(hours.spans, hours.spans[1:], strict=False):
        assert before.end_minute < after.start_minute


@pytest.mark.parametrize(
    ("text", "which", "weekday", "start", "minutes"),
    [
        ("first Sunday of the month 02:00-06:00", "first", 6, 120, 240),
        ("last Friday 18:00-20:00", "last", 4, 1080, 120),
        ("every Saturday 22:00-02:00", "every", 5, 1320, 240),
        ("daily 01:00-01:30", "daily", None, 60, 30),
    ],
)
def test_recurring_windows(text, which, weekday, start, minutes):
    window = parse_maintenance_window(text)
    assert isinstance(window, RecurringWindow)
    assert (window.which, window.weekday, window.start_minute, window.duration_minutes) == (
        which,
        weekday,
        start,
        minutes,
    )


def test_one_off_windows():
    same_day = parse_maintenance_window("2026-03-15 02:00-06:00")
    across = parse_maintenance_window("2026-03-14 22:00 to 2026-03-15 06:00")
    overnight = parse_maintenance_window("2026-03-14 22:00-02:00")
    assert isinstance(same_day, OneOffWindow)
    assert (same_day.start_local, same_day.end_local) == (datetime(2026, 3, 15, 2), datetime(2026, 3, 15, 6))
    assert (across.start_local, across.end_local) == (datetime(2026, 3, 14, 22), datetime(2026, 3, 15, 6))
    assert overnight.end_local == datetime(2026, 3, 15, 2)


@pytest.mark.parametrize(
    "text",
    [
        "sometimes",
        "first Funday 02:00-03:00",
        "2026-02-30 01:00-02:00",
        "2026-03-15 06:00 to 2026-03-15 02:00",
        "daily 03:00-03:00",
    ],
)
def test_bad_windows_are_refused(text):
    with pytest.raises(MaintenanceWindowError):
        parse_maintenance_window(text)
