"""What a month's recovery evidence shows against a contract: the recovery point (RPO
compliance over scheduled time, each dataset's breaches, the backup chain's own age, job counts,
replication lag) and the recovery time (the latest DR test, outages longer than the RTO).
Nothing here reads a file or a database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import date
from fractions import Fraction

import numpy as np

from estate.model import Contract, Dataset, DrTest
from sla import availability as av
from sla import calendar as cal
from sla.intervals import Spans, intersect, subtract, total, union
from sla.recovery import (
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
from sla.schedule import Schedule, ServiceEvidence


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
    size_gib: float | None = None  # as configured: how much data a breach puts at risk


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
class RecoveryTimeAssessment:
    rto_hours: float
    latest_dr_test: date | None
    evidence: tuple[RtoEvidence, ...]
    met: bool | None


REPLICATED_BACKUP_MAX_AGE_SECONDS = 24 * 3600


def _backup_max_age_seconds(dataset: Dataset, rpo_seconds: int) -> int:
    """The backup chain's own limit: configured, else the RPO, else a day when replicated."""
    if dataset.backup_max_age_hours is not None:
        return round(dataset.backup_max_age_hours * 3600)
    return max(rpo_seconds, REPLICATED_BACKUP_MAX_AGE_SECONDS) if dataset.replicated_to else rpo_seconds


def recovery_point(
    contract: Contract, sched: Schedule, evidence: ServiceEvidence
) -> RecoveryPointAssessment | None:
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
                dataset.size_gib,
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


def recovery_time(
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
    evidence += outage_rto_evidence([(o.start, o.end, cal.iso_utc(o.start)) for o in outages], rto_seconds)
    return RecoveryTimeAssessment(
        contract.rto_hours,
        tests[-1].date if tests else None,
        tuple(evidence),
        None if not evidence else all(e.passed for e in evidence),
    )
