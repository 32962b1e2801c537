"""Recurrence rules: an RRULE read and checked part by part (`_read_rule`), one no day can match
found (`_no_day_matches`), and its occurrences in a window made lazily (`_rule_starts`): from a
whole number of periods before the window, translated by 400-year cycles, stopping at the
window's end, the event's ceiling (_Overflow, with an estimate of how many there would be) or
MAX_RULE_STEPS, with the file's steps counted against MAX_FILE_RULE_STEPS (_Work)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import rrulestr  # icalendar's and recurring-ical-events' own dependency
from icalendar.prop import vDDDTypes

from collectors.files.change_calendar.bounds import MAX_FILE_RULE_STEPS, MAX_RULE_STEPS
from collectors.files.change_calendar.problems import _Rejected, shown

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
