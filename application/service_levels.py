"""A month's service levels, for every council or one: read the evidence, apply the sla rules.

This is the only place that knows both the warehouse and the rules for service levels. It
reads each table once for the month (bound parameters, fixed SQL in warehouse.reads), only the
rows of the services the caller's scope may see, turns them into the rules' typed inputs, and
calls sla.month.evaluate for every council and service with a contract. The command line, the
dashboard and the PDF reports all call `month_report`.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

from application.collected import as_of as answer_as_of
from application.provenance import Provenance, provenance_of
from estate.model import Estate, version_in_force
from estate.scope import Scope
from sla import calendar as cal
from sla.intervals import normalise
from sla.month import (
    Calendar,
    ContractMonth,
    CouncilSummary,
    ServiceEvidence,
    budget_span_start,
    evaluate,
    summarise,
)
from sla.recovery import BackupJob, LagSeries
from sla.response import KeptProbes, ProbeSeries
from sla.states import StateInterval, fill, service_segments, site_timeline
from warehouse import Warehouse

LOOK_PAST_SECONDS = 86_400
LAG_LOOKBACK_SECONDS = 86_400  # a lag sample from the day before may still stand at the start


@dataclass(frozen=True)
class MonthServiceLevels:
    month: str  # YYYY-MM, in the estate's time zone
    as_of_utc: datetime  # aware; the end of what was evaluated
    rows: tuple[ContractMonth, ...]
    councils: tuple[CouncilSummary, ...]
    provenance: Provenance
    time_zone: str  # the estate's: where its calendars run and how its times are shown


def _dt(seconds: int) -> datetime:
    return cal.from_utc_seconds(seconds)


def intervals_by_endpoint(
    warehouse: Warehouse, start: int, end: int, endpoint_ids: list[str] | None
) -> dict[str, list[StateInterval]]:
    """The state intervals overlapping [start, end) of these endpoints (None: every one)."""
    rows = warehouse.state_intervals_seconds(_dt(start), _dt(end), endpoint_ids)
    by_endpoint: dict[str, list[StateInterval]] = defaultdict(list)
    columns = (rows[name].to_list() for name in ("endpoint_id", "start_s", "end_s", "state", "cause"))
    for endpoint_id, s, e, state, cause in zip(*columns, strict=True):
        by_endpoint[endpoint_id].append(StateInterval(s, e, state, cause))
    return by_endpoint


def site_timelines(service, by_endpoint: dict[str, list[StateInterval]], start: int, end: int) -> list:
    """Each of the service's sites' filled timeline over [start, end), in `service.sites` order."""
    timelines = []
    for site in service.sites:
        endpoints = [f"{service.id}@{site}" for e in service.endpoints if e.site == site]
        endpoint_timelines = [fill(by_endpoint.get(eid, []), start, end) for eid in dict.fromkeys(endpoints)]
        timelines.append(site_timeline(endpoint_timelines, start, end))
    return timelines


def _segments_by_service(
    services, warehouse: Warehouse, start: int, end: int, endpoint_ids: list[str] | None
) -> dict[str, list]:
    by_endpoint = intervals_by_endpoint(warehouse, start, end, endpoint_ids)
    return {
        service.id: service_segments(
            service.sites, site_timelines(service, by_endpoint, start, end), start, end
        )
        for service in services
    }


@contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector: a month's evaluation allocates hundreds of thousands
    of small tuples that are never cyclic, and the collector's passes over them cost a third of
    the run. Memory is freed by reference counting as usual; the collector resumes after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def month_report(
    estate: Estate,
    warehouse: Warehouse,
    month: str,
    *,
    scope: Scope,
    as_of: datetime | None = None,
    now: datetime | None = None,
) -> MonthServiceLevels:
    """Every contract's figures for `month` (YYYY-MM) that the scope may see."""
    with _collector_paused():
        return _month_report(estate, warehouse, month, scope, as_of, now)


def _month_report(
    estate: Estate,
    warehouse: Warehouse,
    month: str,
    scope: Scope,
    as_of: datetime | None,
    now: datetime | None,
) -> MonthServiceLevels:
    calendar = Calendar(ZoneInfo(estate.estate.time_zone), estate.estate.bank_holidays)
    scope.check(estate)  # UnknownId, naming the id, before any work
    services = scope.services(estate)
    datasets = scope.dataset_ids(estate)
    service_ids = scope.service_ids(estate)
    # an as-of asked for is still no later than what has been collected: past it, the minutes
    # since the last collection would count as unmonitored and backups as ever older
    moment = answer_as_of(warehouse, as_of or now or datetime.now(UTC))
    as_of_s = cal.utc_seconds(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    month_whole = cal.month_period(month, calendar.tz)
    end = month_whole.clipped(as_of_s).end
    start = budget_span_start(month, as_of_s, calendar)
    if end <= month_whole.start:
        end = month_whole.start  # a month not yet begun: nothing is measured
    span_end = max(end, month_whole.start + 1)

    # a day past the month's end (as far as collected) shows whether an outage runs on into it
    look_past = max(span_end, min(as_of_s, month_whole.end + LOOK_PAST_SECONDS))
    segments = _segments_by_service(services, warehouse, start, look_past, scope.endpoint_ids(estate))
    points: dict[str, list[int]] = defaultdict(list)
    for dataset_id, finished in warehouse.recovery_points_seconds(
        _dt(month_whole.start), _dt(span_end), datasets
    ).iter_rows():
        points[dataset_id].append(finished)
    jobs: dict[str, list[BackupJob]] = defaultdict(list)
    for dataset_id, finished, status in warehouse.backup_jobs_seconds(
        _dt(month_whole.start), _dt(span_end), datasets
    ).iter_rows():
        jobs[dataset_id].append(BackupJob(dataset_id, finished, status))
    lags = {
        dataset_id: LagSeries(a["sampled_s"].astype("int64"), a["lag_seconds"].astype("float64"))
        for dataset_id, a in warehouse.replication_lag_arrays(
            _dt(month_whole.start - LAG_LOOKBACK_SECONDS), _dt(span_end), datasets
        ).items()
    }
    probes = {
        service_id: ProbeSeries(
            a["start_s"].astype("int64"), a["interval_seconds"].astype("int64"), a["p95_seconds"]
        )
        for service_id, a in warehouse.probe_p95_arrays(
            _dt(month_whole.start), _dt(span_end), service_ids
        ).items()
    }
    durations = {
        service_id: KeptProbes(a["first_s"], a["interval_s"], a["begin"], a["end"], a["ticks"])
        for service_id, a in warehouse.probe_day_arrays(
            _dt(month_whole.start), _dt(span_end), service_ids
        ).items()
    }
    changes: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for service_id, s, e, _ in warehouse.maintenance_windows_seconds(
        _dt(start), _dt(span_end), service_ids
    ).iter_rows():
        changes[service_id].append((s, e))

    evidence = {
        service.id: ServiceEvidence(
            service,
            segments[service.id],
            {d.id: points.get(d.id, []) for d in service.datasets},
            {d.id: jobs.get(d.id, []) for d in service.datasets},
            {d.id: lags[d.id] for d in service.datasets if d.id in lags},
            probes.get(service.id, ProbeSeries.from_rows([])),
            normalise(changes.get(service.id, [])),
            durations.get(service.id, KeptProbes.none()),
        )
        for service in services
    }
    versions: dict[tuple[str, str], list] = defaultdict(list)
    for contract in estate.contracts:
        versions[(contract.council, contract.service)].append(contract)
    rows: list[ContractMonth] = []
    councils = scope.councils(estate)
    for council in councils:
        for service in services:
            if (council.id, service.id) not in versions:
                continue
            rows.append(
                evaluate(
                    council.id,
                    month,
                    evidence[service.id],
                    partial(version_in_force, versions[(council.id, service.id)]),
                    calendar,
                    estate.dr_tests,
                    end,
                )
            )
    summaries = tuple(summarise(c.id, month, [r for r in rows if r.council_id == c.id]) for c in councils)
    return MonthServiceLevels(
        month, _dt(end), tuple(rows), summaries, provenance_of(estate), estate.estate.time_zone
    )
