"""Weekly service hours: the grammar contracts use, parsed into minute spans per weekday.

Grammar (case-insensitive, local time of the estate):

    24x7
    Mon-Fri 08:00-18:00
    Mon-Fri 08:00-12:00 13:00-18:00            several spans a day
    Mon-Fri 08:00-18:00; Sat 09:00-13:00       several day groups (";" or ",")
    Mon,Wed,Fri 07:00-24:00                    a span to midnight
    Mon-Sun 22:00-06:00                        a span past midnight runs into the next day
    ... excluding bank holidays                suffix: no service hours on bank holidays

Evaluation against real dates (bank holidays, clock changes) belongs to sla.calendar; this
module only says which minutes of an ordinary week are service hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

_EXCLUDING_BANK_HOLIDAYS = re.compile(r"\s+excluding\s+bank\s+holidays\s*$", re.IGNORECASE)
_DAY = r"[a-z]+"  # any word, so that a misspelt day is named in the error
_DAYS = rf"{_DAY}(?:\s*-\s*{_DAY})?(?:\s*,\s*{_DAY}(?:\s*-\s*{_DAY})?)*"
_SPAN = r"\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}"
_GROUP = re.compile(
    rf"\s*(?P<days>{_DAYS})\s+(?P<spans>{_SPAN}(?:\s*(?:,|and)?\s*{_SPAN})*)\s*(?:[;,]|$)",
    re.IGNORECASE,
)


class ServiceHoursError(ValueError):
    """The text is not in the service-hours grammar; the message says which part."""


@dataclass(frozen=True, order=True)
class WeeklySpan:
    """Minutes [start_minute, end_minute) of the week, Monday 00:00 local = minute 0."""

    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class ServiceHours:
    text: str
    spans: tuple[WeeklySpan, ...]
    excludes_bank_holidays: bool

    @property
    def is_always(self) -> bool:
        return self.spans == (WeeklySpan(0, MINUTES_PER_WEEK),) and not self.excludes_bank_holidays

    @property
    def weekly_minutes(self) -> int:
        return sum(s.end_minute - s.start_minute for s in self.spans)

    def __str__(self) -> str:
        return self.text


def _weekday(name: str, whole: str) -> int:
    key = name.strip().lower()[:3]
    if key not in WEEKDAY_NAMES or not name.strip().lower().startswith(key):
        raise ServiceHoursError(f"unknown day {name.strip()!r} in {whole!r}")
    return WEEKDAY_NAMES.index(key)


def _days(text: str, whole: str) -> list[int]:
    days: list[int] = []
    for part in text.split(","):
        if "-" in part:
            first, last = (_weekday(p, whole) for p in part.split("-"))
            day = first
            while True:
                days.append(day)
                if day == last:
                    break
                day = (day + 1) % 7
        else:
            days.append(_weekday(part, whole))
    return days


def parse_clock_minute(text: str, whole: str) -> int:
    """'08:30' -> 510; '24:00' is allowed and means the midnight that ends the day."""
    hours_text, minutes_text = text.strip().split(":")
    hours, minutes = int(hours_text), int(minutes_text)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise ServiceHoursError(f"{text.strip()!r} is not a time of day (00:00 to 24:00) in {whole!r}")
    return hours * 60 + minutes


def merge_spans(spans: list[tuple[int, int]]) -> tuple[WeeklySpan, ...]:
    """Sorted, non-overlapping, touching spans joined; spans may wrap past Sunday midnight."""
    flat: list[tuple[int, int]] = []
    for start, end in spans:
        if end <= MINUTES_PER_WEEK:
            flat.append((start, end))
        else:
            flat.append((start, MINUTES_PER_WEEK))
            flat.append((0, end - MINUTES_PER_WEEK))
    merged: list[list[int]] = []
    for start, end in sorted(flat):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple(WeeklySpan(s, e) for s, e in merged if e > s)


def parse_service_hours(text: str) -> ServiceHours:
    if not isinstance(text, str) or not text.strip():
        raise ServiceHoursError("service hours are empty; write for example 'Mon-Fri 08:00-18:00' or '24x7'")
    whole = text.strip()
    body = _EXCLUDING_BANK_HOLIDAYS.sub("", whole)
    excludes = body != whole
    if body.strip().lower() in ("24x7", "24/7"):
        return ServiceHours(whole, (WeeklySpan(0, MINUTES_PER_WEEK),), excludes)

    spans: list[tuple[int, int]] = []
    position = 0
    while position < len(body):
        match = _GROUP.match(body, position)
        if not match or match.end() == position:
            rest = body[position:].strip()
            raise ServiceHoursError(
                f"cannot read {rest!r} in {whole!r}: expected days and times such as "
                "'Mon-Fri 08:00-18:00', or '24x7', optionally followed by 'excluding bank holidays'"
            )
        days = _days(match["days"], whole)
        for span_text in re.findall(_SPAN, match["spans"]):
            start_text, end_text = span_text.split("-")
            start, end = parse_clock_minute(start_text, whole), parse_clock_minute(end_text, whole)
            if start == end:
                raise ServiceHoursError(f"the span {span_text!r} in {whole!r} is empty")
            if end < start:  # runs past midnight into the next day
                end += MINUTES_PER_DAY
            for day in days:
                spans.append((day * MINUTES_PER_DAY + start, day * MINUTES_PER_DAY + end))
        position = match.end()
    if not spans:
        raise ServiceHoursError(f"no service hours in {whole!r}")
    return ServiceHours(whole, merge_spans(spans), excludes)
