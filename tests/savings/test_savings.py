"""Savings: the split to the penny, the financial year's turn, and the demo's evidence and split."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.savings import savings_report
from estate import load_estate
from estate.scope import PROVIDER
from presentation.savings import savings_document
from savings.split import split
from tests.conftest import DEMO_NOW, SMALL_ESTATE
from warehouse import Warehouse


def test_a_split_to_the_penny_worked():
    # £100 three ways: 33.333... each; 33.33 x 3 = 99.99, the spare penny goes to the largest
    # remainder, and with all equal, to the first council by id.
    assert split(Decimal("100.00"), {"b": 1, "a": 1, "c": 1}) == {
        "b": Decimal("33.33"),
        "a": Decimal("33.34"),
        "c": Decimal("33.33"),
    }
    # Fixed shares 14.29 x 6 + 14.26 of £1,000: exact parts, adding up.
    shares = {f"c{k}": Decimal("14.29") for k in range(6)} | {"c6": Decimal("14.26")}
    parts = split(Decimal("1000.00"), shares)
    assert sum(parts.values()) == Decimal("1000.00") and parts["c6"] == Decimal("142.60")
    # A negative total (a net cost) splits the same way.
    assert split(Decimal("-0.05"), {"a": 1, "b": 1}) == {"a": Decimal("-0.03"), "b": Decimal("-0.02")}


@settings(max_examples=300, deadline=None)
@given(
    st.integers(-10_000_000, 10_000_000),
    st.dictionaries(
        st.text("abcdefgh", min_size=1, max_size=3), st.integers(0, 10_000), min_size=1, max_size=12
    ),
)
def test_a_split_always_adds_up_and_stays_within_a_penny(pennies, weights):
    total = Decimal(pennies) / 100
    parts = split(total, weights)
    assert sum(parts.values()) == total
    whole = sum(weights.values()) or len(weights)
    for council, part in parts.items():
        weight = weights[council] if sum(weights.values()) else 1
        exact = Fraction(pennies, 100) * weight / whole
        assert abs(Fraction(part) - exact) < Fraction(1, 100)


@pytest.fixture(scope="module")
def demo_savings(demo_build):
    paths, truth = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        reports = {
            rule: savings_document(
                savings_report(
                    estate.model_copy(
                        update={"money": estate.money.model_copy(update={"shared_cost_split": rule})}
                    ),
                    warehouse,
                    scope=PROVIDER,
                    now=DEMO_NOW,
                )
            )
            for rule in ("even", "measured-use", "fixed-shares")
        }
    return {s["id"]: s for s in truth["scenarios"]}, reports


def test_the_demo_decommissioned_servers_are_the_evidence(demo_savings):
    """The eight servers planted to stop reporting during the history are named in the measured
    year's servers line with the planted switch-off date: the local date of the planted stop
    (local midnight: 23:00 UTC the day before in summer time, so the date is the next UTC day's)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    planted, reports = demo_savings
    current = next(y for y in reports["measured-use"]["years"] if y["basis"] == "measured")
    servers = next(line for line in current["ledger"] if line["category"] == "servers")
    evidence = {e["subject"]: e for e in servers["evidence"] if e["kind"] == "baseline-server"}
    for server in planted["decommissioned-baseline-servers"]["servers"]:
        found = evidence[server["id"]]
        stopped = datetime.fromisoformat(server["stopped_reporting_utc"].replace("Z", "+00:00"))
        assert found["date"] == stopped.astimezone(ZoneInfo("Europe/London")).date().isoformat()
        assert "(warehouse)" in found["detail"]


def test_every_split_rule_adds_up_to_the_totals_to_the_penny(demo_savings):
    _, reports = demo_savings
    checked = 0
    for rule, report in reports.items():
        for year in (y for y in report["years"] if y["basis"] != "not known"):
            rows = [r for r in report["councils"] if r["financial_year"] == year["financial_year"]]
            assert len(rows) == 7, rule
            assert sum(Decimal(r["saving_gbp"]) for r in rows) == Decimal(year["saving_gbp"])
            assert sum(Decimal(r["net_saving_gbp"]) for r in rows) == Decimal(year["net_saving_gbp"])
            checked += 1
    assert checked == 3 * 5
    even = [r for r in reports["even"]["councils"] if r["financial_year"] == "2026/27"]
    assert max(Decimal(r["saving_gbp"]) for r in even) - min(
        Decimal(r["saving_gbp"]) for r in even
    ) <= Decimal("0.01")
    # a reported year has no measured use: measured-use splits it evenly and says so
    reported = [r for r in reports["measured-use"]["councils"] if r["financial_year"] == "2022/23"]
    assert {r["split"] for r in reported} == {"even (no use measured)"}


def test_the_financial_year_turns_at_local_midnight_on_1_april(warehouse):
    """Four local days of one server's history, 30 March to 2 April 2026. British Summer Time
    began on 29 March, so local midnight on 1 April is 31 March 23:00 UTC: the day starting then
    is 2026/27's first. By hand: 2025/26 holds 30 and 31 March (2 days), 2026/27 holds 1 and 2
    April (2 days), with the as-of at local midnight on 3 April. Cut by UTC, the day starting
    31 March 23:00Z would have counted in 2025/26 (3 days, then 1)."""
    from datetime import datetime, timedelta

    import polars as pl

    from estate.model import SavingsTarget

    estate = load_estate(SMALL_ESTATE)
    money = estate.money.model_copy(
        update={
            "savings_targets": (
                SavingsTarget(financial_year="2025/26", target_gbp=Decimal("1")),
                SavingsTarget(financial_year="2026/27", target_gbp=Decimal("1")),
            ),
            "investments": (),
        }
    )
    estate = estate.model_copy(update={"money": money})
    first = datetime(2026, 3, 29, 23)  # local midnight, 30 March (BST)
    hours = 4 * 24
    frame = pl.DataFrame(
        {
            "server_id": ["dc1-ctax-app01"] * hours,
            "metric": ["cpu_percent"] * hours,
            "interval_start_utc": [first + timedelta(hours=h) for h in range(hours)],
            "mean_value": [10.0] * hours,
            "peak_value": [20.0] * hours,
        }
    )
    warehouse.replace_utilisation("dc1", 3600, first, first + timedelta(hours=hours), frame)
    warehouse.rollup_utilisation_daily("dc1", first, first + timedelta(hours=hours), "Europe/London")
    end = datetime(2026, 4, 2, 23, tzinfo=UTC)  # local midnight, 3 April
    warehouse.set_watermark("dc1", "utilisation", end)
    report = savings_report(estate, warehouse, scope=PROVIDER, now=end)
    measured = {y.financial_year: (y.basis, y.realised_days) for y in report.years}
    assert measured["2025/26"] == ("part measured", 2)
    assert measured["2026/27"] == ("measured", 2)
    assert report.as_of_utc == end


def test_the_demos_year_in_progress_is_not_judged_met(demo_build):

    paths, _ = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        report = savings_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW)
    current = [y for y in report.years if y.in_progress]
    # 22 November 2026 lies in 2026/27 (1 April 2026 to 31 March 2027), and only that year
    assert [y.financial_year for y in current] == ["2026/27"]
    assert current[0].met is None and current[0].on_track_to_date is not None
    assert all(y.met is not None for y in report.years if not y.in_progress)
