"""The fast interval arithmetic agrees with the brute-force second-by-second reference, and the
properties the brief promises hold on random inputs."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate.hours import parse_service_hours
from estate.windows import parse_maintenance_window
from sla import availability as av
from sla import calendar as cal
from sla.intervals import clip, subtract
from sla.states import StateInterval, fill, service_segments, site_timeline
from tests.sla.reference import brute, overlay_down
from tests.sla.strategies import CAUSES, HOLIDAYS, HOURS, LONDON, PERIODS, WINDOWS, period_of, service_inputs

SLOW = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def fast(inputs, period: cal.Period | None = None):
    """The production path: fill, combine sites, schedule, measure, find outages."""
    period = period or inputs["period"]
    site_ids = tuple(f"dc{k + 1}" for k in range(len(inputs["sites"])))
    timelines = [
        site_timeline([fill(s, period.start, period.end)], period.start, period.end) for s in inputs["sites"]
    ]
    segments = service_segments(site_ids, timelines, period.start, period.end)
    hours = cal.service_hours_spans(inputs["hours"], LONDON, period, "england-and-wales")
    windows = cal.maintenance_spans(inputs["windows"], LONDON, period)
    scheduled = subtract(hours, windows)
    measure = av.measure(segments, scheduled, inputs["policy"])
    outages = av.outages(segments, hours, scheduled, period.start, period.end, site_ids)
    return segments, scheduled, measure, outages


@SLOW
@given(service_inputs())
def test_fast_agrees_with_brute_force_second_by_second(inputs):
    period = inputs["period"]
    _, _, measure, outages = fast(inputs)
    expected = brute(
        inputs["sites"], period.start, period.end, LONDON, inputs["hours"], inputs["windows"], HOLIDAYS
    )
    assert measure.scheduled_seconds == expected.scheduled
    assert measure.up_seconds == expected.up
    assert measure.degraded_seconds == expected.degraded
    assert measure.down_seconds == expected.down
    assert measure.unmonitored_seconds == expected.unmonitored
    assert measure.unmonitored_by_cause == expected.by_cause
    assert [
        (o.start, o.end, o.seconds_in_scheduled, o.seconds_in_maintenance) for o in outages
    ] == expected.outages


@SLOW
@given(service_inputs())
def test_seconds_add_up_and_availability_is_a_share(inputs):
    period = inputs["period"]
    _, _, measure, outages = fast(inputs)
    assert 0 <= measure.scheduled_seconds <= period.seconds
    assert (
        measure.up_seconds + measure.down_seconds + measure.unmonitored_seconds == measure.scheduled_seconds
    )
    assert sum(measure.unmonitored_by_cause.values()) == measure.unmonitored_seconds
    if measure.availability is not None:
        assert 0 <= measure.availability <= 1
    for outage in outages:
        assert (
            outage.seconds_in_scheduled + outage.seconds_in_maintenance + outage.seconds_outside_service_hours
            == outage.seconds
        )
    assert sum(o.seconds_in_scheduled for o in outages) == measure.down_seconds


@SLOW
@given(service_inputs(full_months=False), st.floats(0.01, 0.99))
def test_splitting_a_period_and_adding_the_parts_gives_the_whole(inputs, share):
    period = inputs["period"]
    cut = period.start + int(period.seconds * share)
    whole = fast(inputs)[2]
    first = fast(inputs, cal.Period("a", period.start, cut))[2]
    second = fast(inputs, cal.Period("b", cut, period.end))[2]
    assert first.plus(second) == whole


@SLOW
@given(service_inputs(full_months=False), st.randoms(use_true_random=False))
def test_adding_down_time_never_raises_availability(inputs, rng: random.Random):
    before = fast(inputs)[2]
    site = rng.randrange(len(inputs["sites"]))
    intervals = inputs["sites"][site] or [StateInterval(inputs["period"].start, inputs["period"].end, "up")]
    k = rng.randrange(len(intervals))
    worse = dict(inputs)
    worse["sites"] = list(inputs["sites"])
    worse["sites"][site] = [
        *intervals[:k],
        StateInterval(intervals[k].start, intervals[k].end, "down"),
        *intervals[k + 1 :],
    ]
    if len(worse["sites"]) == 2:  # make the other site down too over the same stretch, or nothing changes
        other = 1 - site
        worse["sites"][other] = overlay_down(worse["sites"][other], intervals[k].start, intervals[k].end)
    after = fast(worse)[2]
    if before.availability is not None and after.availability is not None:
        assert after.availability <= before.availability
    assert after.counted_down_seconds >= before.counted_down_seconds


@pytest.mark.parametrize("hours_text", HOURS)
@pytest.mark.parametrize(("first", "days"), PERIODS)
def test_every_calendar_case_agrees_with_brute_force(first, days, hours_text):
    """Every period of the strategy against every kind of service hours, with every window, so
    that each hard combination (a bank-holiday Monday with hours that exclude it, a 'first
    Sunday' window, both clock changes) is checked on every run, not only when drawn."""
    period = period_of(first, days)
    rng = random.Random(f"{first}{hours_text}")
    sites = []
    for _ in range(2):
        cuts = sorted(
            {
                period.start - 600,
                period.end + 600,
                *(rng.randrange(period.start, period.end) for _ in range(30)),
            }
        )
        states = ["up", "up", "down", "unmonitored", None]
        intervals = []
        for lo, hi in zip(cuts, cuts[1:], strict=False):
            state = rng.choice(states)
            if state:
                intervals.append(
                    StateInterval(lo, hi, state, rng.choice(CAUSES) if state == "unmonitored" else None)
                )
        sites.append(intervals)
    inputs = {
        "period": period,
        "hours": parse_service_hours(hours_text),
        "windows": tuple(parse_maintenance_window(w) for w in WINDOWS),
        "sites": sites,
        "policy": "exclude",
    }
    _, _, measure, outages = fast(inputs)
    expected = brute(sites, period.start, period.end, LONDON, inputs["hours"], inputs["windows"], HOLIDAYS)
    assert (
        measure.scheduled_seconds,
        measure.up_seconds,
        measure.degraded_seconds,
        measure.down_seconds,
    ) == (
        expected.scheduled,
        expected.up,
        expected.degraded,
        expected.down,
    )
    assert measure.unmonitored_by_cause == expected.by_cause
    assert [
        (o.start, o.end, o.seconds_in_scheduled, o.seconds_in_maintenance) for o in outages
    ] == expected.outages


@SLOW
@given(service_inputs(full_months=False), st.floats(0, 1), st.floats(0, 1))
def test_the_ledger_agrees_with_measuring_the_clipped_schedule(inputs, a, b):
    """Error budgets over long windows use the cumulative ledger; any sub-period it measures
    must equal the direct two-pointer measure of that sub-period."""
    segments, scheduled, _, _ = fast(inputs)
    period = inputs["period"]
    lo, hi = sorted((period.start + int(period.seconds * a), period.start + int(period.seconds * b)))
    ledger = av.Ledger(segments, scheduled)
    for policy in ("exclude", "up", "down"):
        assert ledger.measure(lo, hi, policy) == av.measure(segments, clip(scheduled, lo, hi), policy)
