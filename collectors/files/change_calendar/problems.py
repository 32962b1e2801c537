"""The two ways the reader says no: the file refused whole (CalendarError) or one event
rejected (_Rejected, caught by the reader and recorded with the event's line); and how a
message quotes a value (`shown`)."""

from __future__ import annotations

from collectors.files.sizes import SHOWN_CHARACTERS, shown  # noqa: F401 - re-exported for the calendar's modules


class CalendarError(ValueError):
    """The file is not an iCalendar file at all, or cannot be read whole."""


class _Rejected(Exception):
    """An event is rejected: the reason, to follow the event's name."""
