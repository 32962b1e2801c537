"""One council's service levels for one service in one month: every rule, composed.

The inputs are typed values (the estate's contract and service, the service's state segments,
recovery points, lag samples, probe intervals, change-calendar windows); the output is a
frozen `ContractMonth`, which the command line, the dashboard and the reports all show (its JSON,
documented in docs/sla.md, is drawn by presentation/). Nothing here reads a file or a database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from estate.model import Contract, DrTest
from sla import availability as av
from sla import calendar as cal
from sla.credits import credit_gbp, credit_percent
from sla.intervals import total
from sla.recovery_assessment import (
    DatasetRecovery,
    RecoveryPointAssessment,
    RecoveryTimeAssessment,
    ReplicationCheck,
    recovery_point,
    recovery_time,
)
from sla.response import HOURLY_P95S, PROBES, kept_probes_p95, response_p95
from sla.schedule import (
    Calendar,
    Schedule,
    ServiceEvidence,
    active_period,
    measured_in,
    schedule,
    scheduled_in,
    terms,
    terms_key,
)

__all__ = [  # the month's names, and those of the modules it composes that callers use with it
    "Calendar",
    "ContractMonth",
    "CouncilSummary",
    "DatasetRecovery",
    "RecoveryPointAssessment",
    "RecoveryTimeAssessment",
    "ReplicationCheck",
    "ResponseTime",
    "Schedule",
    "ServiceEvidence",
    "budget_span_start",
    "evaluate",
    "schedule",
    "summarise",
]

ROLLING_DAYS = 30
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class ResponseTime:
    target_seconds: float
    p95_seconds: float | None
    counted: int  # probes counted, or (old resolution) hourly intervals weighed
    met: bool | None
    resolution: str = PROBES  # PROBES, or HOURLY_P95S for months before probes were kept


@dataclass(frozen=True)
class ContractMonth:
    council_id: str
    service_id: str
    service_name: str
    month: str
    period: cal.Period  # the part of the month evaluated (to `as_of` for a month in progress)
    month_complete: bool
    status: str  # measured, no-contract, not-begun, not-in-service, nothing-measured
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
    # a month in progress: the scheduled time of the whole month (service hours less the
    # maintenance known now), so its budget for the whole month is known: whether it can still
    # be met (at risk) or no longer (missed). None for a month that is over.
    month_scheduled_seconds: int | None = None

    @property
    def availability(self) -> Fraction | None:
        return self.measure.availability if self.measure else None

    @property
    def met(self) -> bool | None:
        if self.contract is None or self.measure is None:
            return None
        return self.measure.meets(self.contract.availability_target_percent)

    @property
    def longest_outage_seconds(self) -> int:
        return max((o.seconds for o in self.outages), default=0)


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
        parts.append((measured_in(contract, piece, calendar, evidence), contract.availability_target_percent))
    return av.error_budget(window, label, parts)


def _response(contract: Contract, sched: Schedule, evidence: ServiceEvidence) -> ResponseTime | None:
    """The rule (sla/response.py) on the probes taken in the month's scheduled time. A month
    with none, for which the warehouse holds only the hourly p95s written before probes were
    kept, gets the old rule on those, and says so (HOURLY_P95S)."""
    if contract.response_time_target_seconds is None:
        return None

    def measured() -> tuple[str, float | None, int]:
        # probes and intervals outside the period count for nothing: the scheduled spans lie inside it
        p95, counted = kept_probes_p95(evidence.durations, sched.scheduled)
        if counted == 0 and len(evidence.probes.starts):
            return (HOURLY_P95S, *response_p95(evidence.probes, sched.scheduled))
        return PROBES, p95, counted

    resolution, p95, counted = evidence.memo(
        ("response", *terms_key(contract, sched.period, evidence)), measured
    )
    target = contract.response_time_target_seconds
    return ResponseTime(target, p95, counted, None if p95 is None else p95 <= target, resolution)


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
    if period.seconds <= 0:  # evaluated as of its first instant or before: nothing to say yet
        return ContractMonth(*head, "not-begun", contract, service.sites)
    active = active_period(period, service, calendar)
    if active.seconds <= 0:
        return ContractMonth(*head, "not-in-service", contract, service.sites)
    sched = scheduled_in(contract, active, calendar, evidence)
    measured = measured_in(contract, active, calendar, evidence)
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
        f"30 days to {cal.from_utc_seconds(period.end).astimezone(calendar.tz):%Y-%m-%d %H:%M %Z}",
        max(period.end - ROLLING_DAYS * SECONDS_PER_DAY, 0),
        period.end,
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
        ("rpo", contract.rpo_hours, *terms_key(contract, active, evidence)),
        lambda: recovery_point(contract, sched, evidence),
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
        recovery_time(contract, outages, dr_tests, cal.local_date(active.end - 1, calendar.tz)),
        credit_percent(measured.availability, contract.credit_tiers),
        credit_gbp(measured.availability, contract.credit_tiers, contract.monthly_charge_gbp),
        None
        if as_of >= whole.end
        else _month_scheduled_seconds(contract, whole, service, calendar, evidence),
    )


def _month_scheduled_seconds(contract, whole: cal.Period, service, calendar: Calendar, evidence) -> int:
    """The whole month's scheduled time under the contract (from the service's first day)."""
    active = active_period(whole, service, calendar)
    if active.seconds <= 0:
        return 0
    return evidence.memo(
        ("month-scheduled", active.start, active.end, *terms(contract, evidence)),
        lambda: total(schedule(contract, active, calendar, evidence.change_windows).scheduled),
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
    month_complete: bool = True  # False while the month is in progress: every figure is to date

    @property
    def time_weighted_availability(self) -> Fraction | None:
        return Fraction(self.counted_up_seconds, self.measured_seconds) if self.measured_seconds else None

    @property
    def headline(self) -> str:
        if not self.month_complete:  # never "met" before the month is over: the rest may go down
            return f"{self.services_met} of {self.services_measured} services on target so far (month in progress)"
        return f"{self.services_met} of {self.services_measured} services met target"


def summarise(council_id: str, month: str, rows: Sequence[ContractMonth]) -> CouncilSummary:
    """'N of M services met' and the time-weighted figure: total up over total measured time
    across the council's services, never a mean of percentages."""
    contracted = [
        r for r in rows if r.contract is not None and r.status not in ("not-in-service", "not-begun")
    ]
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
        all(r.month_complete for r in contracted),  # a month not begun is not in progress
    )
