"""The error budget, RPO compliance and service credits agree with the brute-force references
in tests/sla/reference.py on random inputs, and the budget left is zero or more exactly when the
target is met."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from estate.hours import parse_service_hours
from estate.model import Contract, CreditTier, Dataset, Service
from estate.windows import parse_maintenance_window
from sla import availability as av
from sla import calendar as cal
from sla.credits import credit_gbp, credit_percent
from sla.month import Calendar, ServiceEvidence, evaluate
from sla.recovery import (
    BackupJob,
    LagSeries,
    age_breaches,
    highest_age_by_bucket,
    recovery_point_age,
    recovery_points,
    rpo_breaches,
)
from sla.states import Segment
from tests.sla.reference import (
    BruteDataset,
    brute_budget,
    brute_credit,
    brute_rpo,
    minute_flags,
    runs,
    states_per_second,
    utc,
)
from tests.sla.strategies import CAUSES, HOLIDAYS, LONDON, within_holiday_years

HOUR = 3600
DAY = 86_400
SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
MANY = settings(max_examples=300, deadline=None)
STATES = ("up", "up", "up", "degraded", "down", "unmonitored")
POLICIES = ("exclude", "up", "down")
targets = st.decimals(Decimal("0.001"), Decimal("100"), places=3)


# --- the error budget -------------------------------------------------------------------------


def test_the_worked_budgets_of_docs_sla_md():
    # 200 scheduled hours at 99.5 %, 20 h unmonitored and excluded, 3,400 s down: counted
    # 720,000 - 72,000 = 648,000 s, allowed 648,000 x 0.005 = 3,240 s, left 3,240 - 3,400 =
    # -160 s, burn 3,400 / 3,240; availability 644,600 / 648,000 = 99.475 % misses 99.5 %.
    # (On all 720,000 scheduled seconds the allowance would be 3,600 s, 200 s "left".)
    excluded = av.Measure(720_000, 644_600, 0, 3_400, 72_000, {"no-samples": 72_000}, "exclude")
    budget = av.error_budget("month", "m", [(excluded, Decimal("99.5"))])
    assert (budget.counted_seconds, budget.scheduled_seconds) == (648_000, 720_000)
    assert (budget.allowed_down_seconds, budget.down_seconds, budget.left_seconds) == (3_240, 3_400, -160)
    assert budget.burn_rate == Fraction(3_400, 3_240)
    assert av.meets_target(excluded.availability, Decimal("99.5")) is False
    # Under "down" the 72,000 s count as down: counted 720,000 s, allowed 3,600 s, down 75,400 s.
    down = av.Measure(720_000, 644_600, 0, 3_400, 72_000, {"no-samples": 72_000}, "down")
    budget = av.error_budget("month", "m", [(down, Decimal("99.5"))])
    assert (budget.allowed_down_seconds, budget.down_seconds, budget.left_seconds) == (3_600, 75_400, -71_800)
    # October 2026 to 00:00 on the 10th: 9 x 86,400 = 777,600 s counted at 99.5 % allow 3,888 s;
    # 4,000 s down burns 4,000 / 3,888 > 1 (at risk), the same as the whole month's view: 4,000 s
    # of 2,682,000 x 0.005 = 13,410 s spent while 777,600 / 2,682,000 of the month has elapsed.
    so_far = av.Measure(777_600, 773_600, 0, 4_000, 0)
    budget = av.error_budget("month", "2026-10", [(so_far, Decimal("99.5"))])
    assert budget.allowed_down_seconds == 3_888
    assert (
        budget.burn_rate == Fraction(4_000, 13_410) / Fraction(777_600, 2_682_000) == Fraction(4_000, 3_888)
    )
    # July at 99.5 % and August at 99.7 %, 2,678,400 s each, 3 h down in each: 13,392 + 8,035.2
    # = 21,427.2 s allowed, 21,600 s down, burn 21,600 / 21,427.2 = 125/124.
    july = av.Measure(2_678_400, 2_667_600, 0, 10_800, 0)
    both = av.error_budget("quarter", "q", [(july, Decimal("99.5")), (july, Decimal("99.7"))])
    assert both.allowed_down_seconds == Fraction(214_272, 10)
    assert both.left_seconds == Fraction(214_272, 10) - 21_600
    assert both.burn_rate == Fraction(125, 124)


@st.composite
def measures(draw) -> av.Measure:
    up = draw(st.integers(0, 10**7))
    down = draw(st.integers(0, 10**7))
    unmonitored = draw(st.integers(0, 10**7))
    return av.Measure(
        up + down + unmonitored,
        up,
        draw(st.integers(0, up)),
        down,
        unmonitored,
        {"no-samples": unmonitored} if unmonitored else {},
        draw(st.sampled_from(POLICIES)),
    )


@st.composite
def measures_at_the_target(draw) -> tuple[av.Measure, Decimal]:
    """A measure whose counted down time is within a second of counted x (1 - target), so that
    the exact boundary (availability equal to the target) is drawn, not only hoped for."""
    thousandths = draw(st.integers(1, 100_000))  # the target in thousandths of a percent
    target = Decimal(thousandths) / 1000
    k = draw(st.integers(1, 200))
    counted = 100_000 * k  # counted x (1 - target) = k x (100,000 - thousandths): whole seconds
    down = min(max(k * (100_000 - thousandths) + draw(st.sampled_from((-1, 0, 1))), 0), counted)
    unmonitored = draw(st.integers(0, 10**6))
    policy = draw(st.sampled_from(POLICIES))
    if policy == "exclude":
        up, known_down = counted - down, down
    elif policy == "up":
        unmonitored = min(unmonitored, counted - down)
        up, known_down = counted - down - unmonitored, down
    else:
        unmonitored = min(unmonitored, down)
        up, known_down = counted - down, down - unmonitored
    measure = av.Measure(up + known_down + unmonitored, up, 0, known_down, unmonitored, {}, policy)
    assert (measure.measured_seconds, measure.counted_down_seconds) == (counted, down)
    return measure, target


def _left_iff_met(measure: av.Measure, target: Decimal) -> None:
    budget = av.error_budget("month", "m", [(measure, target)])
    met = av.meets_target(measure.availability, target)
    if measure.measured_seconds == 0:  # nothing counted: no figure, no budget, none spent
        assert met is None and budget.left_seconds == 0 and budget.burn_rate is None
        return
    assert (budget.left_seconds >= 0) == met
    if budget.burn_rate is not None:  # no burn rate only at a 100 % target
        assert (budget.burn_rate <= 1) == met


@settings(max_examples=2000, deadline=None)
@given(measures(), targets)
@example(av.Measure(1000, 0, 0, 0, 1000, {}, "exclude"), Decimal("99.5"))  # nothing counted
@example(av.Measure(720_000, 644_600, 0, 3_400, 72_000, {}, "exclude"), Decimal("99.5"))  # the issue
@example(av.Measure(1000, 1000, 0, 0, 0), Decimal("100"))
@example(av.Measure(1000, 999, 0, 1, 0), Decimal("100"))
def test_budget_left_is_zero_or_more_exactly_when_the_target_is_met(measure, target):
    _left_iff_met(measure, target)


@settings(max_examples=2000, deadline=None)
@given(measures_at_the_target())
def test_budget_left_is_zero_or_more_exactly_when_the_target_is_met_at_the_boundary(drawn):
    _left_iff_met(*drawn)


@st.composite
def budget_parts(draw):
    """Two to four disjoint parts (months of a window), each with its own segments covering it,
    scheduled spans inside it, policy and target."""
    parts = []
    for k in range(draw(st.integers(2, 4))):
        lo = 10**6 * (k + 1)
        hi = lo + draw(st.integers(1, 1500))
        cuts = sorted({lo, hi, *draw(st.lists(st.integers(lo, hi), max_size=8))})
        segments = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            state = draw(st.sampled_from(STATES))
            cause = draw(st.sampled_from(CAUSES)) if state == "unmonitored" else None
            segments.append(Segment(a, b, state, cause, ("dc1",) if state == "degraded" else ()))
        marks = sorted(set(draw(st.lists(st.integers(lo, hi), max_size=8))))
        scheduled = [(a, b) for a, b in zip(marks[::2], marks[1::2], strict=False) if a < b]
        if draw(st.booleans()):
            scheduled = [(lo, hi)]
        parts.append((segments, scheduled, lo, hi, draw(st.sampled_from(POLICIES)), draw(targets)))
    return parts


@SLOW
@given(budget_parts())
def test_a_windows_budget_agrees_with_adding_up_its_seconds(parts):
    expected = brute_budget(
        [
            (states_per_second(segments, scheduled, lo, hi), policy, target)
            for segments, scheduled, lo, hi, policy, target in parts
        ]
    )
    direct = av.error_budget(
        "quarter", "q", [(av.measure(s, sched, policy), target) for s, sched, _, _, policy, target in parts]
    )
    # the cumulative ledger the month windows are measured with, over all the parts at once
    segments = [s for part in parts for s in part[0]]
    ledger = av.Ledger(segments, [span for part in parts for span in part[1]])
    through_ledger = av.error_budget(
        "quarter", "q", [(ledger.measure(lo, hi, policy), target) for _, _, lo, hi, policy, target in parts]
    )
    for budget in (direct, through_ledger):
        assert budget.allowed_down_seconds == expected.allowed
        assert budget.down_seconds == expected.down
        assert budget.counted_seconds == expected.counted
        assert budget.left_seconds == expected.left
        assert budget.burn_rate == expected.burn_rate
        assert budget.scheduled_seconds == sum(b - a for part in parts for a, b in part[1])


# --- recovery points and RPO compliance -------------------------------------------------------


CALENDAR = Calendar(LONDON, "england-and-wales")
MONTHS = ("2026-09", "2026-10")
RPO_HOURS = ("24x7", "Mon-Fri 08:00-18:00 excluding bank holidays", "Mon-Sun 00:00-03:00")
RPO_WINDOWS = ((), ("every Sunday 02:00-06:00",))
DAILY_STATUSES = ("success",) * 12 + ("warning", "failed")
assert all(within_holiday_years(date(int(m[:4]), int(m[5:]), 1), 31) for m in MONTHS)


@cache
def scheduled_seconds(month: str, hours: str, windows: tuple[str, ...]) -> np.ndarray:
    """Per second of the month: in service hours and outside maintenance, from the reference's
    minute-by-minute wall-clock calendar and the bank holidays written out from gov.uk."""
    period = cal.month_period(month, LONDON)
    in_hours, in_window = minute_flags(
        period.start,
        period.end,
        LONDON,
        parse_service_hours(hours),
        tuple(parse_maintenance_window(w) for w in windows),
        HOLIDAYS,
    )
    flags = np.repeat(in_hours & ~in_window, 60)
    flags.setflags(write=False)
    return flags


def backup_limit(dataset: Dataset, rpo_seconds: int) -> int:
    """docs/sla.md: the dataset's backup_max_age_hours, by default the RPO, or 24 h for a
    replicated dataset when that is longer."""
    if dataset.backup_max_age_hours is not None:
        return round(dataset.backup_max_age_hours * HOUR)
    return max(rpo_seconds, 24 * HOUR) if dataset.replicated_to else rpo_seconds


@st.composite
def rpo_inputs(draw):
    month = draw(st.sampled_from(MONTHS))
    period = cal.month_period(month, LONDON)
    datasets, jobs, lags = [], {}, {}
    for k in range(draw(st.integers(1, 2))):
        name = f"db{k}"
        replicated = draw(st.booleans())
        datasets.append(
            Dataset(
                id=name,
                site="dc1",
                replicated_to="dc2" if replicated else None,
                backup_max_age_hours=draw(st.sampled_from((None, None, 6, 48))),
            )
        )
        if draw(st.booleans()):
            # daily backups at one time of day from three days before the month, some failing
            at = period.start - 3 * DAY + draw(st.integers(0, DAY - 1))
            statuses = draw(st.lists(st.sampled_from(DAILY_STATUSES), min_size=35, max_size=35))
            jobs[name] = [BackupJob(name, at + i * DAY, status) for i, status in enumerate(statuses)]
        else:
            # backups finishing anywhere from three days before the month to a day after it
            first = draw(st.integers(period.start - 3 * DAY, period.end))
            jobs[name] = [
                BackupJob(name, finished, status)
                for finished, status in draw(
                    st.lists(
                        st.tuples(
                            st.integers(first, period.end + DAY),
                            st.sampled_from(("success", "success", "success", "warning", "failed")),
                        ),
                        max_size=40,
                    )
                )
            ]
        if replicated and draw(st.booleans()):
            every = draw(st.sampled_from((1800, HOUR, 6 * HOUR)))
            since = draw(st.integers(period.start - 2 * DAY, period.end))
            values = draw(
                st.lists(
                    st.sampled_from((30.5, 600.0, 4 * HOUR + 0.25, 30.0 * HOUR, 50.0 * HOUR)), max_size=150
                )
            )
            lags[name] = [(since + every * i, lag) for i, lag in enumerate(values)]
    return {
        "month": month,
        "hours": draw(st.sampled_from(RPO_HOURS)),
        "windows": draw(st.sampled_from(RPO_WINDOWS)),
        "rpo_hours": draw(st.sampled_from((4, 12.5, 24, 30))),
        "datasets": datasets,
        "jobs": jobs,
        "lags": lags,
    }


def evaluated_rpo(inputs):
    period = cal.month_period(inputs["month"], LONDON)
    service = Service(
        id="finance",
        name="Finance",
        sites=("dc1", "dc2"),
        mode="active-passive",
        tenancy="shared",
        criticality="high",
        councils=("fylde",),
        datasets=tuple(inputs["datasets"]),
    )
    contract = Contract(
        council="fylde",
        service="finance",
        effective_from="2026-01",
        service_hours=inputs["hours"],
        maintenance_windows=inputs["windows"],
        availability_target_percent=Decimal("99.5"),
        monthly_charge_gbp=Decimal("0.00"),
        rpo_hours=inputs["rpo_hours"],
    )
    evidence = ServiceEvidence(
        service,
        [Segment(period.start, period.end, "up", None, ())],
        recovery_points={name: recovery_points(jobs) for name, jobs in inputs["jobs"].items()},
        jobs=inputs["jobs"],
        lag_samples={name: LagSeries.from_rows(rows) for name, rows in inputs["lags"].items()},
    )
    return evaluate("fylde", inputs["month"], evidence, lambda month: contract, CALENDAR, (), period.end).rpo


def expected_rpo(inputs):
    period = cal.month_period(inputs["month"], LONDON)
    rpo_seconds = round(inputs["rpo_hours"] * HOUR)
    datasets = [
        BruteDataset(
            [(j.finished, j.status) for j in inputs["jobs"][d.id]],
            inputs["lags"].get(d.id, []),
            backup_limit(d, rpo_seconds),
        )
        for d in inputs["datasets"]
    ]
    scheduled = scheduled_seconds(inputs["month"], inputs["hours"], inputs["windows"])
    return brute_rpo(datasets, rpo_seconds, scheduled, period.start, period.end)


def assert_rpo_agrees(inputs):
    rpo, expected = evaluated_rpo(inputs), expected_rpo(inputs)
    assert rpo.assessed_scheduled_seconds == expected.assessed
    assert rpo.breach_seconds_in_scheduled == expected.breach_in_scheduled
    assert rpo.compliance == expected.compliance
    for k, dataset in enumerate(rpo.datasets):
        assert list(dataset.breaches) == expected.breaches[k]
        assert list(dataset.backup_breaches) == expected.backup_breaches[k]
        assert dataset.recovery_point_age_at_end_seconds == expected.age_at_end[k]
        assert dataset.backup_age_at_end_seconds == expected.backup_age_at_end[k]
        jobs = dataset.jobs
        assert (jobs.attempted, jobs.succeeded, jobs.warnings, jobs.failed) == expected.jobs[k]


# A replicated dataset whose replica is known from 1 September but whose first backup comes on
# the 5th: the replica stalls at 00:00 BST on the 2nd (lag growing one second a second) until a
# sample at 16:00 BST on the 3rd, 40 h later, so with a 30 h RPO the age is over it from 06:00
# BST on the 3rd to 16:00 BST: a 10 h breach, before any backup was made.
STALLED_BEFORE_THE_FIRST_BACKUP = {
    "month": "2026-09",
    "hours": "24x7",
    "windows": (),
    "rpo_hours": 30,
    "datasets": [Dataset(id="db0", site="dc1", replicated_to="dc2")],
    "jobs": {
        "db0": [BackupJob("db0", utc(f"2026-09-{d:02d}T01:00:00"), "success") for d in range(5, 31)],
    },
    "lags": {
        "db0": [
            (utc("2026-08-31T23:00:00") + HOUR * i, 60.0 if not 24 <= i < 64 else float(HOUR * (i - 24)))
            for i in range(720)
        ]
    },
}


def test_a_replica_breach_before_the_first_backup_is_a_breach():
    expected = expected_rpo(STALLED_BEFORE_THE_FIRST_BACKUP)
    # worked by hand: the point stays at 2026-09-01T23:00Z; over 30 h from 2026-09-03T05:00Z
    # until the sample at 2026-09-03T15:00Z (i = 64) brings it up to date
    assert expected.breaches == [[(utc("2026-09-03T05:00:00"), utc("2026-09-03T15:00:00"))]]
    assert (expected.assessed, expected.breach_in_scheduled) == (30 * DAY, 10 * HOUR)
    assert_rpo_agrees(STALLED_BEFORE_THE_FIRST_BACKUP)


@SLOW
@given(rpo_inputs())
@example(STALLED_BEFORE_THE_FIRST_BACKUP)
def test_rpo_compliance_agrees_with_the_age_of_every_second(inputs):
    assert_rpo_agrees(inputs)


@st.composite
def backup_history(draw):
    """Recovery points and, optionally, replica events over a short window, so many examples run."""
    start = 10**6
    end = start + draw(st.integers(1, 20_000))
    points = draw(st.lists(st.integers(start - 5_000, end + 1_000), max_size=12))
    replica = draw(st.lists(st.tuples(st.integers(start - 5_000, end), st.integers(0, 8_000)), max_size=12))
    return start, end, points, replica, draw(st.integers(1, 6_000))


@settings(max_examples=500, deadline=None)
@given(backup_history())
def test_the_recovery_primitives_agree_with_the_age_of_every_second(history):
    start, end, points, replica, rpo = history
    backups = BruteDataset([(p, "success") for p in points], [], rpo)
    expected = brute_rpo([backups], rpo, np.ones(end - start, bool), start, end)
    assert rpo_breaches(points, rpo, start, end) == expected.breaches[0]
    for at in {start, end, *points}:
        known = [p for p in points if p <= at]
        assert recovery_point_age(sorted(points), at) == (at - max(known) if known else None)
    assert recovery_point_age(sorted(points), end) == expected.age_at_end[0]
    # backups and a replica together: a replica sampled at s with lag L makes s - L safe from s
    both = BruteDataset([(p, "success") for p in points], [(s, float(lag)) for s, lag in replica], rpo)
    expected = brute_rpo([both], rpo, np.ones(end - start, bool), start, end)
    known_at = np.array([*points, *(s for s, _ in replica)], np.int64)
    made_safe = np.array([*points, *(s - lag for s, lag in replica)], np.int64)
    assert age_breaches(known_at, made_safe, rpo, start, end) == expected.breaches[0]


@settings(max_examples=120, deadline=None)
@given(backup_history(), st.integers(1, 5_000))
def test_the_highest_age_in_each_bucket_agrees_with_the_age_of_every_second(history, bucket):
    """Worked second by second: during the second [t, t + 1) the newest point known is the
    latest among events known by t, and the age rises to t + 1 less it; a bucket's highest is
    the largest of its seconds'."""
    start, end, points, replica, _ = history
    known_at = np.array([*points, *(s for s, _ in replica)], np.int64)
    made_safe = np.array([*points, *(s - lag for s, lag in replica)], np.int64)
    newest = {}  # second -> the newest point known by it
    for t in range(start, end):
        if (known_at <= t).any():
            newest[t] = int(made_safe[known_at <= t].max())
    expected: list[int | None] = []
    for lo in range(start, end, bucket):
        ages = [t + 1 - newest[t] for t in range(lo, min(lo + bucket, end)) if t in newest]
        expected.append(max(ages) if ages else None)
    assert highest_age_by_bucket(known_at, made_safe, start, end, bucket) == expected


def test_the_highest_age_by_hand():
    """Backups at 01:00 and 05:30 of a six-hour window from midnight, hourly buckets: unknown in
    the first hour until 01:00 (then up to 0 s), growing to 4 h 30 min just before 05:30."""
    h = 3600
    ages = highest_age_by_bucket(np.array([h, 5 * h + 1800]), np.array([h, 5 * h + 1800]), 0, 6 * h, h)
    assert ages == [None, h, 2 * h, 3 * h, 4 * h, 4 * h + 1800]
    # a replica sampled at 02:00 with a lag of 10 minutes makes 01:50 safe from 02:00 on
    ages = highest_age_by_bucket(np.array([h, 2 * h]), np.array([h, 2 * h - 600]), 0, 3 * h, h)
    assert ages == [None, h, h + 600]


def test_runs_of_seconds():
    assert runs(np.array([0, 1, 1, 0, 1], bool), 100) == [(101, 103), (104, 105)]


# --- service credits --------------------------------------------------------------------------


TIER_CREDITS = (Decimal("0"), Decimal("2.5"), Decimal("5"), Decimal("10"), Decimal("12.5"), Decimal("50"))


@st.composite
def credit_inputs(draw):
    tiers = draw(
        st.lists(
            st.tuples(
                st.decimals(Decimal("90"), Decimal("100"), places=3),
                st.one_of(st.sampled_from(TIER_CREDITS), st.decimals(Decimal("0"), Decimal("100"), places=3)),
            ),
            max_size=4,
        )
    )
    measured = draw(st.integers(0, 3 * 10**6))
    if tiers and measured and draw(st.booleans()):
        # exactly at a tier's threshold, or a second either side of it
        below = Fraction(draw(st.sampled_from(tiers))[0])
        measured = 100_000 * draw(st.integers(1, 30))
        up = min(max(int(below * measured / 100) + draw(st.sampled_from((-1, 0, 1))), 0), measured)
    else:
        up = draw(st.integers(0, measured))
    return up, measured, tiers, draw(st.integers(0, 10**8))


@settings(max_examples=600, deadline=None)  # the boundaries are the examples below; 2,000 found nothing more
@given(credit_inputs())
@example((0, 0, [(Decimal("99.5"), Decimal("5"))], 100_000))  # nothing measured: no credit
@example((9_951, 10_000, [(Decimal("99.5"), Decimal("5")), (Decimal("99"), Decimal("10"))], 100_000))
@example((995, 1_000, [(Decimal("99.5"), Decimal("5")), (Decimal("99"), Decimal("10"))], 100_000))
@example((99_499, 100_000, [(Decimal("99.5"), Decimal("5")), (Decimal("99"), Decimal("10"))], 100_000))
@example((98, 100, [(Decimal("99.5"), Decimal("5")), (Decimal("99"), Decimal("10"))], 100_000))
@example((0, 100, [(Decimal("99.5"), Decimal("5"))], 33_333))  # 5 % of 333.33 = 16.6665 -> 16.67
@example((0, 100, [(Decimal("99.5"), Decimal("50"))], 1))  # half of a penny rounds up to a penny
def test_credits_agree_with_deciding_tier_by_tier_in_whole_pence(drawn):
    up, measured, tier_pairs, charge_pence = drawn
    tiers = [CreditTier(below_percent=b, credit_percent=c) for b, c in tier_pairs]
    availability = Fraction(up, measured) if measured else None
    charge = Decimal(charge_pence).scaleb(-2)
    percent, pence = brute_credit(up, measured, tier_pairs, charge_pence)
    assert Fraction(credit_percent(availability, tiers)) == percent
    due = credit_gbp(availability, tiers, charge)
    assert due == Decimal(pence).scaleb(-2)
    assert due.as_tuple().exponent == -2  # shown to the penny


def test_the_worked_credits_of_docs_sla_md():
    # tiers below 99.5 -> 5 %, below 99 -> 10 %, charge GBP 1,000 (100,000 p)
    tiers = [(Decimal("99.5"), Decimal("5")), (Decimal("99"), Decimal("10"))]
    assert brute_credit(9_951, 10_000, tiers, 100_000) == (0, 0)  # 99.51 %
    assert brute_credit(995, 1_000, tiers, 100_000) == (0, 0)  # exactly 99.5 %
    assert brute_credit(99_499, 100_000, tiers, 100_000) == (5, 5_000)  # 99.499 %: GBP 50.00
    assert brute_credit(98, 100, tiers, 100_000) == (10, 10_000)  # 98 %: GBP 100.00
    # 5 % of GBP 333.33 = 1,666.65 p -> 1,667 p (half up)
    assert brute_credit(0, 100, [(Decimal("99.5"), Decimal("5"))], 33_333) == (5, 1_667)
