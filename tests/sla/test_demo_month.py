"""The demo estate's planted situations, found by `month_report` to the second.

Expected values come from ground-truth.json (what the generator planted) and are derived here
independently of the rules: service down time is recomputed from the planted per-endpoint down
intervals by plain interval intersection.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from application.service_levels import month_report
from estate import load_estate
from estate.scope import PROVIDER
from presentation.sla import month_document
from sla import calendar as cal
from tests.conftest import DEMO_NOW
from warehouse import Warehouse

LONDON = ZoneInfo("Europe/London")


def seconds(text: str) -> int:
    return cal.utc_seconds(datetime.fromisoformat(text.replace("Z", "+00:00")))


def local_month(text: str) -> str:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(LONDON).strftime("%Y-%m")


@pytest.fixture(scope="module")
def demo(demo_build):
    paths, truth = demo_build
    estate = load_estate(paths.estate)
    scenarios = {s["id"]: s for s in truth["scenarios"]}

    @cache
    def report(month: str):
        with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
            return month_document(month_report(estate, warehouse, month, scope=PROVIDER, now=DEMO_NOW))

    def rows(month: str, service: str) -> list[dict]:
        """Every council's row of the service that month: one per council with a contract in force
        (worked out from the estate file), and at least one, so no loop over them passes empty."""
        found = [r for r in report(month)["services"] if r["service"] == service]
        buying = {c.council for c in estate.contracts if c.service == service}
        expected = [c for c in buying if estate.contract_in_force(c, service, month) is not None]
        assert found, f"no rows for {service} in {month}"
        assert len(found) == len(expected), (service, month, len(found), sorted(expected))
        return found

    return estate, truth, scenarios, report, rows


# England and Wales bank holidays as published on gov.uk/bank-holidays (written out, not taken
# from the calendar code under test).
BANK_HOLIDAYS = {
    date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26),
    date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26),
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25),
    date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
}  # fmt: skip


def office_seconds(start: int, end: int) -> int:
    """Seconds of [start, end) inside Mon-Fri 07:00-19:00 Blackpool time, bank holidays out: a
    brute force day by day with zoneinfo, apart from sla.calendar."""
    total = 0
    day = datetime.fromtimestamp(start, LONDON).date()
    last = datetime.fromtimestamp(end, LONDON).date()
    while day <= last:
        if day.weekday() < 5 and day not in BANK_HOLIDAYS:
            opens = int(datetime(day.year, day.month, day.day, 7, tzinfo=LONDON).timestamp())
            closes = int(datetime(day.year, day.month, day.day, 19, tzinfo=LONDON).timestamp())
            total += max(0, min(end, closes) - max(start, opens))
        day += timedelta(days=1)
    return total


def outage_at(row: dict, start: int, end: int) -> dict:
    (found,) = [
        o for o in row["outages"] if seconds(o["start_utc"]) == start and seconds(o["end_utc"]) == end
    ]
    return found


def test_an_outage_in_service_hours(demo):
    _, _, scenarios, _, rows = demo
    planted = scenarios["outage-in-service-hours"]
    start, end = seconds(planted["start_utc"]), seconds(planted["end_utc"])
    for row in rows(local_month(planted["start_utc"]), planted["service"]):
        outage = outage_at(row, start, end)
        assert outage["seconds_in_scheduled_time"] == planted["duration_seconds"] == 3060
        assert outage["sites"] == planted["sites"]


def test_an_outage_outside_service_hours_counts_nothing(demo):
    _, _, scenarios, _, rows = demo
    planted = scenarios["outage-outside-service-hours"]
    for row in rows(local_month(planted["start_utc"]), planted["service"]):
        outage = outage_at(row, seconds(planted["start_utc"]), seconds(planted["end_utc"]))
        assert (outage["seconds_in_scheduled_time"], outage["seconds_outside_service_hours"]) == (0, 5400)


def test_an_outage_half_in_a_maintenance_window(demo):
    _, _, scenarios, _, rows = demo
    planted = scenarios["outage-half-in-maintenance-window"]
    for row in rows(local_month(planted["start_utc"]), planted["service"]):
        outage = outage_at(row, seconds(planted["start_utc"]), seconds(planted["end_utc"]))
        assert (outage["seconds_in_maintenance"], outage["seconds_in_scheduled_time"]) == (3600, 3600)


def test_an_outage_across_the_month_boundary_is_split(demo):
    _, _, scenarios, _, rows = demo
    planted = scenarios["outage-across-month-boundary"]
    start, end = seconds(planted["start_utc"]), seconds(planted["end_utc"])
    first_month = local_month(planted["start_utc"])
    boundary = cal.month_period(first_month, LONDON).end
    next_month = local_month(cal.from_utc_seconds(boundary).isoformat())
    for row in rows(first_month, planted["service"]):
        outage = outage_at(row, start, boundary)
        assert (outage["seconds"], outage["continues_into_next_month"]) == (1800, True)
    for row in rows(next_month, planted["service"]):
        outage = outage_at(row, boundary, end)
        assert (outage["seconds"], outage["continues_from_previous_month"]) == (2700, True)


def test_a_bank_holiday_outage_is_outside_service_hours(demo):
    _, _, scenarios, _, rows = demo
    planted = scenarios["outage-on-bank-holiday"]
    for row in rows(local_month(planted["start_utc"]), planted["service"]):
        outage = outage_at(row, seconds(planted["start_utc"]), seconds(planted["end_utc"]))
        assert (outage["seconds_in_scheduled_time"], outage["seconds_outside_service_hours"]) == (0, 3600)
        assert planted["start_local"][:10] in row["bank_holidays"]


def test_a_one_off_maintenance_window_only_for_the_council_that_agreed_it(demo):
    estate, _, scenarios, _, rows = demo
    planted = scenarios["outage-in-one-off-maintenance"]
    start, end = seconds(planted["start_utc"]), seconds(planted["end_utc"])
    for row in rows(local_month(planted["start_utc"]), planted["service"]):
        outage = outage_at(row, start, end)
        agreed = any("2026-10-14" in w for w in row["contract"]["maintenance_windows"])
        if agreed:
            assert (outage["seconds_in_maintenance"], outage["seconds_in_scheduled_time"]) == (5400, 0)
        else:
            assert (outage["seconds_in_maintenance"], outage["seconds_in_scheduled_time"]) == (0, 5400)
    assert any(
        any("2026-10-14" in w for w in r["contract"]["maintenance_windows"])
        for r in rows("2026-10", "council-tax")
    )


def test_a_whole_site_outage_degrades_two_site_services_and_downs_one_site_services(demo):
    estate, _, scenarios, report, _ = demo
    planted = scenarios["whole-site-outage"]
    start, end = seconds(planted["start_utc"]), seconds(planted["end_utc"])
    checked = 0
    for row in report(local_month(planted["start_utc"]))["services"]:
        if f"{row['service']}@dc2" not in planted["endpoints_down"]:
            continue
        checked += 1
        if row["sites"] == ["dc2"]:
            outage_at(row, start, end)
        else:
            lost = [
                (seconds(r["start_utc"]), seconds(r["end_utc"]), r["sites_down"])
                for r in row["resilience_lost"]
            ]
            assert (start, end, ["dc2"]) in lost
            assert not [
                o for o in row["outages"] if seconds(o["start_utc"]) < end and seconds(o["end_utc"]) > start
            ]
    assert checked > 20


def _down_by_service(truth, estate) -> dict[str, list[tuple[int, int]]]:
    """Service down time = the intersection over its sites of planted endpoint down intervals."""
    per_site: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for interval in truth["down_intervals"]:
        service_id = interval["endpoint"].split("@")[0]
        per_site.setdefault((service_id, interval["site"]), []).append(
            (seconds(interval["start_utc"]), seconds(interval["end_utc"]))
        )
    found = {}
    for service in estate.services:
        common = None
        for site in service.sites:
            spans = sorted(per_site.get((service.id, site), []))
            common = (
                spans
                if common is None
                else [(max(a, c), min(b, d)) for a, b in common for c, d in spans if max(a, c) < min(b, d)]
            )
        found[service.id] = sorted(common or [])
    return found


def test_every_planted_down_interval_is_an_outage_to_the_second(demo):
    """Over every complete month of the history, each service's outages are exactly the planted
    down time common to all its sites, clipped to the month and to its time in service."""
    estate, truth, _, report, _ = demo
    expected = _down_by_service(truth, estate)
    months = [
        m
        for m in cal.months_between(
            cal.Period("", seconds("2025-11-01T00:00:00Z"), seconds("2026-11-01T00:00:00Z")), LONDON
        )
    ]
    assert len(months) == 12
    compared = 0
    for month in months:
        seen = set()
        for row in report(month)["services"]:
            if row["service"] in seen or row["status"] != "measured":
                continue
            seen.add(row["service"])
            lo, hi = seconds(row["period_start_utc"]), seconds(row["period_end_utc"])
            service = estate.service(row["service"])
            if service.in_service_from:
                live = cal.local_to_utc_seconds(
                    datetime(
                        service.in_service_from.year,
                        service.in_service_from.month,
                        service.in_service_from.day,
                    ),
                    LONDON,
                )
                lo = max(lo, live)
            want = [(max(a, lo), min(b, hi)) for a, b in expected[row["service"]] if max(a, lo) < min(b, hi)]
            got = [(seconds(o["start_utc"]), seconds(o["end_utc"])) for o in row["outages"]]
            assert got == want, (month, row["service"])
            compared += len(want)
    assert compared >= 20


def test_collection_gaps_are_unmonitored_with_their_cause(demo):
    estate, _, scenarios, report, _ = demo
    gap = scenarios["collection-gap-prometheus-unreachable"]
    start, end = seconds(gap["start_utc"]), seconds(gap["end_utc"])
    dc1_only_24x7 = [
        r
        for r in report(local_month(gap["start_utc"]))["services"]
        if r["sites"] == ["dc1"] and r["contract"] and r["contract"]["service_hours"] == "24x7"
    ]
    assert dc1_only_24x7, "the demo has a 24x7 service at DC1 only"
    for row in dc1_only_24x7:
        assert row["unmonitored_by_cause"].get("prometheus-unreachable") == end - start == 10800
        policy = row["contract"]["unmonitored_policy"]
        assert row["counted_down_seconds"] == row["down_seconds"] + (
            row["unmonitored_seconds"] if policy == "down" else 0
        )
    stopped = scenarios["collection-gap-collector-stopped"]
    rows = [
        r
        for r in report(local_month(stopped["start_utc"]))["services"]
        if r["contract"] and r["contract"]["service_hours"] == "24x7" and r["status"] == "measured"
    ]
    assert rows, "the demo has 24x7 services measured that month"
    for row in rows:
        assert row["unmonitored_by_cause"].get("collector-not-running", 0) >= 7200


def test_a_probe_not_yet_deployed_and_a_service_added_mid_month(demo):
    estate, _, scenarios, report, rows = demo
    gap = scenarios["probe-not-deployed"]
    added = scenarios["service-added-mid-month"]
    month = local_month(gap["start_utc"])
    live_day = datetime.fromisoformat(added["in_service_from"])
    live = cal.local_to_utc_seconds(live_day, LONDON)
    assert live == seconds(gap["start_utc"])  # probes planned from go-live, deployed two days late
    month_end = cal.month_period(month, LONDON).end
    for row in rows(month, gap["service"]):
        assert seconds(row["period_start_utc"]) <= live
        terms = estate.contract_in_force(row["council"], gap["service"], month)
        assert str(terms.service_hours) == "Mon-Fri 07:00-19:00 excluding bank holidays"
        in_hours = office_seconds(seconds(gap["start_utc"]), seconds(gap["end_utc"]))
        assert in_hours > 0
        assert row["unmonitored_by_cause"] == {"probe-not-deployed": in_hours}
        assert row["scheduled_seconds"] == office_seconds(live, month_end)
    before = cal.month_period(month, LONDON).start - 1
    for row in rows(local_month(cal.from_utc_seconds(before).isoformat()), gap["service"]):
        assert row["status"] == "not-in-service"


def test_the_failed_backup_chain_and_the_replication_lag_breach(demo):
    _, _, scenarios, report, _ = demo
    chain = scenarios["failed-backup-chain"]
    month = local_month(chain["breach_start_utc"])
    (row, *_) = [
        r
        for r in report(month)["services"]
        if r["rpo"] and any(d["dataset"] == chain["dataset"] for d in r["rpo"]["datasets"])
    ]
    (dataset,) = [d for d in row["rpo"]["datasets"] if d["dataset"] == chain["dataset"]]
    assert [(b["start_utc"], b["end_utc"]) for b in dataset["backup_breaches"]] == [
        (chain["breach_start_utc"].replace("+00:00", "Z"), chain["breach_end_utc"].replace("+00:00", "Z"))
    ]
    assert dataset["jobs_failed"] >= chain["failed_jobs"]

    lag = scenarios["replication-lag-breach"]
    month = local_month(lag["start_utc"])
    (row, *_) = [
        r
        for r in report(month)["services"]
        if r["rpo"] and any(d["dataset"] == lag["dataset"] for d in r["rpo"]["replication"])
    ]
    (replica,) = [d for d in row["rpo"]["replication"] if d["dataset"] == lag["dataset"]]
    assert replica["max_lag_seconds"] == lag["peak_lag_seconds"]
    (breach,) = replica["breaches"]
    # samples stand 15 minutes; the first sample over the RPO opens the breach, the first back
    # under it (at the planted end) closes it
    assert seconds(breach["start_utc"]) == seconds(lag["first_sample_over_rpo_utc"])
    assert seconds(breach["end_utc"]) == seconds(lag["end_utc"])
    # The replica's recovery point stalls at the fault (lag grows one second a second), so the
    # recovery point age passes the RPO exactly RPO hours after the fault began.
    (dataset,) = [d for d in row["rpo"]["datasets"] if d["dataset"] == lag["dataset"]]
    assert [(seconds(b["start_utc"]), seconds(b["end_utc"])) for b in dataset["breaches"]] == [
        (seconds(lag["start_utc"]) + int(lag["rpo_hours"] * 3600), seconds(lag["end_utc"]))
    ]
    within = scenarios["replication-lag-within-rpo"]
    checked = 0
    for r in report(local_month(within["start_utc"]))["services"]:
        for d in (r["rpo"] or {}).get("replication", []):
            if d["dataset"] == within["dataset"]:
                assert d["breaches"] == [] and d["max_lag_seconds"] == within["peak_lag_seconds"]
                checked += 1
    assert checked >= 1  # every council buying the service has the dataset's replication checked


def test_slow_responses_miss_the_response_time_target(demo):
    _, _, scenarios, report, rows = demo
    slow = scenarios["slow-responses"]
    for row in rows(local_month(slow["start_utc"]), slow["service"]):
        assert row["response_time"]["p95_seconds"] > row["response_time"]["target_seconds"]
        assert row["response_time"]["met"] is False
    earlier = local_month(cal.from_utc_seconds(seconds(slow["start_utc"]) - 40 * 86400).isoformat())
    for row in rows(earlier, slow["service"]):
        assert row["response_time"]["met"] is True


def test_contract_versions_and_a_council_that_joined(demo):
    estate, _, scenarios, report, rows = demo
    change = scenarios["contract-version-change"]
    year, number = map(int, change["month"].split("-"))
    before = f"{year - (number == 1):04d}-{(number - 2) % 12 + 1:02d}"
    (now,) = [r for r in rows(change["month"], change["service"]) if r["council"] == change["council"]]
    (then,) = [r for r in rows(before, change["service"]) if r["council"] == change["council"]]
    assert (then["target_percent"], now["target_percent"]) == ("99.5", "99.7")
    joined = scenarios["council-joined"]
    year, number = map(int, joined["first_month"].split("-"))
    earlier = f"{year - (number == 1):04d}-{(number - 2) % 12 + 1:02d}"
    old = [r for r in report(earlier)["services"] if r["council"] == joined["council"]]
    assert old and all(r["status"] == "no-contract" and r["availability_percent"] is None for r in old)
    (summary,) = [c for c in report(earlier)["councils"] if c["council"] == joined["council"]]
    assert summary["services_with_contract"] == 0 and summary["time_weighted_availability_percent"] is None
    first = [r for r in report(joined["first_month"])["services"] if r["council"] == joined["council"]]
    assert first and all(r["status"] in ("measured", "not-in-service") for r in first)
    assert sum(r["status"] == "measured" for r in first) >= 10


def test_a_month_in_progress_stops_at_what_has_been_collected(demo):
    _, _, _, report, _ = demo
    november = report("2026-11")
    assert november["as_of_utc"] == DEMO_NOW.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert all(not r["month_complete"] for r in november["services"])


def test_a_month_in_progress_knows_its_whole_months_scheduled_time(demo):
    # what decides "at risk" from "missed" while the month runs: the whole month's budget
    estate, _, _, report, _ = demo
    november = report("2026-11")["services"]
    measured = [r for r in november if r["status"] == "measured"]
    assert measured and all(r["month_scheduled_seconds"] >= r["scheduled_seconds"] for r in measured)
    # a 24x7 contract without maintenance windows schedules every second of November's 30 days
    around_the_clock = {
        (c.council, c.service)
        for c in estate.contracts
        if str(c.service_hours) == "24x7" and not c.maintenance_windows and c.effective_until is None
    }
    whole = [r for r in measured if (r["council"], r["service"]) in around_the_clock]
    assert whole and {r["month_scheduled_seconds"] for r in whole} == {30 * 86_400}
    # a month that is over has none
    assert {r["month_scheduled_seconds"] for r in report("2026-10")["services"]} == {None}
