"""One council's service levels for one service in one month: every rule, composed.

The inputs are typed values (the estate's contract and service, the service's state segments,
recovery points, lag samples, probe intervals, change-calendar windows); the output is a
frozen `ContractMonth`, which the command line, the dashboard and the reports all show (its JSON,
documented in docs/sla.md, is drawn by presentation/). Nothing here reads a file or a database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np

from estate.model import Contract, Dataset, DrTest, Service
from sla import availability as av
from sla import calendar as cal
from sla.credits import credit_gbp, credit_percent
from sla.intervals import Spans, clip, intersect, subtract, total, union
from sla.recovery import (
    BackupJob,
    JobCounts,
    LagSeries,
    RtoEvidence,
    age_breaches,
    job_counts,
    lag_breaches,
    outage_rto_evidence,
    recovery_point_age,
    rpo_breaches,
)
from sla.response import ProbeSeries, response_p95
from sla.states import Segment

ROLLING_DAYS = 30
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Calendar:
    """The estate-wide calendar settings."""

    tz: ZoneInfo
    bank_holidays: str  # the estate's default calendar name


@dataclass
class ServiceEvidence:
    """What the warehouse knows of one service, over a span covering every window evaluated."""

    service: Service
    segments: list[Segment]
    recovery_points: dict[str, list[int]] = field(default_factory=dict)  # dataset -> points
    jobs: dict[str, list[BackupJob]] = field(default_factory=dict)  # dataset -> jobs
    lag_samples: dict[str, LagSeries] = field(default_factory=dict)  # dataset -> samples
    probes: ProbeSeries = field(default_factory=lambda: ProbeSeries.from_rows([]))
    change_windows: Spans = field(default_factory=list)  # from the change calendar, UTC
    # Results that depend only on the service and the contract's terms, shared by every council
    # buying the service on the same terms (a shared service has the same hours for all).
    _memo: dict = field(default_factory=dict, repr=False)

    def memo(self, key: tuple, compute: Callable[[], object]):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


@dataclass(frozen=True)
class Schedule:
    """Where the contract's hours fall within a period."""

    period: cal.Period
    service_hours: Spans
    maintenance: Spans  # maintenance windows inside service hours
    scheduled: Spans  # service hours less maintenance

    @property
    def maintenance_seconds(self) -> int:
        return total(self.maintenance)


def active_period(period: cal.Period, service: Service, calendar: Calendar) -> cal.Period:
    """The part of the period the service was in service (from local midnight of in_service_from)."""
    if service.in_service_from is None:
        return period
    day = service.in_service_from
    live = cal.local_to_utc_seconds(datetime(day.year, day.month, day.day), calendar.tz)
    return cal.Period(period.label, max(period.start, min(live, period.end)), period.end)


def _terms(contract: Contract, evidence: ServiceEvidence) -> tuple:
    """A cheap, hashable key for the terms that decide scheduled time (strings hash once)."""
    return evidence.memo(
        ("terms", id(contract)),
        lambda: (
            contract.service_hours.text,
            contract.bank_holidays or "",
            "|".join(str(w) for w in contract.maintenance_windows),
        ),
    )


def _terms_key(contract: Contract, period: cal.Period, evidence: ServiceEvidence) -> tuple:
    return (*_terms(contract, evidence), period.start, period.end)


def _schedule(
    contract: Contract, period: cal.Period, calendar: Calendar, evidence: ServiceEvidence
) -> Schedule:
    """The schedule of `period`, cut from the schedule of the whole span the evidence covers,
    which is worked out once per set of terms (identical to working out the period alone:
    every calendar rule is local to the instants it covers)."""

    def cut() -> Schedule:
        span = cal.Period("evidence", evidence.segments[0].start, evidence.segments[-1].end)
        whole = evidence.memo(
            ("whole", *_terms(contract, evidence)),
            lambda: schedule(contract, span, calendar, evidence.change_windows),
        )
        return Schedule(
            period,
            clip(whole.service_hours, period.start, period.end),
            clip(whole.maintenance, period.start, period.end),
            clip(whole.scheduled, period.start, period.end),
        )

    if (
        not evidence.segments
        or period.start < evidence.segments[0].start
        or period.end > evidence.segments[-1].end
    ):
        return schedule(contract, period, calendar, evidence.change_windows)
    return evidence.memo(("schedule", *_terms_key(contract, period, evidence)), cut)


def _measure(
    contract: Contract, period: cal.Period, calendar: Calendar, evidence: ServiceEvidence
) -> av.Measure:
    """The period's seconds from the ledger of the contract's terms over the evidence span."""
    if (
        not evidence.segments
        or period.start < evidence.segments[0].start
        or period.end > evidence.segments[-1].end
    ):
        sched = schedule(contract, period, calendar, evidence.change_windows)
        return av.measure(evidence.segments, sched.scheduled, contract.unmonitored_policy)

    def ledger() -> av.Ledger:
        span = cal.Period("evidence", evidence.segments[0].start, evidence.segments[-1].end)
        whole = evidence.memo(
            ("whole", *_terms(contract, evidence)),
            lambda: schedule(contract, span, calendar, evidence.change_windows),
        )
        return av.Ledger(evidence.segments, whole.scheduled)

    return evidence.memo(("ledger", *_terms(contract, evidence)), ledger).measure(
        period.start, period.end, contract.unmonitored_policy
    )


def schedule(contract: Contract, period: cal.Period, calendar: Calendar, change_windows: Spans) -> Schedule:
    hours = cal.service_hours_spans(
        contract.service_hours, calendar.tz, period, contract.bank_holidays or calendar.bank_holidays
    )
    windows = union(
        cal.maintenance_spans(contract.maintenance_windows, calendar.tz, period),
        clip(change_windows, period.start, period.end),
    )
    in_hours = intersect(hours, windows)
    return Schedule(period, hours, in_hours, subtract(hours, windows))


@dataclass(frozen=True)
class DatasetRecovery:
    """One protected dataset's recovery point over the period."""

    dataset_id: str
    site_id: str
    recovery_point_age_at_end_seconds: int | None  # from backups and the replica, whichever is newer
    backup_age_at_end_seconds: int | None
    breaches: Spans  # age over the RPO
    backup_breaches: Spans  # the backup chain's own age over its limit
    backup_max_age_seconds: int
    jobs: JobCounts


@dataclass(frozen=True)
class ReplicationCheck:
    dataset_id: str
    from_site_id: str
    to_site_id: str
    max_lag_seconds: float | None
    breaches: Spans  # lag over the RPO


@dataclass(frozen=True)
class RecoveryPointAssessment:
    """RPO compliance: the share of assessed scheduled time with the recovery point within the RPO."""

    rpo_hours: float
    assessed_scheduled_seconds: int
    breach_seconds_in_scheduled: int
    compliance: Fraction | None  # exact; None when nothing could be assessed
    jobs: JobCounts
    datasets: tuple[DatasetRecovery, ...]
    replication: tuple[ReplicationCheck, ...]

    @property
    def met(self) -> bool | None:
        return None if self.compliance is None else self.compliance == 1


@dataclass(frozen=True)
class ResponseTime:
    target_seconds: float
    p95_seconds: float | None
    intervals: int  # probe intervals weighed
    met: bool | None


@dataclass(frozen=True)
class RecoveryTimeAssessment:
    rto_hours: float
    latest_dr_test: date | None
    evidence: tuple[RtoEvidence, ...]
    met: bool | None


@dataclass(frozen=True)
class ContractMonth:
    council_id: str
    service_id: str
    service_name: str
    month: str
    period: cal.Period  # the part of the month evaluated (to `as_of` for a month in progress)
    month_complete: bool
    status: str  # measured, no-contract, not-in-service, nothing-measured
    contract: Contract | None = None
    sites: tuple[str, ...] = ()
    schedule: Schedule | None = None
    measure: av.Measure | None = None
    outages: tuple[av.Outage, ...] = ()
    resilience_lost: tuple[tuple[int, int, tuple[str, ...]], ...] = ()
    bank_holidays: tuple[date, ...] = ()
    budgets: tuple[av.ErrorBudget, ...] = ()
    rpo: RecoveryPointAssessment | None = None
    response: ResponseTime | None = None
    rto: RecoveryTimeAssessment | None = None
    credit_percent: Decimal = Decimal(0)
    credit_gbp: Decimal = Decimal("0.00")

    @property
    def availability(self) -> Fraction | None:
        return self.measure.availability if self.measure else None

    @property
    def met(self) -> bool | None:
        if self.contract is None or self.measure is None:
            return None
        return av.meets_target(self.availability, self.contract.availability_target_percent)

    @property
    def longest_outage_seconds(self) -> int:
        return max((o.seconds for o in self.outages), default=0)


def _iso(seconds: int) -> str:
    return cal.from_utc_seconds(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


ContractLookup = Callable[[str], Contract | None]  # month (YYYY-MM) -> the version in force


def _measure_window(
    window: str,
    label: str,
    window_period: cal.Period,
    lookup: ContractLookup,
    evidence: ServiceEvidence,
    calendar: Calendar,
) -> av.ErrorBudget:
    """A window's budget, each month's part under the contract in force on that month's 1st."""
    parts = []
    for month in cal.months_between(window_period, calendar.tz):
        contract = lookup(month)
        if contract is None:
            continue
        whole = cal.month_period(month, calendar.tz)
        piece = cal.Period(month, max(whole.start, window_period.start), min(whole.end, window_period.end))
        piece = active_period(piece, evidence.service, calendar)
        if piece.seconds <= 0:
            continue
        parts.append((_measure(contract, piece, calendar, evidence), contract.availability_target_percent))
    return av.error_budget(window, label, parts)


REPLICATED_BACKUP_MAX_AGE_SECONDS = 24 * 3600


def _backup_max_age_seconds(dataset: Dataset, rpo_seconds: int) -> int:
    """The backup chain's own limit: configured, else the RPO, else a day when replicated."""
    if dataset.backup_max_age_hours is not None:
        return round(dataset.backup_max_age_hours * 3600)
    return max(rpo_seconds, REPLICATED_BACKUP_MAX_AGE_SECONDS) if dataset.replicated_to else rpo_seconds


def _rpo(contract: Contract, sched: Schedule, evidence: ServiceEvidence) -> RecoveryPointAssessment | None:
    datasets = evidence.service.datasets
    if contract.rpo_hours is None or not datasets:
        return None
    rpo_seconds = round(contract.rpo_hours * 3600)
    start, end = sched.period.start, sched.period.end
    all_breaches: Spans = []
    unassessed: Spans = []
    rows = []
    counts_total = JobCounts(0, 0, 0, 0)
    replication = []
    for dataset in datasets:
        points = [p for p in evidence.recovery_points.get(dataset.id, []) if p <= end]
        backup_limit = _backup_max_age_seconds(dataset, rpo_seconds)
        at_rpo = rpo_breaches(points, rpo_seconds, start, end)
        backup_only = (
            at_rpo if backup_limit == rpo_seconds else rpo_breaches(points, backup_limit, start, end)
        )
        backup_age = recovery_point_age(points, end)
        lags = evidence.lag_samples.get(dataset.id)
        replica_times = lags.times[lags.times <= end] if dataset.replicated_to and lags is not None else None
        if replica_times is None or len(replica_times) == 0:
            breaches, age_at_end, first = at_rpo, backup_age, (points[0] if points else end)
        else:
            upto = lags.times <= end
            replica_points = replica_times - np.ceil(lags.lag_seconds[upto]).astype(np.int64)
            replica_age = end - int(replica_points.max())
            age_at_end = replica_age if backup_age is None else min(backup_age, replica_age)
            first = min(int(replica_times[0]), points[0]) if points else int(replica_times[0])
            # The age from backups and replica together is over the RPO only while both ages
            # are, so without a backup breach at the RPO there is nothing more to work out;
            # except before the first backup, where only the replica's age is known (and the
            # backups show no breach because they show nothing): a replica falling behind there
            # is a breach.
            breaches = (
                age_breaches(
                    np.concatenate((np.asarray(points, np.int64), replica_times)),
                    np.concatenate((np.asarray(points, np.int64), replica_points)),
                    rpo_seconds,
                    start,
                    end,
                )
                if at_rpo or not points or points[0] > max(start, int(replica_times[0]))
                else []
            )
        if first > start:
            unassessed = union(unassessed, [(start, min(first, end))])
        all_breaches = union(all_breaches, breaches)
        counts = job_counts(evidence.jobs.get(dataset.id, []), start, end)
        counts_total = JobCounts(
            *(a + b for a, b in zip(astuple(counts_total), astuple(counts), strict=True))
        )
        rows.append(
            DatasetRecovery(
                dataset.id,
                dataset.site,
                age_at_end,
                backup_age,
                tuple(breaches),
                tuple(backup_only),
                backup_limit,
                counts,
            )
        )
        if dataset.replicated_to:
            lag_spans, peak = lag_breaches(
                evidence.lag_samples.get(dataset.id, LagSeries.from_rows([])), rpo_seconds, start, end
            )
            replication.append(
                ReplicationCheck(dataset.id, dataset.site, dataset.replicated_to, peak, tuple(lag_spans))
            )
    assessed = subtract(sched.scheduled, unassessed)
    breach_in_scheduled = total(intersect(assessed, all_breaches))
    assessed_seconds = total(assessed)
    compliance = (
        None if assessed_seconds == 0 else Fraction(assessed_seconds - breach_in_scheduled, assessed_seconds)
    )
    return RecoveryPointAssessment(
        contract.rpo_hours,
        assessed_seconds,
        breach_in_scheduled,
        compliance,
        counts_total,
        tuple(rows),
        tuple(replication),
    )


def _response(contract: Contract, sched: Schedule, evidence: ServiceEvidence) -> ResponseTime | None:
    if contract.response_time_target_seconds is None:
        return None
    # intervals outside the period weigh nothing: the scheduled spans lie inside it
    p95, weighted = evidence.memo(
        ("response", *_terms_key(contract, sched.period, evidence)),
        lambda: response_p95(evidence.probes, sched.scheduled),
    )
    target = contract.response_time_target_seconds
    return ResponseTime(target, p95, weighted, None if p95 is None else p95 <= target)


def _rto(
    contract: Contract, outages: Sequence[av.Outage], dr_tests: Sequence[DrTest], last_day: date
) -> RecoveryTimeAssessment | None:
    """The latest DR test up to the period's last day, and the period's outages longer than the RTO."""
    if contract.rto_hours is None:
        return None
    rto_seconds = round(contract.rto_hours * 3600)
    evidence: list[RtoEvidence] = []
    tests = sorted(
        (t for t in dr_tests if t.service == contract.service and t.date <= last_day), key=lambda t: t.date
    )
    if tests:
        latest = tests[-1]
        seconds = round(latest.measured_recovery_minutes * 60)
        evidence.append(
            RtoEvidence(
                "dr-test",
                latest.date.isoformat(),
                seconds,
                rto_seconds,
                latest.passed and seconds <= rto_seconds,
                f"recovered at {latest.recovered_at_site}" + (f"; {latest.notes}" if latest.notes else ""),
            )
        )
    evidence += outage_rto_evidence([(o.start, o.end, _iso(o.start)) for o in outages], rto_seconds)
    return RecoveryTimeAssessment(
        contract.rto_hours,
        tests[-1].date if tests else None,
        tuple(evidence),
        None if not evidence else all(e.passed for e in evidence),
    )


def evaluate(
    council_id: str,
    month: str,
    evidence: ServiceEvidence,
    lookup: ContractLookup,
    calendar: Calendar,
    dr_tests: Sequence[DrTest],
    as_of: int,
) -> ContractMonth:
    """The month's figures for one council and one service; `as_of` ends a month in progress.

    `evidence.segments` must cover the month and the error-budget windows (from the start of the
    financial year, or 30 days before the month's end if earlier, to the month's end).
    """
    service = evidence.service
    whole = cal.month_period(month, calendar.tz)
    period = whole.clipped(as_of)
    contract = lookup(month)
    head = (council_id, service.id, service.name, month, period, as_of >= whole.end)
    if contract is None:
        return ContractMonth(*head, "no-contract", None, service.sites)
    active = active_period(period, service, calendar)
    if active.seconds <= 0:
        return ContractMonth(*head, "not-in-service", contract, service.sites)
    sched = _schedule(contract, active, calendar, evidence)
    measured = _measure(contract, active, calendar, evidence)
    outages = av.outages(
        evidence.segments, sched.service_hours, sched.scheduled, active.start, active.end, service.sites
    )
    calendar_name = contract.bank_holidays or calendar.bank_holidays
    holidays = (
        tuple(cal.bank_holidays_in(calendar_name, active, calendar.tz))
        if contract.service_hours.excludes_bank_holidays
        else ()
    )
    quarter = cal.quarter_period(month, calendar.tz)
    year = cal.financial_year_period(month, calendar.tz)
    rolling = cal.Period(
        f"30 days to {_iso(period.end)}", max(period.end - ROLLING_DAYS * SECONDS_PER_DAY, 0), period.end
    )
    budgets = (
        av.error_budget("month", month, [(measured, contract.availability_target_percent)]),
        _measure_window(
            "quarter",
            quarter.label,
            cal.Period(quarter.label, quarter.start, period.end),
            lookup,
            evidence,
            calendar,
        ),
        _measure_window(
            "financial_year",
            year.label,
            cal.Period(year.label, year.start, period.end),
            lookup,
            evidence,
            calendar,
        ),
        _measure_window("rolling_30_days", rolling.label, rolling, lookup, evidence, calendar),
    )
    rpo = evidence.memo(
        ("rpo", contract.rpo_hours, *_terms_key(contract, active, evidence)),
        lambda: _rpo(contract, sched, evidence),
    )
    return ContractMonth(
        *head,
        "nothing-measured" if measured.measured_seconds == 0 else "measured",
        contract,
        service.sites,
        sched,
        measured,
        tuple(outages),
        tuple(av.resilience_lost(evidence.segments, active.start, active.end)),
        holidays,
        budgets,
        rpo,
        _response(contract, sched, evidence),
        _rto(contract, outages, dr_tests, cal.local_date(active.end - 1, calendar.tz)),
        credit_percent(measured.availability, contract.credit_tiers),
        credit_gbp(measured.availability, contract.credit_tiers, contract.monthly_charge_gbp),
    )


def budget_span_start(month: str, as_of: int, calendar: Calendar) -> int:
    """Where a service's evidence must start for `evaluate` to see every budget window."""
    whole = cal.month_period(month, calendar.tz)
    end = whole.clipped(as_of).end
    return min(
        cal.financial_year_period(month, calendar.tz).start, whole.start, end - ROLLING_DAYS * SECONDS_PER_DAY
    )


@dataclass(frozen=True)
class CouncilSummary:
    council_id: str
    month: str
    services_total: int  # services with a contract in force this month
    services_measured: int
    services_met: int
    counted_up_seconds: int
    measured_seconds: int
    credit_gbp: Decimal

    @property
    def time_weighted_availability(self) -> Fraction | None:
        return Fraction(self.counted_up_seconds, self.measured_seconds) if self.measured_seconds else None

    @property
    def headline(self) -> str:
        return f"{self.services_met} of {self.services_measured} services met target"


def summarise(council_id: str, month: str, rows: Sequence[ContractMonth]) -> CouncilSummary:
    """'N of M services met' and the time-weighted figure: total up over total measured time
    across the council's services, never a mean of percentages."""
    contracted = [r for r in rows if r.contract is not None and r.status != "not-in-service"]
    measured = [r for r in contracted if r.met is not None]
    return CouncilSummary(
        council_id,
        month,
        len(contracted),
        len(measured),
        sum(1 for r in measured if r.met),
        sum(r.measure.counted_up_seconds for r in measured if r.measure),
        sum(r.measure.measured_seconds for r in measured if r.measure),
        sum((r.credit_gbp for r in rows), Decimal("0.00")),
    )
