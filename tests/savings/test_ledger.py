"""The savings ledger: a measured year worked by hand, the identities held against a day-by-day
brute force, the status of a year in progress, the cumulative net, and the demo's programme."""

from __future__ import annotations

from datetime import date, timedelta
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
    BaselineServer,
    CostModel,
    Money,
    RecordedActual,
    RecordedEvidence,
    ReportedSaving,
    Server,
    StorageArray,
)
from estate.scope import PROVIDER
from presentation.savings import savings_document
from savings.ledger import Measured, Period, measured_ledger, penny, reported_ledger
from savings.years import NOT_KNOWN_YEAR, YearLedger, cumulative
from tests.conftest import DEMO_NOW
from warehouse import Warehouse

D = Decimal


def _server(server_id: str, kind: str, cost: str, storage_gib: float = 0) -> Server:
    return Server(
        id=server_id,
        site="dc1",
        role="application",
        kind=kind,
        cores=4,
        memory_gib=8,
        storage_gib=storage_gib,
        annual_cost_gbp=D(cost),
    )


HAND_MONEY = Money(
    cost_model=CostModel(
        storage_gbp_per_tib_year=D("100"), power_gbp_per_kwh=D("0.25"), physical_server_watts=500
    ),
    baseline=Baseline(
        financial_year="2021/22",
        items=(
            BaselineItem(name="Licences", category="licences", annual_gbp=D("73000")),
            BaselineItem(name="Staff", category="staff", annual_gbp=D("36500"), cashable=False),
        ),
        servers=(
            BaselineServer(id="a", annual_cost_gbp=D("3650")),  # the warehouse saw it stop
            BaselineServer(id="b", annual_cost_gbp=D("7300"), switched_off_on=date(2025, 5, 1)),
            BaselineServer(
                id="c", kind="virtual", annual_cost_gbp=D("1825"), switched_off_on=date(2024, 1, 1)
            ),
        ),
        storage_arrays=(
            StorageArray(id="x", tib=10, annual_cost_gbp=D("36500"), retired_on=date(2025, 5, 14)),
            StorageArray(id="y", tib=5, annual_cost_gbp=D("18250"), retired_on=date(2026, 1, 1)),
        ),
    ),
    actuals=(
        RecordedActual(financial_year="2025/26", category="licences", annual_gbp=D("51100"), source="ledger"),
    ),
    evidence=(
        RecordedEvidence(
            category="licences",
            kind="licence-dropped",
            description="Old mail licences",
            annual_gbp=D("18250"),
            effective_from=date(2025, 3, 1),
            source="register L-1",
        ),
    ),
)
HAND_ESTATE = (_server("n", "virtual", "36500", storage_gib=2048), _server("p", "physical", "3650"))
# 73 days of 2025/26 (1 April to 12 June 2025: 30 + 31 + 12), a fifth of its 365
HAND_PERIOD = Period("2025/26", date(2025, 4, 1), date(2025, 6, 13), 365)
# the warehouse: a reported its first 30 days and stopped on 1 May; n reported every day; p never did
HAND_MEASURED = Measured({"a": 30, "n": 73}, {"a": date(2025, 5, 1)})


def test_a_measured_year_worked_by_hand():
    lines = {
        line.category: line for line in measured_ledger(HAND_PERIOD, HAND_MONEY, HAND_ESTATE, HAND_MEASURED)
    }
    # servers. Baseline (3,650 + 7,300 + 1,825) / 5 = 2,555. Days off: a 43 (it reported 30),
    # b 43 (it ran until its recorded switch-off on 1 May), c all 73: 430 + 860 + 365 = 1,655.
    # The estate's servers cost 36,500 / 5 = 7,300 and 3,650 / 5 = 730 (p never reported, so
    # it counts every day): claim 1,655 - 8,030 = -6,375; actual 300 + 600 + 7,300 + 730 = 8,930.
    servers = lines["servers"]
    assert (servers.baseline, servers.actual, servers.saving) == (2555, 8930, -6375)
    assert sorted((e.subject, e.value) for e in servers.evidence if e.kind == "baseline-server") == [
        ("a", 430),
        ("b", 860),
        ("c", 365),
    ]
    assert servers.evidence_total == servers.saving and servers.unevidenced == 0
    # storage. Baseline (36,500 + 18,250) / 5 = 10,950. x retired on 14 May: 30 of the 73 days
    # (18 in May, 12 in June), 36,500 x 30 / 365 = 3,000; y retires after the period. Provisioned:
    # n's 2 TiB x £100 / 5 = 40. Claim 3,000 - 40 = 2,960; actual 4,300 + 3,650 + 40 = 7,990.
    storage = lines["storage"]
    assert (storage.baseline, storage.actual, storage.saving, storage.evidence_total) == (
        10950,
        7990,
        2960,
        2960,
    )
    # power: 500 W x 24 h x £0.25 = £3 a server-day. Baseline: a and b are physical, 2 x 73 x 3 =
    # 438. Off: 43 + 43 server-days, 258; p runs 73 days, 219. Claim 39; actual 90 + 90 + 219 = 399.
    power = lines["power"]
    assert (power.baseline, power.actual, power.saving, power.evidence_total) == (438, 399, 39, 39)
    # licences (recorded): baseline 73,000 / 5 = 14,600, actual 51,100 / 5 = 10,220, claim 4,380;
    # the one licence dropped before the period evidences 18,250 / 5 = 3,650, so 730 is unevidenced.
    licences = lines["licences"]
    assert (licences.basis, licences.baseline, licences.actual, licences.saving) == (
        "recorded",
        14600,
        10220,
        4380,
    )
    assert (licences.evidence_total, licences.unevidenced) == (3650, 730)
    # staff has no actual recorded for 2025/26: not known, and it claims nothing
    staff = lines["staff"]
    assert (staff.basis, staff.baseline, staff.saving, staff.cashable) == ("not known", 7300, None, False)

    year = YearLedger(
        "2025/26", "measured", 365, 73, 73, True, tuple(lines.values()), Fraction(1000), Fraction(10000)
    )
    # the year: -6,375 + 2,960 + 39 + 4,380 = 1,004, all cashable; net of 1,000 invested: 4
    assert (year.saving, year.saving_cashable, year.saving_non_cashable, year.net_saving) == (
        1004,
        1004,
        0,
        4,
    )
    assert year.unevidenced == 730 and year.not_known == ("staff",)
    # in progress: never "met"; target to date 10,000 x 73 / 365 = 2,000 > 4: behind. Projection:
    # 1,004 x 365 / 73 = 5,020 saved in the full year, 4,020 net; it is not counted anywhere.
    assert (year.met, year.on_track_to_date, year.target_to_date) == (None, False, 2000)
    assert (year.projected_full_year_saving, year.projected_full_year_net) == (5020, 4020)
    assert cumulative([year])[0].net_saving == 4


def _brute_force_costs(period: Period, money: Money, estate, measured: Measured) -> dict[str, Fraction]:
    """The actual cost of each measured category, a day at a time: is each thing running on that
    day? A baseline server runs on its first days-reported days, and on every day before its
    recorded switch-off; an estate server on its reported days, or every day if none."""
    costs = dict.fromkeys(("servers", "storage", "power"), Fraction(0))
    per_day = lambda annual: Fraction(annual) / period.days_in_year  # noqa: E731
    power_day = (
        Fraction(money.cost_model.physical_server_watts)
        * 24
        / 1000
        * Fraction(money.cost_model.power_gbp_per_kwh)
    )
    baseline_ids = {b.id for b in money.baseline.servers}
    for n in range(period.days):
        day = period.start + timedelta(days=n)
        for b in money.baseline.servers:
            runs = n < measured.days_reported.get(b.id, 0) or (
                b.switched_off_on is not None and day < b.switched_off_on
            )
            if runs:
                costs["servers"] += per_day(b.annual_cost_gbp)
                costs["power"] += power_day if b.kind == "physical" else 0
        for s in estate:
            if s.id in baseline_ids:
                continue
            reported = measured.days_reported.get(s.id)
            if not reported or n < reported:
                costs["servers"] += per_day(s.annual_cost_gbp)
                costs["power"] += power_day if s.kind == "physical" else 0
                costs["storage"] += (
                    Fraction(s.storage_gib) / 1024 * per_day(money.cost_model.storage_gbp_per_tib_year)
                )
        for a in money.baseline.storage_arrays:
            if a.retired_on is None or day < a.retired_on:
                costs["storage"] += per_day(a.annual_cost_gbp)
    return costs


pounds_st = st.integers(0, 2_000_000).map(lambda p: D(p) / 100)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(pounds_st, st.booleans(), st.integers(-40, 80), st.integers(0, 60)), max_size=6),
    st.lists(st.tuples(pounds_st, st.integers(0, 60), st.booleans(), st.integers(0, 5000)), max_size=4),
    st.lists(st.tuples(pounds_st, st.integers(-40, 80)), max_size=3),
    st.integers(1, 60),
)
def test_measured_lines_read_across_and_agree_with_a_day_by_day_count(
    baseline_servers, estate_servers, arrays, days
):
    start = date(2027, 4, 1)
    period = Period("2027/28", start, start + timedelta(days=days), 366)  # 29 February 2028
    money = Money(
        cost_model=CostModel(
            storage_gbp_per_tib_year=D("123.45"), power_gbp_per_kwh=D("0.31"), physical_server_watts=450
        ),
        baseline=Baseline(
            financial_year="2026/27",
            servers=tuple(
                BaselineServer(
                    id=f"b{k}",
                    kind="physical" if physical else "virtual",
                    annual_cost_gbp=cost,
                    switched_off_on=start + timedelta(days=off) if off >= 0 else None,
                )
                for k, (cost, physical, off, _seen) in enumerate(baseline_servers)
            ),
            storage_arrays=tuple(
                StorageArray(id=f"a{k}", tib=1, annual_cost_gbp=cost, retired_on=start + timedelta(days=off))
                for k, (cost, off) in enumerate(arrays)
            ),
        ),
    )
    estate = [
        _server(f"s{k}", "physical" if physical else "virtual", str(cost), storage_gib=gib)
        for k, (cost, _seen, physical, gib) in enumerate(estate_servers)
    ]
    seen = {f"b{k}": min(s, days) for k, (*_, s) in enumerate(baseline_servers) if s} | {
        f"s{k}": min(s, days) for k, (_c, s, *_) in enumerate(estate_servers) if s
    }
    measured = Measured(seen, {})
    lines = {line.category: line for line in measured_ledger(period, money, estate, measured)}
    exact_costs = _brute_force_costs(period, money, estate, measured)
    for category, line in lines.items():
        items = len(line.evidence)
        # reads across: baseline - actual = claim = the evidence, to the penny
        assert line.baseline - line.actual == line.saving == line.evidence_total
        assert line.baseline == penny(line.baseline) and line.unevidenced == 0
        # and the actual is the day-by-day count within half a penny an evidence item (and the baseline)
        assert abs(line.actual - exact_costs[category]) <= Fraction(items + 1, 200), category


def test_a_reported_year_is_its_register_and_the_cumulative_counts_every_investment():
    money = Money(
        savings_register=(
            ReportedSaving(
                financial_year="2023/24",
                category="servers",
                saving_gbp=D("120000"),
                source="return",
                signed_by="s151",
            ),
            ReportedSaving(
                financial_year="2023/24",
                category="staff",
                cashable=False,
                saving_gbp=D("-5000"),
                source="return",
                signed_by="s151",
            ),
        )
    )
    lines = reported_ledger("2023/24", money)
    reported = YearLedger(
        "2023/24", "reported", 366, 366, 366, False, lines, Fraction(40000), Fraction(70000)
    )
    # 120,000 cashable and -5,000 not: 115,000; net of 40,000 invested, 75,000 >= 70,000: met
    assert (reported.saving_cashable, reported.saving_non_cashable, reported.net_saving, reported.met) == (
        120000,
        -5000,
        75000,
        True,
    )
    assert all(line.evidence_total == line.saving and line.signed_by == "s151" for line in lines)
    # a year with nothing known still spent its investment: the cumulative subtracts it in full
    unknown = YearLedger("2024/25", NOT_KNOWN_YEAR, 365, 0, 365, False, (), Fraction(30000), Fraction(100000))
    assert unknown.met is None and unknown.projected_full_year_saving is None
    rows = cumulative([reported, unknown])
    # 75,000 then 75,000 - 30,000 = 45,000; targets 70,000 then 170,000
    assert [(r.net_saving, r.target, r.complete) for r in rows] == [
        (75000, 70000, True),
        (45000, 170000, False),
    ]
    assert [r.on_track for r in rows] == [True, False]


@pytest.fixture(scope="module")
def demo_programme(demo_build):
    paths, truth = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        report = savings_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW)
    planted = next(s for s in truth["scenarios"] if s["id"] == "five-year-savings-programme")
    return report, savings_document(report), planted


def test_the_demo_is_a_five_year_programme_against_two_and_a_half_million(demo_programme):
    report, document, planted = demo_programme
    years = document["years"]
    assert (
        [y["financial_year"] for y in years]
        == planted["years"]
        == ["2022/23", "2023/24", "2024/25", "2025/26", "2026/27"]
    )
    assert planted["target_cumulative_gbp"] == 2_500_000
    # years 1-4 reported (2025/26 begins before the history does, 22 October 2025), year 5 measured
    assert [y["basis"] for y in years] == ["reported"] * 4 + ["measured"]
    assert planted["reported_years"] == [y["financial_year"] for y in years[:4]]
    # every year's saving is the sum of its lines, and its net the saving less every investment,
    # summed here from the JSON's own lines and the planted investments
    invested = {i["financial_year"]: D(str(i["amount_gbp"])) for i in planted["investments"]}
    assert sum(invested.values()) == 1_000_000 and set(invested) == {"2022/23", "2023/24"}
    running = D(0)
    for year in years:
        lines = [line for line in year["ledger"] if line["saving_gbp"] is not None]
        assert D(year["saving_gbp"]) == sum(D(line["saving_gbp"]) for line in lines)
        net = D(year["saving_gbp"]) - invested.get(year["financial_year"], D(0))
        assert D(year["net_saving_gbp"]) == net
        running += net
        row = next(c for c in document["cumulative"] if c["financial_year"] == year["financial_year"])
        assert D(row["cumulative_net_saving_gbp"]) == running
        # every line's claim is evidenced in full
        assert all(D(line["unevidenced_gbp"]) == 0 for line in lines)
    # year 5, 235 days in (1 April to 21 November), is in progress: not met, on track, projected apart
    current = years[-1]
    assert (current["in_progress"], current["realised_days"], current["met"]) == (True, 235, None)
    assert current["on_track_to_date"] is True and current["projection"]["label"].startswith("projection")
    assert D(current["projection"]["full_year_saving_gbp"]) > D(current["saving_gbp"])
    # the cumulative target to date: the four years' targets and 235/365 of the fifth
    assert D(document["cumulative"][-1]["cumulative_target_gbp"]) == (
        D(-350_000 + 150_000 + 650_000 + 900_000) + (D(1_150_000) * 235 / 365).quantize(D("0.01"))
    )
    # a plausible share of the baseline: year 5's saving is a third of the baseline for its days
    measured_lines = current["ledger"]
    baseline = sum(D(line["baseline_gbp"]) for line in measured_lines)
    share = D(current["saving_gbp"]) / baseline
    assert D("0.25") < share < D("0.40")


def test_the_demos_measured_evidence_names_every_server_and_array_with_its_date(demo_programme):
    report, document, planted = demo_programme
    current = document["years"][-1]
    lines = {line["category"]: line for line in current["ledger"]}
    servers = [e for e in lines["servers"]["evidence"] if e["kind"] == "baseline-server"]
    # every baseline server is off for some of the year: the 8 the warehouse saw stop and the
    # rest switched off before the history, each dated
    assert len(servers) == planted["baseline_servers"] and all(e["date"] for e in servers)
    arrays = {e["subject"]: e for e in lines["storage"]["evidence"] if e["kind"] == "storage-array"}
    assert sorted(arrays) == sorted(a["id"] for a in planted["arrays_retired"])
    for array in planted["arrays_retired"]:
        assert arrays[array["id"]]["date"] == array["retired_on"]
        assert f"{array['tib']:g} TB" in arrays[array["id"]]["detail"]
    for category in ("servers", "storage", "power"):
        assert lines[category]["basis"] == "measured"
        assert D(lines[category]["evidence_gbp"]) == D(lines[category]["saving_gbp"])
