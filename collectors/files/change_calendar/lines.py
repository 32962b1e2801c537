"""The file, line by line: the text split into content lines (unfolded, each with the line it
begins on, its size counted against MAX_FIELD_BYTES without holding more than that), and those
into the calendar's own properties, its time zones and its events (VEVENT blocks). A broken
structure inside an event marks that event; outside any event it refuses the file
(CalendarError), with its line. Nothing is parsed here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from collectors.files.change_calendar.bounds import MAX_FIELD_BYTES
from collectors.files.change_calendar.problems import CalendarError, shown
from collectors.files.sizes import bound, utf8_size

_NAME = re.compile(r"[A-Za-z0-9-]+")


@dataclass
class _Line:
    number: int  # the line of the file it begins on
    text: str  # unfolded; only its first MAX_FIELD_BYTES characters when longer
    size: int  # bytes (UTF-8), unfolded
    limit: int = MAX_FIELD_BYTES  # the most one property may be (the estate's limits.field_max_bytes)

    @property
    def oversized(self) -> bool:
        return self.size > self.limit

    @property
    def name(self) -> str:
        found = _NAME.match(self.text)
        return found.group(0).upper() if found else ""

    def component(self) -> str:
        """For BEGIN:X and END:X, X."""
        return self.text.partition(":")[2].strip().upper()


def _content_lines(text: str, limit: int = MAX_FIELD_BYTES):
    """The content lines of the file, unfolded (RFC 5545 3.1: a line beginning with a space or a
    tab continues the one before), each with the line it begins on. Blank lines are skipped."""
    start, parts, characters, size = 0, [], 0, 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw.endswith("\r"):
            raw = raw[:-1]
        if raw[:1] in (" ", "\t") and parts:
            piece = raw[1:]
            size += utf8_size(piece)
            if characters <= limit:  # beyond it, only counted
                parts.append(piece)
                characters += len(piece)
        elif raw:
            if parts:
                yield _Line(start, "".join(parts), size, limit)
            start, parts, characters, size = number, [raw], len(raw), utf8_size(raw)
    if parts:
        yield _Line(start, "".join(parts), size, limit)


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


def _split(text: str, file_name: str, max_field_bytes: int = MAX_FIELD_BYTES) -> _File:
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
    for line in _content_lines(text, max_field_bytes):
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
                f"a property of {line.size:,} bytes outside any event, over the {bound(line.limit, with_bytes=True)} "
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
