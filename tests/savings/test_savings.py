"""Savings: the split to the penny, a worked year, and the demo's evidence."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.savings import savings_report
from estate import load_estate
from estate.model import (
    Baseline,
    BaselineItem,
    CostModel,
    Investment,
    Licence,
    Money,
    SavingsTarget,
)
from estate.scope import PROVIDER
from presentation.savings import savings_document, year_document
from savings.split import split
from savings.years import Running, year_figures
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


def test_a_year_worked_by_hand():
    money = Money(
        cost_model=CostModel(
            storage_gbp_per_tib_year=Decimal("100"),
            power_gbp_per_kwh=Decimal("0.25"),
            physical_server_watts=500,
            licences=(Licence(name="l", annual_gbp=Decimal("1825")),),
        ),
        baseline=Baseline(
            financial_year="2024/25",
            items=(
                BaselineItem(name="servers", category="servers", annual_gbp=Decimal("365000")),
                BaselineItem(name="staff", category="staff", annual_gbp=Decimal("36500"), cashable=False),
            ),
        ),
        savings_targets=(SavingsTarget(financial_year="2025/26", target_gbp=Decimal("300000")),),
        investments=(Investment(financial_year="2025/26", amount_gbp=Decimal("10000")),),
    )
    running = Running({"a": 73}, {"a": Decimal("3650")}, storage_gib=1024, physical_servers=1)
    year = year_document(year_figures("2025/26", 73, money, running))
    # 73 days = a fifth of a year: baseline 73,000 cashable and 7,300 not. Actual: server
    # 3,650 x 73/365 = 730; storage 1 TiB x 100 / 5 = 20; power 500 W x 24 h x 73 = 876 kWh x
    # 0.25 = 219; licence 1,825 / 5 = 365: 1,334 in all.
    assert (year["baseline_cashable_gbp"], year["baseline_non_cashable_gbp"]) == ("73000.00", "7300.00")
    assert year["actual_cashable_gbp"] == "1334.00"
    assert (year["saving_cashable_gbp"], year["saving_non_cashable_gbp"]) == ("71666.00", "7300.00")
    # Net of the 10,000 invested: 68,966. Full year: 78,966 x 5 - 10,000 = 384,830 >= 300,000.
    assert year["net_saving_gbp"] == "68966.00"
    assert (year["full_year_net_saving_gbp"], year["met"]) == ("384830.00", True)
    unmeasured = year_document(year_figures("2025/26", 0, money, running))
    assert unmeasured["net_saving_gbp"] is None and unmeasured["met"] is None
    assert unmeasured["investment_gbp"] == "10000.00"


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
    planted, reports = demo_savings
    evidence = {e["server"]: e for e in reports["measured-use"]["evidence"]}
    for server in planted["decommissioned-baseline-servers"]["servers"]:
        found = evidence[server["id"]]
        assert found["stopped_reporting"] is True
        assert found["since_utc"] == server["stopped_reporting_utc"].replace("+00:00", "Z")
        assert Decimal(found["annual_cost_gbp"]) == Decimal(str(server["annual_cost_gbp"]))


def test_every_split_rule_adds_up_to_the_totals_to_the_penny(demo_savings):
    _, reports = demo_savings
    for rule, report in reports.items():
        for year in (y for y in report["years"] if y["measured_days"]):
            rows = [r for r in report["councils"] if r["financial_year"] == year["financial_year"]]
            assert len(rows) == 7, rule
            actual = Decimal(year["actual_cashable_gbp"]) + Decimal(year["actual_non_cashable_gbp"])
            assert sum(Decimal(r["actual_cost_gbp"]) for r in rows) == actual
            assert sum(Decimal(r["net_saving_gbp"]) for r in rows) == Decimal(year["net_saving_gbp"])
    even = [r for r in reports["even"]["councils"] if r["financial_year"] == "2026/27"]
    assert max(Decimal(r["actual_cost_gbp"]) for r in even) - min(
        Decimal(r["actual_cost_gbp"]) for r in even
    ) <= Decimal("0.01")


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
    measured = {y.financial_year: y.measured_days for y in report.years}
    assert measured["2025/26"] == 2
    assert measured["2026/27"] == 2
    assert report.as_of_utc == end


def test_a_year_in_progress_is_never_met_and_says_whether_it_is_on_track_to_date():
    from fractions import Fraction

    from savings.years import YearFigures

    # 73 days into the year (a fifth of 365), £150,000 net realised against a £700,000 target:
    # the target to date is 700,000 x 73 / 365 = £140,000, so it is on track; the full-year
    # equivalent would pass the whole target, but a year is judged "met" only once it is over.
    year = YearFigures(
        "2026/27",
        73,
        Fraction(500_000),
        Fraction(0),
        Fraction(350_000),
        Fraction(0),
        Fraction(0),
        Fraction(700_000),
        True,
    )
    assert year.net_saving == 150_000
    assert (year.met, year.on_track_to_date) == (None, True)
    behind = YearFigures(
        "2026/27",
        73,
        Fraction(480_000),
        Fraction(0),
        Fraction(350_000),
        Fraction(0),
        Fraction(0),
        Fraction(700_000),
        True,
    )
    assert (behind.net_saving, behind.met, behind.on_track_to_date) == (130_000, None, False)
    over = YearFigures(
        "2026/27",
        365,
        Fraction(500_000),
        Fraction(0),
        Fraction(350_000),
        Fraction(0),
        Fraction(0),
        Fraction(100_000),
    )
    assert (over.met, over.on_track_to_date) == (True, None)  # a complete year: met, not "on track"


def test_the_demos_year_in_progress_is_not_judged_met(demo_build):

    paths, _ = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        report = savings_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW)
    current = [y for y in report.years if y.in_progress]
    # 22 November 2026 lies in 2026/27 (1 April 2026 to 31 March 2027), and only that year
    assert [y.financial_year for y in current] == ["2026/27"]
    assert current[0].met is None and current[0].on_track_to_date is not None
    assert all(y.met is not None or y.measured_days == 0 for y in report.years if not y.in_progress)
