"""Maintenance windows: one-off and recurring, in the estate's local time.

Grammar (case-insensitive):

    every Sunday 02:00-06:00
    first Sunday of the month 02:00-06:00       first, second, third, fourth or last
    daily 01:00-01:30
    every Saturday 22:00-02:00                  past midnight: ends on the next day
    2026-03-15 02:00-06:00                      one-off
    2026-03-14 22:00 to 2026-03-15 06:00        one-off across days

Expanding a window into concrete instants (with clock changes) belongs to sla.calendar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from estate.hours import WEEKDAY_NAMES, parse_clock_minute

ORDINALS = ("first", "second", "third", "fourth", "last")

_RECURRING = re.compile(
    r"^\s*(?P<which>every|first|second|third|fourth|last)\s+(?P<day>[a-z]+)"
    r"(?:\s+of\s+the\s+month)?\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$",
    re.IGNORECASE,
)
_DAILY = re.compile(r"^\s*daily\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$", re.IGNORECASE)
_ONE_OFF_SAME_DAY = re.compile(
    r"^\s*(?P<date>\d{4}-\d{2}-\d{2})\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$"
)
_ONE_OFF_SPAN = re.compile(
    r"^\s*(?P<start>\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2})\s+to\s+(?P<end>\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2})\s*$",
    re.IGNORECASE,
)


class MaintenanceWindowError(ValueError):
    """The text is not in the maintenance-window grammar."""


@dataclass(frozen=True)
class RecurringWindow:
    """Every (or the nth/last) given weekday, or daily; starts at a local time, lasts minutes."""

    text: str
    which: str  # "every", "daily", or one of ORDINALS (of the month)
    weekday: int | None  # 0 = Monday; None for daily
    start_minute: int
    duration_minutes: int

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class OneOffWindow:
    text: str
    start_local: datetime
    end_local: datetime

    def __str__(self) -> str:
        return self.text


MaintenanceWindow = RecurringWindow | OneOffWindow


def _duration(start_minute: int, end_minute: int, text: str) -> int:
    if end_minute == start_minute:
        raise MaintenanceWindowError(f"the window {text!r} is empty")
    return end_minute - start_minute if end_minute > start_minute else end_minute + 1440 - start_minute


def _local(text: str, whole: str) -> datetime:
    try:
        return datetime.strptime(re.sub(r"\s+", " ", text.strip()), "%Y-%m-%d %H:%M")
    except ValueError:
        raise MaintenanceWindowError(f"{text.strip()!r} in {whole!r} is not a date and time") from None


def parse_maintenance_window(text: str) -> MaintenanceWindow:
    if not isinstance(text, str) or not text.strip():
        raise MaintenanceWindowError("the maintenance window is empty")
    whole = text.strip()
    if match := _RECURRING.match(whole):
        day = match["day"].lower()
        if day[:3] not in WEEKDAY_NAMES or not day.startswith(day[:3]):
            raise MaintenanceWindowError(f"unknown day {match['day']!r} in {whole!r}")
        start = parse_clock_minute(match["start"], whole)
        end = parse_clock_minute(match["end"], whole)
        return RecurringWindow(
            whole,
            match["which"].lower(),
            WEEKDAY_NAMES.index(day[:3]),
            start,
            _duration(start, end, whole),
        )
    if match := _DAILY.match(whole):
        start = parse_clock_minute(match["start"], whole)
        end = parse_clock_minute(match["end"], whole)
        return RecurringWindow(whole, "daily", None, start, _duration(start, end, whole))
    if match := _ONE_OFF_SAME_DAY.match(whole):
        start = _local(f"{match['date']} {match['start']}", whole)
        end_minute = parse_clock_minute(match["end"], whole)
        start_minute = start.hour * 60 + start.minute
        duration = _duration(start_minute, end_minute, whole)
        return OneOffWindow(whole, start, start + timedelta(minutes=duration))
    if match := _ONE_OFF_SPAN.match(whole):
        start, end = _local(match["start"], whole), _local(match["end"], whole)
        if end <= start:
            raise MaintenanceWindowError(f"the window {whole!r} ends before it starts")
        return OneOffWindow(whole, start, end)
    raise MaintenanceWindowError(
        f"cannot read the maintenance window {whole!r}: write for example "
        "'first Sunday of the month 02:00-06:00', 'every Sunday 02:00-04:00', "
        "'daily 01:00-01:30', '2026-03-15 02:00-06:00' or '2026-03-14 22:00 to 2026-03-15 06:00'"
    )
