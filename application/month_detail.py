"""Two details of a month that its service levels summarise, worked out on demand for one
dataset or one service (a page asks for one at a time; the month's report does not carry them):

- a dataset's recovery point age through the month: the highest age reached in each hour,
  from its backups and its replica at the other site (the rule of sla.recovery);
- each site's availability on its own: the availability rule applied to one site's probes, as
  if the service ran there alone, within a contract's scheduled time and under its unmonitored
  policy. The service's availability (up while any site is up) is never below a site's.

Both read the same tables with the same bounds as `month_report`, through the caller's scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from application.collected import as_of as answer_as_of
from application.periods import estate_zone
from application.service_levels import LAG_LOOKBACK_SECONDS, intervals_by_endpoint, site_timelines
from estate.model import Estate, UnknownId
from estate.scope import Scope
from sla import availability as av
from sla import calendar as cal
from sla.intervals import Spans
from sla.recovery import highest_age_by_bucket
from sla.states import service_segments
from warehouse import Warehouse

HOUR_SECONDS = 3600


@dataclass(frozen=True)
class AgeHistory:
    dataset_id: str
    service_id: str
    site_id: str
    replicated_to: str | None
    hour_starts_utc: tuple[int, ...]  # UTC seconds: each hour from the month's start to the as-of
    highest_age_seconds: tuple[int | None, ...]  # the highest age reached in the hour; None: unknown
    backup_highest_age_seconds: tuple[int | None, ...]  # the same from the backups alone


def _dataset(estate: Estate, dataset_id: str, scope: Scope):
    """The dataset and its service, if the scope may see the service; an unseen dataset is
    reported exactly as an unknown one."""
    for service in scope.services(estate):
        for dataset in service.datasets:
            if dataset.id == dataset_id:
                return service, dataset
    raise UnknownId(f"no dataset {dataset_id!r} in the estate")


def _month_span(estate: Estate, warehouse: Warehouse, month: str, now: datetime | None) -> tuple[int, int]:
    """The month's start and its end as far as collected (the month report's own bounds)."""
    tz = estate_zone(estate)
    moment = answer_as_of(warehouse, now or datetime.now(UTC))
    as_of_s = cal.utc_seconds(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    whole = cal.month_period(month, tz)
    return whole.start, max(whole.start, whole.clipped(as_of_s).end)


def recovery_point_ages(
    estate: Estate,
    warehouse: Warehouse,
    month: str,
    dataset_id: str,
    *,
    scope: Scope,
    now: datetime | None = None,
) -> AgeHistory:
    """A dataset's highest recovery point age in each hour of `month` (to what is collected)."""
    service, dataset = _dataset(estate, dataset_id, scope)
    start, end = _month_span(estate, warehouse, month, now)
    points = warehouse.recovery_points_seconds(
        cal.from_utc_seconds(start), cal.from_utc_seconds(end), [dataset_id]
    )
    backups = points["finished_s"].to_numpy().astype(np.int64)
    known, safe = backups, backups
    if dataset.replicated_to:
        lags = warehouse.replication_lag_arrays(
            cal.from_utc_seconds(start - LAG_LOOKBACK_SECONDS), cal.from_utc_seconds(end), [dataset_id]
        ).get(dataset_id)
        if lags is not None and len(lags["sampled_s"]):
            sampled = lags["sampled_s"].astype(np.int64)
            known = np.concatenate((known, sampled))
            safe = np.concatenate((safe, sampled - np.ceil(lags["lag_seconds"]).astype(np.int64)))
    ages = highest_age_by_bucket(known, safe, start, end, HOUR_SECONDS)
    backup_ages = highest_age_by_bucket(backups, backups, start, end, HOUR_SECONDS)
    return AgeHistory(
        dataset_id,
        service.id,
        dataset.site,
        dataset.replicated_to,
        tuple(range(start, start + HOUR_SECONDS * len(ages), HOUR_SECONDS)),
        tuple(ages),
        tuple(backup_ages),
    )


def site_measures(
    estate: Estate, warehouse: Warehouse, service_id: str, scheduled: Spans, policy: str, *, scope: Scope
) -> dict[str, av.Measure]:
    """Each of the service's sites measured on its own within `scheduled` (a contract's
    scheduled time, UTC seconds) under the unmonitored `policy`."""
    service = next((s for s in scope.services(estate) if s.id == service_id), None)
    if service is None:
        raise UnknownId(f"no service {service_id!r} in the estate")
    if not scheduled:
        return {site: av.measure([], [], policy) for site in service.sites}
    start, end = scheduled[0][0], scheduled[-1][1]
    endpoint_ids = sorted({f"{service.id}@{e.site}" for e in service.endpoints})
    timelines = site_timelines(
        service, intervals_by_endpoint(warehouse, start, end, endpoint_ids), start, end
    )
    # each site as if the service ran there alone: the same rule over one site's timeline
    return {
        site: av.measure(service_segments([site], [timeline], start, end), scheduled, policy)
        for site, timeline in zip(service.sites, timelines, strict=True)
    }
