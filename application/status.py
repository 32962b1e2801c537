"""What the warehouse holds, and how complete each site's collection is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from estate.scope import Scope
from warehouse import Warehouse

HEALTH_DAYS = 30  # the window over which collection completeness is judged


@dataclass(frozen=True)
class SourceCollection:
    """One site's collection of one kind of data."""

    site_id: str
    source: str  # availability, utilisation, recovery, ...
    collected_until_utc: datetime | None  # the watermark
    last_status: str | None  # ok, partial, failed, running
    last_finished_utc: datetime | None
    last_message: str | None
    failed_runs: int  # runs in the health window that did not end ok


@dataclass(frozen=True)
class SiteCompleteness:
    """Over the health window, the share of the endpoint-seconds held that were measured, and
    what the rest was, by cause."""

    site_id: str
    held_seconds: int
    unmonitored_seconds_by_cause: tuple[tuple[str, int], ...]

    @property
    def unmonitored_seconds(self) -> int:
        return sum(seconds for _, seconds in self.unmonitored_seconds_by_cause)


@dataclass(frozen=True)
class WarehouseStatus:
    path: str
    migrations: tuple[str, ...]
    rows: tuple[tuple[str, int], ...]  # table, rows: in data-flow order
    span_utc: tuple[datetime, datetime] | None
    health_from_utc: datetime
    health_to_utc: datetime
    collection: tuple[SourceCollection, ...]
    completeness: tuple[SiteCompleteness, ...]
    tables_verified: int  # every block of these tables was read and its checksum checked


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def warehouse_status(warehouse: Warehouse, *, scope: Scope, now: datetime | None = None) -> WarehouseStatus:
    """The provider's view of the warehouse; a council viewer is refused."""
    scope.require_provider("the warehouse's status")
    # "all is well" is said only of a file read through: a damaged block raises here, named
    tables_verified = warehouse.verify_every_block()
    end = (now or datetime.now(UTC)).astimezone(UTC)
    start = end - timedelta(days=HEALTH_DAYS)
    span = warehouse.time_span()
    collection = tuple(
        SourceCollection(
            row["site_id"],
            row["source"],
            _aware(row["collected_until_utc"]),
            row["last_status"],
            _aware(row["last_finished_utc"]),
            row["last_message"],
            int(row["failed_runs"]),
        )
        for row in warehouse.collection_health(start).iter_rows(named=True)
    )
    held: dict[str, float] = defaultdict(float)
    gaps: dict[str, dict[str, float]] = defaultdict(dict)
    for row in warehouse.unmonitored_seconds_by_cause(start, end).iter_rows(named=True):
        held[row["site_id"]] += row["seconds"]
        if row["unmonitored"]:
            gaps[row["site_id"]][row["cause"]] = gaps[row["site_id"]].get(row["cause"], 0) + row["seconds"]
    completeness = tuple(
        SiteCompleteness(
            site,
            round(held[site]),
            tuple(sorted((cause, round(seconds)) for cause, seconds in gaps[site].items())),
        )
        for site in sorted(held)
    )
    return WarehouseStatus(
        str(warehouse.path),
        tuple(warehouse.applied_migrations()),
        tuple(warehouse.row_counts().items()),
        None if span is None else (_aware(span[0]), _aware(span[1])),
        start,
        end,
        collection,
        completeness,
        tables_verified,
    )
