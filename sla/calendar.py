"""Periods, service hours, bank holidays and maintenance windows as UTC spans.

Calendars are evaluated in the estate's local time zone and converted to UTC seconds one
wall-clock instant at a time, so clock changes come out right by construction: a local day of
24x7 service runs from its local midnight to the next, which is 23 hours on the last Sunday of
March and 25 on the last Sunday of October in Europe/London.

Wall-clock instants that do not exist (01:30 on the spring-forward night) or happen twice
(01:30 on the fall-back night) take the offset in force before the change (PEP 495 fold=0), so
a span's length is always the real time between its two instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from estate.hours import MINUTES_PER_WEEK, ServiceHours
from estate.model import BANK_HOLIDAY_CALENDARS
from estate.windows import MaintenanceWindow, OneOffWindow, RecurringWindow
from sla.intervals import Spans, clip, normalise, subtract

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ORDINAL_WEEK = {"first": 0, "second": 1, "third": 2, "fourth": 3}


def utc_seconds(moment: datetime) -> int:
    """An aware datetime as whole seconds since the epoch (sub-second parts are dropped)."""
    return (moment - _EPOCH) // timedelta(seconds=1)


def from_utc_seconds(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


def iso_utc(seconds: int) -> str:
    """'2026-11-10T10:12:00Z': how the rules' labels and the JSON write an instant."""
    return from_utc_seconds(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_to_utc_seconds(local: datetime, tz: ZoneInfo) -> int:
    """A naive wall-clock time in `tz` as UTC seconds (fold=0 for missing or repeated times)."""
    return utc_seconds(local.replace(tzinfo=tz, fold=0))


def local_date(seconds: int, tz: ZoneInfo) -> date:
    return from_utc_seconds(seconds).astimezone(tz).date()


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC seconds, with the label people use for it."""

    label: str
    start: int
    end: int

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

    def clipped(self, end: int) -> Period:
        """The part of the period up to `end` (for a period still in progress)."""
        return Period(self.label, self.start, max(self.start, min(self.end, end)))


def _midnight(day: date, tz: ZoneInfo) -> int:
    return local_to_utc_seconds(datetime(day.year, day.month, day.day), tz)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def parse_month(month: str) -> tuple[int, int]:
    year_text, month_text = month.split("-")
    return int(year_text), int(month_text)


@lru_cache(maxsize=1024)
def month_period(month: str, tz: ZoneInfo) -> Period:
    """Local midnight on the 1st to local midnight on the 1st of the next month."""
    year, number = parse_month(month)
    next_year, next_number = _next_month(year, number)
    return Period(month, _midnight(date(year, number, 1), tz), _midnight(date(next_year, next_number, 1), tz))


def quarter_of(month: str) -> tuple[int, int]:
    """(year, first month) of the calendar quarter holding `month`; UK financial quarters share
    these boundaries (Q1 of the financial year is April to June)."""
    year, number = parse_month(month)
    return year, 3 * ((number - 1) // 3) + 1


def quarter_period(month: str, tz: ZoneInfo) -> Period:
    year, first = quarter_of(month)
    end_year, end_month = (year + 1, 1) if first == 10 else (year, first + 3)
    financial_year = financial_year_of(month)
    label = f"{financial_year}/{(financial_year + 1) % 100:02d} Q{((first - 4) % 12) // 3 + 1}"
    return Period(label, _midnight(date(year, first, 1), tz), _midnight(date(end_year, end_month, 1), tz))


def financial_year_of(month: str) -> int:
    """The calendar year in which the UK financial year holding `month` starts (April)."""
    year, number = parse_month(month)
    return year if number >= 4 else year - 1


def financial_year_period(month: str, tz: ZoneInfo) -> Period:
    first = financial_year_of(month)
    label = f"{first}/{(first + 1) % 100:02d}"
    return Period(label, _midnight(date(first, 4, 1), tz), _midnight(date(first + 1, 4, 1), tz))


@lru_cache(maxsize=4096)
def months_between(period: Period, tz: ZoneInfo) -> tuple[str, ...]:
    """The months (YYYY-MM) that overlap the period, in order."""
    day = local_date(period.start, tz)
    year, number = day.year, day.month
    months = []
    while True:
        label = f"{year:04d}-{number:02d}"
        if month_period(label, tz).start >= period.end:
            break
        months.append(label)
        year, number = _next_month(year, number)
    return tuple(months)


# --- bank holidays ---------------------------------------------------------------------------


@lru_cache(maxsize=64)
def bank_holiday_dates(calendar: str, first_year: int, last_year: int) -> frozenset[date]:
    """The bank holidays of a UK nation from the holidays package, as gov.uk lists them: the
    substitute day replaces a holiday that falls on a weekend (Boxing Day on Saturday 26 December
    2026 is not a bank holiday; Monday 28 December is). The package lists both the weekend date
    and the "(observed)" substitute; the weekend date is dropped."""
    country, subdivision = BANK_HOLIDAY_CALENDARS[calendar]
    years = range(first_year, last_year + 1)
    found = holidays.country_holidays(country, subdiv=subdivision, years=years)
    substituted = {
        (day.year, name.removesuffix(" (observed)"))
        for day, names in found.items()
        for name in names.split("; ")
        if name.endswith(" (observed)")
    }
    return frozenset(
        day
        for day, names in found.items()
        if not (day.weekday() >= 5 and all((day.year, name) in substituted for name in names.split("; ")))
    )


def bank_holidays_in(calendar: str, period: Period, tz: ZoneInfo) -> list[date]:
    """Bank-holiday dates whose local day overlaps the period."""
    first, last = local_date(period.start, tz), local_date(period.end, tz)
    return sorted(
        d
        for d in bank_holiday_dates(calendar, first.year, last.year)
        if first <= d <= last
        and _midnight(d, tz) < period.end
        and _midnight(d + timedelta(days=1), tz) > period.start
    )


def _day_spans(days: list[date], tz: ZoneInfo) -> Spans:
    return normalise((_midnight(d, tz), _midnight(d + timedelta(days=1), tz)) for d in days)


# --- service hours ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _service_hours_cached(hours: ServiceHours, tz_name: str, start: int, end: int, calendar: str) -> tuple:
    tz = ZoneInfo(tz_name)
    first = local_date(start, tz) - timedelta(days=1)
    monday = first - timedelta(days=first.weekday())
    spans = []
    while True:
        week = datetime(monday.year, monday.month, monday.day)
        if local_to_utc_seconds(week, tz) >= end:
            break
        for span in hours.spans:
            spans.append(
                (
                    local_to_utc_seconds(week + timedelta(minutes=span.start_minute), tz),
                    local_to_utc_seconds(week + timedelta(minutes=span.end_minute), tz),
                )
            )
        monday += timedelta(days=7)
    result = clip(normalise(spans), start, end)
    if hours.excludes_bank_holidays:
        period = Period("", start, end)
        result = subtract(result, _day_spans(bank_holidays_in(calendar, period, tz), tz))
    return tuple(result)


def service_hours_spans(hours: ServiceHours, tz: ZoneInfo, period: Period, bank_holidays: str) -> Spans:
    """The service hours inside the period. With 'excluding bank holidays', no service hours
    fall on a bank-holiday date of the named calendar (local midnight to midnight)."""
    assert hours.spans and hours.spans[-1].end_minute <= MINUTES_PER_WEEK
    return list(_service_hours_cached(hours, tz.key, period.start, period.end, bank_holidays))


# --- maintenance windows ---------------------------------------------------------------------


def _occurs_on(window: RecurringWindow, day: date) -> bool:
    if window.which == "daily":
        return True
    if day.weekday() != window.weekday:
        return False
    if window.which == "every":
        return True
    if window.which == "last":
        return (day + timedelta(days=7)).month != day.month
    return (day.day - 1) // 7 == _ORDINAL_WEEK[window.which]


def maintenance_spans(windows: tuple[MaintenanceWindow, ...], tz: ZoneInfo, period: Period) -> Spans:
    """Every occurrence of the windows that overlaps the period, clipped to it. A window that
    starts before the period and runs into it (Saturday 22:00-02:00) counts from the start."""
    spans = []
    first, last = local_date(period.start, tz) - timedelta(days=2), local_date(period.end, tz)
    for window in windows:
        if isinstance(window, OneOffWindow):
            spans.append(
                (local_to_utc_seconds(window.start_local, tz), local_to_utc_seconds(window.end_local, tz))
            )
            continue
        day = first
        while day <= last:
            if _occurs_on(window, day):
                local_start = datetime(day.year, day.month, day.day) + timedelta(minutes=window.start_minute)
                local_end = local_start + timedelta(minutes=window.duration_minutes)
                spans.append((local_to_utc_seconds(local_start, tz), local_to_utc_seconds(local_end, tz)))
            day += timedelta(days=1)
    return clip(normalise(spans), period.start, period.end)
