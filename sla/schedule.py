"""Where a contract's hours fall, and the service's evidence those hours are measured on.

`ServiceEvidence` holds what the warehouse knows of one service over a span covering every
window a month's figures need, with a memo of what depends only on the service and the
contract's terms (a shared service has the same hours for every council buying it on the same
terms, so its schedule and ledger are worked out once). `schedule` is the calendar rule: service
hours less maintenance (the contract's windows and the change calendar's). Nothing here reads a
file or a database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from estate.model import Contract, Service
from sla import availability as av
from sla import calendar as cal
from sla.intervals import Spans, clip, intersect, subtract, total, union
from sla.recovery import BackupJob, LagSeries
from sla.response import KeptProbes, ProbeSeries
from sla.states import Segment


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
    probes: ProbeSeries = field(default_factory=lambda: ProbeSeries.from_rows([]))  # old resolution
    change_windows: Spans = field(default_factory=list)  # from the change calendar, UTC
    durations: KeptProbes = field(default_factory=KeptProbes.none)  # successful probes, as kept
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


def terms(contract: Contract, evidence: ServiceEvidence) -> tuple:
    """A cheap, hashable key for the terms that decide scheduled time (strings hash once)."""
    return evidence.memo(
        ("terms", id(contract)),
        lambda: (
            contract.service_hours.text,
            contract.bank_holidays or "",
            "|".join(str(w) for w in contract.maintenance_windows),
        ),
    )


def terms_key(contract: Contract, period: cal.Period, evidence: ServiceEvidence) -> tuple:
    return (*terms(contract, evidence), period.start, period.end)


def scheduled_in(
    contract: Contract, period: cal.Period, calendar: Calendar, evidence: ServiceEvidence
) -> Schedule:
    """The schedule of `period`, cut from the schedule of the whole span the evidence covers,
    which is worked out once per set of terms (identical to working out the period alone:
    every calendar rule is local to the instants it covers)."""

    def cut() -> Schedule:
        span = cal.Period("evidence", evidence.segments[0].start, evidence.segments[-1].end)
        whole = evidence.memo(
            ("whole", *terms(contract, evidence)),
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
    return evidence.memo(("schedule", *terms_key(contract, period, evidence)), cut)


def measured_in(
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
            ("whole", *terms(contract, evidence)),
            lambda: schedule(contract, span, calendar, evidence.change_windows),
        )
        return av.Ledger(evidence.segments, whole.scheduled)

    return evidence.memo(("ledger", *terms(contract, evidence)), ledger).measure(
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
