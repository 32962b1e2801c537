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

The work is bounded (bounds.py says why each is what it is):

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

The package, one idea a module: `lines` (the text split into content lines and events, each
with its line, a property over MAX_FIELD_BYTES marked), `values` (one event's properties
checked), `recurrence` (an RRULE read and its occurrences made lazily), `read` (a file read
into windows: the calendar's own properties, each event, each series expanded), `write` (the
windows written; what a load would change in months already reported; the default window),
`model` (Window, Loaded), `problems` (CalendarError, an event's rejection, how a message quotes
a value), `bounds` (SOURCE and the bounds, each with why it is what it is).
"""

# Re-exported to be read: a bound is read where it is used, so a test that changes one patches
# that module (read.MAX_WINDOWS, recurrence.MAX_RULE_STEPS), not this package.
from collectors.files.change_calendar.bounds import (
    MAX_FIELD_BYTES,
    MAX_FILE_BYTES,
    MAX_FILE_RULE_STEPS,
    MAX_OCCURRENCES_PER_EVENT,
    MAX_RULE_STEPS,
    MAX_WINDOWS,
    SOURCE,
)
from collectors.files.change_calendar.model import Loaded, Window
from collectors.files.change_calendar.problems import CalendarError
from collectors.files.change_calendar.read import read_change_calendar
from collectors.files.change_calendar.write import (
    AHEAD_DAYS,
    HISTORY_DAYS,
    IssuedMonthChange,
    changes_in_issued_months,
    default_window,
    write_windows,
)

__all__ = [
    "AHEAD_DAYS",
    "HISTORY_DAYS",
    "MAX_FIELD_BYTES",
    "MAX_FILE_BYTES",
    "MAX_FILE_RULE_STEPS",
    "MAX_OCCURRENCES_PER_EVENT",
    "MAX_RULE_STEPS",
    "MAX_WINDOWS",
    "SOURCE",
    "CalendarError",
    "IssuedMonthChange",
    "Loaded",
    "Window",
    "changes_in_issued_months",
    "default_window",
    "read_change_calendar",
    "write_windows",
]
