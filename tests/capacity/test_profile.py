"""Utilisation profiles against a brute force over the raw hourly rows."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from application.collected import data_end
from application.profile import profile_report
from capacity.profile import profile
from estate import load_estate
from estate.scope import PROVIDER
from presentation.capacity import profile_document
from tests.conftest import DEMO_NOW
from warehouse import Warehouse

LONDON = ZoneInfo("Europe/London")


# England and Wales bank holidays from gov.uk/bank-holidays, written out (the 90 days before the
# demo's end fall in 2026), not taken from sla.calendar, the code under test.
GOV_UK_BANK_HOLIDAYS = {
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25),
    date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
}  # fmt: skip


def nearest_rank(values, p: float) -> float:
    """The p-th percentile by nearest rank, written out: sort, rank = ceil(p / 100 x n), take the
    rank-th value (1-based). Exact arithmetic for the rank, so p95 of 20 values is the 19th."""
    ordered = sorted(float(v) for v in values)
    rank = max(1, math.ceil(Fraction(str(p)) / 100 * len(ordered)))
    return ordered[rank - 1]


def test_a_worked_profile():
    # Values 1..100 over 100 hours, slot = hour mod 168: nearest-rank p50 = 50, p95 = 95,
    # p99 = 99, max 100. Keeping only the even hours: p95 of 2, 4, .., 100 is 96 (48th of 50).
    values = np.arange(1, 101, dtype=float)
    slots = np.arange(100) % 168
    days = [datetime(2026, 1, 1).date() + timedelta(days=int(h // 24)) for h in range(100)]
    whole = profile(values, slots, days)
    assert (whole.percentiles, whole.maximum) == ({"p50": 50.0, "p95": 95.0, "p99": 99.0}, 100.0)
    assert whole.daily_peaks[0] == ("2026-01-01", 24.0)
    even = profile(values, slots, days, keep=values % 2 == 0)
    assert even.hours == 50 and even.percentiles["p95"] == 96.0
    assert whole.hour_of_week_mean[0] == 1.0 and whole.hour_of_week_mean[150] is None


def test_a_server_profile_agrees_with_its_raw_rows(demo_build):
    paths, _ = demo_build
    estate = load_estate(paths.estate)
    server = estate.server("dc1-council-tax-db01")
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        report = profile_document(
            profile_report(estate, warehouse, "server", server.id, days=90, scope=PROVIDER, now=DEMO_NOW)
        )
        end = data_end(warehouse, DEMO_NOW)
        rows = warehouse.utilisation([server.id], "cpu_percent", 3600, end - timedelta(days=90), end)
    raw = rows["mean_value"].to_numpy()
    cpu = report["cpu"]["all_hours"]
    assert cpu["hours"] == len(raw)
    for name, q in (("p50", 50), ("p95", 95), ("p99", 99)):
        assert cpu[name] == pytest.approx(nearest_rank(raw, q), abs=1e-3)
    # Service hours: Council Tax's contracts say Mon-Fri 08:00-18:00 excluding bank holidays,
    # decided here hour by hour in local time.
    holidays = GOV_UK_BANK_HOLIDAYS
    local = [h.replace(tzinfo=UTC).astimezone(LONDON) for h in rows["interval_start_utc"].to_list()]
    inside = np.array([t.weekday() < 5 and 8 <= t.hour < 18 and t.date() not in holidays for t in local])
    assert report["cpu"]["service_hours"]["hours"] == int(inside.sum())
    assert report["cpu"]["service_hours"]["p95"] == pytest.approx(nearest_rank(raw[inside], 95), abs=1e-3)
    # The hour-of-week shape: Monday 09:00 local is the mean of every Monday 09:00.
    monday_nine = raw[[t.weekday() == 0 and t.hour == 9 for t in local]]
    assert cpu["hour_of_week_mean"][9] == pytest.approx(monday_nine.mean(), abs=1e-3)
