"""Window writes: each metric write replaces what one site (and source) holds for one window.

Every table written this way is described once, as a `WindowTable` (warehouse/window_tables.py):
the columns a batch carries, the keys the caller names (a site, an interval length, a source)
that scope the replace, the column whose `[start, end)` the window bounds, and the rules a batch
must pass. One function does the rest the same way for all of them (`_replace_window`):
check the batch, refused whole with a message naming the rule, the count and an example row;
then, in one transaction, delete exactly what is stored for those keys and that window and
insert the batch. Writing the same window twice leaves what writing it once did, and a writer
killed mid-write leaves the previous state (the transaction rolls back).

Availability is the one table whose replace is not "delete the rows the window holds": its rows
are intervals, and a stored interval may straddle a window edge. `replace_availability` keeps
the part outside the window; it is written out there, on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from warehouse.store import WarehouseWriteError, _Connection, utc_naive
from warehouse.window_tables import (
    AVAILABILITY,
    AVAILABILITY_BATCH_SCHEMA,
    BACKUP_JOBS,
    MAINTENANCE_WINDOWS,
    PROBE_DURATIONS,
    REPLICATION_LAG,
    SERVER_INVENTORY,
    UTILISATION,
    WindowTable,
)


@dataclass(frozen=True)
class Replacement:
    """What a load did to what was held, row by row, matched on the rows' identity (a job's
    run, an event's occurrence, a server): new rows, rows whose figures changed, rows left as
    they were, and rows held before that the load's span covered and it no longer holds."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def written(self) -> int:
        return self.added + self.changed + self.unchanged

    def __add__(self, other: Replacement) -> Replacement:
        return Replacement(
            self.added + other.added,
            self.changed + other.changed,
            self.unchanged + other.unchanged,
            self.removed + other.removed,
        )


def compare(
    held: pl.DataFrame, incoming: pl.DataFrame, identity: list[str], figures: list[str]
) -> Replacement:
    """Match the rows held with the rows coming in on `identity`; a matched row is changed when
    any of `figures` differs. A key twice on one side counts each row once (none in practice)."""
    columns = identity + figures
    held, incoming = held.select(columns), incoming.select(columns)
    matched = incoming.join(held, on=identity, how="inner", suffix="_held", nulls_equal=True)
    same = pl.lit(True)
    for column in figures:
        same = same & pl.col(column).eq_missing(pl.col(f"{column}_held"))
    unchanged = matched.filter(same).height
    added = incoming.join(held, on=identity, how="anti", nulls_equal=True).height
    removed = held.join(incoming, on=identity, how="anti", nulls_equal=True).height
    return Replacement(added, matched.height - unchanged, unchanged, removed)


# The windows a calendar load replaces: the source's, starting in the window, of the services
# named, except those whose event (the reference up to its last '@': a UID may hold an '@'
# itself) is kept. Parameters: source, start, end, service ids, kept UIDs.
_HELD_WINDOWS = (
    "source = ? AND start_utc >= ? AND start_utc < ? AND list_contains(?::VARCHAR[], service_id) "
    "AND NOT list_contains(?::VARCHAR[], regexp_replace(reference, '@[^@]*$', ''))"
)


class WindowWrites(_Connection):
    def _checked_batch(
        self,
        spec: WindowTable,
        frame: pl.DataFrame,
        names: dict[str, object],
        window: tuple[datetime, datetime] | None,
    ) -> pl.DataFrame:
        """The batch as it is written: its columns, in `spec.order_by`, checked against every
        rule, with the keys and labels (`names`) on every row. Refused whole if a rule fails."""
        what = spec.describe.format(**names)
        if window is not None:
            what += f" {window[0]:%Y-%m-%d %H:%M}..{window[1]:%Y-%m-%d %H:%M}"
        missing = [c for c in spec.batch if c not in frame.columns]
        if missing:
            raise WarehouseWriteError(f"{what}: the batch lacks columns {', '.join(missing)}")
        frame = frame.select(tuple(spec.batch))
        if spec.order_by:
            frame = frame.sort(*spec.order_by)
        for rule in spec.rules:
            rows = frame.filter(rule.marks(window))
            if rows.height:
                first = rows.row(0, named=True)
                raise WarehouseWriteError(f"{what}: {rows.height} row(s) {rule.refusal}, for example {first}")
        types = spec.keys | spec.labels
        return frame.with_columns(
            *(pl.lit(value, dtype=types[name]).alias(name) for name, value in names.items()),
            *(pl.col(column).fill_null(value) for column, value in spec.null_as.items()),
        )

    def _replace_window(
        self,
        spec: WindowTable,
        frame: pl.DataFrame,
        keys: dict[str, object],
        window: tuple[datetime, datetime] | None = None,
        labels: dict[str, object] | None = None,
    ) -> int:
        """Check the batch, then in one transaction delete what the table holds for `keys` in
        the window (`spec.window_column` in `[start, end)`) and insert the batch."""
        window = (utc_naive(window[0]), utc_naive(window[1])) if window else None
        incoming = self._checked_batch(spec, frame, keys | (labels or {}), window)
        where = [f"{column} = ?" for column in spec.keys]
        params = [keys[column] for column in spec.keys]
        if spec.window_column is not None:
            where += [f"{spec.window_column} >= ?", f"{spec.window_column} < ?"]
            params += list(window)
        with self.transaction():
            self._con.execute(f"DELETE FROM {spec.table} WHERE {' AND '.join(where)}", params)  # noqa: S608
            self._insert_frame(spec.table, incoming)
        return incoming.height

    def _insert_frame(self, table: str, frame) -> None:
        """Insert a polars frame or Arrow table by column name (table names are constants)."""
        arrow = frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame
        self._con.register("incoming_batch", arrow)
        try:
            self._con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_batch")  # noqa: S608
        finally:
            self._con.unregister("incoming_batch")

    def replace_utilisation(
        self,
        site_id: str,
        interval_seconds: int,
        window_start: datetime,
        window_end: datetime,
        frame: pl.DataFrame,
    ) -> int:
        """Replace the site's utilisation at `interval_seconds` with interval_start in the window.

        frame: server_id, metric, interval_start_utc, mean_value, peak_value.
        """
        keys = {"site_id": site_id, "interval_seconds": interval_seconds}
        return self._replace_window(UTILISATION, frame, keys, (window_start, window_end))

    def replace_availability(
        self, site_id: str, window_start: datetime, window_end: datetime, frame: pl.DataFrame
    ) -> int:
        """Replace the site's state intervals within the window.

        frame: endpoint_id, service_id, start_utc, end_utc, state, cause. Intervals already stored
        that straddle a window edge keep their part outside the window: every stored interval
        the window touches is deleted, and its parts before the window's start and after its end
        are inserted again, trimmed at the edge, with the batch.
        """
        start, end = utc_naive(window_start), utc_naive(window_end)
        incoming = self._checked_batch(AVAILABILITY, frame, {"site_id": site_id}, (start, end))
        with self.transaction():
            outside = self._con.sql(
                """
                SELECT endpoint_id, service_id, site_id, start_utc, ?::TIMESTAMP AS end_utc, state, cause
                FROM availability_intervals WHERE site_id = ? AND start_utc < ? AND end_utc > ?
                UNION ALL
                SELECT endpoint_id, service_id, site_id, ?::TIMESTAMP, end_utc, state, cause
                FROM availability_intervals WHERE site_id = ? AND start_utc < ? AND end_utc > ?
                """,
                params=[start, site_id, start, start, end, site_id, end, end],
            ).to_arrow_table()
            self._con.execute(
                "DELETE FROM availability_intervals WHERE site_id = ? AND start_utc < ? AND end_utc > ?",
                [site_id, end, start],
            )
            self._insert_frame("availability_intervals", outside)
            self._insert_frame("availability_intervals", incoming)
        return incoming.height

    def fill_availability_gaps(
        self,
        site_id: str,
        window_start: datetime,
        window_end: datetime,
        endpoints: list[tuple[str, str]],
        cause: str,
    ) -> int:
        """Record a window that could not be collected: for each (endpoint id, service id), the
        parts of [start, end) the warehouse holds no interval for become unmonitored with
        `cause`; what is held (up, down, or unmonitored with its own cause) stays as it is.
        Measured data is never replaced by less: a failure says only where nothing is known. A
        later successful collection of the window replaces it all (replace_availability)."""
        start, end = utc_naive(window_start), utc_naive(window_end)
        with self.transaction():
            held = self._con.execute(
                "SELECT endpoint_id, start_utc, end_utc FROM availability_intervals "
                "WHERE site_id = ? AND start_utc < ? AND end_utc > ? ORDER BY endpoint_id, start_utc",
                [site_id, end, start],
            ).fetchall()
            covered: dict[str, list[tuple[datetime, datetime]]] = {}
            for endpoint_id, lo, hi in held:
                covered.setdefault(endpoint_id, []).append((max(lo, start), min(hi, end)))
            rows = []
            for endpoint_id, service_id in endpoints:
                cursor = start
                for lo, hi in covered.get(endpoint_id, []):  # sorted, and disjoint per endpoint
                    if lo > cursor:
                        rows.append((endpoint_id, service_id, cursor, lo, "unmonitored", cause))
                    cursor = max(cursor, hi)
                if cursor < end:
                    rows.append((endpoint_id, service_id, cursor, end, "unmonitored", cause))
            frame = pl.DataFrame(rows, schema=AVAILABILITY_BATCH_SCHEMA, orient="row")
            incoming = self._checked_batch(AVAILABILITY, frame, {"site_id": site_id}, (start, end))
            self._insert_frame("availability_intervals", incoming)
        return incoming.height

    def replace_probe_durations(
        self,
        site_id: str,
        interval_seconds: int,
        window_start: datetime,
        window_end: datetime,
        frame: pl.DataFrame,
    ) -> int:
        """frame: endpoint_id, service_id, interval_start_utc, mean_seconds, p95_seconds, max_seconds."""
        keys = {"site_id": site_id, "interval_seconds": interval_seconds}
        return self._replace_window(PROBE_DURATIONS, frame, keys, (window_start, window_end))

    def replace_backup_jobs(
        self,
        site_id: str,
        source: str,
        window_start: datetime,
        window_end: datetime,
        frame: pl.DataFrame,
    ) -> int:
        """Replace the site's jobs from `source` that finished in the window.

        frame: dataset_id, job_name, started_at_utc, finished_at_utc, status.
        """
        keys = {"site_id": site_id, "source": source}
        return self._replace_window(BACKUP_JOBS, frame, keys, (window_start, window_end))

    def replace_backup_jobs_of(
        self,
        site_id: str,
        source: str,
        frame: pl.DataFrame,
        spans: list[tuple[str, datetime, datetime]],
    ) -> Replacement:
        """Replace, for each (job name, start, end) in `spans`, that job's results from `source`
        at the site finished in [start, end); other jobs' results, and the job's results outside
        its spans, stay. A job may have several spans (one per local day). Every batch row must
        lie in one of its job's spans. One transaction; the batch checked first. Returns what the
        load did to what was held (a run is its dataset, job and start)."""
        if frame.height == 0:
            return Replacement()
        spans = sorted({(job, utc_naive(start), utc_naive(end)) for job, start, end in spans})
        window = (min(s for _, s, _ in spans), max(e for _, _, e in spans))
        incoming = self._checked_batch(BACKUP_JOBS, frame, {"site_id": site_id, "source": source}, window)
        inside = pl.lit(False)
        for job, start, end in spans:
            inside = inside | (
                (pl.col("job_name") == job)
                & (pl.col("finished_at_utc") >= start)
                & (pl.col("finished_at_utc") < end)
            )
        if incoming.filter(~inside).height:
            raise WarehouseWriteError(
                f"backup jobs from {source} for site {site_id}: rows outside their job's span"
            )
        result = Replacement()
        with self.transaction():
            for job_name, start, end in spans:
                scope = [site_id, source, job_name, start, end]
                where = "site_id = ? AND source = ? AND job_name = ? AND finished_at_utc >= ? AND finished_at_utc < ?"
                held = self._con.sql(f"SELECT * FROM backup_jobs WHERE {where}", params=scope).pl()  # noqa: S608
                result += compare(
                    held,
                    incoming.filter(
                        (pl.col("job_name") == job_name)
                        & (pl.col("finished_at_utc") >= start)
                        & (pl.col("finished_at_utc") < end)
                    ),
                    ["dataset_id", "job_name", "started_at_utc"],
                    ["finished_at_utc", "status"],
                )
                self._con.execute(f"DELETE FROM backup_jobs WHERE {where}", scope)  # noqa: S608
            self._insert_frame("backup_jobs", incoming)
        return result

    def replace_replication_lag(
        self, from_site_id: str, window_start: datetime, window_end: datetime, frame: pl.DataFrame
    ) -> int:
        """frame: dataset_id, to_site_id, sampled_at_utc, lag_seconds."""
        keys = {"from_site_id": from_site_id}
        return self._replace_window(REPLICATION_LAG, frame, keys, (window_start, window_end))

    def replace_maintenance_windows(
        self,
        source: str,
        window_start: datetime,
        window_end: datetime,
        frame: pl.DataFrame,
        service_ids: list[str],
        keep_uids: list[str] | tuple[str, ...] = (),
    ) -> Replacement:
        """Replace the windows `source` (a change-calendar feed) gave that start in the window,
        of the services named, and only those; windows of the events `keep_uids` names (events
        the feed holds but could not read this time) stay as they were. Returns what it did to
        what was held (a window is its service and the event occurrence's reference).

        frame: service_id, start_utc, end_utc, reference, summary."""
        keys = {"source": source}
        start, end = utc_naive(window_start), utc_naive(window_end)
        incoming = self._checked_batch(MAINTENANCE_WINDOWS, frame, keys, (start, end))
        strays = set(incoming["service_id"]) - set(service_ids)
        if strays:
            raise WarehouseWriteError(
                f"maintenance windows from {source}: services not named {sorted(strays)}"
            )
        with self.transaction():
            held = self.held_maintenance_windows(source, start, end, service_ids, keep_uids)
            result = compare(held, incoming, ["service_id", "reference"], ["start_utc", "end_utc", "summary"])
            self._con.execute(
                f"DELETE FROM maintenance_windows WHERE {_HELD_WINDOWS}",
                [source, start, end, service_ids, list(keep_uids)],
            )
            self._insert_frame("maintenance_windows", incoming)
        return result

    def held_maintenance_windows(
        self,
        source: str,
        window_start: datetime,
        window_end: datetime,
        service_ids: list[str],
        keep_uids: list[str] | tuple[str, ...] = (),
    ) -> pl.DataFrame:
        """The windows `source` gave, of those services, starting in the window, but for those
        of the events `keep_uids` names: what a load of that feed replaces."""
        return self._con.sql(
            f"SELECT service_id, start_utc, end_utc, reference, summary FROM maintenance_windows WHERE {_HELD_WINDOWS} "
            "ORDER BY start_utc, service_id, reference",
            params=[source, utc_naive(window_start), utc_naive(window_end), service_ids, list(keep_uids)],
        ).pl()

    def replace_server_inventory(self, snapshot_date: date, source: str, frame: pl.DataFrame) -> Replacement:
        """Replace the inventory snapshot of `snapshot_date` (a re-exported day replaces the
        earlier export). frame: server_id, site_id, kind, cores, memory_gib, storage_gib,
        status, in_service, source_line."""
        keys, labels = {"snapshot_date": snapshot_date}, {"source": source}
        incoming = self._checked_batch(SERVER_INVENTORY, frame, keys | labels, None)
        with self.transaction():
            held = self._con.sql(
                "SELECT * FROM server_inventory WHERE snapshot_date = ?", params=[snapshot_date]
            ).pl()
            figures = ["site_id", "kind", "cores", "memory_gib", "storage_gib", "status", "in_service"]
            result = compare(held, incoming, ["server_id"], figures)
            self._con.execute("DELETE FROM server_inventory WHERE snapshot_date = ?", [snapshot_date])
            self._insert_frame("server_inventory", incoming)
        return result
