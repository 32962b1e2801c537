"""Reading a change calendar (`read_change_calendar`): the size bound, the file split
(lines.py) and its own properties and time zones read (`_calendar`), each event checked on its
own (values.py), UIDs and moved instances matched, and each event with its moved instances
expanded into windows within the bounds (`_expand`: recurrence.py's occurrences, then
recurring-ical-events for RDATEs, EXDATEs and moved instances)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from icalendar.parser import Contentline
from icalendar.prop import vDDDTypes

from collectors.files.change_calendar.bounds import (
    MAX_FIELD_BYTES,
    MAX_FILE_BYTES,
    MAX_OCCURRENCES_PER_EVENT,
    MAX_WINDOWS,
)
from collectors.files.change_calendar.lines import _File, _Line, _split
from collectors.files.change_calendar.model import Loaded, Window
from collectors.files.change_calendar.problems import CalendarError, _Rejected, shown
from collectors.files.change_calendar.recurrence import _Overflow, _Rule, _rule_starts, _Work
from collectors.files.change_calendar.values import (
    _end,
    _examine,
    _first,
    _in_years,
    _name,
    _parse,
    _Raw,
    _utc,
    _values,
)
from collectors.files.sizes import bound, utf8_size
from estate.model import Estate


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


@dataclass
class _Event:
    """An event as values.py checked it: what its windows are made from."""

    line: int
    uid: str
    where: str
    component: icalendar.Event
    services: list[str]
    start: date | datetime  # DTSTART
    moved: date | datetime | None  # RECURRENCE-ID
    rules: list[_Rule]


def _reject(loaded: Loaded, line: int, where: str, reason: str) -> None:
    """A reason beginning with ':' follows the event's name after a colon, others after a space."""
    loaded.rejected.append((line, f"{where}{'' if reason.startswith(':') else ' '}{reason}"))


@dataclass(frozen=True)
class _Caps:
    """The bounds of one read: the estate's `[limits]`, else the defaults in bounds.py."""

    file_bytes: int = MAX_FILE_BYTES
    field_bytes: int = MAX_FIELD_BYTES
    per_event: int = MAX_OCCURRENCES_PER_EVENT
    per_file: int = MAX_WINDOWS


def read_change_calendar(text: str, file_name: str, estate: Estate, start: datetime, end: datetime) -> Loaded:
    """Every occurrence starting in [start, end) of every acceptable event."""
    limits = estate.limits
    caps = _Caps(
        limits.file_max_bytes,
        limits.field_max_bytes,
        limits.calendar_occurrences_per_event,
        limits.calendar_windows_per_file,
    )
    size = utf8_size(text) if len(text) * 4 > caps.file_bytes else len(text)
    if size > caps.file_bytes:
        raise CalendarError(
            f"{file_name}: the file is {size:,} bytes, over the {bound(caps.file_bytes, with_bytes=True)} a change calendar "
            "may be: export it in parts"
        )
    found = _split(text.removeprefix("\ufeff"), file_name, caps.field_bytes)
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
                    f"{block.oversized.number}), over the {bound(caps.field_bytes, with_bytes=True)} one property may be"
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
                _expand(master, instances, lost.get(head.uid, []), floating, lo, hi, loaded, work, caps)
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
    master: _Event | None,
    instances: list[_Event],
    lost: list,
    floating,
    lo,
    hi,
    loaded: Loaded,
    work: _Work,
    caps: _Caps = _Caps(),
) -> list[Window]:
    """The windows of one event and its moved instances, or _Rejected."""
    room = caps.per_file - len(loaded.windows)
    if master is not None and not (
        master.rules or instances or lost or "RDATE" in master.component or "EXDATE" in master.component
    ):
        # a one-off event: its one occurrence, without the library
        begins = _utc(master.start, floating)
        ends = _utc(_end(master.component, master.start), floating)
        if not lo <= begins < hi:
            return []
        if len(master.services) > room:
            raise _Rejected(_too_many(caps, len(loaded.windows)))
        summary = str(_first(master.component.get("SUMMARY", "")))
        return [
            Window(s, begins, ends, f"{master.uid}@{begins:%Y%m%dT%H%M%SZ}", summary) for s in master.services
        ]
    calendar = icalendar.Calendar()
    if master is not None:
        component = master.component
        exdates = len(_values(component, "EXDATE")) + len(lost)
        limit = min(caps.per_event, room // len(master.services)) + exdates
        listed = sum(1 for at in _values(component, "RDATE") if lo <= _utc(_first_of(at), floating) < hi)
        if listed > caps.per_event + exdates:  # before the library makes each one a component
            raise _Rejected(_too_often(caps, listed - exdates, estimated=True))
        starts: list[datetime] = []
        for rule in master.rules:
            try:
                starts += _rule_starts(rule, master.start, floating, lo, hi, limit, work)
            except _Overflow as overflow:
                if overflow.estimate > caps.per_event + exdates:
                    raise _Rejected(_too_often(caps, overflow.estimate, estimated=True)) from None
                raise _Rejected(_too_many(caps, len(loaded.windows))) from None
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
    if count > caps.per_event:
        raise _Rejected(_too_often(caps, count, estimated=False))
    if len(windows) > room:
        raise _Rejected(_too_many(caps, len(loaded.windows)))
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


def _too_often(caps: _Caps, count: int, estimated: bool) -> str:
    return (
        f"recurs {'about ' if estimated else ''}{count:,} times in the window, over the ceiling of "
        f"{caps.per_event:,} occurrences for one event; none of it is loaded"
    )


def _too_many(caps: _Caps, held: int) -> str:
    return (
        f"is not loaded: its windows would take the file past {caps.per_file:,}, the most one file may load "
        f"({held:,} loaded before it)"
    )
