"""The reader's constants in one place: the source its windows are written as, and the bounds
on what one file can make it do, each with why it is what it is; how a size is measured against
them (UTF-8 bytes) and said in a message."""

from __future__ import annotations

from collectors.files.sizes import KiB, MiB

SOURCE = "change-calendar"  # the source its windows are written as, in the warehouse

# The bounds on what one file can make the reader do: the first four are the defaults of the
# estate's [limits] (file_max_bytes, field_max_bytes, calendar_occurrences_per_event,
# calendar_windows_per_file), the step bounds are fixed. Without them, one line of a calendar
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
