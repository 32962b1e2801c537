"""Time remaining: worked series, the March billing peak, and the demo's planted trends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from application.timeleft import timeleft_report
from capacity.timeleft import days_until_full, project
from estate import load_estate
from estate.scope import PROVIDER
from presentation.capacity import timeleft_document
from tests.conftest import DEMO_NOW
from warehouse import Warehouse


def test_a_straight_line_crosses_where_arithmetic_says():
    # 50.05 + 0.1 a day from 1 Jan 2026 for 120 days; capacity 100 at an 80 % ceiling: day 299
    # projects 79.95, day 300 projects 80.05, so it crosses on day 300, 181 days after the last
    # day (day 119). No scatter: no band.
    first = date(2026, 1, 1)
    days = [first + timedelta(days=d) for d in range(120)]
    result = project(days, [50.05 + 0.1 * d for d in range(120)], 100, 80)
    assert result.method == "linear"
    assert result.band == pytest.approx(0, abs=1e-9)
    assert result.crossing_central == first + timedelta(days=300)
    assert result.crossing_conservative == result.crossing_central
    assert result.days_remaining == 181


def billing_year(first: date, days: int, march_bump: float = 30.0) -> tuple[list[date], list[float]]:
    """90 + 10 a year, quieter weekends, and +30 through every March (the billing peak)."""
    out_days, values = [], []
    for d in range(days):
        day = first + timedelta(days=d)
        value = 90 + 10 * d / 365 + (march_bump if day.month == 3 else 0) - (15 if day.weekday() >= 5 else 0)
        out_days.append(day)
        values.append(value)
    return out_days, values


def test_the_march_peak_is_no_false_alarm_in_march():
    # As of 20 March 2027 with two years of history: this March stands at about 140 against a
    # usable 145 (capacity 181.25 x 80 %). Next March, one year's growth (+10) on top (about
    # 150), crosses; February 2028 (about 120) does not.
    days, values = billing_year(date(2025, 3, 21), 730)
    assert days[-1] == date(2027, 3, 20)
    seasonal = project(days, values, 181.25, 80)
    assert seasonal.method == "seasonal"
    assert seasonal.growth_per_year == pytest.approx(10 * 364 / 365, abs=0.05)  # March against March
    assert date(2028, 2, 25) <= seasonal.crossing_conservative <= date(2028, 3, 5)
    # A straight line through the last 90 days would have raised the alarm within weeks.
    naive = project(days[-100:], values[-100:], 181.25, 80)
    assert naive.method == "linear" and naive.days_remaining < 60


def test_the_march_peak_does_not_hide_growth_in_april():
    days, values = billing_year(date(2025, 4, 21), 730)  # ends 20 April 2027, after the peak
    result = project(days, values, 181.25, 80)
    assert result.growth_per_year == pytest.approx(10 * 364 / 365, abs=0.05)
    assert date(2028, 2, 25) <= result.crossing_conservative <= date(2028, 3, 5)


def test_days_until_full_from_a_line():
    # 40 % + 0.2 % a day for 90 days ends at 57.8 %: (100 - 57.8) / 0.2 = 211 days to full.
    days = [date(2026, 1, 1) + timedelta(days=d) for d in range(90)]
    assert days_until_full(days, [40 + 0.2 * d for d in range(90)]) == pytest.approx(211)
    assert days_until_full(days, [40.0] * 90) is None  # not rising: never


@pytest.fixture(scope="module")
def demo_timeleft(demo_build):
    paths, truth = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        report = timeleft_document(timeleft_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW))
    return {s["id"]: s for s in truth["scenarios"]}, report


def test_the_demo_capacity_run_out_is_found_early_enough(demo_timeleft):
    planted, report = demo_timeleft
    run_out = planted["capacity-run-out"]
    (dc1,) = [p for p in report["pools"] if p["site"] == run_out["site"] and p["pool"] == "cpu"]
    crossing = date.fromisoformat(dc1["crossing_conservative"])
    today = DEMO_NOW.date()
    # The generator's noiseless model crosses the ceiling on its planted date; the projection
    # from noisy history must warn within the year and no later than that date. (It warns
    # earlier: the history's growth is faster than the model's saturating future.)
    assert today < crossing <= date.fromisoformat(run_out["noiseless_crossing_date"])
    assert (crossing - today).days <= 365
    assert dc1["peak_last_30_days_percent_of_capacity"] == pytest.approx(
        run_out["noiseless_daily_peak_percent_now"], abs=2.5
    )
    (dc2,) = [p for p in report["pools"] if p["site"] == "dc2" and p["pool"] == "cpu"]
    assert dc2["crossing_conservative"] is None


def test_the_demo_filling_storage_is_found(demo_timeleft):
    planted, report = demo_timeleft
    filling = planted["storage-filling"]
    (server,) = [s for s in report["storage_days_until_full"] if s["server"] == filling["server"]]
    assert server["days_until_full"] == pytest.approx(filling["days_until_full"], abs=0.5)
    assert report["storage_days_until_full"][0]["server"] == filling["server"]  # the soonest first


def test_a_pool_already_over_its_ceiling_says_since_when_and_has_no_days_left():
    # 120 days, capacity 100 at an 80 % ceiling (usable 80): a peak of 50 a day, then 90 from
    # day 100 on. The weekly peak (the highest of the 7 days ending on a day) is 90 from day 100,
    # so the pool has been over since day 100; "days left 1" would hide that it happened.
    first = date(2026, 1, 1)
    days = [first + timedelta(days=k) for k in range(120)]
    over = project(days, [50.0] * 100 + [90.0] * 20, capacity=100.0, ceiling_percent=80.0)
    assert over.over_since == first + timedelta(days=100)
    assert (over.days_remaining, over.crossing_central, over.crossing_conservative) == (0, None, None)
    # over for ten days once (days 50-59), under since: the weekly peak fell back on day 66
    back = project(days, [50.0] * 50 + [90.0] * 10 + [50.0] * 60, capacity=100.0, ceiling_percent=80.0)
    # and falling: the trend through the last 90 days never reaches the ceiling again
    assert (back.over_since, back.days_remaining, back.crossing_conservative) == (None, None, None)
