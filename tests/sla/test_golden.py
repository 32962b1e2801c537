"""Golden cases worked out by hand: each expected figure is derived in the comment beside it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estate.hours import parse_service_hours
from estate.model import Contract, CreditTier, Dataset, DrTest, Endpoint, Service
from estate.windows import parse_maintenance_window
from presentation.sla import contract_month_document
from sla import availability as av
from sla import calendar as cal
from sla.credits import credit_gbp, credit_percent
from sla.intervals import subtract, total
from sla.month import Calendar, ServiceEvidence, evaluate, summarise
from sla.recovery import BackupJob, LagSeries, job_counts, lag_breaches, recovery_points, rpo_breaches
from sla.response import ProbeSeries, response_p95, weighted_percentile
from sla.states import StateInterval, fill, service_segments, site_timeline
from tests.sla.reference import overlay_down, utc

LONDON = ZoneInfo("Europe/London")
CALENDAR = Calendar(LONDON, "england-and-wales")
HOUR = 3600


def hours_in(month: str, text: str, windows: tuple[str, ...] = ()) -> int:
    period = cal.month_period(month, LONDON)
    spans = cal.service_hours_spans(parse_service_hours(text), LONDON, period, "england-and-wales")
    maintenance = cal.maintenance_spans(tuple(parse_maintenance_window(w) for w in windows), LONDON, period)
    return total(subtract(spans, maintenance))


# --- calendars -------------------------------------------------------------------------------


def test_clock_change_months_have_743_and_745_hours():
    # March 2026: 31 days x 24 h less the hour lost on Sunday 29 March = 743 h.
    assert cal.month_period("2026-03", LONDON).seconds == 743 * HOUR
    assert hours_in("2026-03", "24x7") == 743 * HOUR
    # October 2026: 31 x 24 plus the hour repeated on Sunday 25 October = 745 h.
    assert cal.month_period("2026-10", LONDON).seconds == 745 * HOUR
    assert hours_in("2026-10", "24x7") == 745 * HOUR
    # A month without a change: 30 x 24 = 720 h.
    assert hours_in("2026-06", "24x7") == 720 * HOUR


def test_the_23_and_25_hour_days():
    assert (
        hours_in("2026-03", "Sun 00:00-24:00") == (4 * 24 + 23) * HOUR
    )  # Sundays 1, 8, 15, 22, 29: 4 x 24 + 23
    assert (
        hours_in("2026-10", "Sun 00:00-24:00") == (3 * 24 + 25) * HOUR
    )  # Sundays 4, 11, 18 and the 25-hour 25th


def test_a_span_across_the_change_is_the_real_elapsed_time():
    # Every day 00:00-03:00: three hours, except two hours on 29 March (01:00 -> 02:00 skipped).
    assert hours_in("2026-03", "Mon-Sun 00:00-03:00") == (31 * 3 - 1) * HOUR
    # ... and four hours on 25 October (01:00-02:00 happens twice).
    assert hours_in("2026-10", "Mon-Sun 00:00-03:00") == (31 * 3 + 1) * HOUR


def test_leap_february():
    assert hours_in("2024-02", "24x7") == 29 * 24 * HOUR
    assert hours_in("2026-02", "24x7") == 28 * 24 * HOUR


def test_working_hours_less_a_bank_holiday_monday():
    # August 2026: 31 days, weekends on 1-2, 8-9, 15-16, 22-23, 29-30 leave 21 weekdays; Monday
    # 31 August is the summer bank holiday in England, so 20 days x 10 h = 200 h.
    assert hours_in("2026-08", "Mon-Fri 08:00-18:00 excluding bank holidays") == 200 * HOUR
    assert hours_in("2026-08", "Mon-Fri 08:00-18:00") == 210 * HOUR
    # Scotland's summer holiday is the first Monday (3 August); 31 August is a working day there.
    period = cal.month_period("2026-08", LONDON)
    scottish = cal.service_hours_spans(
        parse_service_hours("Mon-Fri 08:00-18:00 excluding bank holidays"), LONDON, period, "scotland"
    )
    assert total(scottish) == 200 * HOUR
    assert cal.bank_holidays_in("scotland", period, LONDON) == [date(2026, 8, 3)]


def test_several_spans_a_day_and_a_span_to_midnight():
    # June 2026 has 22 weekdays (Mondays 1, 8, 15, 22, 29) and no bank holiday: 22 x (4 + 5) h.
    assert hours_in("2026-06", "Mon-Fri 08:00-12:00 13:00-18:00") == 22 * 9 * HOUR
    # Mon, Wed, Fri 20:00-24:00: 5 Mondays + 4 Wednesdays + 4 Fridays = 13 evenings x 4 h.
    assert hours_in("2026-06", "Mon,Wed,Fri 20:00-24:00") == 13 * 4 * HOUR


def test_maintenance_windows_recurring_and_one_off():
    # The first Sunday of June 2026 is the 7th (the only first Sunday that falls on day 7 this
    # year): 720 h less 4 h.
    assert hours_in("2026-06", "24x7", ("first Sunday of the month 02:00-06:00",)) == (720 - 4) * HOUR
    period = cal.month_period("2026-06", LONDON)
    (window,) = cal.maintenance_spans(
        (parse_maintenance_window("first Sunday of the month 02:00-06:00"),), LONDON, period
    )
    assert window == (utc("2026-06-07T01:00:00"), utc("2026-06-07T05:00:00"))  # BST: 02:00 local = 01:00 UTC
    # Last Saturday 22:00-02:00 in October 2026 is the 31st, running into November: 2 h in October.
    assert hours_in("2026-10", "24x7", ("last Saturday of the month 22:00-02:00",)) == (745 - 2) * HOUR
    # November loses the 2 h after midnight on 1 November, and all 4 h of 28-29 November.
    assert hours_in("2026-11", "24x7", ("last Saturday of the month 22:00-02:00",)) == (720 - 2 - 4) * HOUR
    # Every Sunday 00:00-04:00 on 25 October lasts five real hours (01:00-02:00 twice).
    assert hours_in("2026-10", "Sun 00:00-24:00", ("every Sunday 00:00-04:00",)) == (3 * 20 + (25 - 5)) * HOUR
    # A one-off window in working hours removes exactly its length.
    assert (
        hours_in("2026-10", "Mon-Fri 08:00-18:00 excluding bank holidays", ("2026-10-14 12:00-14:00",))
        == (22 * 10 - 2) * HOUR
    )


def test_periods_quarters_and_financial_years():
    assert cal.quarter_period("2026-11", LONDON).label == "2026/27 Q3"
    assert cal.quarter_period("2027-02", LONDON).label == "2026/27 Q4"
    year = cal.financial_year_period("2027-03", LONDON)
    assert year.label == "2026/27"
    assert year.start == utc("2026-03-31T23:00:00")  # 1 April 2026 00:00 BST
    assert year.end == utc("2027-03-31T23:00:00")  # 1 April 2027 00:00 BST
    assert cal.months_between(cal.Period("", year.start, utc("2026-06-01T00:00:00")), LONDON) == (
        "2026-04",
        "2026-05",
        "2026-06",
    )


# --- states and availability -----------------------------------------------------------------


def segments_for(sites: dict[str, list[StateInterval]], start: int, end: int):
    timelines = [site_timeline([fill(intervals, start, end)], start, end) for intervals in sites.values()]
    return service_segments(tuple(sites), timelines, start, end)


def test_the_briefs_probe_example_down_for_exactly_thirty_minutes():
    # Samples at 10:00:00 = down ... 10:30:00 = up: the down interval is exactly 30 minutes.
    start, end = utc("2026-06-01T00:00:00"), utc("2026-06-02T00:00:00")
    down_from, up_from = utc("2026-06-01T10:00:00"), utc("2026-06-01T10:30:00")
    site = [
        StateInterval(start, down_from, "up"),
        StateInterval(down_from, up_from, "down"),
        StateInterval(up_from, end, "up"),
    ]
    segments = segments_for({"dc1": site}, start, end)
    measure = av.measure(segments, [(start, end)])
    assert measure.down_seconds == 1800
    assert measure.availability == Fraction(86400 - 1800, 86400)


def test_a_whole_site_outage_against_a_two_site_and_a_one_site_service():
    start, end = utc("2026-10-21T00:00:00"), utc("2026-10-22T00:00:00")
    lo, hi = utc("2026-10-21T12:00:00"), utc("2026-10-21T14:00:00")
    dc2 = [StateInterval(start, lo, "up"), StateInterval(lo, hi, "down"), StateInterval(hi, end, "up")]
    dc1 = [StateInterval(start, end, "up")]
    two_site = av.measure(segments_for({"dc1": dc1, "dc2": dc2}, start, end), [(start, end)])
    # Up at DC1 throughout: no down time, two hours degraded (counted as up, resilience lost).
    assert (two_site.down_seconds, two_site.degraded_seconds, two_site.up_seconds) == (0, 7200, 86400)
    one_site = av.measure(segments_for({"dc2": dc2}, start, end), [(start, end)])
    assert (one_site.down_seconds, one_site.degraded_seconds) == (7200, 0)
    assert one_site.availability == Fraction(86400 - 7200, 86400)
    lost = av.resilience_lost(segments_for({"dc1": dc1, "dc2": dc2}, start, end), start, end)
    assert lost == [(lo, hi, ("dc2",))]


def test_unmonitored_time_under_each_policy():
    # Ten scheduled hours: 8 h up, 1 h down, 1 h with DC1's Prometheus unreachable.
    start = utc("2026-06-01T00:00:00")
    site = [
        StateInterval(start, start + 8 * HOUR, "up"),
        StateInterval(start + 8 * HOUR, start + 9 * HOUR, "down"),
        StateInterval(start + 9 * HOUR, start + 10 * HOUR, "unmonitored", "prometheus-unreachable"),
    ]
    segments = segments_for({"dc1": site}, start, start + 10 * HOUR)
    scheduled = [(start, start + 10 * HOUR)]
    exclude, up, down = (av.measure(segments, scheduled, policy) for policy in ("exclude", "up", "down"))
    assert exclude.unmonitored_by_cause == {"prometheus-unreachable": HOUR}
    assert exclude.availability == Fraction(8, 9)  # 88.888...% : the unmonitored hour is left out
    assert av.percent_rounded_down(exclude.availability) == Decimal("88.888")
    assert up.availability == Fraction(9, 10)  # counted as up: 9 of 10 hours
    assert down.availability == Fraction(8, 10)  # counted as down: 8 of 10 hours
    assert (down.counted_down_seconds, up.counted_down_seconds) == (2 * HOUR, HOUR)


def test_nothing_measured_is_never_shown_as_a_hundred_percent():
    start = utc("2026-06-01T00:00:00")
    segments = segments_for({"dc1": []}, start, start + HOUR)
    measure = av.measure(segments, [(start, start + HOUR)])
    assert measure.unmonitored_by_cause == {"collector-not-running": HOUR}
    assert measure.availability is None
    assert av.percent_rounded_down(measure.availability) is None
    assert av.meets_target(measure.availability, Decimal("99.5")) is None


def test_the_unmonitored_cause_when_both_sites_are_unmonitored_for_different_reasons():
    start = utc("2026-06-01T00:00:00")
    sites = {
        "dc1": [StateInterval(start, start + HOUR, "unmonitored", "no-samples")],
        "dc2": [StateInterval(start, start + HOUR, "unmonitored", "prometheus-unreachable")],
    }
    measure = av.measure(segments_for(sites, start, start + HOUR), [(start, start + HOUR)])
    assert measure.unmonitored_by_cause == {"prometheus-unreachable": HOUR}  # first in the documented order
    # A site down and the other unmonitored: not known down everywhere, so unmonitored.
    sites["dc1"] = [StateInterval(start, start + HOUR, "down")]
    measure = av.measure(segments_for(sites, start, start + HOUR), [(start, start + HOUR)])
    assert (measure.down_seconds, measure.unmonitored_seconds) == (0, HOUR)


def test_rounded_down_never_hides_a_miss():
    # 99.4996 % is shown as 99.499, and misses a 99.5 % target.
    availability = Fraction(994996, 1000000)
    assert av.percent_rounded_down(availability) == Decimal("99.499")
    assert av.meets_target(availability, Decimal("99.5")) is False
    # Exactly 99.5 % meets it.
    assert av.meets_target(Fraction(995, 1000), Decimal("99.5")) is True
    # 2/3 = 66.6666...% shows as 66.666, not 66.667.
    assert av.percent_rounded_down(Fraction(2, 3)) == Decimal("66.666")


def test_error_budget_and_burn_rate():
    # 200 scheduled hours at 99.5 %: budget 200 h x 0.5 % = 1 h = 3600 s. 51 minutes down:
    # 3060 s spent, 540 s left; burn rate (3060/720000) / 0.005 = 0.85.
    measure = av.Measure(720_000, 716_940, 0, 3060, 0)
    budget = av.error_budget("month", "2026-08", [(measure, Decimal("99.5"))])
    assert budget.allowed_down_seconds == 3600
    assert budget.left_seconds == 540
    assert budget.burn_rate == Fraction(85, 100)
    # Over two months under different targets, each month keeps its own allowance:
    # 200 h at 99.5 % (3600 s) + 200 h at 99.7 % (2160 s) = 5760 s allowed.
    both = av.error_budget("quarter", "q", [(measure, Decimal("99.5")), (measure, Decimal("99.7"))])
    assert both.allowed_down_seconds == 5760
    assert both.left_seconds == 5760 - 6120


# --- contracts, months and the council figure ------------------------------------------------


def service(**overrides) -> Service:
    values = {
        "id": "revenues",
        "name": "Revenues",
        "sites": ("dc1", "dc2"),
        "mode": "active-active",
        "tenancy": "shared",
        "criticality": "high",
        "councils": ("fylde",),
        "endpoints": (Endpoint(site="dc1", target="https://a"), Endpoint(site="dc2", target="https://b")),
    }
    return Service(**(values | overrides))


def contract(**overrides) -> Contract:
    values = {
        "council": "fylde",
        "service": "revenues",
        "effective_from": "2026-01",
        "service_hours": "24x7",
        "availability_target_percent": Decimal("99.5"),
        "monthly_charge_gbp": Decimal("1000.00"),
        "credit_tiers": (
            CreditTier(below_percent=Decimal("99.5"), credit_percent=Decimal("5")),
            CreditTier(below_percent=Decimal("99"), credit_percent=Decimal("10")),
        ),
    }
    return Contract(**(values | overrides))


def both_sites_down(lo: int, hi: int, start: int, end: int):
    site = [StateInterval(start, lo, "up"), StateInterval(lo, hi, "down"), StateInterval(hi, end, "up")]
    return segments_for({"dc1": site, "dc2": list(site)}, start, end)


def test_an_outage_across_midnight_on_the_last_day_of_the_month():
    # Down 23:30 on 31 August to 00:45 on 1 September (BST): 30 minutes in August, 45 in September.
    start, end = utc("2026-03-31T23:00:00"), utc("2026-10-01T00:00:00")
    segments = both_sites_down(utc("2026-08-31T22:30:00"), utc("2026-08-31T23:45:00"), start, end)
    evidence = ServiceEvidence(service(), segments)
    terms = contract()
    as_of = utc("2026-10-01T00:00:00")
    august = evaluate("fylde", "2026-08", evidence, lambda m: terms, CALENDAR, (), as_of)
    september = evaluate("fylde", "2026-09", evidence, lambda m: terms, CALENDAR, (), as_of)
    (a,) = august.outages
    (s,) = september.outages
    assert (a.seconds, a.continues_before, a.continues_after) == (1800, False, True)
    assert (s.seconds, s.continues_before, s.continues_after) == (2700, True, False)
    assert august.measure.down_seconds == 1800 and september.measure.down_seconds == 2700
    # August 2026 is 744 h: availability (2678400 - 1800) / 2678400 = 99.93279...%, shown 99.932.
    assert contract_month_document(august)["availability_percent"] == "99.932"


def test_an_outage_half_inside_a_maintenance_window():
    # Email, 24x7 with 'first Sunday of the month 02:00-06:00'; down 05:00-07:00 on Sunday
    # 6 September 2026 (BST): 05:00-06:00 is maintenance, 06:00-07:00 counts.
    start, end = utc("2026-03-31T23:00:00"), utc("2026-10-01T00:00:00")
    segments = both_sites_down(utc("2026-09-06T04:00:00"), utc("2026-09-06T06:00:00"), start, end)
    terms = contract(maintenance_windows=("first Sunday of the month 02:00-06:00",))
    result = evaluate(
        "fylde", "2026-09", ServiceEvidence(service(), segments), lambda m: terms, CALENDAR, (), end
    )
    (outage,) = result.outages
    assert (
        outage.seconds_in_maintenance,
        outage.seconds_in_scheduled,
        outage.seconds_outside_service_hours,
    ) == (3600, 3600, 0)
    assert result.measure.scheduled_seconds == (720 - 4) * HOUR
    assert result.measure.down_seconds == 3600


def test_a_bank_holiday_monday_outage_is_outside_service_hours():
    # Down 10:00-11:00 BST on Monday 31 August 2026 with 'Mon-Fri 08:00-18:00 excluding bank holidays'.
    start, end = utc("2026-03-31T23:00:00"), utc("2026-09-01T00:00:00")
    segments = both_sites_down(utc("2026-08-31T09:00:00"), utc("2026-08-31T10:00:00"), start, end)
    terms = contract(service_hours="Mon-Fri 08:00-18:00 excluding bank holidays")
    result = evaluate(
        "fylde", "2026-08", ServiceEvidence(service(), segments), lambda m: terms, CALENDAR, (), end
    )
    (outage,) = result.outages
    assert (outage.seconds_in_scheduled, outage.seconds_outside_service_hours) == (0, 3600)
    # its instants, aware: 10:00 BST is 09:00 UTC
    assert (outage.start_utc, outage.end_utc) == (
        datetime(2026, 8, 31, 9, tzinfo=UTC),
        datetime(2026, 8, 31, 10, tzinfo=UTC),
    )
    assert result.period.end_utc == datetime(2026, 8, 31, 23, tzinfo=UTC)  # local midnight, 1 September
    assert result.availability == 1
    assert result.bank_holidays == (date(2026, 8, 31),)
    # Without the exclusion the same hour is in service hours and counts.
    plain = contract(service_hours="Mon-Fri 08:00-18:00")
    result = evaluate(
        "fylde", "2026-08", ServiceEvidence(service(), segments), lambda m: plain, CALENDAR, (), end
    )
    assert result.measure.down_seconds == 3600
    assert result.availability == Fraction(210 * HOUR - 3600, 210 * HOUR)


def test_a_contract_version_change_and_a_month_without_a_contract():
    # Down 3 hours in each of July and August 2026 (744 h months: 99.5967...%).
    start, end = utc("2025-12-31T00:00:00"), utc("2026-09-01T00:00:00")
    site = [StateInterval(start, end, "up")]
    for lo in ("2026-07-10T00:00:00", "2026-08-10T00:00:00"):
        site = overlay_down(site, utc(lo), utc(lo) + 3 * HOUR)
    segments = segments_for({"dc1": site, "dc2": site}, start, end)
    old = contract(effective_until="2026-07")
    new = contract(
        effective_from="2026-08",
        availability_target_percent=Decimal("99.7"),
        credit_tiers=(CreditTier(below_percent=Decimal("99.7"), credit_percent=Decimal("5")),),
    )
    lookup = {"2026-07": old, "2026-08": new}.get
    evidence = ServiceEvidence(service(), segments)
    july = evaluate("fylde", "2026-07", evidence, lookup, CALENDAR, (), end)
    august = evaluate("fylde", "2026-08", evidence, lookup, CALENDAR, (), end)
    assert july.met is True  # 99.5967 >= 99.5
    assert august.met is False  # 99.5967 < 99.7: the version in force on 1 August applies
    assert august.credit_percent == Decimal("5") and august.credit_gbp == Decimal("50.00")
    june = evaluate("fylde", "2026-06", evidence, lookup, CALENDAR, (), end)
    assert june.status == "no-contract"
    assert contract_month_document(june)["availability_percent"] is None and june.met is None
    # The financial year to August sums July's allowance at 99.5 % and August's at 99.7 %:
    # 744 h x 0.5 % + 744 h x 0.3 % = 13392 s + 8035.2 s.
    year = next(b for b in august.budgets if b.window == "financial_year")
    assert year.allowed_down_seconds == Fraction(133920 + 80352, 10)
    assert year.down_seconds == 6 * HOUR


def test_a_service_added_mid_month():
    # In service from 15 September 2026: scheduled from 00:00 BST on the 15th, 16 days x 24 h.
    start, end = utc("2026-03-31T23:00:00"), utc("2026-10-01T00:00:00")
    added = service(in_service_from=date(2026, 9, 15))
    segments = segments_for(
        {"dc1": [StateInterval(utc("2026-09-14T23:00:00"), end, "up")], "dc2": []}, start, end
    )
    result = evaluate(
        "fylde", "2026-09", ServiceEvidence(added, segments), lambda m: contract(), CALENDAR, (), end
    )
    assert result.measure.scheduled_seconds == 16 * 24 * HOUR
    assert result.availability == 1
    august = evaluate(
        "fylde", "2026-08", ServiceEvidence(added, segments), lambda m: contract(), CALENDAR, (), end
    )
    assert august.status == "not-in-service"


def test_a_council_figure_is_time_weighted_not_a_mean_of_percentages():
    # Service A: 100 h measured, 99 up (99 %); service B: 900 h measured, 900 up (100 %).
    # Mean of percentages would be 99.5 %; time-weighted is 999/1000 = 99.9 %.
    start = utc("2026-06-01T00:00:00")
    a = evaluate_simple(start, 100 * HOUR, HOUR)
    b = evaluate_simple(start, 900 * HOUR, 0)
    summary = summarise("fylde", "2026-06", [a, b])
    assert summary.time_weighted_availability == Fraction(999, 1000)
    assert summary.headline == "1 of 2 services met target"


def evaluate_simple(start: int, measured: int, down: int):
    from sla.month import ContractMonth

    row = ContractMonth(
        "fylde",
        "s",
        "S",
        "2026-06",
        cal.Period("2026-06", start, start + measured),
        True,
        "measured",
        contract(),
        measure=av.Measure(measured, measured - down, 0, down, 0),
    )
    return row


# --- backups, replication, response time, RTO and credits -----------------------------------


def test_rpo_breach_from_last_good_backup_plus_rpo_to_the_next_good_one():
    # Good backups at 0 h, 10 h and 40 h (a failed one at 20 h); RPO 24 h: the age passes 24 h
    # at 10 + 24 = 34 h and recovers at 40 h, so one breach of 6 h. Warnings count as good.
    jobs = [
        BackupJob("db", 0, "success"),
        BackupJob("db", 10 * HOUR, "warning"),
        BackupJob("db", 20 * HOUR, "failed"),
        BackupJob("db", 40 * HOUR, "success"),
    ]
    points = recovery_points(jobs)
    assert points == [0, 10 * HOUR, 40 * HOUR]
    assert rpo_breaches(points, 24 * HOUR, 0, 48 * HOUR) == [(34 * HOUR, 40 * HOUR)]
    # After the last backup the age passes 24 h at 64 h: a breach still open at the period end.
    assert rpo_breaches(points, 24 * HOUR, 0, 70 * HOUR) == [(34 * HOUR, 40 * HOUR), (64 * HOUR, 70 * HOUR)]
    counts = job_counts(jobs, 0, 48 * HOUR)
    assert (counts.attempted, counts.succeeded, counts.warnings, counts.failed) == (4, 3, 1, 1)
    assert counts.success_rate == Fraction(3, 4)


def test_replication_lag_breach_uses_the_sample_standing_rule():
    # Samples every 900 s; lag over a 4 h RPO (14400 s) at 2700 s and 3600 s only. Each stands
    # until the next sample: the breach runs 2700 s to 4500 s.
    times = [0, 900, 1800, 2700, 3600, 4500, 5400]
    lags = [60, 60, 9000, 15000, 19800, 100, 60]
    series = LagSeries.from_rows(list(zip(times, lags, strict=True)))
    breaches, peak = lag_breaches(series, 4 * HOUR, 0, 6000)
    assert breaches == [(2700, 4500)]
    assert peak == 19800
    # A missed sample: after 3600 the next comes at 7200 (> 1.5 x 900), so 3600 stands 900 s.
    gap = LagSeries.from_rows([(0, 60), (900, 60), (1800, 60), (2700, 20000), (3600, 20000), (7200, 60)])
    assert lag_breaches(gap, 4 * HOUR, 0, 8000)[0] == [(2700, 4500)]


def test_response_time_p95_weighted_by_scheduled_time():
    # Twenty one-hour intervals, p95 values 0.1 .. 2.0 s; all in scheduled time, equal weights:
    # the 95th percentile is the 19th value (19/20 = 95 %), 1.9 s.
    series = ProbeSeries(
        np.arange(20, dtype=np.int64) * HOUR, np.full(20, HOUR, np.int64), np.round(np.arange(1, 21) / 10, 1)
    )
    p95, counted = response_p95(series, [(0, 20 * HOUR)])
    assert (p95, counted) == (1.9, 20)
    # Scheduled time only over the first 10 hours: the slow later hours weigh nothing -> 1.0 s.
    assert response_p95(series, [(0, 10 * HOUR)]) == (1.0, 10)
    # Half an hour of the slowest interval counted: weights 3600 x 19 + 1800; 95 % of 70200 =
    # 66690 is first reached at the 19th value (68400): 1.9 s.
    assert response_p95(series, [(0, 19 * HOUR + 1800)]) == (1.9, 20)
    assert weighted_percentile(np.array([5.0]), np.array([0])) is None


def test_rto_evidence_from_dr_tests_and_long_outages():
    start, end = utc("2026-03-31T23:00:00"), utc("2026-10-01T00:00:00")
    # A 5-hour outage against a 4-hour RTO, and a DR test in July that recovered in 95 minutes.
    segments = both_sites_down(utc("2026-09-10T08:00:00"), utc("2026-09-10T13:00:00"), start, end)
    tests = (
        DrTest(
            date=date(2026, 7, 12), service="revenues", recovered_at_site="dc2", measured_recovery_minutes=95
        ),
    )
    result = evaluate(
        "fylde",
        "2026-09",
        ServiceEvidence(service(), segments),
        lambda m: contract(rto_hours=4),
        CALENDAR,
        tests,
        end,
    )
    kinds = [(e.kind, e.recovery_seconds, e.passed) for e in result.rto.evidence]
    assert kinds == [("dr-test", 95 * 60, True), ("outage", 5 * HOUR, False)]
    assert result.rto.met is False


@pytest.mark.parametrize(
    ("availability", "percent", "gbp"),
    [
        (Fraction(9951, 10000), "0", "0.00"),  # 99.51 %: at or above target, no credit
        (Fraction(995, 1000), "0", "0.00"),  # exactly 99.5 %: not strictly below the tier
        (Fraction(99499, 100000), "5", "50.00"),  # 99.499 %: below 99.5 -> 5 %
        (Fraction(98, 100), "10", "100.00"),  # 98 %: below both tiers -> the larger, 10 %
        (None, "0", "0.00"),  # nothing measured: no credit
    ],
)
def test_service_credit_tiers(availability, percent, gbp):
    tiers = contract().credit_tiers
    assert credit_percent(availability, tiers) == Decimal(percent)
    assert credit_gbp(availability, tiers, Decimal("1000.00")) == Decimal(gbp)


def test_credit_rounds_to_the_penny_half_up():
    # 5 % of 333.33 = 16.6665 -> 16.67
    tiers = (CreditTier(below_percent=Decimal("99.5"), credit_percent=Decimal("5")),)
    assert credit_gbp(Fraction(99, 100), tiers, Decimal("333.33")) == Decimal("16.67")


def test_rpo_compliance_through_evaluate():
    # RPO 24 h; backups at 01:00 UTC each day of September 2026 except 10th-11th: the backup of
    # the 9th (01:00) is last good until the 12th (01:00): breach 10th 01:00 -> 12th 01:00 = 48 h.
    start, end = utc("2026-03-31T23:00:00"), utc("2026-10-01T00:00:00")
    days = [d for d in range(1, 31) if d not in (10, 11)]
    jobs = [BackupJob("db", utc(f"2026-09-{d:02d}T01:00:00"), "success") for d in days]
    datasets = (Dataset(id="db", site="dc1", size_gib=120.0),)
    evidence = ServiceEvidence(
        service(datasets=datasets),
        segments_for({"dc1": [StateInterval(start, end, "up")], "dc2": []}, start, end),
        recovery_points={"db": [utc("2026-08-31T01:00:00"), *recovery_points(jobs)]},
        jobs={"db": jobs},
    )
    result = evaluate("fylde", "2026-09", evidence, lambda m: contract(rpo_hours=24), CALENDAR, (), end)
    rpo = contract_month_document(result)["rpo"]
    assert rpo["datasets"][0]["size_gib"] == 120.0  # shown beside its breaches, as configured
    assert rpo["datasets"][0]["breaches"] == [
        {"start_utc": "2026-09-10T01:00:00Z", "end_utc": "2026-09-12T01:00:00Z", "seconds": 48 * HOUR}
    ]
    # 24x7: 720 h assessed, 48 h in breach: compliance 672/720 = 93.333...%, shown 93.333.
    assert rpo["compliance_percent"] == "93.333"
    assert rpo["jobs_attempted"] == 28


@settings(max_examples=400, deadline=None)
@given(
    st.integers(0, 10**7),
    st.integers(0, 10**5),
    st.integers(0, 10**5),
    st.sampled_from(["exclude", "up", "down"]),
    st.decimals(min_value=0, max_value=100, places=3),
)
def test_meeting_a_target_in_whole_numbers_agrees_with_the_fraction(up, down, unmonitored, policy, target):
    measure = av.Measure(up + down + unmonitored, up, 0, down, unmonitored, {}, policy)
    assert measure.meets(target) == av.meets_target(measure.availability, target)
