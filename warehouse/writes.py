"""Idempotent writes: each replaces one window of one site (and source) as a whole.

Writing the same window twice leaves exactly what writing it once did, so a collector that is
killed and run again, or a backfill over collected time, never duplicates a row. Each write is
one transaction: a batch is checked first and refused whole if any row is wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from estate.model import Estate, Server
from estate.snapshot import canonical_json
from warehouse.store import WarehouseWriteError, _Connection, first_row, utc_naive

UTILISATION_METRICS = ("cpu_percent", "memory_percent", "storage_percent", "network_mbps")
# The columns a replace_availability batch carries (cause is null unless unmonitored).
AVAILABILITY_BATCH_SCHEMA = {
    "endpoint_id": pl.Utf8,
    "service_id": pl.Utf8,
    "start_utc": pl.Datetime("us"),
    "end_utc": pl.Datetime("us"),
    "state": pl.Utf8,
    "cause": pl.Utf8,
}
UNMONITORED_CAUSES = (
    "prometheus-unreachable",  # the site's Prometheus did not answer
    "prometheus-bad-answer",  # it answered with something unusable (not JSON, NaN, wrong times)
    "no-samples",  # it answered, with no samples for the series
    "collector-not-running",  # nobody asked: the collector was stopped
    "probe-not-deployed",  # the endpoint was not yet probed
)


def _require_columns(frame: pl.DataFrame, columns: tuple[str, ...], what: str) -> pl.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise WarehouseWriteError(f"{what}: the batch lacks columns {', '.join(missing)}")
    return frame.select(columns)


# The local midnight (as naive UTC) that begins the estate-zone day holding a naive UTC column;
# the zone is bound twice, as parameters, before the query's own.
LOCAL_MIDNIGHT = "timezone('UTC', timezone(?::VARCHAR, date_trunc('day', timezone(?::VARCHAR, {column} AT TIME ZONE 'UTC'))))"


def local_days_touched(start: datetime, end: datetime, time_zone: str) -> tuple[datetime, datetime]:
    """[local midnight on or before start, local midnight after the day holding end - 1 s), as
    naive UTC: the whole local days that [start, end) touches."""
    tz = ZoneInfo(time_zone)
    start, end = (t if t.tzinfo else t.replace(tzinfo=UTC) for t in (start, end))  # naive is UTC
    first_day = start.astimezone(tz).date()
    last_day = (end - timedelta(seconds=1)).astimezone(tz).date() + timedelta(days=1)

    def midnight(day) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC).replace(tzinfo=None)

    return midnight(first_day), midnight(max(last_day, first_day + timedelta(days=1)))


class Writes(_Connection):
    # --- the estate ---------------------------------------------------------------------------

    def write_estate(self, estate: Estate, source_path: str, loaded_at: datetime) -> str:
        """Record the estate snapshot (once per distinct content) and replace the estate tables."""
        canonical = canonical_json(estate)
        sha256 = hashlib.sha256(canonical.encode()).hexdigest()
        provider = estate.estate.provider_council
        with self.transaction():
            self._con.execute(
                "INSERT INTO estate_snapshots VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [sha256, utc_naive(loaded_at), source_path, canonical],
            )
            for table in (
                "sites",
                "councils",
                "services",
                "service_sites",
                "service_councils",
                "endpoints",
                "datasets",
                "servers",
                "server_services",
                "contracts",
            ):
                self._con.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            self._insert_many("sites", [(s.id, s.name, s.prometheus_url) for s in estate.sites])
            self._insert_many("councils", [(c.id, c.name, c.id == provider) for c in estate.councils])
            self._insert_many(
                "services",
                [
                    (s.id, s.name, s.mode, s.tenancy, s.criticality, s.in_service_from)
                    for s in estate.services
                ],
            )
            self._insert_many("service_sites", [(s.id, site) for s in estate.services for site in s.sites])
            self._insert_many("service_councils", [(s.id, c) for s in estate.services for c in s.councils])
            self._insert_many(
                "endpoints",
                [
                    (f"{s.id}@{e.site}", s.id, e.site, e.target, e.probe_interval_seconds)
                    for s in estate.services
                    for e in s.endpoints
                ],
            )
            self._insert_many(
                "datasets",
                [(d.id, s.id, d.site, d.replicated_to) for s in estate.services for d in s.datasets],
            )
            self._insert_many(
                "servers",
                [
                    (
                        s.id,
                        s.site,
                        s.role,
                        s.kind,
                        s.cores,
                        s.memory_gib,
                        s.storage_gib,
                        str(s.annual_cost_gbp),
                    )
                    for s in estate.servers
                ],
            )
            self._insert_many("server_services", [(s.id, svc) for s in estate.servers for svc in s.services])
            self._insert_many(
                "contracts",
                [
                    (
                        c.council,
                        c.service,
                        c.effective_from,
                        c.effective_until,
                        json.dumps(c.model_dump(mode="json"), sort_keys=True),
                    )
                    for c in estate.contracts
                ],
            )
        return sha256

    def _insert_frame(self, table: str, frame) -> None:
        """Insert a polars frame or Arrow table by column name (table names are constants)."""
        arrow = frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame
        self._con.register("incoming_batch", arrow)
        try:
            self._con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_batch")  # noqa: S608
        finally:
            self._con.unregister("incoming_batch")

    def _insert_many(self, table: str, rows: list[tuple]) -> None:
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            self._con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608

    # --- metrics --------------------------------------------------------------------------------

    def _check(self, frame: pl.DataFrame, what: str, failures: dict[str, pl.Expr]) -> None:
        """Refuse the batch if any rule fails; name the rule, the count and the first bad row."""
        for rule, bad in failures.items():
            rows = frame.filter(bad)
            if rows.height:
                first = rows.row(0, named=True)
                raise WarehouseWriteError(f"{what}: {rows.height} row(s) {rule}, for example {first}")

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
        start, end = utc_naive(window_start), utc_naive(window_end)
        what = f"utilisation for site {site_id} {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M}"
        frame = _require_columns(
            frame, ("server_id", "metric", "interval_start_utc", "mean_value", "peak_value"), what
        )
        self._check(
            frame,
            what,
            {
                "have an empty field": pl.any_horizontal(pl.all().is_null()),
                "are not finite numbers": ~(
                    pl.col("mean_value").is_finite() & pl.col("peak_value").is_finite()
                ),
                "start outside the window": (pl.col("interval_start_utc") < start)
                | (pl.col("interval_start_utc") >= end),
                "have a peak below the mean": pl.col("peak_value") < pl.col("mean_value"),
                "name an unknown metric": ~pl.col("metric").is_in(UTILISATION_METRICS),
                "repeat a (server, metric, interval)": frame.select(
                    ["server_id", "metric", "interval_start_utc"]
                ).is_duplicated(),
            },
        )
        incoming = frame.with_columns(
            pl.lit(site_id).alias("site_id"),
            pl.lit(interval_seconds).cast(pl.Int32).alias("interval_seconds"),
        )
        with self.transaction():
            self._con.execute(
                "DELETE FROM utilisation WHERE site_id = ? AND interval_seconds = ? "
                "AND interval_start_utc >= ? AND interval_start_utc < ?",
                [site_id, interval_seconds, start, end],
            )
            self._insert_frame("utilisation", incoming)
        return frame.height

    def rollup_utilisation_daily(
        self, site_id: str, window_start: datetime, window_end: datetime, time_zone: str
    ) -> int:
        """Recompute the daily rollups of the hourly rows for every local day (in the estate's
        zone: 23, 24 or 25 hours) the window touches, from all the hourly rows of those days.

        A rollup row starts at the day's local midnight (as a UTC instant); its interval_seconds
        is 86400 whatever the day's length: it marks "a local day", not a length."""
        first, last = local_days_touched(window_start, window_end, time_zone)
        with self.transaction():
            self._con.execute(
                "DELETE FROM utilisation WHERE site_id = ? AND interval_seconds = 86400 "
                "AND interval_start_utc >= ? AND interval_start_utc < ?",
                [site_id, first, last],
            )
            row = first_row(
                self._con.execute(
                    f"""
                INSERT INTO utilisation
                SELECT server_id, site_id, metric, 86400, {LOCAL_MIDNIGHT.format(column="interval_start_utc")},
                       avg(mean_value), max(peak_value)
                FROM utilisation
                WHERE site_id = ? AND interval_seconds = 3600
                  AND interval_start_utc >= ? AND interval_start_utc < ?
                GROUP BY ALL
                """,
                    [time_zone, time_zone, site_id, first, last],
                )
            )
        return int(row[0]) if row else 0

    def replace_availability(
        self, site_id: str, window_start: datetime, window_end: datetime, frame: pl.DataFrame
    ) -> int:
        """Replace the site's state intervals within the window.

        frame: endpoint_id, service_id, start_utc, end_utc, state, cause. Intervals already stored
        that straddle a window edge keep their part outside the window.
        """
        start, end = utc_naive(window_start), utc_naive(window_end)
        what = f"availability for site {site_id} {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M}"
        frame = _require_columns(
            frame, ("endpoint_id", "service_id", "start_utc", "end_utc", "state", "cause"), what
        )
        ordered = frame.sort("endpoint_id", "start_utc")
        overlaps = (pl.col("endpoint_id") == pl.col("endpoint_id").shift(1)) & (
            pl.col("start_utc") < pl.col("end_utc").shift(1)
        )
        self._check(
            ordered,
            what,
            {
                "have an empty field": pl.any_horizontal(pl.exclude("cause").is_null()),
                "lie outside the window": (pl.col("start_utc") < start) | (pl.col("end_utc") > end),
                "end before they start": pl.col("end_utc") <= pl.col("start_utc"),
                "have an unknown state": ~pl.col("state").is_in(["up", "down", "unmonitored"]),
                "are unmonitored without a known cause, or have a cause while monitored": (
                    (pl.col("state") == "unmonitored")
                    != pl.col("cause").is_in(UNMONITORED_CAUSES).fill_null(False)
                ),
                "overlap the previous interval of the same endpoint": overlaps.fill_null(False),
            },
        )
        incoming = ordered.with_columns(pl.lit(site_id).alias("site_id"))
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
        return frame.height

    def replace_probe_durations(
        self,
        site_id: str,
        interval_seconds: int,
        window_start: datetime,
        window_end: datetime,
        frame: pl.DataFrame,
    ) -> int:
        """frame: endpoint_id, service_id, interval_start_utc, mean_seconds, p95_seconds, max_seconds."""
        start, end = utc_naive(window_start), utc_naive(window_end)
        what = f"probe durations for site {site_id} {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M}"
        columns = (
            "endpoint_id",
            "service_id",
            "interval_start_utc",
            "mean_seconds",
            "p95_seconds",
            "max_seconds",
        )
        frame = _require_columns(frame, columns, what)
        self._check(
            frame,
            what,
            {
                "have an empty field": pl.any_horizontal(pl.all().is_null()),
                "are not finite non-negative numbers": ~pl.all_horizontal(
                    [pl.col(c).is_finite() & (pl.col(c) >= 0) for c in columns[3:]]
                ),
                "start outside the window": (pl.col("interval_start_utc") < start)
                | (pl.col("interval_start_utc") >= end),
            },
        )
        incoming = frame.with_columns(
            pl.lit(site_id).alias("site_id"),
            pl.lit(interval_seconds).cast(pl.Int32).alias("interval_seconds"),
        )
        with self.transaction():
            self._con.execute(
                "DELETE FROM probe_durations WHERE site_id = ? AND interval_seconds = ? "
                "AND interval_start_utc >= ? AND interval_start_utc < ?",
                [site_id, interval_seconds, start, end],
            )
            self._insert_frame("probe_durations", incoming)
        return frame.height

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
        start, end = utc_naive(window_start), utc_naive(window_end)
        what = f"backup jobs from {source} for site {site_id} {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M}"
        frame = _require_columns(
            frame, ("dataset_id", "job_name", "started_at_utc", "finished_at_utc", "status"), what
        )
        self._check(
            frame,
            what,
            {
                "have an empty field": pl.any_horizontal(pl.all().is_null()),
                "finish outside the window": (pl.col("finished_at_utc") < start)
                | (pl.col("finished_at_utc") >= end),
                "finish before they start": pl.col("finished_at_utc") < pl.col("started_at_utc"),
                "have an unknown status": ~pl.col("status").is_in(["success", "warning", "failed"]),
            },
        )
        incoming = frame.with_columns(pl.lit(site_id).alias("site_id"), pl.lit(source).alias("source"))
        with self.transaction():
            self._con.execute(
                "DELETE FROM backup_jobs WHERE site_id = ? AND source = ? "
                "AND finished_at_utc >= ? AND finished_at_utc < ?",
                [site_id, source, start, end],
            )
            self._insert_frame("backup_jobs", incoming)
        return frame.height

    def replace_replication_lag(
        self, from_site_id: str, window_start: datetime, window_end: datetime, frame: pl.DataFrame
    ) -> int:
        """frame: dataset_id, to_site_id, sampled_at_utc, lag_seconds."""
        start, end = utc_naive(window_start), utc_naive(window_end)
        what = f"replication lag from site {from_site_id} {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M}"
        frame = _require_columns(frame, ("dataset_id", "to_site_id", "sampled_at_utc", "lag_seconds"), what)
        self._check(
            frame,
            what,
            {
                "have an empty field": pl.any_horizontal(pl.all().is_null()),
                "are not finite non-negative lags": ~(
                    pl.col("lag_seconds").is_finite() & (pl.col("lag_seconds") >= 0)
                ),
                "were sampled outside the window": (pl.col("sampled_at_utc") < start)
                | (pl.col("sampled_at_utc") >= end),
            },
        )
        incoming = frame.with_columns(pl.lit(from_site_id).alias("from_site_id"))
        with self.transaction():
            self._con.execute(
                "DELETE FROM replication_lag WHERE from_site_id = ? AND sampled_at_utc >= ? AND sampled_at_utc < ?",
                [from_site_id, start, end],
            )
            self._insert_frame("replication_lag", incoming)
        return frame.height

    def replace_maintenance_windows(
        self, source: str, window_start: datetime, window_end: datetime, frame: pl.DataFrame
    ) -> int:
        """Replace the windows `source` (a change-calendar feed) gave that start in the window.

        frame: service_id, start_utc, end_utc, reference, summary."""
        start, end = utc_naive(window_start), utc_naive(window_end)
        what = f"maintenance windows from {source} {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M}"
        frame = _require_columns(frame, ("service_id", "start_utc", "end_utc", "reference", "summary"), what)
        self._check(
            frame,
            what,
            {
                "have an empty field": pl.any_horizontal(pl.exclude("summary").is_null()),
                "end before they start": pl.col("end_utc") <= pl.col("start_utc"),
                "start outside the window": (pl.col("start_utc") < start) | (pl.col("start_utc") >= end),
            },
        )
        incoming = frame.with_columns(pl.lit(source).alias("source"), pl.col("summary").fill_null(""))
        with self.transaction():
            self._con.execute(
                "DELETE FROM maintenance_windows WHERE source = ? AND start_utc >= ? AND start_utc < ?",
                [source, start, end],
            )
            self._insert_frame("maintenance_windows", incoming)
        return frame.height

    def replace_server_inventory(self, snapshot_date: date, source: str, frame: pl.DataFrame) -> int:
        """Replace the inventory snapshot of `snapshot_date` (a re-exported day replaces the
        earlier export). frame: server_id, site_id, kind, cores, memory_gib, storage_gib,
        status, in_service, source_line."""
        columns = (
            "server_id",
            "site_id",
            "kind",
            "cores",
            "memory_gib",
            "storage_gib",
            "status",
            "in_service",
            "source_line",
        )
        what = f"server inventory of {snapshot_date:%Y-%m-%d} from {source}"
        frame = _require_columns(frame, columns, what)
        self._check(
            frame,
            what,
            {
                "have an empty field": pl.any_horizontal(pl.exclude("storage_gib").is_null()),
                "have no cores or memory": (pl.col("cores") <= 0) | (pl.col("memory_gib") <= 0),
                "name a server twice": pl.col("server_id").is_duplicated(),
            },
        )
        incoming = frame.with_columns(
            pl.lit(snapshot_date).alias("snapshot_date"), pl.lit(source).alias("source")
        )
        with self.transaction():
            self._con.execute("DELETE FROM server_inventory WHERE snapshot_date = ?", [snapshot_date])
            self._insert_frame("server_inventory", incoming)
        return frame.height

    # --- collection bookkeeping ----------------------------------------------------------------

    def record_collection_run(
        self,
        run_id: str,
        source: str,
        site_id: str,
        window_start: datetime,
        window_end: datetime,
        started_at: datetime,
        finished_at: datetime | None,
        status: str,
        rows_written: int = 0,
        message: str | None = None,
    ) -> None:
        self._con.execute(
            "INSERT OR REPLACE INTO collection_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                source,
                site_id,
                utc_naive(window_start),
                utc_naive(window_end),
                utc_naive(started_at),
                utc_naive(finished_at) if finished_at else None,
                status,
                rows_written,
                message,
            ],
        )

    def set_watermark(self, site_id: str, source: str, collected_until: datetime) -> None:
        """Record how far `source` is collected at the site. It only moves forward: backfilling
        an older window must not make the next run start again from there."""
        self._con.execute(
            "INSERT INTO collection_watermarks VALUES (?, ?, ?) ON CONFLICT (site_id, source) "
            "DO UPDATE SET collected_until_utc = greatest(collection_watermarks.collected_until_utc, "
            "excluded.collected_until_utc)",
            [site_id, source, utc_naive(collected_until)],
        )

    # --- servers found by [[server_discovery]] (collectors.prometheus.discovery) ----------------

    def replace_discovered_servers(
        self, site_id: str, found: Sequence[tuple[Server, str]], discovered_at: datetime
    ) -> int:
        """Replace the site's discovered servers with `found`: (server, the selector that found
        it) pairs, in one transaction. Refused whole (nothing deleted) when a server is of
        another site or an id comes twice. Whether a discovery may replace what is held (it
        worked, and kept some server) is the collector's rule, not this writer's."""
        what = f"discovered servers of site {site_id} at {utc_naive(discovered_at):%Y-%m-%d %H:%M}"
        failures = {
            "are of another site": [s.id for s, _ in found if s.site != site_id],
            "come twice": sorted(i for i, n in Counter(s.id for s, _ in found).items() if n > 1),
        }
        for rule, ids in failures.items():
            if ids:
                raise WarehouseWriteError(f"{what}: {len(ids)} server(s) {rule}, for example {ids[0]!r}")
        rows = [
            (
                site_id,
                s.id,
                s.role,
                list(s.services),
                s.cores,
                s.memory_gib,
                s.storage_gib,
                str(s.annual_cost_gbp),
                selector,
                utc_naive(discovered_at),
            )
            for s, selector in found
        ]
        with self.transaction():
            self._con.execute("DELETE FROM discovered_servers WHERE site_id = ?", [site_id])
            self._insert_many("discovered_servers", rows)
        return len(rows)
