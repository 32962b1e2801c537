"""Maintenance windows from the change calendar: an iCalendar (.ics) feed, recurring events too.

Each event (VEVENT) names the services it takes down in CATEGORIES, by service id or name
(case-insensitive); several may be named. Recurrences (RRULE, RDATE, EXDATE, moved instances)
are expanded by the `recurring-ical-events` library over the window asked for. Times with a
TZID or in UTC are taken as given; floating times and all-day dates are the estate's local
time (an all-day event runs from local midnight to midnight). An event that names no service
of the estate, has no start, or ends before it starts is rejected with its line and UID; the
rest load. The windows reduce scheduled time like the contracts' own (docs/sla.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import polars as pl
import recurring_ical_events

from estate.model import Estate

SOURCE = "change-calendar"


class CalendarError(ValueError):
    """The file is not an iCalendar file at all."""


@dataclass(frozen=True)
class Window:
    service_id: str
    start_utc: datetime  # naive UTC
    end_utc: datetime
    reference: str  # the event's UID, and the occurrence's start for a recurring one
    summary: str


@dataclass
class Loaded:
    windows: list[Window] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    events: int = 0
    services: set[str] = field(default_factory=set)  # every service an event names: what the feed covers


def _utc(value: date | datetime, tz: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):  # an all-day date: local midnight
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC).replace(tzinfo=None)


def _categories(event) -> list[str]:
    found = event.get("CATEGORIES")
    if found is None:
        return []
    items = found if isinstance(found, list) else [found]
    return [str(c).strip() for item in items for c in getattr(item, "cats", [item])]


def read_change_calendar(text: str, file_name: str, estate: Estate, start: datetime, end: datetime) -> Loaded:
    """Every occurrence starting in [start, end) of every acceptable event."""
    tz = ZoneInfo(estate.estate.time_zone)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as error:
        raise CalendarError(f"{file_name}: not an iCalendar file: {error}") from None
    services = {s.id.lower(): s.id for s in estate.services} | {s.name.lower(): s.id for s in estate.services}
    event_lines = [
        n for n, line in enumerate(text.splitlines(), start=1) if line.strip().upper() == "BEGIN:VEVENT"
    ]
    loaded = Loaded()
    accepted: dict[str, list[str]] = {}
    for k, event in enumerate(calendar.walk("VEVENT")):
        loaded.events += 1
        line = event_lines[k] if k < len(event_lines) else 0
        uid = str(event.get("UID", f"event {k + 1}"))
        where = f"event {uid} ({event.get('SUMMARY', '')})"
        named = [services[c.lower()] for c in _categories(event) if c.lower() in services]
        loaded.services.update(named)
        if not named:
            loaded.rejected.append(
                (
                    line,
                    f"{where} names no service of the estate in CATEGORIES ({', '.join(_categories(event)) or 'none'})",
                )
            )
            continue
        if event.get("DTSTART") is None:
            loaded.rejected.append((line, f"{where} has no DTSTART"))
            continue
        begins = _utc(event.decoded("DTSTART"), tz)
        if event.get("DTEND") is not None and _utc(event.decoded("DTEND"), tz) <= begins:
            loaded.rejected.append((line, f"{where} ends before it starts"))
            continue
        if "RECURRENCE-ID" not in event:
            accepted[uid] = sorted(set(named))
    lo, hi = start.astimezone(UTC), end.astimezone(UTC)
    for occurrence in recurring_ical_events.of(calendar).between(
        lo - timedelta(days=2), hi + timedelta(days=2)
    ):
        uid = str(occurrence.get("UID", ""))
        if uid not in accepted:
            continue
        begins = _utc(occurrence.decoded("DTSTART"), tz)
        if occurrence.get("DTEND") is not None:
            ends = _utc(occurrence.decoded("DTEND"), tz)
        elif occurrence.get("DURATION") is not None:
            ends = begins + occurrence.decoded("DURATION")
        else:
            ends = (
                _utc(occurrence.decoded("DTSTART") + timedelta(days=1), tz)
                if not isinstance(occurrence.decoded("DTSTART"), datetime)
                else begins
            )
        if not (lo.replace(tzinfo=None) <= begins < hi.replace(tzinfo=None)) or ends <= begins:
            continue
        for service_id in accepted[uid]:
            loaded.windows.append(
                Window(
                    service_id,
                    begins,
                    ends,
                    f"{uid}@{begins:%Y%m%dT%H%M%SZ}",
                    str(occurrence.get("SUMMARY", "")),
                )
            )
    loaded.windows.sort(key=lambda w: (w.start_utc, w.service_id, w.reference))
    return loaded


def write_windows(loaded: Loaded, warehouse, start: datetime, end: datetime) -> int:
    """Replace what the change calendar said about windows starting in [start, end), for the
    services the feed's events name, and only those: a feed without a word about a service says
    nothing about its windows, and an empty feed replaces nothing (it would otherwise delete 13
    months of maintenance windows and change past months' service levels)."""
    if not loaded.services:
        return 0
    frame = pl.DataFrame(
        {
            "service_id": [w.service_id for w in loaded.windows],
            "start_utc": [w.start_utc for w in loaded.windows],
            "end_utc": [w.end_utc for w in loaded.windows],
            "reference": [w.reference for w in loaded.windows],
            "summary": [w.summary for w in loaded.windows],
        },
        schema={
            "service_id": pl.Utf8,
            "start_utc": pl.Datetime("us"),
            "end_utc": pl.Datetime("us"),
            "reference": pl.Utf8,
            "summary": pl.Utf8,
        },
    )
    return warehouse.replace_maintenance_windows(SOURCE, start, end, frame, sorted(loaded.services))


HISTORY_DAYS = 396  # 13 months back: the history every answer can reach
AHEAD_DAYS = 92  # 3 months ahead: windows already booked


def default_window(now: datetime) -> tuple[datetime, datetime]:
    """The window a calendar load covers unless told: 13 months back to 3 months ahead."""
    return now - timedelta(days=HISTORY_DAYS), now + timedelta(days=AHEAD_DAYS)
