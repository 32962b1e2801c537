"""Maintenance windows from the change calendar: an iCalendar (.ics) feed, recurring events too.

Each event (VEVENT) names the services it takes down in CATEGORIES, by service id or name
(case-insensitive); several may be named. Recurrences (RRULE, RDATE, EXDATE, moved instances)
are expanded over the window asked for. Times with a TZID or in UTC are taken as given; floating
times are the estate's local time, or the zone the calendar's X-WR-TIMEZONE names; an all-day
event runs from the estate's local midnight to midnight. The windows reduce scheduled time like
the contracts' own (docs/sla.md).

Each event is read on its own. A bad one is rejected with the line of its BEGIN:VEVENT, its UID
and SUMMARY and what is wrong, in words ("event chg-7 (Patching): DTSTART 'notadate' is not a
date or date-time"); the other events load. Rejected:

- an event naming no service of the estate, or without a UID or a DTSTART;
- a DTSTART, DTEND, DURATION, RRULE, RDATE, EXDATE, RECURRENCE-ID or SEQUENCE that is not what
  it should be (a date or date-time, a duration, a recurrence rule part by part, ...), or whose
  TZID no time zone answers to; a line that is not a property; one of those properties twice;
- a time outside the years 1970-2100 (DTSTART, DTEND, RDATE, EXDATE, RECURRENCE-ID, the end);
- an end before the start (a negative or zero DURATION too), no end (a date-time DTSTART with
  neither DTEND nor DURATION), DTEND and DURATION both, an RRULE whose UNTIL is before DTSTART,
  an RRULE no day can match (BYMONTH=2;BYMONTHDAY=30) or whose BYSETPOS picks past its periods;
- a UID an earlier event has; a moved instance moving an occurrence an earlier one moves;
- a broken structure (no END:VEVENT, an alarm left open), a property over MAX_FIELD_BYTES;
- what the bounds below refuse.

A moved instance (RECURRENCE-ID) is an event of its own, with its own CATEGORIES: when it is bad,
it alone is rejected, and the occurrence it moved is not loaded either (where it went to is what
was wrong); the rest of its series loads. When the event it belongs to is rejected, it goes too;
one whose event is not in the file loads on its own. A broken structure outside any event (no
END:VCALENDAR: a file cut short), a time zone (VTIMEZONE) or calendar property that cannot be
read, a CALSCALE other than Gregorian or an unknown X-WR-TIMEZONE refuses the file (CalendarError)
with its line. Components other than events and time zones (VTODO, ...) are not read.

The work is bounded (the constants below say why each is what it is):

- MAX_FILE_BYTES (64 MiB): a larger file is refused whole, naming the file and the bound.
- MAX_FIELD_BYTES (128 KiB): a longer property, unfolded, rejects its event; outside any event
  it refuses the file, with its line.
- MAX_OCCURRENCES_PER_EVENT (1,000): an event (with its moved instances) beginning more often in
  the window is rejected, saying about how often it would and the ceiling; none of it loads.
- MAX_WINDOWS (50,000): the events that would take the file past this many windows are
  rejected, saying so.
- MAX_RULE_STEPS (100,000) and MAX_FILE_RULE_STEPS (2,000,000): the steps expanding one RRULE,
  and all of a file's, may take.

How an RRULE is expanded. Its occurrences are made one at a time (dateutil), and the making stops
at the end of the window, at the event's ceiling or at a bound: RRULE:FREQ=SECONDLY without an
end is rejected after 1,001 occurrences, in milliseconds. It starts a whole number of the rule's
periods before the window, not at a DTSTART years before (a rule with both COUNT and a BY part
starts at DTSTART: its COUNT runs from there). It is translated by whole 400-year Gregorian cycles
(which leave weekdays, leap years and week numbers as they are) to just before the year 9999,
where dateutil stops, so that a rule with no occurrence after the window does not search 8,000
years for one. An UNTIL that is a date allows the whole of that day. The event then goes to
recurring-ical-events with those occurrences as RDATEs in place of its RRULE, and the library
applies its EXDATEs, RDATEs and moved instances. A one-off event needs none of this.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import polars as pl
import recurring_ical_events
import x_wr_timezone  # recurring-ical-events' own dependency, for calendars with X-WR-TIMEZONE
from dateutil.rrule import rrulestr  # icalendar's and recurring-ical-events' own dependency
from icalendar.parser import Contentline
from icalendar.prop import vDDDTypes

from estate.model import Estate
from warehouse import Replacement

SOURCE = "change-calendar"

KiB, MiB = 1024, 1024 * 1024
# The bounds on what one file can make this module do. Without them, one line of a calendar
# (RRULE:FREQ=MINUTELY without an end) made hundreds of thousands of windows, from gigabytes of
# memory over minutes, and ten such lines ran out of memory.
#
# A change calendar is kilobytes; 64 MiB is hundreds of thousands of events. A larger file is
# refused whole (CalendarError) before it is parsed: export it in parts.
MAX_FILE_BYTES = 64 * MiB
# One property: a content line, unfolded. A description pasted in is a few KiB; a longer one is
# a damaged file, and rejects its event (outside any event, refuses the file).
MAX_FIELD_BYTES = 128 * KiB
# Occurrences of one event (with its moved instances) beginning in the window. Weekly
# maintenance over the default 16-month window is 70, nightly 490. An event recurring more often
# is rejected whole, saying about how often it would; expansion stops at the ceiling, so an RRULE
# by the second costs no more than 1,000 occurrences.
MAX_OCCURRENCES_PER_EVENT = 1000
# Windows one file loads (occurrences times the services each names): the events that would take
# it past are rejected, saying so.
MAX_WINDOWS = 50_000
# Steps dateutil may take to expand one RRULE: the occurrences it goes through from where it
# starts (a few periods before the window; DTSTART for a rule with COUNT and a BY part), and for
# a rule by the second, minute or hour with a BY part, each such period up to the window's end.
MAX_RULE_STEPS = 100_000
# The same for all of a file's rules together: a few seconds at most. Past it, the rest of the
# file's recurring events are rejected, saying so.
MAX_FILE_RULE_STEPS = 2_000_000
FIRST_YEAR, LAST_YEAR = 1970, 2100  # a time outside these years is a typo, not a change
SHOWN_CHARACTERS = 60  # of a value quoted in a message


class CalendarError(ValueError):
    """The file is not an iCalendar file at all, or cannot be read whole."""


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
    services: set[str] = field(
        default_factory=set
    )  # every service an accepted event names: what the feed covers
    kept_uids: set[str] = field(default_factory=set)  # of the events rejected: what they loaded before stays


def _utc(value: date | datetime, tz) -> datetime:
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


def shown(value: str) -> str:
    """A value as a message quotes it: in quotes, and cut short when long."""
    if len(value) <= SHOWN_CHARACTERS:
        return repr(value)
    return f"{value[:SHOWN_CHARACTERS]!r}... ({len(value):,} characters)"


def _bound(size: int) -> str:
    for unit, name in ((MiB, "MiB"), (KiB, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name} ({size:,} bytes)"
    return f"{size:,} bytes"


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


class _Rejected(Exception):
    """An event is rejected: the reason, to follow the event's name."""


# -- the file, line by line ---------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z0-9-]+")


@dataclass
class _Line:
    number: int  # the line of the file it begins on
    text: str  # unfolded; only its first MAX_FIELD_BYTES characters when longer
    size: int  # bytes (UTF-8), unfolded

    @property
    def oversized(self) -> bool:
        return self.size > MAX_FIELD_BYTES

    @property
    def name(self) -> str:
        found = _NAME.match(self.text)
        return found.group(0).upper() if found else ""

    def component(self) -> str:
        """For BEGIN:X and END:X, X."""
        return self.text.partition(":")[2].strip().upper()


def _content_lines(text: str):
    """The content lines of the file, unfolded (RFC 5545 3.1: a line beginning with a space or a
    tab continues the one before), each with the line it begins on. Blank lines are skipped."""
    start, parts, characters, size = 0, [], 0, 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw.endswith("\r"):
            raw = raw[:-1]
        if raw[:1] in (" ", "\t") and parts:
            piece = raw[1:]
            size += _utf8_size(piece)
            if characters <= MAX_FIELD_BYTES:  # beyond it, only counted
                parts.append(piece)
                characters += len(piece)
        elif raw:
            if parts:
                yield _Line(start, "".join(parts), size)
            start, parts, characters, size = number, [raw], len(raw), _utf8_size(raw)
    if parts:
        yield _Line(start, "".join(parts), size)


@dataclass
class _Block:
    """One VEVENT as the file has it: its own properties (not those of its alarms)."""

    line: int
    lines: list[_Line] = field(default_factory=list)
    problem: str | None = None  # the structure is broken
    oversized: _Line | None = None  # its first line over MAX_FIELD_BYTES


@dataclass
class _File:
    properties: list[_Line] = field(default_factory=list)  # the calendar's own
    zones: list[list[_Line]] = field(default_factory=list)  # VTIMEZONE components, whole
    events: list[_Block] = field(default_factory=list)


def _split(text: str, file_name: str) -> _File:
    """The calendar's properties, time zones and events; other components (VTODO, VJOURNAL,
    ...) are not read. A broken structure inside an event rejects the event; outside any event
    it refuses the file, with its line."""

    def refuse(line: _Line, what: str):
        raise CalendarError(f"{file_name}:{line.number}: {what}")

    found = _File()
    state = "before"
    stack: list[tuple[str, int]] = []  # the components open around a line outside any event
    zone: list[_Line] | None = None
    event: _Block | None = None
    inside: list[tuple[str, int]] = []  # the components open inside the event
    for line in _content_lines(text):
        kind = line.name if line.name in ("BEGIN", "END") and not line.oversized else ""
        what = line.component() if kind else ""
        if state == "before":
            if kind == "BEGIN" and what == "VCALENDAR":
                state = "in"
                continue
            raise CalendarError(
                f"{file_name}: not an iCalendar file: line {line.number} is {shown(line.text)}, "
                "where BEGIN:VCALENDAR begins one"
            )
        if state == "after":
            if kind == "BEGIN" and what == "VCALENDAR":
                refuse(line, "a second calendar (BEGIN:VCALENDAR) begins here: export one calendar per file")
            refuse(line, f"{shown(line.text)} after END:VCALENDAR")
        if event is not None:
            if line.oversized and event.oversized is None:
                event.oversized = line
            if kind == "BEGIN" and what == "VEVENT":
                event.problem = (
                    event.problem or f"has no END:VEVENT (line {line.number} begins another event)"
                )
                found.events.append(event)
                event, inside = _Block(line.number), [("VEVENT", line.number)]
            elif kind == "BEGIN":
                inside.append((what, line.number))
            elif kind == "END" and what == inside[-1][0]:
                inside.pop()
                if not inside:
                    found.events.append(event)
                    event = None
            elif kind == "END" and what == "VEVENT":
                opened, at = inside[-1]
                event.problem = event.problem or f"has a BEGIN:{opened} on line {at} without an END:{opened}"
                found.events.append(event)
                event = None
            elif kind == "END" and what == "VCALENDAR":
                event.problem = (
                    event.problem or f"has no END:VEVENT before the END:VCALENDAR on line {line.number}"
                )
                found.events.append(event)
                event, state = None, "after"
            elif kind == "END":
                event.problem = (
                    event.problem or f"has an END:{what} on line {line.number} that closes nothing"
                )
            elif len(inside) == 1:
                event.lines.append(line)
            continue
        if line.oversized:
            refuse(
                line,
                f"a property of {line.size:,} bytes outside any event, over the {_bound(MAX_FIELD_BYTES)} "
                "one may be: the file is refused",
            )
        if stack:  # inside a time zone or a component not read
            if kind == "BEGIN":
                stack.append((what, line.number))
            elif kind == "END" and what != stack[-1][0]:
                refuse(line, f"END:{what} where the BEGIN:{stack[-1][0]} on line {stack[-1][1]} ends")
            elif kind == "END":
                stack.pop()
            if zone is not None:
                zone.append(line)
            if not stack:
                zone = None
            continue
        if kind == "BEGIN" and what == "VEVENT":
            event, inside = _Block(line.number), [("VEVENT", line.number)]
        elif kind == "BEGIN":
            stack = [(what, line.number)]
            if what == "VTIMEZONE":
                zone = [line]
                found.zones.append(zone)
        elif kind == "END" and what == "VCALENDAR":
            state = "after"
        elif kind == "END":
            refuse(line, f"END:{what} without a BEGIN:{what}")
        else:
            found.properties.append(line)
    if state == "before":
        raise CalendarError(f"{file_name}: not an iCalendar file: it is empty")
    if state == "in":
        raise CalendarError(
            f"{file_name}: the file ends before its END:VCALENDAR: it was cut short, so the events "
            "after the cut would be missing; the file is refused"
        )
    return found


def _calendar(found: _File, file_name: str):
    """The calendar's own properties and time zones, parsed (the time zones are then known to
    the events' TZIDs); and the zone its floating times are in, when X-WR-TIMEZONE names one."""

    def text(lines: list[_Line]) -> str:
        return "BEGIN:VCALENDAR\r\n" + "".join(f"{line.text}\r\n" for line in lines) + "END:VCALENDAR\r\n"

    try:
        calendar = icalendar.Calendar.from_ical(
            text(found.properties + [z for zone in found.zones for z in zone])
        )
    except Exception:  # locate what could not be read: a time zone, or one of the calendar's properties
        for zone in found.zones:
            try:
                icalendar.Calendar.from_ical(text(zone))
            except Exception as error:
                raise CalendarError(
                    f"{file_name}:{zone[0].number}: the time zone here cannot be read: {error}"
                ) from None
        for line in found.properties:
            try:
                Contentline(line.text).parts()
            except ValueError:
                raise CalendarError(
                    f"{file_name}:{line.number}: {shown(line.text)} is not a property (NAME:value)"
                ) from None
            try:
                icalendar.Calendar.from_ical(text([line]))
            except Exception as error:
                raise CalendarError(
                    f"{file_name}:{line.number}: {shown(line.text)} cannot be read: {error}"
                ) from None
        raise CalendarError(f"{file_name}: not an iCalendar file: its properties cannot be read") from None
    lines = {line.name: line for line in reversed(found.properties)}
    scale = str(calendar.get("CALSCALE", "GREGORIAN")).upper()
    if scale != "GREGORIAN":
        raise CalendarError(
            f"{file_name}:{lines['CALSCALE'].number}: CALSCALE is {scale}: only Gregorian calendars are read"
        )
    named = calendar.get("X-WR-TIMEZONE")
    if named is None:
        return None
    try:
        return ZoneInfo(str(named).strip())
    except (ValueError, KeyError):
        raise CalendarError(
            f"{file_name}:{lines['X-WR-TIMEZONE'].number}: X-WR-TIMEZONE {shown(str(named))} is not a time zone, "
            "so the calendar's floating times cannot be placed; the file is refused"
        ) from None


# -- one event ------------------------------------------------------------------------------------

_ONCE = ("UID", "DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "SEQUENCE")
_TIMES = ("DTSTART", "DTEND", "RECURRENCE-ID")
_LISTS = ("RDATE", "EXDATE")
_CHECKED = (
    "DTSTART",
    "DTEND",
    "DURATION",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "SEQUENCE",
    "CATEGORIES",
)
_READ = ("UID", "SUMMARY", *_CHECKED)
_NOT_READABLE = {
    "DTSTART": "is not a date or date-time",
    "DTEND": "is not a date or date-time",
    "RECURRENCE-ID": "is not a date or date-time",
    "DURATION": "is not a duration (such as PT2H or P1D)",
    "RDATE": "is not a list of dates, date-times or periods",
    "EXDATE": "is not a list of dates or date-times",
    "SEQUENCE": "is not a whole number",
    "CATEGORIES": "is not a list of categories",
    "RRULE": "is not a recurrence rule",
}


@dataclass
class _Event:
    line: int
    uid: str
    where: str
    component: icalendar.Event
    services: list[str]
    start: date | datetime  # DTSTART
    moved: date | datetime | None  # RECURRENCE-ID
    rules: list[_Rule]


class _Raw:
    """The properties read, as the file writes them: each line and its value; parsed when first
    asked for (only a message or an RRULE needs them)."""

    def __init__(self, block: _Block) -> None:
        self._block = block
        self._found: dict[str, list[tuple[_Line, str]]] | None = None

    def _all(self) -> dict[str, list[tuple[_Line, str]]]:
        if self._found is None:
            self._found = {}
            for line in self._block.lines:
                if line.name in _READ:
                    try:
                        _, _, value = Contentline(line.text).parts()
                    except ValueError:
                        continue
                    self._found.setdefault(line.name, []).append((line, value))
        return self._found

    def get(self, name: str, default=()) -> list[tuple[_Line, str]]:
        return self._all().get(name, default)

    def value(self, name: str, k: int = 0) -> str:
        """The value of the k-th `name` line, as written."""
        found = self.get(name)
        return found[k][1] if k < len(found) else ""


def _first(value):
    return value[0] if isinstance(value, list) and value else value


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN_CHARACTERS else f"{text[:SHOWN_CHARACTERS]}..."


def _name(raw, component, k: int) -> tuple[str | None, str]:
    """The event's UID, and how a message names it: "event UID (SUMMARY)"."""
    if component is not None:
        uid, summary = component.get("UID"), component.get("SUMMARY", "")
        uid, summary = (None if uid is None else str(_first(uid))), str(_first(summary))
    else:
        uid = raw.value("UID") if raw.get("UID") else None
        summary = raw.value("SUMMARY")
    return uid, f"event {_cut(uid if uid is not None else f'event {k + 1}')} ({_cut(summary)})"


def _items(component, name: str) -> list:
    """A property's values, one for each of its lines: a single one, or an RDATE's or EXDATE's list."""
    found = component.get(name)
    return [] if found is None else found if isinstance(found, list) else [found]


def _values(component, name: str) -> list:
    """The dates, date-times and periods of an RDATE or EXDATE, over all its lines."""
    return [d.dt for item in _items(component, name) for d in item.dts]


def _in_years(value) -> bool:
    if isinstance(value, tuple):  # an RDATE period: (start, end or duration)
        return all(_in_years(v) for v in value if isinstance(v, date))
    return FIRST_YEAR <= value.year <= LAST_YEAR


def _wrapped(lines) -> str:
    return "BEGIN:VEVENT\r\n" + "".join(f"{line.text}\r\n" for line in lines) + "END:VEVENT\r\n"


def _parse(block: _Block) -> icalendar.Event:
    """The event, parsed; _Rejected with the line that is not a property."""
    try:
        event = icalendar.Event.from_ical(_wrapped(block.lines))
    except Exception:  # icalendar gave up on a line: which one
        for line in block.lines:
            try:
                icalendar.Event.from_ical(_wrapped([line]))
            except Exception:
                raise _Rejected(
                    f"cannot be read: line {line.number} ({shown(line.text)}) is not a property it reads"
                ) from None
        raise _Rejected("cannot be read as an event") from None
    if any(name is None for name, _ in event.errors):
        for line in block.lines:
            try:
                Contentline(line.text).parts()
            except ValueError:
                raise _Rejected(
                    f"has a line that is not a property (NAME:value): line {line.number}, {shown(line.text)}"
                ) from None
        raise _Rejected("has a line that is not a property (NAME:value)")
    return event


def _end(event, begins: date | datetime) -> date | datetime:
    """When the event ends: DTEND; DTSTART and DURATION (from midnight for a date and a duration
    in hours, as recurring-ical-events has it); or the end of DTSTART's day for a date."""
    if event.get("DTEND") is not None:
        return event.decoded("DTEND")
    if event.get("DURATION") is not None:
        duration = event.decoded("DURATION")
        if not isinstance(begins, datetime) and duration.seconds:
            begins = datetime.combine(begins, time())
        return begins + duration
    return begins + timedelta(days=1)


def _unreadable(name: str, raw) -> str:
    """The value of the first `name` line that does not parse on its own."""
    for line, value in raw.get(name):
        if icalendar.Event.from_ical(_wrapped([line])).errors:
            return value
    return raw.value(name)


def _examine(
    raw, event, xwr, floating, services: dict[str, str]
) -> tuple[list[str], icalendar.Event, list[_Rule]]:
    """The services the event names, the event (its times in X-WR-TIMEZONE when the calendar
    names one) and its rules, checked; or _Rejected."""
    named = sorted({services[c.lower()] for c in _categories(event) if c.lower() in services})
    broken = {name for name, _ in event.errors}
    if "CATEGORIES" not in broken and not named:
        raise _Rejected(
            f"names no service of the estate in CATEGORIES ({', '.join(_categories(event)) or 'none'})"
        )
    for name in _CHECKED:
        if name in broken:
            value = _unreadable(name, raw)
            problem = _rule_problem(value) if name == "RRULE" else None
            raise _Rejected(
                f": {name} {shown(value)} {_NOT_READABLE[name]}{f': {problem}' if problem else ''}"
            )
    for name in _ONCE:
        if isinstance(event.get(name), list):
            raise _Rejected(f"has {len(event.get(name))} {name} properties (it may have one)")
    if event.get("UID") is None:
        raise _Rejected("has no UID (each change needs its own, to be told apart when it is loaded again)")
    if event.get("DTSTART") is None:
        raise _Rejected("has no DTSTART")
    for name in (*_TIMES, *_LISTS):
        for k, item in enumerate(_items(event, name)):
            values = [d.dt for d in item.dts] if name in _LISTS else [item.dt]
            allowed = (date, tuple) if name == "RDATE" else (date,)
            if not all(isinstance(v, allowed) for v in values):
                raise _Rejected(f": {name} {shown(raw.value(name, k))} {_NOT_READABLE[name]}")
            tzid = item.params.get("TZID")
            if tzid and any(isinstance(v, datetime) and v.tzinfo is None for v in values):
                raise _Rejected(
                    f": {name} {shown(raw.value(name, k))} has TZID {shown(str(tzid))}, which is neither a time zone the "
                    "calendar defines (VTIMEZONE) nor a known one"
                )
            if not all(_in_years(v) for v in values):
                raise _Rejected(
                    f"has a time outside the years {FIRST_YEAR}-{LAST_YEAR} ({name} {raw.value(name, k)})"
                )
    if event.get("DURATION") is not None and not isinstance(event.decoded("DURATION"), timedelta):
        raise _Rejected(f": DURATION {shown(raw.value('DURATION'))} {_NOT_READABLE['DURATION']}")
    if xwr is not None:  # floating and UTC times are in the calendar's X-WR-TIMEZONE, as Google exports them
        calendar = icalendar.Calendar()
        calendar.add_component(event)
        event = x_wr_timezone.to_standard(calendar, timezone=xwr).subcomponents[0]
    begins = event.decoded("DTSTART")
    has_end, has_duration = event.get("DTEND") is not None, event.get("DURATION") is not None
    if has_end and has_duration:
        raise _Rejected("has both DTEND and DURATION (it may have one)")
    if has_duration and event.decoded("DURATION") < timedelta(0):
        raise _Rejected(
            f": DURATION {shown(raw.value('DURATION'))} is negative: it would end before it starts"
        )
    if not (has_end or has_duration) and isinstance(begins, datetime):
        raise _Rejected("has neither DTEND nor DURATION: a window needs an end")
    try:
        outside = not _in_years(_end(event, begins))
    except OverflowError:
        outside = True
    if outside:
        raise _Rejected(f"has a time outside the years {FIRST_YEAR}-{LAST_YEAR} (its end)")
    if _utc(_end(event, begins), floating) <= _utc(begins, floating):
        raise _Rejected("ends before it starts")
    rules = []
    for _, value in raw.get("RRULE") if event.get("RRULE") is not None else ():
        rule = _read_rule(value)
        if isinstance(rule, str):
            raise _Rejected(f": RRULE {shown(value)} is not a recurrence rule: {rule}")
        impossible = _no_day_matches(rule)
        if impossible:
            raise _Rejected(f": RRULE {shown(value)} can never occur: no day is {impossible}")
        until = _until_wall(rule, begins, floating)
        if until is not None and until < _wall_start(begins):
            raise _Rejected(f": its RRULE ends (UNTIL {rule.parts['UNTIL']}) before the event starts")
        rules.append(rule)
    return named, event, rules


# -- recurrence rules ---------------------------------------------------------------------------

_FREQUENCIES = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_STEP = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
}
_EVERY = {"SECONDLY": "second", "MINUTELY": "minute", "HOURLY": "hour"}
_PERIOD = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_PER_YEAR = {"YEARLY": 1, "MONTHLY": 12, "WEEKLY": 53}  # periods; the rest step by day at most
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY = re.compile(r"([+-]?)(\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
# part: (least, most, may count from the end with a minus)
_NUMBERS = {
    "BYSECOND": (0, 59, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
}
_PARTS = {"FREQ", "UNTIL", "COUNT", "INTERVAL", "BYDAY", "WKST", *_NUMBERS}
_DAY_PARTS = ("BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")
_LAST_YEAR_SHIFTED = 9998  # dateutil stops at 9999
_INSTANT = timedelta(microseconds=1)  # UNTIL allows its own instant


@dataclass
class _Rule:
    text: str
    parts: dict[str, str]  # upper-case, as written
    freq: str
    interval: int
    count: int | None
    until: date | datetime | None

    @property
    def filtered(self) -> bool:
        return any(name.startswith("BY") for name in self.parts)


def _whole(value: str, least: int, most: int, negative: bool) -> bool:
    if not re.fullmatch(r"[+-]?\d{1,9}", value):
        return False
    number = int(value)
    return least <= number <= most or (negative and -most <= number <= -least)


def _rule_problem(text: str) -> str | None:
    rule = _read_rule(text)
    return rule if isinstance(rule, str) else None


def _read_rule(text: str) -> _Rule | str:
    """The rule, checked part by part; or what is wrong with it."""
    parts: dict[str, str] = {}
    written: dict[str, str] = {}  # as written, for the messages
    for piece in text.split(";"):
        if not piece.strip():
            continue
        name, equals, value = piece.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        written[name] = piece.partition("=")[2].strip()
        if not equals:
            return f"{shown(piece)} is not a part (NAME=value)"
        if name not in _PARTS:
            return f"{shown(name)} is not a part of a recurrence rule"
        if name in parts:
            return f"{name} is given twice"
        parts[name] = value
    freq = parts.get("FREQ")
    if freq is None:
        return "it has no FREQ"
    if freq not in _FREQUENCIES:
        return f"FREQ {shown(written['FREQ'])} is not SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY"
    for name in ("INTERVAL", "COUNT"):
        if name in parts and not _whole(parts[name], 1, 10**9, False):
            return f"{name} {shown(written[name])} is not a whole number above 0"
    if "COUNT" in parts and "UNTIL" in parts:
        return "it has both COUNT and UNTIL (it may have one)"
    until = None
    if "UNTIL" in parts:
        try:
            until = vDDDTypes.from_ical(parts["UNTIL"])
        except Exception:
            until = None
        if not isinstance(until, date):
            return f"UNTIL {shown(written['UNTIL'])} is not a date or date-time"
    for name, (least, most, negative) in _NUMBERS.items():
        if name in parts and not all(_whole(v, least, most, negative) for v in parts[name].split(",")):
            end = f" (or -{most} to -{least}, counting from the end)" if negative else ""
            return f"{name} {shown(written[name])} is not a list of whole numbers from {least} to {most}{end}"
    if "BYDAY" in parts:
        for day in parts["BYDAY"].split(","):
            found = _WEEKDAY.fullmatch(day)
            if not found or (found.group(2) is not None and not 1 <= int(found.group(2)) <= 53):
                return f"BYDAY {shown(written['BYDAY'])} is not a list of weekdays (MO, SU, 1SU, -1FR, ...)"
    if "WKST" in parts and parts["WKST"] not in _WEEKDAYS:
        return f"WKST {shown(written['WKST'])} is not a weekday (MO, TU, ...)"
    if "BYSETPOS" in parts and freq in _EVERY:
        return f"BYSETPOS is not read with FREQ={freq}"
    if "BYSETPOS" in parts:  # the most occurrences one period can hold, to pick from
        most = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}[freq]
        for name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            most *= len(set(parts[name].split(","))) if name in parts else 1
        if all(abs(int(p)) > most for p in parts["BYSETPOS"].split(",")):
            return f"BYSETPOS {shown(written['BYSETPOS'])} asks for more occurrences than a {_PERIOD[freq]} holds ({most:,})"
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    return _Rule(text, parts, freq, int(parts.get("INTERVAL", "1")), count, until)


_DAY_FILTERS = ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")


def _no_day_matches(rule: _Rule) -> str | None:
    """The rule's day filters when no day in a 400-year Gregorian cycle passes them all (BYMONTH=2
    and BYMONTHDAY=30): dateutil would search on to the year 9999 for one, and the event has no
    occurrence but its DTSTART. A filter on its own always passes some day."""
    present = [name for name in _DAY_FILTERS if name in rule.parts]
    if len(present) < 2:
        return None
    parts = {name: rule.parts[name] for name in present}
    if "BYDAY" in parts:  # the weekdays alone: the 1st Monday is a Monday
        parts["BYDAY"] = ",".join(sorted({day[-2:] for day in parts["BYDAY"].split(",")}))
    days = rrulestr(
        "FREQ=YEARLY;" + ";".join(f"{n}={v}" for n, v in parts.items()), dtstart=datetime(9600, 1, 1)
    )
    if next(iter(days), None) is not None:
        return None
    return " and ".join(f"{name}={rule.parts[name]}" for name in present)


def _wall_start(start: date | datetime) -> datetime:
    """DTSTART as dateutil steps from it: a naive date-time on the event's own clock."""
    if not isinstance(start, datetime):
        return datetime.combine(start, time())
    return start.replace(tzinfo=None)


def _zone_of(start: date | datetime, floating):
    return start.tzinfo if isinstance(start, datetime) and start.tzinfo is not None else floating


def _until_wall(rule: _Rule, start: date | datetime, floating) -> datetime | None:
    """UNTIL on the event's own clock, the last instant it allows (a date allows its whole day)."""
    until = rule.until
    if until is None:
        return None
    if not isinstance(until, datetime):
        return datetime.combine(until, time.max)
    if until.tzinfo is not None:
        return until.astimezone(_zone_of(start, floating)).replace(tzinfo=None)
    return until


class _Work:
    """What expanding a file's rules has taken (dateutil's steps), against MAX_FILE_RULE_STEPS."""

    def __init__(self) -> None:
        self.steps = 0

    def take(self, steps: int) -> None:
        self.steps += steps
        self.check()

    def check(self, pending: int = 0) -> None:
        """_Rejected when the steps taken, and `pending` more, are over the file's bound."""
        if self.steps + pending > MAX_FILE_RULE_STEPS:
            raise _Rejected(
                f"is not expanded: the calendar's recurring events have taken the {MAX_FILE_RULE_STEPS:,} "
                "steps of expansion one file may take"
            )


class _Overflow(Exception):
    def __init__(self, estimate: int) -> None:
        self.estimate = estimate


def _rule_starts(
    rule: _Rule, start, floating, lo: datetime, hi: datetime, limit: int, work: _Work
) -> list[datetime]:
    """The starts (naive, on the event's own clock) of the rule's occurrences that begin in
    [lo, hi) (naive UTC), stepping lazily; _Overflow when more than `limit`."""
    zone = _zone_of(start, floating)

    def utc(wall: datetime) -> datetime:
        return wall.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)

    def wall(instant: datetime) -> datetime:
        return instant.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)

    # The window on the event's clock, with a margin for the clock's jumps (an hour at a change
    # of summer time; a day where a zone crossed the date line), less for a rule by the second.
    margin = min(timedelta(days=1), max(timedelta(hours=2), 1000 * _STEP.get(rule.freq, timedelta(days=1))))
    lo_wall, hi_wall = wall(lo) - margin, wall(hi) + margin
    until = _until_wall(rule, start, floating)
    stop = wall(hi) if until is None else min(wall(hi), until)  # for the steps a rule takes
    parts = {name: value for name, value in rule.parts.items() if name not in ("COUNT", "UNTIL")}
    begin, count = _wall_start(start), rule.count
    # Start a whole number of periods before the window, not at a DTSTART years before it: a
    # whole period before, as dateutil's first period is cut at its start (a week from DTSTART's
    # weekday on), which would change what a BYSETPOS picks in it. A rule without BY parts has
    # exactly one occurrence a period, so its COUNT is moved on with it.
    if rule.freq in _STEP and (count is None or not rule.filtered):
        period = _STEP[rule.freq] * rule.interval
        skipped = max(0, (lo_wall - period - begin) // period)
        begin += skipped * period
        if count is not None:
            count -= skipped
    elif rule.freq in ("MONTHLY", "YEARLY") and count is None and begin < lo_wall:
        if not any(name in parts for name in _DAY_PARTS):  # make dateutil's defaults from DTSTART explicit
            parts["BYMONTHDAY"] = str(begin.day)
            if rule.freq == "YEARLY" and "BYMONTH" not in parts:
                parts["BYMONTH"] = str(begin.month)
        if rule.freq == "MONTHLY":
            months = (
                ((lo_wall.year - begin.year) * 12 + lo_wall.month - begin.month)
                // rule.interval
                * rule.interval
            )
            year, month = divmod(begin.month - 1 + months, 12)
            begin = begin.replace(year=begin.year + year, month=month + 1, day=1)
        else:
            years = (lo_wall.year - begin.year) // rule.interval * rule.interval
            begin = begin.replace(year=begin.year + years, month=1, day=1)
    if count is not None and count <= 0:
        return []
    if rule.freq in _EVERY and rule.filtered:  # each period a step, occurrence or not
        periods = max(0, (stop - begin) // (_STEP[rule.freq] * rule.interval))
        if periods > MAX_RULE_STEPS:
            raise _Rejected(
                f": RRULE {shown(rule.text)} steps every {_EVERY[rule.freq]}, {periods:,} steps to the end of "
                f"the window, over the {MAX_RULE_STEPS:,} one rule may take (a rule by the day or the week "
                "takes fewer)"
            )
        work.take(periods)
    shift = 400 * ((_LAST_YEAR_SHIFTED - hi_wall.year) // 400) if hi_wall.year < _LAST_YEAR_SHIFTED else 0
    try:
        steps = rrulestr(
            ";".join(f"{name}={value}" for name, value in parts.items()),
            dtstart=begin.replace(year=begin.year + shift),
        )
    except (ValueError, TypeError) as error:
        raise _Rejected(
            f": RRULE {shown(rule.text)} cannot be expanded: {str(error).rstrip('.').lower()}"
        ) from None
    found: list[datetime] = []
    taken, walked = 0, True
    try:
        for step in steps:
            step = step.replace(year=step.year - shift)
            taken += 1
            if (
                (count is not None and taken > count)
                or (until is not None and step > until)
                or step >= hi_wall
            ):
                walked = False
                break
            if taken > MAX_RULE_STEPS:
                raise _Rejected(
                    f": RRULE {shown(rule.text)} has more than {MAX_RULE_STEPS:,} occurrences to step through "
                    "from its start to the end of the window, the most one rule may take"
                )
            work.check(taken)
            if step >= lo_wall and lo <= utc(step) < hi:
                found.append(step)
                if len(found) > limit:
                    raise _Overflow(
                        _estimate(
                            found, utc, hi if until is None else min(hi, utc(until) + _INSTANT), count, taken
                        )
                    )
    except ValueError as error:  # dateutil found the rule empty as it went
        raise _Rejected(
            f": RRULE {shown(rule.text)} cannot be expanded: {str(error).rstrip('.').lower()}"
        ) from None
    finally:
        work.steps += taken
    if walked and rule.filtered:  # no occurrence after the window: dateutil searched on to the year 9999
        work.take((9999 - hi_wall.year - shift) * _PER_YEAR.get(rule.freq, 366))
    return found


def _estimate(
    found: list[datetime], utc: Callable[[datetime], datetime], end: datetime, count, taken: int
) -> int:
    """How many occurrences the window would hold, from the first `found` at the rate they came."""
    first, last = utc(found[0]), utc(found[-1])
    more = 0
    if last > first:
        spacing = (last - first) / (len(found) - 1)
        more = max(0, math.ceil((end - last) / spacing) - 1)
    if count is not None:
        more = min(more, count - taken)
    return len(found) + more


# -- the whole file ------------------------------------------------------------------------------


def _reject(loaded: Loaded, line: int, where: str, reason: str) -> None:
    """A reason beginning with ':' follows the event's name after a colon, others after a space."""
    loaded.rejected.append((line, f"{where}{'' if reason.startswith(':') else ' '}{reason}"))


def read_change_calendar(text: str, file_name: str, estate: Estate, start: datetime, end: datetime) -> Loaded:
    """Every occurrence starting in [start, end) of every acceptable event."""
    size = _utf8_size(text) if len(text) * 4 > MAX_FILE_BYTES else len(text)
    if size > MAX_FILE_BYTES:
        raise CalendarError(
            f"{file_name}: the file is {size:,} bytes, over the {_bound(MAX_FILE_BYTES)} a change calendar "
            "may be: export it in parts"
        )
    found = _split(text.removeprefix("\ufeff"), file_name)
    xwr = _calendar(found, file_name)
    floating = ZoneInfo(estate.estate.time_zone)  # of all-day dates, and floating times without X-WR-TIMEZONE
    services = {s.id.lower(): s.id for s in estate.services} | {s.name.lower(): s.id for s in estate.services}
    lo, hi = start.astimezone(UTC).replace(tzinfo=None), end.astimezone(UTC).replace(tzinfo=None)
    loaded = Loaded()
    masters: dict[str, _Event] = {}  # UID: the event (the series' rule), the first with it
    moved: dict[str, list[_Event]] = {}  # UID: its moved instances
    moved_at: dict[tuple[str, datetime], int] = {}  # (UID, RECURRENCE-ID in UTC): line
    lost: dict[str, list] = {}  # UID: the RECURRENCE-IDs of its rejected moved instances
    rejected_uids: set[str] = set()  # of the events (not moved instances) rejected
    for k, block in enumerate(found.events):
        loaded.events += 1
        raw = _Raw(block)
        event = None
        uid, where = None, None
        try:
            if block.problem:
                raise _Rejected(block.problem)
            if block.oversized:
                raise _Rejected(
                    f"has a {block.oversized.name or 'property'} of {block.oversized.size:,} bytes (line "
                    f"{block.oversized.number}), over the {_bound(MAX_FIELD_BYTES)} one property may be"
                )
            event = _parse(block)
            uid, where = _name(raw, event, k)
            named, component, rules = _examine(raw, event, xwr, floating, services)
            recurrence = component.get("RECURRENCE-ID")
            checked = _Event(
                block.line, uid, where, component, named, component.decoded("DTSTART"),
                None if recurrence is None else recurrence.dt, rules,
            )  # fmt: skip
            if checked.moved is None and uid in masters:
                raise _Rejected(f"has the same UID as the event on line {masters[uid].line}")
            if checked.moved is not None:
                key = (uid, _utc(checked.moved, floating))
                if key in moved_at:
                    raise _Rejected(
                        f"moves the same occurrence (RECURRENCE-ID {raw.value('RECURRENCE-ID')}) as the event on line {moved_at[key]}"
                    )
                moved_at[key] = block.line
        except _Rejected as rejection:
            if where is None:
                uid, where = _name(raw, None, k)
            _reject(loaded, block.line, where, str(rejection))
            if uid is not None:
                loaded.kept_uids.add(uid)  # a rejected event is not read as its windows' removal
            recurrence = None if event is None or uid is None else event.get("RECURRENCE-ID")
            if event is not None and uid is not None and recurrence is None:
                rejected_uids.add(uid)
            elif (
                isinstance(recurrence, vDDDTypes)
                and isinstance(recurrence.dt, date)
                and _in_years(recurrence.dt)
            ):
                at = recurrence.dt
                if xwr is not None and isinstance(at, datetime) and at.tzinfo is None:
                    at = at.replace(tzinfo=xwr)  # as the series' own times are
                lost.setdefault(uid, []).append(at)  # not loaded in the series either
            continue
        if checked.moved is None:
            masters[uid] = checked
        else:
            moved.setdefault(uid, []).append(checked)
    for uid in lost:  # an occurrence another moved instance moves is not lost
        lost[uid] = [at for at in lost[uid] if (uid, _utc(at, floating)) not in moved_at]
    # Each event with its moved instances, in the file's order; moved instances whose event is
    # not in the file stand alone, and those of a rejected event go with it.
    series = [(e, moved.get(uid, [])) for uid, e in masters.items()]
    series += [(None, m) for uid, m in moved.items() if uid not in masters and uid not in rejected_uids]
    series.sort(key=lambda s: (s[0] or s[1][0]).line)
    work = _Work()
    accepted: set[str] = set()
    for master, instances in series:
        head = master or instances[0]
        try:
            loaded.windows.extend(
                _expand(master, instances, lost.get(head.uid, []), floating, lo, hi, loaded, work)
            )
        except _Rejected as rejection:
            _reject(loaded, head.line, head.where, str(rejection))
            loaded.kept_uids.add(head.uid)
            continue
        # what an accepted event names, the feed speaks for: those services' windows are replaced
        for event in ([master] if master is not None else []) + instances:
            loaded.services.update(event.services)
        accepted.add(head.uid)
    loaded.kept_uids -= accepted  # a UID loaded now is replaced whole, whatever else carried it
    loaded.rejected.sort(key=lambda r: r[0])
    loaded.windows.sort(key=lambda w: (w.start_utc, w.service_id, w.reference))
    return loaded


def _expand(
    master: _Event | None, instances: list[_Event], lost: list, floating, lo, hi, loaded: Loaded, work: _Work
) -> list[Window]:
    """The windows of one event and its moved instances, or _Rejected."""
    room = MAX_WINDOWS - len(loaded.windows)
    if master is not None and not (
        master.rules or instances or lost or "RDATE" in master.component or "EXDATE" in master.component
    ):
        # a one-off event: its one occurrence, without the library
        begins = _utc(master.start, floating)
        ends = _utc(_end(master.component, master.start), floating)
        if not lo <= begins < hi:
            return []
        if len(master.services) > room:
            raise _Rejected(_too_many(len(loaded.windows)))
        summary = str(_first(master.component.get("SUMMARY", "")))
        return [
            Window(s, begins, ends, f"{master.uid}@{begins:%Y%m%dT%H%M%SZ}", summary) for s in master.services
        ]
    calendar = icalendar.Calendar()
    if master is not None:
        component = master.component
        exdates = len(_values(component, "EXDATE")) + len(lost)
        limit = min(MAX_OCCURRENCES_PER_EVENT, room // len(master.services)) + exdates
        listed = sum(1 for at in _values(component, "RDATE") if lo <= _utc(_first_of(at), floating) < hi)
        if listed > MAX_OCCURRENCES_PER_EVENT + exdates:  # before the library makes each one a component
            raise _Rejected(_too_often(listed - exdates, estimated=True))
        starts: list[datetime] = []
        for rule in master.rules:
            try:
                starts += _rule_starts(rule, master.start, floating, lo, hi, limit, work)
            except _Overflow as overflow:
                if overflow.estimate > MAX_OCCURRENCES_PER_EVENT + exdates:
                    raise _Rejected(_too_often(overflow.estimate, estimated=True)) from None
                raise _Rejected(_too_many(len(loaded.windows))) from None
        if master.rules or lost:  # the rule's occurrences in the window, as RDATEs
            component = component.copy()
            component.pop("RRULE", None)
            if starts:
                all_day = not isinstance(master.start, datetime)
                zone = None if all_day else master.start.tzinfo
                component.add(
                    "RDATE", [s.date() if all_day else s.replace(tzinfo=zone) for s in sorted(set(starts))]
                )
            if lost:
                component.add("EXDATE", lost)
        calendar.add_component(component)
    for instance in instances:
        calendar.add_component(instance.component)
    try:
        occurrences = recurring_ical_events.of(calendar).between(
            lo.replace(tzinfo=UTC) - timedelta(days=2), hi.replace(tzinfo=UTC) + timedelta(days=2)
        )
    except Exception:  # the library on one event's data: only that event is lost
        raise _Rejected("cannot be expanded into occurrences") from None
    head = master or instances[0]
    windows, count = [], 0
    for occurrence in occurrences:
        begins = _utc(occurrence.decoded("DTSTART"), floating)
        ends = _utc(occurrence.decoded("DTEND"), floating) if occurrence.get("DTEND") is not None else begins
        if not (lo <= begins < hi) or ends <= begins:
            continue
        count += 1
        summary = str(_first(occurrence.get("SUMMARY", "")))
        for service_id in _services_of(occurrence, head, instances):
            windows.append(Window(service_id, begins, ends, f"{head.uid}@{begins:%Y%m%dT%H%M%SZ}", summary))
    if count > MAX_OCCURRENCES_PER_EVENT:
        raise _Rejected(_too_often(count, estimated=False))
    if len(windows) > room:
        raise _Rejected(_too_many(len(loaded.windows)))
    return windows


def _first_of(value):
    """The start of an RDATE: a date, a date-time, or a period's start."""
    return value[0] if isinstance(value, tuple) else value


def _services_of(occurrence, head: _Event, instances: list[_Event]) -> list[str]:
    """The services of an occurrence: those of its moved instance, else the event's."""
    if instances and occurrence.get("RECURRENCE-ID") is not None:
        at = occurrence.decoded("RECURRENCE-ID")
        for instance in instances:
            if instance.moved == at:
                return instance.services
    return head.services


def _too_often(count: int, estimated: bool) -> str:
    return (
        f"recurs {'about ' if estimated else ''}{count:,} times in the window, over the ceiling of "
        f"{MAX_OCCURRENCES_PER_EVENT:,} occurrences for one event; none of it is loaded"
    )


def _too_many(held: int) -> str:
    return (
        f"is not loaded: its windows would take the file past {MAX_WINDOWS:,}, the most one file may load "
        f"({held:,} loaded before it)"
    )


def _frame(loaded: Loaded) -> pl.DataFrame:
    return pl.DataFrame(
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


def write_windows(loaded: Loaded, warehouse, start: datetime, end: datetime) -> Replacement:
    """Replace what the change calendar said about windows starting in [start, end), for the
    services the feed's accepted events name, and only those: a feed without a word about a
    service says nothing about its windows, an event rejected this time keeps what it loaded
    before, and an empty feed replaces nothing (it would otherwise delete 13 months of
    maintenance windows and change past months' service levels)."""
    if not loaded.services:
        return Replacement()
    return warehouse.replace_maintenance_windows(
        SOURCE, start, end, _frame(loaded), sorted(loaded.services), sorted(loaded.kept_uids)
    )


@dataclass(frozen=True)
class IssuedMonthChange:
    """A window the load would add, remove or move in a month a council's report was issued for."""

    service_id: str
    month: str  # YYYY-MM, local
    councils: tuple[str, ...]  # whose issued report of that month the change contradicts
    reference: str
    change: str  # added, removed, changed


def changes_in_issued_months(
    loaded: Loaded, warehouse, estate: Estate, start: datetime, end: datetime
) -> list[IssuedMonthChange]:
    """What the load would change in months whose SLA report has been issued to a council that
    buys the service: an issued report is never contradicted silently (the load needs --force,
    and the report a revision)."""
    issued = warehouse.issued_sla_months()
    if not loaded.services or not issued:
        return []
    tz = ZoneInfo(estate.estate.time_zone)
    held = warehouse.held_maintenance_windows(
        SOURCE, start, end, sorted(loaded.services), sorted(loaded.kept_uids)
    )
    old = {(r["service_id"], r["reference"]): r for r in held.iter_rows(named=True)}
    new = {(r["service_id"], r["reference"]): r for r in _frame(loaded).iter_rows(named=True)}
    buyers = {s.id: s.councils for s in estate.services}

    def month_of(moment: datetime) -> str:
        return f"{moment.replace(tzinfo=UTC).astimezone(tz):%Y-%m}"

    found: list[IssuedMonthChange] = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before is not None and after is not None:
            if (before["start_utc"], before["end_utc"], before["summary"]) == (
                after["start_utc"],
                after["end_utc"],
                after["summary"],
            ):
                continue
            change, months = "changed", {month_of(before["start_utc"]), month_of(after["start_utc"])}
        elif before is not None:
            change, months = "removed", {month_of(before["start_utc"])}
        else:
            change, months = "added", {month_of(after["start_utc"])}
        service_id, reference = key
        for month in sorted(months):
            councils = tuple(c for c in buyers.get(service_id, ()) if (c, month) in issued)
            if councils:
                found.append(IssuedMonthChange(service_id, month, councils, reference, change))
    return found


HISTORY_DAYS = 396  # 13 months back: the history every answer can reach
AHEAD_DAYS = 92  # 3 months ahead: windows already booked


def default_window(now: datetime) -> tuple[datetime, datetime]:
    """The window a calendar load covers unless told: 13 months back to 3 months ahead."""
    return now - timedelta(days=HISTORY_DAYS), now + timedelta(days=AHEAD_DAYS)
