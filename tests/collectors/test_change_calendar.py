"""The change calendar (iCalendar): one-off, recurring, all-day and floating events; each bad
event rejected with its line; loaded windows reduce scheduled time in the service levels."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from application.service_levels import month_report
from collectors.files import change_calendar
from collectors.files.change_calendar import (
    MAX_FIELD_BYTES,
    MAX_FILE_BYTES,
    CalendarError,
    default_window,
    read_change_calendar,
    write_windows,
)
from estate import load_estate
from estate.model import Limits
from estate.scope import PROVIDER
from tests.conftest import DEMO_NOW, SMALL_ESTATE
from warehouse import Replacement, Warehouse

FEED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Council IT//Change Calendar//EN
BEGIN:VEVENT
UID:chg-1001
SUMMARY:Council Tax database patching
CATEGORIES:council-tax
DTSTART;TZID=Europe/London:20261014T200000
DTEND;TZID=Europe/London:20261014T220000
END:VEVENT
BEGIN:VEVENT
UID:chg-1002
SUMMARY:Weekly email maintenance
CATEGORIES:Email
DTSTART;TZID=Europe/London:20261004T030000
DTEND;TZID=Europe/London:20261004T040000
RRULE:FREQ=WEEKLY;BYDAY=SU;COUNT=5
EXDATE;TZID=Europe/London:20261018T030000
END:VEVENT
BEGIN:VEVENT
UID:chg-1003
SUMMARY:Data centre power test
CATEGORIES:council-tax,email
DTSTART;VALUE=DATE:20261107
DTEND;VALUE=DATE:20261108
END:VEVENT
BEGIN:VEVENT
UID:chg-1004
SUMMARY:Printer firmware
CATEGORIES:printing
DTSTART:20261020T100000
DTEND:20261020T110000
END:VEVENT
BEGIN:VEVENT
UID:chg-1005
SUMMARY:Backwards
CATEGORIES:email
DTSTART:20261021T100000
DTEND:20261021T090000
END:VEVENT
BEGIN:VEVENT
UID:chg-1006
SUMMARY:Floating time
CATEGORIES:Fylde Intranet
DTSTART:20261022T100000
DTEND:20261022T103000
END:VEVENT
END:VCALENDAR
"""
FROM, UNTIL = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def estate():
    return load_estate(SMALL_ESTATE)


def test_every_kind_of_event_becomes_windows_in_utc(estate):
    loaded = read_change_calendar(FEED, "changes.ics", estate, FROM, UNTIL)
    got = [
        (w.service_id, w.start_utc.isoformat(), w.end_utc.isoformat(), w.reference.split("@")[0])
        for w in loaded.windows
    ]
    assert got == [
        # Sundays 4, 11, 25 October and 1 November (18 October excluded): 03:00 BST = 02:00 UTC,
        # and 03:00 GMT = 03:00 UTC after the clocks go back on the 25th.
        ("email", "2026-10-04T02:00:00", "2026-10-04T03:00:00", "chg-1002"),
        ("email", "2026-10-11T02:00:00", "2026-10-11T03:00:00", "chg-1002"),
        ("council-tax", "2026-10-14T19:00:00", "2026-10-14T21:00:00", "chg-1001"),
        ("fylde-intranet", "2026-10-22T09:00:00", "2026-10-22T09:30:00", "chg-1006"),  # floating: London time
        ("email", "2026-10-25T03:00:00", "2026-10-25T04:00:00", "chg-1002"),
        ("email", "2026-11-01T03:00:00", "2026-11-01T04:00:00", "chg-1002"),
        # all day on 7 November (GMT): midnight to midnight, for both services named
        ("council-tax", "2026-11-07T00:00:00", "2026-11-08T00:00:00", "chg-1003"),
        ("email", "2026-11-07T00:00:00", "2026-11-08T00:00:00", "chg-1003"),
    ]
    assert loaded.events == 6
    assert loaded.rejected == [
        (27, "event chg-1004 (Printer firmware) names no service of the estate in CATEGORIES (printing)"),
        (34, "event chg-1005 (Backwards) ends before it starts"),
    ]


def test_a_file_that_is_not_a_calendar_is_refused(estate):
    with pytest.raises(CalendarError, match="^changes.ics: not an iCalendar file"):
        read_change_calendar("this is not a calendar", "changes.ics", estate, FROM, UNTIL)


def test_loading_twice_is_the_same_as_once(estate, warehouse):
    loaded = read_change_calendar(FEED, "changes.ics", estate, FROM, UNTIL)
    assert write_windows(loaded, warehouse, FROM, UNTIL) == Replacement(added=8)
    assert write_windows(loaded, warehouse, FROM, UNTIL) == Replacement(unchanged=8)  # it says so
    assert warehouse.row_counts()["maintenance_windows"] == 8


def test_a_loaded_window_is_maintenance_in_the_service_levels(demo_build, tmp_path):
    """Two hours of change-calendar maintenance in Email's October (24x7 with a 4-hour first-
    Sunday window) take exactly two hours off its scheduled time."""
    paths, _ = demo_build
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(paths.warehouse, copy)
    estate = load_estate(paths.estate)
    feed = FEED.replace("CATEGORIES:council-tax\n", "CATEGORIES:email\n", 1)  # chg-1001 now on email
    loaded = read_change_calendar(feed, "changes.ics", estate, FROM, datetime(2026, 10, 15, tzinfo=UTC))
    with Warehouse.open(copy) as warehouse:
        before = {
            r.council_id: r.measure.scheduled_seconds
            for r in month_report(estate, warehouse, "2026-10", scope=PROVIDER, now=DEMO_NOW).rows
            if r.service_id == "email"
        }
        write_windows(loaded, warehouse, FROM, datetime(2026, 10, 15, tzinfo=UTC))
        after = month_report(estate, warehouse, "2026-10", scope=PROVIDER, now=DEMO_NOW)
    for row in (r for r in after.rows if r.service_id == "email"):
        # 14 Oct 20:00-22:00 and the Sundays 4 and 11 Oct 03:00-04:00 BST; the contract's own
        # window (first Sunday 02:00-06:00) already covers 4 Oct 03:00-04:00, so 2 + 1 hours.
        assert before[row.council_id] - row.measure.scheduled_seconds == 3 * 3600


def test_the_load_changes_command(tmp_path):
    from tests.test_cli import run

    feed = tmp_path / "changes.ics"
    feed.write_text(FEED, encoding="utf-8")
    env = {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(tmp_path / "w.duckdb")}
    Warehouse.open(tmp_path / "w.duckdb", create=True).close()
    result = run(
        "load",
        "changes",
        str(feed),
        "--from",
        "2026-10-01T00:00:00Z",
        "--until",
        "2026-12-01T00:00:00Z",
        env=env,
    )
    assert result.returncode == 1  # two events rejected
    assert (
        f"{feed}: 6 events, 8 maintenance windows loaded (2026-10-01 to 2026-12-01) for council-tax, "
        "email, fylde-intranet: 8 added, 0 changed, 0 unchanged, 0 removed, 2 events rejected"
        in result.stdout
    )
    assert f"{feed}:27: rejected: event chg-1004 (Printer firmware)" in result.stderr
    backwards = run(
        "load",
        "changes",
        str(feed),
        "--from",
        "2026-12-01T00:00:00Z",
        "--until",
        "2026-11-01T00:00:00Z",
        env=env,
    )
    assert (
        backwards.returncode == 2
        and "the window ends (2026-11-01 00:00 UTC) before it starts" in backwards.stderr
    )


def windows_held(warehouse) -> list[tuple]:
    return warehouse.query("SELECT service_id, reference FROM maintenance_windows ORDER BY ALL").rows()


def test_an_empty_feed_replaces_nothing(estate, warehouse):
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    write_windows(read_change_calendar(FEED, "feed.ics", estate, start, end), warehouse, start, end)
    before = windows_held(warehouse)
    assert len(before) == 8
    empty = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nEND:VCALENDAR\n"
    loaded = read_change_calendar(empty, "empty.ics", estate, start, end)
    assert write_windows(loaded, warehouse, start, end) == Replacement()
    assert windows_held(warehouse) == before  # 13 months of windows are not wiped by an empty export


def test_a_feed_replaces_only_the_services_it_names(estate, warehouse):
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    write_windows(read_change_calendar(FEED, "feed.ics", estate, start, end), warehouse, start, end)
    others = [w for w in windows_held(warehouse) if w[0] != "email"]
    # a feed about Email alone: one event, on Email; the other services' windows stay
    only_email = "\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//test//EN",
            "BEGIN:VEVENT",
            "UID:chg-2001",
            "SUMMARY:Mail patching",
            "DTSTART:20261105T200000Z",
            "DTEND:20261105T210000Z",
            "CATEGORIES:email",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    write_windows(read_change_calendar(only_email, "email.ics", estate, start, end), warehouse, start, end)
    held = windows_held(warehouse)
    assert [w for w in held if w[0] != "email"] == others
    assert [w for w in held if w[0] == "email"] == [("email", "chg-2001@20261105T200000Z")]  # UID@start


# -- each bad event rejected on its own, with its line; the work bounded ----------------------------
#
# The calendars below put a bad event (line 11) between two good ones, which must load the same
# whatever the bad one says: chg-good-1 on Council Tax, 14 October 20:00-22:00 London time (BST:
# 19:00-21:00 UTC), and chg-good-2 on Email, Sundays 4, 11 and 18 October 03:00-04:00 BST (02:00-
# 03:00 UTC), a weekly rule.

GOOD_1 = [
    "BEGIN:VEVENT",
    "UID:chg-good-1",
    "SUMMARY:Patching",
    "CATEGORIES:council-tax",
    "DTSTART;TZID=Europe/London:20261014T200000",
    "DTEND;TZID=Europe/London:20261014T220000",
    "END:VEVENT",
]
GOOD_2 = [
    "BEGIN:VEVENT",
    "UID:chg-good-2",
    "SUMMARY:Mail",
    "CATEGORIES:email",
    "DTSTART;TZID=Europe/London:20261004T030000",
    "DTEND;TZID=Europe/London:20261004T040000",
    "RRULE:FREQ=WEEKLY;BYDAY=SU;COUNT=3",
    "END:VEVENT",
]
GOOD_WINDOWS = [
    ("email", "2026-10-04T02:00:00", "2026-10-04T03:00:00", "chg-good-2@20261004T020000Z"),
    ("email", "2026-10-11T02:00:00", "2026-10-11T03:00:00", "chg-good-2@20261011T020000Z"),
    ("council-tax", "2026-10-14T19:00:00", "2026-10-14T21:00:00", "chg-good-1@20261014T190000Z"),
    ("email", "2026-10-18T02:00:00", "2026-10-18T03:00:00", "chg-good-2@20261018T020000Z"),
]
BAD_LINE = 11  # the bad event's BEGIN:VEVENT, after the header (3 lines) and GOOD_1 (7)


def calendar(*events: list[str]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for event in events:
        lines += event
    return "\n".join([*lines, "END:VCALENDAR", ""])


def bad_event(*lines: str, uid: str = "chg-bad", summary: str = "Bad change") -> list[str]:
    return ["BEGIN:VEVENT", f"UID:{uid}", f"SUMMARY:{summary}", "CATEGORIES:email", *lines, "END:VEVENT"]


def windows(loaded) -> list[tuple[str, str, str, str]]:
    return [
        (w.service_id, w.start_utc.isoformat(), w.end_utc.isoformat(), w.reference) for w in loaded.windows
    ]


def with_bad(*lines: str, **names) -> str:
    return calendar(GOOD_1, bad_event(*lines, **names), GOOD_2)


def test_an_event_without_dtstart_is_rejected_and_the_rest_load(estate):
    """It crashed the whole calendar: the library expanding the calendar met it (KeyError)."""
    loaded = read_change_calendar(
        with_bad("DTEND:20261020T110000Z", "RRULE:FREQ=DAILY;COUNT=3"), "changes.ics", estate, FROM, UNTIL
    )
    assert loaded.rejected == [(BAD_LINE, "event chg-bad (Bad change) has no DTSTART")]
    assert windows(loaded) == GOOD_WINDOWS
    assert loaded.events == 3


S, E = "DTSTART:20261020T100000Z", "DTEND:20261020T110000Z"  # the bad event's times, when good
DAILY = "RRULE:FREQ=DAILY;COUNT=3"


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (("DTSTART:notadate", E), ": DTSTART 'notadate' is not a date or date-time"),
        (("DTSTART:20260230T100000", E), ": DTSTART '20260230T100000' is not a date or date-time"),
        ((S, "DTEND:garbage"), ": DTEND 'garbage' is not a date or date-time"),
        ((S, "DTEND:PT1H"), ": DTEND 'PT1H' is not a date or date-time"),
        ((S, "DURATION:forever"), ": DURATION 'forever' is not a duration (such as PT2H or P1D)"),
        ((S, "DURATION:-PT1H"), ": DURATION '-PT1H' is negative: it would end before it starts"),
        ((S, "DURATION:PT0S"), " ends before it starts"),
        ((S, E, DAILY, "EXDATE:garbage"), ": EXDATE 'garbage' is not a list of dates or date-times"),
        ((S, E, "RDATE:garbage"), ": RDATE 'garbage' is not a list of dates, date-times or periods"),
        ((S, E, "RECURRENCE-ID:garbage"), ": RECURRENCE-ID 'garbage' is not a date or date-time"),
        ((S, E, "SEQUENCE:first"), ": SEQUENCE 'first' is not a whole number"),
        (
            (S, E, "RRULE:FREQ=SOMETIMES"),
            ": RRULE 'FREQ=SOMETIMES' is not a recurrence rule: FREQ 'SOMETIMES' is not SECONDLY, MINUTELY, "
            "HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY",
        ),
        (
            (S, E, "RRULE:FREQ=DAILY;UNTIL=garbage"),
            ": RRULE 'FREQ=DAILY;UNTIL=garbage' is not a recurrence rule: UNTIL 'garbage' is not a date or "
            "date-time",
        ),
        (
            (S, E, "RRULE:FREQ=DAILY;COUNT=x"),
            ": RRULE 'FREQ=DAILY;COUNT=x' is not a recurrence rule: COUNT 'x' is not a whole number above 0",
        ),
        (
            (S, E, "RRULE:FREQ=DAILY;INTERVAL=0"),
            ": RRULE 'FREQ=DAILY;INTERVAL=0' is not a recurrence rule: INTERVAL '0' is not a whole number above 0",
        ),
        (
            (S, E, "RRULE:FREQ=WEEKLY;BYDAY=XX"),
            ": RRULE 'FREQ=WEEKLY;BYDAY=XX' is not a recurrence rule: BYDAY 'XX' is not a list of weekdays "
            "(MO, SU, 1SU, -1FR, ...)",
        ),
        (
            (S, E, "RRULE:FREQ=MONTHLY;BYMONTHDAY=32"),
            ": RRULE 'FREQ=MONTHLY;BYMONTHDAY=32' is not a recurrence rule: BYMONTHDAY '32' is not a list of "
            "whole numbers from 1 to 31 (or -31 to -1, counting from the end)",
        ),
        (
            (S, E, "RRULE:FREQ=DAILY;BYEASTER=0"),
            ": RRULE 'FREQ=DAILY;BYEASTER=0' is not a recurrence rule: 'BYEASTER' is not a part of a "
            "recurrence rule",
        ),
        (
            (S, E, "RRULE:FREQ=DAILY;COUNT=3;UNTIL=20261101T000000Z"),
            ": RRULE 'FREQ=DAILY;COUNT=3;UNTIL=20261101T000000Z' is not a recurrence rule: it has both COUNT "
            "and UNTIL (it may have one)",
        ),
        ((S, E, "RRULE:"), ": RRULE '' is not a recurrence rule: it has no FREQ"),
        (
            (S, E, "RRULE:FREQ=DAILY;UNTIL=20250101T000000Z"),
            ": its RRULE ends (UNTIL 20250101T000000Z) before the event starts",
        ),
        (
            (S, E, "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"),
            ": RRULE 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' can never occur: no day is BYMONTH=2 and BYMONTHDAY=30",
        ),
        (
            (S, E, "RRULE:FREQ=DAILY;BYSETPOS=2"),
            ": RRULE 'FREQ=DAILY;BYSETPOS=2' is not a recurrence rule: BYSETPOS '2' asks for more occurrences "
            "than a day holds (1)",
        ),
        (
            (S, E, "RRULE:FREQ=HOURLY;BYSETPOS=2"),
            ": RRULE 'FREQ=HOURLY;BYSETPOS=2' is not a recurrence rule: BYSETPOS is not read with FREQ=HOURLY",
        ),
        (
            ("DTSTART;TZID=Nowhere/Land:20261020T100000", "DTEND;TZID=Nowhere/Land:20261020T110000"),
            ": DTSTART '20261020T100000' has TZID 'Nowhere/Land', which is neither a time zone the calendar "
            "defines (VTIMEZONE) nor a known one",
        ),
        ((S, "DTSTART:20261021T100000Z", E), " has 2 DTSTART properties (it may have one)"),
        ((S, E, "DURATION:PT1H"), " has both DTEND and DURATION (it may have one)"),
        ((S,), " has neither DTEND nor DURATION: a window needs an end"),
        (
            (S, E, "no colon here"),
            " has a line that is not a property (NAME:value): line 17, 'no colon here'",
        ),
        (
            ('DTSTART;TZID="Europe/London:20261020T100000', E),
            " has a line that is not a property (NAME:value): line 15, "
            "'DTSTART;TZID=\"Europe/London:20261020T100000'",
        ),
        ((S, E, "BEGIN:VALARM", "TRIGGER:-PT5M"), " has a BEGIN:VALARM on line 17 without an END:VALARM"),
        ((S, E, "END:VTODO"), " has an END:VTODO on line 17 that closes nothing"),
    ],
)
def test_a_value_that_cannot_be_read_rejects_its_event_alone(estate, lines, reason):
    loaded = read_change_calendar(with_bad(*lines), "changes.ics", estate, FROM, UNTIL)
    assert loaded.rejected == [(BAD_LINE, f"event chg-bad (Bad change){reason}")]
    assert windows(loaded) == GOOD_WINDOWS


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (("DTSTART:18991020T100000", "DTEND:18991020T110000"), "(DTSTART 18991020T100000)"),
        (("DTSTART:21010101T100000Z", "DTEND:21010101T110000Z"), "(DTSTART 21010101T100000Z)"),
        ((S, "DTEND:99991231T235959Z"), "(DTEND 99991231T235959Z)"),
        ((S, "DURATION:P9999W"), "(its end)"),
        ((S, E, DAILY, "EXDATE:19000101T100000Z"), "(EXDATE 19000101T100000Z)"),
        ((S, E, "RECURRENCE-ID:00010101T000000Z"), "(RECURRENCE-ID 00010101T000000Z)"),
    ],
)
def test_a_time_outside_the_years_1970_to_2100_rejects_its_event(estate, lines, reason):
    loaded = read_change_calendar(with_bad(*lines), "changes.ics", estate, FROM, UNTIL)
    assert loaded.rejected == [
        (BAD_LINE, f"event chg-bad (Bad change) has a time outside the years 1970-2100 {reason}")
    ]
    assert windows(loaded) == GOOD_WINDOWS


def test_an_event_without_a_uid_or_with_one_already_used_is_rejected(estate):
    text = calendar(
        GOOD_1,
        ["BEGIN:VEVENT", "SUMMARY:Anonymous", "CATEGORIES:email", S, E, "END:VEVENT"],  # line 11
        bad_event(S, E, uid="chg-good-1", summary="Copy"),  # line 17
        GOOD_2,
    )
    loaded = read_change_calendar(text, "changes.ics", estate, FROM, UNTIL)
    assert loaded.rejected == [
        (11, "event event 2 (Anonymous) has no UID (each change needs its own, to be told apart when it is "
         "loaded again)"),
        (17, "event chg-good-1 (Copy) has the same UID as the event on line 4"),
    ]  # fmt: skip
    assert windows(loaded) == GOOD_WINDOWS


def test_an_event_without_end_vevent_is_rejected_and_the_next_loads(estate):
    text = calendar(GOOD_1, bad_event(S, E)[:-1], GOOD_2)  # no END:VEVENT: GOOD_2 begins on line 17
    loaded = read_change_calendar(text, "changes.ics", estate, FROM, UNTIL)
    assert loaded.rejected == [
        (BAD_LINE, "event chg-bad (Bad change) has no END:VEVENT (line 17 begins another event)")
    ]
    assert windows(loaded) == GOOD_WINDOWS


def test_a_file_cut_short_or_broken_outside_any_event_is_refused_with_its_line(estate):
    with pytest.raises(
        CalendarError, match="^changes.ics: the file ends before its END:VCALENDAR: it was cut short"
    ):
        read_change_calendar(
            calendar(GOOD_1, GOOD_2).removesuffix("END:VCALENDAR\n"), "changes.ics", estate, FROM, UNTIL
        )
    with pytest.raises(CalendarError, match=r"^changes.ics:4: END:VEVENT without a BEGIN:VEVENT$"):
        read_change_calendar(calendar(["END:VEVENT"], GOOD_1), "changes.ics", estate, FROM, UNTIL)
    with pytest.raises(CalendarError, match=r"^changes.ics:4: 'no colon' is not a property \(NAME:value\)$"):
        read_change_calendar(calendar(["no colon"], GOOD_1), "changes.ics", estate, FROM, UNTIL)
    with pytest.raises(
        CalendarError, match="^changes.ics:4: X-WR-TIMEZONE 'Nowhere/Land' is not a time zone"
    ):
        read_change_calendar(
            calendar(["X-WR-TIMEZONE:Nowhere/Land"], GOOD_1), "changes.ics", estate, FROM, UNTIL
        )


def test_moved_instances_load_and_a_bad_one_is_rejected_without_its_event(estate):
    """A weekly change on Mondays 20:00 UTC, 5 to 26 October. The 12 October occurrence moved to
    the 13th, 20:00-22:00, and onto Council Tax as well; the 19 October one moved with an end
    that is not a date: it is rejected, and its occurrence is not loaded either (it was moved);
    the series' other occurrences load."""
    text = calendar(
        GOOD_1,
        bad_event("DTSTART:20261005T200000Z", "DTEND:20261005T210000Z", "RRULE:FREQ=WEEKLY;COUNT=4",
                  uid="chg-wk", summary="Weekly"),  # line 11
        ["BEGIN:VEVENT", "UID:chg-wk", "SUMMARY:Weekly, moved", "CATEGORIES:email,council-tax",
         "RECURRENCE-ID:20261012T200000Z", "DTSTART:20261013T200000Z", "DTEND:20261013T220000Z",
         "END:VEVENT"],  # line 19
        bad_event("RECURRENCE-ID:20261019T200000Z", "DTSTART:20261020T200000Z", "DTEND:garbage",
                  uid="chg-wk", summary="Weekly, moved badly"),  # line 27
        GOOD_2,
    )  # fmt: skip
    loaded = read_change_calendar(text, "changes.ics", estate, FROM, UNTIL)
    assert loaded.rejected == [
        (27, "event chg-wk (Weekly, moved badly): DTEND 'garbage' is not a date or date-time")
    ]
    assert windows(loaded) == [
        *GOOD_WINDOWS[:1],
        ("email", "2026-10-05T20:00:00", "2026-10-05T21:00:00", "chg-wk@20261005T200000Z"),
        *GOOD_WINDOWS[1:2],
        ("council-tax", "2026-10-13T20:00:00", "2026-10-13T22:00:00", "chg-wk@20261013T200000Z"),
        ("email", "2026-10-13T20:00:00", "2026-10-13T22:00:00", "chg-wk@20261013T200000Z"),
        *GOOD_WINDOWS[2:],
        ("email", "2026-10-26T20:00:00", "2026-10-26T21:00:00", "chg-wk@20261026T200000Z"),
    ]


def test_a_moved_instance_of_a_rejected_event_goes_with_it(estate):
    text = calendar(
        GOOD_1,
        bad_event("DTSTART:notadate", "DTEND:20261005T210000Z", "RRULE:FREQ=WEEKLY;COUNT=4", uid="chg-wk"),
        bad_event("RECURRENCE-ID:20261012T200000Z", "DTSTART:20261013T200000Z", "DTEND:20261013T220000Z",
                  uid="chg-wk", summary="Moved"),
        GOOD_2,
    )  # fmt: skip
    loaded = read_change_calendar(text, "changes.ics", estate, FROM, UNTIL)
    assert loaded.rejected == [
        (BAD_LINE, "event chg-wk (Bad change): DTSTART 'notadate' is not a date or date-time")
    ]
    assert windows(loaded) == GOOD_WINDOWS


@pytest.mark.parametrize(
    ("rule", "start", "count"),
    [
        # from 1 November 00:00 UTC to the window's end, 1 December: 30 days of minutes, of seconds
        ("FREQ=MINUTELY", "20261101T000000Z", "43,200"),
        ("FREQ=SECONDLY", "20261101T000000Z", "2,592,000"),
        # from a DTSTART years before the window: the same, not a walk from 1970
        ("FREQ=MINUTELY", "19700101T000000Z", "87,840"),
        ("FREQ=HOURLY;COUNT=1200", "20261001T000000Z", "1,200"),  # the COUNT: 50 days of the window's 61
    ],
)
def test_an_event_recurring_past_the_ceiling_is_rejected_whole(estate, rule, start, count):
    """Expansion stops at the 1,001st occurrence in the window; the message says about how many
    there would have been (from the rate they came, and the COUNT)."""
    loaded = read_change_calendar(
        with_bad(f"DTSTART:{start}", "DURATION:PT30S", f"RRULE:{rule}"), "changes.ics", estate, FROM, UNTIL
    )
    assert loaded.rejected == [
        (BAD_LINE, f"event chg-bad (Bad change) recurs about {count} times in the window, over the ceiling of "
         "1,000 occurrences for one event; none of it is loaded"),
    ]  # fmt: skip
    assert windows(loaded) == GOOD_WINDOWS


def test_minutely_without_an_end_over_the_default_window_is_rejected_and_the_others_load(estate):
    """It took 130 s and 1.7 GB and loaded 645,720 windows: every minute from 1 December 2025 to
    the end of the default window (22 February 2027 10:00 UTC, DEMO_NOW plus 92 days)."""
    start, end = default_window(DEMO_NOW)
    text = calendar(
        GOOD_1, bad_event("DTSTART:20251201T000000Z", "DTEND:20251201T000030Z", "RRULE:FREQ=MINUTELY"), GOOD_2
    )
    loaded = read_change_calendar(text, "changes.ics", estate, start, end)
    assert loaded.rejected == [
        (BAD_LINE, "event chg-bad (Bad change) recurs about 645,720 times in the window, over the ceiling of "
         "1,000 occurrences for one event; none of it is loaded"),
    ]  # fmt: skip
    assert windows(loaded) == GOOD_WINDOWS


def test_an_event_at_the_ceiling_loads(estate):
    """Hourly from 1 October 00:00 UTC, 1,000 times: to 11 November 15:00 (999 hours later)."""
    loaded = read_change_calendar(
        with_bad("DTSTART:20261001T000000Z", "DURATION:PT30M", "RRULE:FREQ=HOURLY;COUNT=1000"),
        "changes.ics", estate, FROM, UNTIL,
    )  # fmt: skip
    assert loaded.rejected == []
    mine = [w for w in windows(loaded) if w[3].startswith("chg-bad@")]
    assert len(mine) == 1000
    assert mine[0] == ("email", "2026-10-01T00:00:00", "2026-10-01T00:30:00", "chg-bad@20261001T000000Z")
    assert mine[-1] == ("email", "2026-11-11T15:00:00", "2026-11-11T15:30:00", "chg-bad@20261111T150000Z")
    assert [w for w in windows(loaded) if not w[3].startswith("chg-bad@")] == GOOD_WINDOWS


def test_the_events_that_would_take_the_file_past_its_windows_are_rejected(estate):
    """With room for 5 windows (the estate's [limits] calendar_windows_per_file): chg-good-1 takes
    1, chg-good-2 3; a third event's 3 would take the file to 7, so it is rejected, and an event
    after it with 1 still loads."""
    estate = estate.model_copy(update={"limits": Limits(calendar_windows_per_file=5)})
    third = bad_event(S, E, "RRULE:FREQ=DAILY;COUNT=3", uid="chg-third", summary="Third")  # line 19
    one = bad_event("DTSTART:20261101T100000Z", "DTEND:20261101T110000Z", uid="chg-one", summary="One")
    loaded = read_change_calendar(calendar(GOOD_1, GOOD_2, third, one), "changes.ics", estate, FROM, UNTIL)
    assert loaded.rejected == [
        (19, "event chg-third (Third) is not loaded: its windows would take the file past 5, the most one "
         "file may load (4 loaded before it)"),
    ]  # fmt: skip
    assert windows(loaded) == [
        *GOOD_WINDOWS,
        ("email", "2026-11-01T10:00:00", "2026-11-01T11:00:00", "chg-one@20261101T100000Z"),
    ]


def test_a_rule_stepping_by_the_second_with_a_by_part_is_bounded_by_its_steps(estate):
    """Once a day at 03:00:00, written by the second: dateutil steps through every second between
    occurrences, 5.3 million of them over the window."""
    loaded = read_change_calendar(
        with_bad(S, E, "RRULE:FREQ=SECONDLY;BYHOUR=3;BYMINUTE=0;BYSECOND=0"),
        "changes.ics",
        estate,
        FROM,
        UNTIL,
    )
    assert loaded.rejected == [
        (BAD_LINE, "event chg-bad (Bad change): RRULE 'FREQ=SECONDLY;BYHOUR=3;BYMINUTE=0;BYSECOND=0' steps "
         "every second, 3,592,800 steps to the end of the window, over the 100,000 one rule may take (a "
         "rule by the day or the week takes fewer)"),
    ]  # fmt: skip
    assert windows(loaded) == GOOD_WINDOWS


def test_a_rule_walked_from_its_start_is_bounded_by_its_steps(estate, monkeypatch):
    """A rule with COUNT and a BY part is stepped through from DTSTART: 4 occurrences a day from
    1 January 2026 are more than 1,000 steps before the window (1 October) is reached."""
    monkeypatch.setattr(change_calendar.recurrence, "MAX_RULE_STEPS", 1000)
    rule = "RRULE:FREQ=DAILY;BYMINUTE=0,15,30,45;COUNT=100000"
    loaded = read_change_calendar(
        with_bad("DTSTART:20260101T000000Z", "DURATION:PT5M", rule), "changes.ics", estate, FROM, UNTIL
    )
    assert loaded.rejected == [
        (BAD_LINE, f"event chg-bad (Bad change): RRULE {rule[6:]!r} has more than 1,000 occurrences to step "
         "through from its start to the end of the window, the most one rule may take"),
    ]  # fmt: skip
    assert windows(loaded) == GOOD_WINDOWS


def test_the_file_bound_on_steps_rejects_the_recurring_events_past_it(estate, monkeypatch):
    """With 40 steps for the file: chg-good-2 takes about 4 (its window starts a period before
    the window), an hourly rule of 48 takes the file past the bound; a one-off after it loads."""
    monkeypatch.setattr(change_calendar.recurrence, "MAX_FILE_RULE_STEPS", 40)
    hourly = bad_event("DTSTART:20261101T000000Z", "DURATION:PT5M", "RRULE:FREQ=HOURLY;COUNT=48")  # line 19
    one = bad_event("DTSTART:20261101T100000Z", "DTEND:20261101T110000Z", uid="chg-one", summary="One")
    loaded = read_change_calendar(calendar(GOOD_1, GOOD_2, hourly, one), "changes.ics", estate, FROM, UNTIL)
    assert loaded.rejected == [
        (19, "event chg-bad (Bad change) is not expanded: the calendar's recurring events have taken the 40 "
         "steps of expansion one file may take"),
    ]  # fmt: skip
    assert windows(loaded) == [
        *GOOD_WINDOWS,
        ("email", "2026-11-01T10:00:00", "2026-11-01T11:00:00", "chg-one@20261101T100000Z"),
    ]


def folded(name: str, size: int) -> str:
    """A property of `size` bytes unfolded (ASCII), folded into lines of 75."""
    text = f"{name}:" + "x" * (size - len(name) - 1)
    return "\n ".join(text[i : i + 74] for i in range(0, len(text), 74))


def test_a_property_over_128_kib_rejects_its_event(estate):
    at_bound = read_change_calendar(
        with_bad(S, E, folded("DESCRIPTION", MAX_FIELD_BYTES)), "c.ics", estate, FROM, UNTIL
    )
    assert at_bound.rejected == []
    loaded = read_change_calendar(
        with_bad(S, E, folded("DESCRIPTION", MAX_FIELD_BYTES + 1)), "c.ics", estate, FROM, UNTIL
    )
    assert loaded.rejected == [
        (BAD_LINE, "event chg-bad (Bad change) has a DESCRIPTION of 131,073 bytes (line 17), over the 128 KiB "
         "(131,072 bytes) one property may be"),
    ]  # fmt: skip
    assert windows(loaded) == GOOD_WINDOWS


def test_a_property_over_128_kib_outside_any_event_refuses_the_file(estate):
    text = calendar([folded("X-WR-CALDESC", MAX_FIELD_BYTES + 1)], GOOD_1, GOOD_2)
    with pytest.raises(CalendarError) as refused:
        read_change_calendar(text, "changes.ics", estate, FROM, UNTIL)
    assert str(refused.value) == (
        "changes.ics:4: a property of 131,073 bytes outside any event, over the 128 KiB (131,072 bytes) one "
        "may be: the file is refused"
    )


def test_a_file_over_64_mib_is_refused(estate):
    text = calendar(GOOD_1, GOOD_2)
    text += "\n" * (MAX_FILE_BYTES + 1 - len(text))
    with pytest.raises(CalendarError) as refused:
        read_change_calendar(text, "changes.ics", estate, FROM, UNTIL)
    assert str(refused.value) == (
        "changes.ics: the file is 67,108,865 bytes, over the 64 MiB (67,108,864 bytes) a change calendar may "
        "be: export it in parts"
    )


def test_an_event_rejected_on_a_later_load_keeps_the_windows_it_loaded_before(estate, warehouse):
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    write_windows(read_change_calendar(FEED, "feed.ics", estate, start, end), warehouse, start, end)
    before = windows_held(warehouse)
    assert ("council-tax", "chg-1001@20261014T190000Z") in before
    # the next export spoils chg-1001's start: it is rejected, and what it said before stands
    spoiled = FEED.replace(
        "DTSTART;TZID=Europe/London:20261014T200000", "DTSTART;TZID=Europe/London:notadate", 1
    )
    loaded = read_change_calendar(spoiled, "feed.ics", estate, start, end)
    assert loaded.rejected[0] == (
        4,
        "event chg-1001 (Council Tax database patching): DTSTART 'notadate' is not a date or date-time",
    )
    assert "chg-1001" in loaded.kept_uids
    assert write_windows(loaded, warehouse, start, end) == Replacement(unchanged=7)
    assert windows_held(warehouse) == before


def issue_report(warehouse, council: str, month: str) -> None:
    """An issued SLA report, as `councilops report` records one: what a load must not contradict."""
    from warehouse import IssuedReport

    warehouse.add_issued_report(
        IssuedReport(
            f"sla/{council}/{month}",
            1,
            "sla",
            council,
            month,
            datetime(2026, 11, 3, 9),
            "x",
            "first issue",
            None,
            None,
            None,
            None,
        ),
        b"",
    )


def test_a_load_changing_a_month_already_reported_needs_force(tmp_path):
    from tests.test_cli import run

    db = tmp_path / "w.duckdb"
    env = {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(db)}
    window = ["--from", "2026-10-01T00:00:00Z", "--until", "2026-12-01T00:00:00Z"]
    first = tmp_path / "first.ics"
    first.write_text(FEED, encoding="utf-8")
    Warehouse.open(db, create=True).close()
    assert run("load", "changes", str(first), *window, env=env).returncode == 1  # two events rejected
    with Warehouse.open(db) as warehouse:
        issue_report(warehouse, "fylde", "2026-10")  # fylde buys Council Tax in the small estate
        held = windows_held(warehouse)
    # chg-1001 (Council Tax, 14 October) dropped from the calendar: October's figures would change
    later = tmp_path / "later.ics"
    cut = FEED.index("BEGIN:VEVENT\nUID:chg-1001")
    later.write_text(FEED[:cut] + FEED[FEED.index("END:VEVENT\n", cut) + 11 :], encoding="utf-8")
    refused = run("load", "changes", str(later), *window, env=env)
    assert refused.returncode == 1
    assert (
        f"{later}: would leave council-tax's window chg-1001@20261014T190000Z removed in 2026-10, whose SLA "
        "report has been issued to fylde" in refused.stderr
    )
    assert (
        f"{later}: nothing loaded: 1 change to months already reported; run again with --force to load it, "
        "then revise those reports" in refused.stderr
    )
    with Warehouse.open(db, read_only=True) as warehouse:
        assert windows_held(warehouse) == held  # nothing written
    forced = run("load", "changes", str(later), *window, "--force", env=env)
    assert forced.returncode == 1  # still the two bad events of the feed
    assert (
        "1 removed" in forced.stdout
        and "1 change to months already reported, loaded by --force" in forced.stdout
    )
    with Warehouse.open(db, read_only=True) as warehouse:
        assert [w for w in windows_held(warehouse) if w[1].startswith("chg-1001@")] == []


def test_the_estates_limits_set_the_calendars_bounds(estate):
    # calendar_occurrences_per_event = 3: chg-good-2's three Sundays load, a fourth is too many
    tight = estate.model_copy(update={"limits": Limits(calendar_occurrences_per_event=3)})
    four = bad_event("DTSTART:20261005T200000Z", "DTEND:20261005T210000Z", "RRULE:FREQ=DAILY;COUNT=4")
    loaded = read_change_calendar(with_bad(*four[4:-1]), "f.ics", tight, FROM, UNTIL)
    assert loaded.rejected == [
        (BAD_LINE, "event chg-bad (Bad change) recurs about 4 times in the window, over the ceiling of 3 occurrences "
         "for one event; none of it is loaded"),
    ]  # fmt: skip
    assert windows(loaded) == GOOD_WINDOWS
    # field_max_bytes = 1024: a DESCRIPTION of 1,025 bytes rejects its event, and only it
    small = estate.model_copy(update={"limits": Limits(field_max_bytes=1024)})
    long = with_bad("DTSTART:20261020T100000Z", "DTEND:20261020T110000Z", "DESCRIPTION:" + "x" * 1013)
    loaded = read_change_calendar(long, "f.ics", small, FROM, UNTIL)
    assert loaded.rejected == [
        (BAD_LINE, "event chg-bad (Bad change) has a DESCRIPTION of 1,025 bytes (line 17), over the 1 KiB "
         "(1,024 bytes) one property may be"),
    ]  # fmt: skip
    assert windows(loaded) == GOOD_WINDOWS
