"""One event's values, checked: the event parsed (which line is not a property), its UID and
how a message names it, and `_examine`: the services its CATEGORIES name, DTSTART, DTEND,
DURATION, RDATE, EXDATE, RECURRENCE-ID and SEQUENCE (readable, once where once is allowed, a
TZID that names a zone, in the years 1970-2100, an end after the start) and its RRULEs read
(recurrence.py); _Rejected with what is wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import icalendar
import x_wr_timezone  # recurring-ical-events' own dependency, for calendars with X-WR-TIMEZONE
from icalendar.parser import Contentline

from collectors.files.change_calendar.bounds import FIRST_YEAR, LAST_YEAR
from collectors.files.change_calendar.lines import _Block, _Line
from collectors.files.change_calendar.problems import SHOWN_CHARACTERS, _Rejected, shown
from collectors.files.change_calendar.recurrence import (
    _no_day_matches,
    _read_rule,
    _Rule,
    _rule_problem,
    _until_wall,
    _wall_start,
)


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
