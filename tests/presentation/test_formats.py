"""Each formatter, by worked examples and properties; the renderer's CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from presentation.formats import (
    day,
    duration,
    local_time,
    money,
    money_plain,
    number,
    percent_down,
    utc_iso,
    yes_no,
)
from presentation.render import Column, csv_text, json_text, machine_value, text

LONDON = ZoneInfo("Europe/London")


def test_durations_run_past_a_day_and_keep_their_sign():
    assert duration(0) == "0:00:00"
    assert duration(59) == "0:00:59"
    assert duration(3600 * 208) == "208:00:00"  # a month's office hours
    assert duration(-684) == "-0:11:24"  # an overspent budget
    assert duration(90.9) == "0:01:30"  # whole seconds, rounded down
    assert duration(-939.6) == "-0:15:40"  # an overspent budget is not shown smaller than it is
    assert duration(Fraction(7, 2)) == "0:00:03"
    assert duration(None) == ""


def test_percentages_are_rounded_down_never_up():
    # 99.4996 % must not show as 99.500 (it missed a 99.5 % target)
    assert percent_down(Fraction(994996, 1000000)) == "99.499"
    assert percent_down(Fraction(1, 3)) == "33.333"
    assert percent_down(Fraction(2, 3)) == "66.666"  # not 66.667
    assert percent_down(Fraction(1)) == "100.000"
    assert percent_down(Fraction(0)) == "0.000"
    assert percent_down(Decimal("99.5"), fraction=False) == "99.500"
    assert percent_down(Fraction(1, 3), 2) == "33.33"
    # one part in 10^30 below 100 %: a decimal division to 28 digits would round it up to 100
    assert percent_down(1 - Fraction(1, 10**30)) == "99.999"
    assert percent_down(None) == ""


@given(st.fractions(min_value=0, max_value=1))
def test_a_shown_percentage_is_within_a_thousandth_below_the_exact(share):
    shown = Fraction(Decimal(percent_down(share)))
    assert shown <= share * 100 < shown + Fraction(1, 1000)


def test_money_is_pounds_and_pence_with_separators_half_up():
    assert money(Decimal("1234567.891")) == "£1,234,567.89"
    assert money(Decimal("0.005")) == "£0.01"  # half up, not to even
    assert money(Decimal("-112.5")) == "-£112.50"
    assert money(Fraction(1, 3)) == "£0.33"
    assert money(Decimal("144000"), symbol=False) == "144,000.00"
    assert money_plain(Decimal("144000")) == "144000.00"
    assert money_plain(None) is None and money(None) == ""


def test_instants_in_the_estates_zone_and_in_utc():
    winter = datetime(2026, 11, 10, 10, 12, tzinfo=UTC)
    summer = datetime(2026, 7, 10, 10, 12, tzinfo=UTC)
    assert local_time(winter, LONDON) == "2026-11-10 10:12 GMT"
    assert local_time(summer, LONDON) == "2026-07-10 11:12 BST"
    assert utc_iso(summer) == "2026-07-10T10:12:00Z"
    assert utc_iso(None) is None and local_time(None, LONDON) == ""
    assert day(date(2026, 8, 31)) == "2026-08-31" and day(None) == ""


def test_yes_no_and_numbers():
    assert (yes_no(True), yes_no(False), yes_no(None)) == ("yes", "NO", "n/a")
    assert yes_no(None, unknown="not measured") == "not measured"
    assert number(1234.5678) == "1,234.57" and number(None) == ""


def test_machine_values_for_csv_and_json():
    assert machine_value(Decimal("1.50")) == "1.50"
    assert machine_value(Fraction(999, 1000)) == "999/1000"
    assert machine_value(datetime(2026, 10, 1, tzinfo=UTC)) == "2026-10-01T00:00:00Z"
    assert machine_value((date(2026, 8, 31), True, None)) == ["2026-08-31", True, None]


def test_csv_and_json_carry_exactly_the_columns_shown():
    rows = [{"id": "email", "seconds": 3060, "gbp": Decimal("12.50"), "met": False, "sites": ("dc1", "dc2")}]
    columns = (
        text("service", lambda r: r["id"]),
        Column("down_seconds", "seconds", lambda r: r["seconds"], duration),
        Column("credit_gbp", "GBP", lambda r: r["gbp"], money),
        Column("met", "", lambda r: r["met"], yes_no),
        text("sites", lambda r: r["sites"]),
    )
    parsed = list(csv.reader(io.StringIO(csv_text(columns, rows))))
    assert parsed == [
        ["service", "down_seconds", "credit_gbp", "met", "sites"],
        ["email", "3060", "12.50", "False", "dc1 dc2"],
    ]
    assert [c.text(rows[0]) for c in columns[1:4]] == ["0:51:00", "£12.50", "NO"]
    assert json.loads(json_text({"credit_gbp": Decimal("12.50"), "share": Fraction(1, 2)})) == {
        "credit_gbp": "12.50",
        "share": "1/2",
    }
