"""The two ways the reader says no: the file refused whole (CalendarError) or one event
rejected (_Rejected, caught by the reader and recorded with the event's line); and how a
message quotes a value (`shown`)."""

from __future__ import annotations

SHOWN_CHARACTERS = 60  # of a value quoted in a message


class CalendarError(ValueError):
    """The file is not an iCalendar file at all, or cannot be read whole."""


def shown(value: str) -> str:
    """A value as a message quotes it: in quotes, and cut short when long."""
    if len(value) <= SHOWN_CHARACTERS:
        return repr(value)
    return f"{value[:SHOWN_CHARACTERS]!r}... ({len(value):,} characters)"


class _Rejected(Exception):
    """An event is rejected: the reason, to follow the event's name."""
