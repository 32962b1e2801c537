"""The change calendar (iCalendar): one-off, recurring, all-day and floating events; each bad
event rejected with its line; loaded windows reduce scheduled time in the service levels."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from application.service_levels import month_report
from collectors.files.change_calendar import CalendarError, read_change_calendar, write_windows
from estate import load_estate
from estate.scope import PROVIDER
from tests.conftest import DEMO_NOW, SMALL_ESTATE
from warehouse import Warehouse

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
    assert write_windows(loaded, warehouse, FROM, UNTIL) == 8
    write_windows(loaded, warehouse, FROM, UNTIL)
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
        "email, fylde-intranet, 2 events rejected" in result.stdout
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
    assert write_windows(loaded, warehouse, start, end) == 0
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
