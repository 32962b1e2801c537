"""Backups and recovery: recovery point age, RPO breaches, job success, replication lag, RTO.

- A job that finished with status success or warning made a recovery point at its finish time
  (backup software keeps a restore point for a job with warnings; a failed job leaves none).
- A replica is a recovery point too (the brief: "the last successful backup (or replica)"): a
  lag sample of L seconds taken at s says the data up to s - L is safe at the other site.
- Recovery point age at t = t - the latest recovery point known at t, from a backup or the
  replica. It breaches the RPO while age > RPO. Before the first recovery point the warehouse
  knows of, the age is unknown and the time is not assessed.
- Backup age alone (ignoring the replica) is reported beside it: a replica copies a deletion
  or a corruption within seconds, so a broken backup chain is a finding even while the
  replica keeps the RPO.
- RPO compliance = share of assessed scheduled time with the age within the RPO, where the
  service's age is its worst dataset's (a breach of any dataset is a breach of the service).
- Backup job success rate = successful jobs (success or warning) / attempted jobs finished in
  the period.
- Replication lag is a sampled gauge: a sample stands from its time until the next sample when
  that comes within 1.5 sampling intervals, otherwise for one interval (the probe rule). Time
  when a standing sample exceeds the RPO is a lag breach.
- RTO evidence: disaster-recovery tests (measured recovery time against the RTO) and outages
  longer than the RTO.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from sla.intervals import Spans, clip, normalise

GOOD_STATUSES = ("success", "warning")


@dataclass(frozen=True, slots=True)
class BackupJob:
    dataset_id: str
    finished: int  # UTC seconds
    status: str  # success, warning, failed


def recovery_points(jobs: Sequence[BackupJob]) -> list[int]:
    return sorted({j.finished for j in jobs if j.status in GOOD_STATUSES})


def age_breaches(known_at: np.ndarray, points: np.ndarray, rpo_seconds: int, start: int, end: int) -> Spans:
    """Times in [start, end) when the recovery point age exceeds the RPO.

    Each event says: from `known_at` on, data up to `points` can be recovered (a backup's finish
    is both; a replica sampled at s with lag L gives s - L from s). The age at t is t minus the
    latest point among events known by t. Events must include the last ones before `start`."""
    order = np.argsort(known_at, kind="stable")
    known = np.asarray(known_at, np.int64)[order]
    best = np.maximum.accumulate(np.asarray(points, np.int64)[order]) if len(known) else known
    following = np.append(known[1:], max(end, int(known[-1]) if len(known) else end))
    lo = np.maximum(known, best + rpo_seconds)
    keep = lo < following
    return clip(normalise(zip(lo[keep].tolist(), following[keep].tolist(), strict=True)), start, end)


def highest_age_by_bucket(
    known_at: np.ndarray, points: np.ndarray, start: int, end: int, bucket_seconds: int
) -> list[int | None]:
    """The highest recovery point age reached in each bucket [start + k*bucket, ...) before
    `end` (the last bucket ends at `end`), in seconds; None while no recovery point is known.

    Events as for `age_breaches`. Between events the age grows one second a second, so within a
    bucket it is highest at the end of one of the stretches between events: just before the
    next recovery point lands, or at the bucket's end. That highest is the supremum (the age at
    the instant before the reset), so a bucket's highest is over the RPO exactly when the
    bucket holds a breach."""
    order = np.argsort(known_at, kind="stable")
    known = np.asarray(known_at, np.int64)[order].tolist()
    best = np.maximum.accumulate(np.asarray(points, np.int64)[order]).tolist() if known else []
    following = [*known[1:], max(end, known[-1])] if known else []
    buckets = max(0, -(-(end - start) // bucket_seconds))
    highest: list[int | None] = [None] * buckets
    for k_at, k_best, k_next in zip(known, best, following, strict=True):
        lo, hi = max(k_at, start), min(k_next, end)
        if lo >= hi:
            continue
        for bucket in range((lo - start) // bucket_seconds, (hi - 1 - start) // bucket_seconds + 1):
            age = min(hi, start + (bucket + 1) * bucket_seconds) - k_best
            if highest[bucket] is None or age > highest[bucket]:
                highest[bucket] = age
    return highest


def rpo_breaches(points: Sequence[int], rpo_seconds: int, start: int, end: int) -> Spans:
    """Backups only: from each recovery point + RPO until the next recovery point."""
    array = np.asarray(sorted(points), np.int64)
    return age_breaches(array, array, rpo_seconds, start, end)


def assessed_from(points: Sequence[int]) -> int | None:
    """The first instant the recovery point age is known: the first recovery point."""
    return min(points) if points else None


def recovery_point_age(points: Sequence[int], at: int) -> int | None:
    """Age in seconds at `at`, or None before the first recovery point."""
    before = [p for p in points if p <= at]
    return at - max(before) if before else None


@dataclass(frozen=True)
class JobCounts:
    attempted: int
    succeeded: int  # success or warning
    warnings: int
    failed: int

    @property
    def success_rate(self) -> Fraction | None:
        return Fraction(self.succeeded, self.attempted) if self.attempted else None


def job_counts(jobs: Sequence[BackupJob], start: int, end: int) -> JobCounts:
    inside = [j for j in jobs if start <= j.finished < end]
    return JobCounts(
        len(inside),
        sum(j.status in GOOD_STATUSES for j in inside),
        sum(j.status == "warning" for j in inside),
        sum(j.status == "failed" for j in inside),
    )


def sampling_interval(times: np.ndarray) -> int | None:
    """The usual spacing of samples: the median gap (robust to the odd missed sample)."""
    gaps = np.diff(times)
    gaps = gaps[gaps > 0]
    return int(np.median(gaps)) if len(gaps) else None


def standing_ends(times: np.ndarray, interval: int) -> np.ndarray:
    """Where each sample stops standing: the next sample when it comes within 1.5 intervals,
    else one interval on (compared in doubled seconds so 1.5 stays exact)."""
    following = np.append(times[1:], np.iinfo(np.int64).max // 4)
    return np.where(2 * (following - times) <= 3 * interval, following, times + interval)


@dataclass(frozen=True)
class LagSeries:
    """Replication lag samples of one dataset: sampled at (UTC s) and lag (s), time-ordered."""

    times: np.ndarray  # int64
    lag_seconds: np.ndarray  # float64

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[int, float]]) -> LagSeries:
        ordered = sorted(rows)
        return cls(np.array([t for t, _ in ordered], np.int64), np.array([v for _, v in ordered], np.float64))


def lag_breaches(
    series: LagSeries, rpo_seconds: int, start: int, end: int, interval: int | None = None
) -> tuple[Spans, float | None]:
    """(Breach spans in [start, end), the largest lag sampled in the period)."""
    in_period = (series.times >= start) & (series.times < end)
    peak = float(series.lag_seconds[in_period].max()) if in_period.any() else None
    over = series.lag_seconds > rpo_seconds
    if not over.any():
        return [], peak  # the usual case, without working out how long samples stand
    step = interval or sampling_interval(series.times)
    if not step:
        return [], peak
    ends = standing_ends(series.times, step)
    spans = zip(series.times[over].tolist(), ends[over].tolist(), strict=True)
    return clip(normalise(spans), start, end), peak


@dataclass(frozen=True)
class RtoEvidence:
    kind: str  # dr-test or outage
    when: str  # date of the test, or the outage start (ISO 8601, UTC)
    recovery_seconds: int
    rto_seconds: int
    passed: bool
    detail: str = ""


def outage_rto_evidence(outages: Sequence[tuple[int, int, str]], rto_seconds: int) -> list[RtoEvidence]:
    """Outages (start, end, start as ISO text) longer than the RTO: each is a failed recovery."""
    return [
        RtoEvidence("outage", when, end - start, rto_seconds, False, "outage longer than the RTO")
        for start, end, when in outages
        if end - start > rto_seconds
    ]
