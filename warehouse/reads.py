"""Queries the commands, rules and pages read through; bound parameters only."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import polars as pl

from estate.model import Server
from warehouse.fragments import EXACT_SUM, ONLY, local_clock
from warehouse.store import _Connection, first_row, utc_naive

# Tables a summary counts, in data-flow order.
SUMMARY_TABLES = (
    "sites",
    "councils",
    "services",
    "endpoints",
    "datasets",
    "servers",
    "contracts",
    "utilisation",
    "availability_intervals",
    "probe_durations",
    "probe_duration_days",
    "backup_jobs",
    "replication_lag",
    "collection_runs",
    "issued_reports",
    "maintenance_windows",
    "server_inventory",
    "discovered_servers",
    "estate_snapshots",
)


class Reads(_Connection):
    def row_counts(self) -> dict[str, int]:
        counts = {}
        for table in SUMMARY_TABLES:
            (count,) = first_row(self._con.execute(f"SELECT count(*) FROM {table}"))  # noqa: S608
            counts[table] = int(count)
        return counts

    def time_span(self) -> tuple[datetime, datetime] | None:
        """First and last instant covered by hourly utilisation or availability."""
        row = first_row(
            self._con.execute(
                """
            SELECT min(t0), max(t1) FROM (
                SELECT min(interval_start_utc) AS t0,
                       max(interval_start_utc + to_seconds(interval_seconds)) AS t1
                FROM utilisation WHERE interval_seconds = 3600
                UNION ALL
                SELECT min(start_utc), max(end_utc) FROM availability_intervals
            )
            """
            )
        )
        return (row[0], row[1]) if row and row[0] is not None else None

    def query(self, sql: str, params: list | None = None) -> pl.DataFrame:
        """A read for code inside this package's callers that need a frame (fixed SQL only)."""
        return self._con.sql(sql, params=params or []).pl()

    def availability_intervals(self, site_id: str | None, start: datetime, end: datetime) -> pl.DataFrame:
        """State intervals overlapping [start, end), for one site or all."""
        return self._con.sql(
            "SELECT endpoint_id, service_id, site_id, start_utc, end_utc, state, cause "
            "FROM availability_intervals WHERE (? IS NULL OR site_id = ?) AND start_utc < ? AND end_utc > ? "
            "ORDER BY site_id, endpoint_id, start_utc",
            params=[site_id, site_id, utc_naive(end), utc_naive(start)],
        ).pl()

    def utilisation(
        self,
        server_ids: list[str] | None,
        metric: str,
        interval_seconds: int,
        start: datetime,
        end: datetime,
    ) -> pl.DataFrame:
        return self._con.sql(
            "SELECT server_id, site_id, metric, interval_start_utc, mean_value, peak_value FROM utilisation "
            "WHERE metric = ? AND interval_seconds = ? AND interval_start_utc >= ? AND interval_start_utc < ? "
            "AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], server_id)) "
            "ORDER BY server_id, interval_start_utc",
            params=[
                metric,
                interval_seconds,
                utc_naive(start),
                utc_naive(end),
                server_ids,
                server_ids,
            ],
        ).pl()

    def backup_jobs(self, start: datetime, end: datetime) -> pl.DataFrame:
        return self._con.sql(
            "SELECT * FROM backup_jobs WHERE finished_at_utc >= ? AND finished_at_utc < ? "
            "ORDER BY dataset_id, finished_at_utc",
            params=[utc_naive(start), utc_naive(end)],
        ).pl()

    def replication_lag(self, start: datetime, end: datetime) -> pl.DataFrame:
        return self._con.sql(
            "SELECT * FROM replication_lag WHERE sampled_at_utc >= ? AND sampled_at_utc < ? "
            "ORDER BY dataset_id, sampled_at_utc",
            params=[utc_naive(start), utc_naive(end)],
        ).pl()

    def server_inventory(self, snapshot_date: date | None = None) -> pl.DataFrame:
        """The CMDB inventory of a day, or the latest loaded; empty when none was loaded."""
        return self._con.sql(
            "SELECT * FROM server_inventory WHERE snapshot_date = "
            "COALESCE(?::DATE, (SELECT max(snapshot_date) FROM server_inventory)) ORDER BY server_id",
            params=[snapshot_date],
        ).pl()

    def watermark(self, site_id: str, source: str) -> datetime | None:
        row = first_row(
            self._con.execute(
                "SELECT collected_until_utc FROM collection_watermarks WHERE site_id = ? AND source = ?",
                [site_id, source],
            )
        )
        return row[0] if row else None

    def unmonitored_seconds_by_cause(self, start: datetime, end: datetime) -> pl.DataFrame:
        """Per site and cause: the endpoint-seconds left unmonitored within [start, end), and the
        endpoint-seconds held at all (the share collected is 1 - unmonitored / held)."""
        return self._con.sql(
            "SELECT site_id, coalesce(cause, '') AS cause, state = 'unmonitored' AS unmonitored, "
            "sum(epoch(least(end_utc, ?::TIMESTAMP)) - epoch(greatest(start_utc, ?::TIMESTAMP))) AS seconds "
            "FROM availability_intervals WHERE start_utc < ? AND end_utc > ? GROUP BY ALL ORDER BY ALL",
            params=[utc_naive(end), utc_naive(start), utc_naive(end), utc_naive(start)],
        ).pl()

    def collection_health(self, since: datetime) -> pl.DataFrame:
        """Per site and source: the watermark, the last run (its status, when it finished, its
        message) and how many runs since `since` did not end ok."""
        return self._con.sql(
            "WITH last AS (SELECT site_id, source, status, finished_at_utc, message, "
            "  row_number() OVER (PARTITION BY site_id, source ORDER BY started_at_utc DESC, run_id) AS n "
            "  FROM collection_runs), "
            "failed AS (SELECT site_id, source, count(*) AS failed_runs FROM collection_runs "
            "  WHERE started_at_utc >= ? AND status <> 'ok' GROUP BY ALL), "
            "pairs AS (SELECT site_id, source FROM collection_watermarks UNION "
            "  SELECT site_id, source FROM collection_runs) "
            "SELECT p.site_id, p.source, w.collected_until_utc, l.status AS last_status, "
            "  l.finished_at_utc AS last_finished_utc, l.message AS last_message, "
            "  coalesce(f.failed_runs, 0) AS failed_runs "
            "FROM pairs p LEFT JOIN collection_watermarks w USING (site_id, source) "
            "LEFT JOIN (SELECT * FROM last WHERE n = 1) l USING (site_id, source) "
            "LEFT JOIN failed f USING (site_id, source) ORDER BY p.site_id, p.source",
            params=[utc_naive(since)],
        ).pl()

    # --- what the service-level rules read (application.service_levels) -------------------------
    # Instants come back as whole UTC seconds since the epoch, rounded to the nearest second.

    def state_intervals_seconds(
        self, start: datetime, end: datetime, endpoint_ids: list[str] | None = None
    ) -> pl.DataFrame:
        """Availability intervals overlapping [start, end) (of these endpoints, or every one):
        endpoint_id, service_id, site_id, start_s, end_s, state, cause."""
        return self._con.sql(
            "SELECT endpoint_id, service_id, site_id, "
            "CAST(round(epoch_ms(start_utc) / 1000) AS BIGINT) AS start_s, "
            "CAST(round(epoch_ms(end_utc) / 1000) AS BIGINT) AS end_s, state, cause "
            "FROM availability_intervals WHERE start_utc < ? AND end_utc > ? "
            f"AND {ONLY.format(column='endpoint_id')} ORDER BY endpoint_id, start_utc",
            params=[utc_naive(end), utc_naive(start), endpoint_ids, endpoint_ids],
        ).pl()

    # One backup run (a dataset's job started at an instant on a site) may be told by more than
    # one source: collected from a site's Prometheus and loaded from the backup software's report.
    # It counts once: its worst status (a run any source saw fail is failed), its earliest finish.
    # Within one source a run is one row (each load replaces its window), so while the datasets'
    # jobs come from one source the rows are the runs, and are read as they are (a fifth of the
    # time on the reference estate).
    _RUNS = (
        "WITH runs AS (SELECT dataset_id, min(finished_at_utc) AS finished_at_utc, "
        "max(CASE status WHEN 'failed' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END) AS worst "
        "FROM backup_jobs WHERE finished_at_utc >= ? AND finished_at_utc < ? AND {only} "
        "GROUP BY dataset_id, site_id, job_name, started_at_utc) "
    )
    _ROWS = (
        "WITH runs AS (SELECT dataset_id, finished_at_utc, "
        "CASE status WHEN 'failed' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END AS worst "
        "FROM backup_jobs WHERE finished_at_utc >= ? AND finished_at_utc < ? AND {only}) "
    )
    _EARLIEST = datetime(1970, 1, 1)
    # a run's sources finish it within minutes of each other: a day either side of a window finds
    # every source's row of a run whose earliest finish is inside it
    _TOLD_WITHIN = timedelta(days=1)

    def _runs(self, dataset_ids: list[str] | None) -> str:
        (sources,) = self._con.execute(
            f"SELECT count(DISTINCT source) FROM backup_jobs WHERE {ONLY.format(column='dataset_id')}",
            [dataset_ids, dataset_ids],
        ).fetchall()[0]
        return (self._ROWS if sources <= 1 else self._RUNS).format(only=ONLY.format(column="dataset_id"))

    def recovery_points_seconds(
        self, start: datetime, end: datetime, dataset_ids: list[str] | None = None
    ) -> pl.DataFrame:
        """Per dataset: the last good run (success or warning, `_RUNS`) finished before `start`,
        and every good run finished in [start, end): dataset_id, finished_s."""
        return self._con.sql(
            self._runs(dataset_ids)
            + "SELECT dataset_id, CAST(round(epoch_ms(max(finished_at_utc)) / 1000) AS BIGINT) AS finished_s "
            "FROM runs WHERE worst < 2 AND finished_at_utc < ? GROUP BY dataset_id "
            "UNION ALL "
            "SELECT dataset_id, CAST(round(epoch_ms(finished_at_utc) / 1000) AS BIGINT) "
            "FROM runs WHERE worst < 2 AND finished_at_utc >= ? AND finished_at_utc < ? ORDER BY 1, 2",
            params=[
                self._EARLIEST,
                utc_naive(end) + self._TOLD_WITHIN,
                dataset_ids,
                dataset_ids,
                utc_naive(start),
                utc_naive(start),
                utc_naive(end),
            ],
        ).pl()

    def backup_jobs_seconds(
        self, start: datetime, end: datetime, dataset_ids: list[str] | None = None
    ) -> pl.DataFrame:
        """Runs (`_RUNS`) whose earliest finish is in [start, end): dataset_id, finished_s, status."""
        return self._con.sql(
            self._runs(dataset_ids)
            + "SELECT dataset_id, CAST(round(epoch_ms(finished_at_utc) / 1000) AS BIGINT) AS finished_s, "
            "CASE worst WHEN 2 THEN 'failed' WHEN 1 THEN 'warning' ELSE 'success' END AS status "
            "FROM runs WHERE finished_at_utc >= ? AND finished_at_utc < ? ORDER BY dataset_id, finished_at_utc",
            params=[
                utc_naive(start) - self._TOLD_WITHIN,
                utc_naive(end) + self._TOLD_WITHIN,
                dataset_ids,
                dataset_ids,
                utc_naive(start),
                utc_naive(end),
            ],
        ).pl()

    def _arrays_by_key(self, key: str, columns: str, where: str, order: str, params: list) -> dict[str, dict]:
        """Numeric columns as arrays per key value, each in `order` (a numeric column).

        Strings are slow to move and to sort, so the keys come back once and the rows carry the
        key's position (an integer), sorted by position and `order` in DuckDB and cut apart by
        the count per position."""
        keys = [
            row[0]
            for row in self._con.sql(
                f"SELECT DISTINCT {key} FROM {where} ORDER BY 1", params=params
            ).fetchall()  # noqa: S608
        ]
        if not keys:
            return {}
        table, _, condition = where.partition(" WHERE ")
        arrays = self._con.sql(
            f"WITH keys AS (SELECT unnest(?::VARCHAR[]) AS {key}, unnest(range(len(?::VARCHAR[]))) AS key_position) "  # noqa: S608
            f"SELECT key_position, {columns} FROM {table} JOIN keys USING ({key}) WHERE {condition} "
            f"ORDER BY key_position, {order}",
            params=[keys, keys, *params],
        ).fetchnumpy()
        # fetchnumpy may hand back masked arrays; the columns are NOT NULL, so take the data
        arrays = {name: np.ma.getdata(values) for name, values in arrays.items()}
        position = arrays.pop("key_position")
        bounds = np.cumsum(np.bincount(position, minlength=len(keys)))[:-1]
        split = {name: np.split(values, bounds) for name, values in arrays.items()}
        return {k: {name: parts[i] for name, parts in split.items()} for i, k in enumerate(keys)}

    def replication_lag_arrays(
        self, start: datetime, end: datetime, dataset_ids: list[str] | None = None
    ) -> dict[str, dict]:
        """Lag samples in [start, end) per dataset: sampled_s (int64, UTC s), lag_seconds, in time order."""
        return self._arrays_by_key(
            "dataset_id",
            "CAST(epoch(sampled_at_utc) AS BIGINT) AS sampled_s, lag_seconds",
            "replication_lag WHERE sampled_at_utc >= ? AND sampled_at_utc < ? "
            f"AND {ONLY.format(column='dataset_id')}",
            "sampled_s",
            [utc_naive(start), utc_naive(end), dataset_ids, dataset_ids],
        )

    def probe_p95_arrays(
        self, start: datetime, end: datetime, service_ids: list[str] | None = None
    ) -> dict[str, dict]:
        """Probe-duration intervals overlapping [start, end) per service: start_s, interval_seconds,
        p95_seconds."""
        return self._arrays_by_key(
            "service_id",
            "CAST(epoch(interval_start_utc) AS BIGINT) AS start_s, interval_seconds, p95_seconds",
            # the first condition lets DuckDB skip row groups (intervals are at most a day long)
            "probe_durations WHERE interval_start_utc >= ? AND interval_start_utc < ? "
            "AND interval_start_utc + to_seconds(interval_seconds) > ? "
            f"AND {ONLY.format(column='service_id')}",
            "start_s",
            [
                utc_naive(start) - timedelta(days=1),
                utc_naive(end),
                utc_naive(start),
                service_ids,
                service_ids,
            ],
        )

    def issued_sla_months(self) -> set[tuple[str, str]]:
        """(council id, YYYY-MM) of every monthly SLA report issued, in any revision."""
        rows = self._con.execute(
            "SELECT DISTINCT council_id, period FROM issued_reports WHERE kind = 'sla' AND council_id IS NOT NULL"
        ).fetchall()
        return {(council, period) for council, period in rows}

    def maintenance_windows_seconds(
        self, start: datetime, end: datetime, service_ids: list[str] | None = None
    ) -> pl.DataFrame:
        """Change-calendar windows overlapping [start, end): service_id, start_s, end_s, reference."""
        return self._con.sql(
            "SELECT service_id, CAST(round(epoch_ms(start_utc) / 1000) AS BIGINT) AS start_s, "
            "CAST(round(epoch_ms(end_utc) / 1000) AS BIGINT) AS end_s, reference "
            "FROM maintenance_windows WHERE start_utc < ? AND end_utc > ? "
            f"AND {ONLY.format(column='service_id')} ORDER BY service_id, start_utc",
            params=[utc_naive(end), utc_naive(start), service_ids, service_ids],
        ).pl()

    def maintenance_changes(
        self, start: datetime, end: datetime, service_ids: list[str] | None = None
    ) -> list[tuple[str, int, int, str, str]]:
        """The change calendar's windows overlapping [start, end), with what each change is:
        (service_id, start_s, end_s, reference, summary), for the report's maintenance table."""
        return self._con.execute(
            "SELECT service_id, CAST(round(epoch_ms(start_utc) / 1000) AS BIGINT), "
            "CAST(round(epoch_ms(end_utc) / 1000) AS BIGINT), reference, summary "
            "FROM maintenance_windows WHERE start_utc < ? AND end_utc > ? "
            f"AND {ONLY.format(column='service_id')} ORDER BY service_id, start_utc, reference",
            [utc_naive(end), utc_naive(start), service_ids, service_ids],
        ).fetchall()

    # --- what the capacity rules read (application.capacity) ------------------------------
    # Percentiles are DuckDB's quantile_disc: the smallest value whose cumulative share reaches
    # the quantile (numpy's 'inverted_cdf'), over hourly means; the brute-force test agrees.

    def utilisation_stats(
        self, start: datetime, end: datetime, metrics: list[str], server_ids: list[str] | None = None
    ) -> pl.DataFrame:
        """Per server and metric over hourly rows in [start, end): hours, p50, p95, p99 and max of
        the hourly means, and the max of the hourly peaks."""
        return self._con.sql(
            # one list-valued quantile sorts each group once (three separate ones took 1.8x as long)
            "SELECT server_id, metric, hours, q[1] AS p50, q[2] AS p95, q[3] AS p99, max_mean, max_peak FROM ("
            "SELECT server_id, metric, count(*) AS hours, quantile_disc(mean_value, [0.5, 0.95, 0.99]) AS q, "
            "max(mean_value) AS max_mean, max(peak_value) AS max_peak "
            "FROM utilisation WHERE interval_seconds = 3600 AND interval_start_utc >= ? AND interval_start_utc < ? "
            f"AND list_contains(?::VARCHAR[], metric) AND {ONLY.format(column='server_id')} "
            "GROUP BY server_id, metric) ORDER BY server_id, metric",
            params=[utc_naive(start), utc_naive(end), metrics, server_ids, server_ids],
        ).pl()

    def collected_until(self) -> datetime | None:
        """How far every source has been collected at its furthest: the latest watermark."""
        row = first_row(self._con.execute("SELECT max(collected_until_utc) FROM collection_watermarks"))
        return row[0] if row else None

    def monthly_daily_stats(
        self,
        metric: str,
        start: datetime,
        end: datetime,
        time_zone: str,
        server_ids: list[str] | None = None,
    ) -> pl.DataFrame:
        """Per server and calendar month (in the estate's zone) from the daily rollups in
        [start, end): days, the p95 of the daily means and the highest daily peak."""
        local, local_params = local_clock("interval_start_utc", time_zone, start, end)
        return self._con.sql(
            f"SELECT server_id, strftime({local}, '%Y-%m') AS month, "
            "count(*) AS days, quantile_disc(mean_value, 0.95) AS p95_daily_mean, max(peak_value) AS max_peak "
            "FROM utilisation WHERE interval_seconds = 86400 AND metric = ? "
            "AND interval_start_utc >= ? AND interval_start_utc < ? "
            f"AND {ONLY.format(column='server_id')} GROUP BY ALL ORDER BY server_id, month",
            params=[*local_params, metric, utc_naive(start), utc_naive(end), server_ids, server_ids],
        ).pl()

    def daily_rollups(
        self,
        metric: str,
        start: datetime,
        end: datetime,
        time_zone: str,
        server_ids: list[str] | None = None,
    ) -> pl.DataFrame:
        """Daily rollups in [start, end): server_id, site_id, day (the local date in the
        estate's zone), mean_value, peak_value."""
        local, local_params = local_clock("interval_start_utc", time_zone, start, end)
        return self._con.sql(
            f"SELECT server_id, site_id, CAST({local} AS DATE) AS day, "
            "mean_value, peak_value FROM utilisation "
            "WHERE interval_seconds = 86400 AND metric = ? AND interval_start_utc >= ? AND interval_start_utc < ? "
            f"AND {ONLY.format(column='server_id')} ORDER BY server_id, interval_start_utc",
            params=[*local_params, metric, utc_naive(start), utc_naive(end), server_ids, server_ids],
        ).pl()

    def last_reported(self, before: datetime | None = None) -> pl.DataFrame:
        """Per server: the first and the last hour with a CPU row (for savings evidence), of the
        hours before `before` if given (what was known as of then: a server that reports again
        later does not change figures as of an earlier instant)."""
        return self._con.sql(
            "SELECT server_id, site_id, min(interval_start_utc) AS first_hour_utc, max(interval_start_utc) AS last_hour_utc "
            "FROM utilisation WHERE interval_seconds = 3600 AND metric = 'cpu_percent' "
            "AND (?::TIMESTAMP IS NULL OR interval_start_utc < ?::TIMESTAMP) "
            "GROUP BY server_id, site_id ORDER BY server_id",
            params=[None if before is None else utc_naive(before)] * 2,
        ).pl()

    def daily_peak_demand(
        self,
        metric: str,
        server_ids: list[str],
        weights: list[float],
        start: datetime,
        end: datetime,
        time_zone: str,
        hourly: bool = True,
    ) -> pl.DataFrame:
        """Per site and local day (the estate's zone) in [start, end): the highest hourly sum over the given servers
        of mean_value x weight (for CPU with weight cores / 100: cores in use). With
        `hourly=False`, the sum of the daily means instead, from the daily rollups (enough for
        storage, which moves by the day, and a fraction of the rows to read)."""
        weights_cte = (
            "WITH weights AS (SELECT unnest(?::VARCHAR[]) AS server_id, unnest(?::DOUBLE[]) AS weight) "
        )
        if not hourly:
            local_u, local_params = local_clock("u.interval_start_utc", time_zone, start, end)
            return self._con.sql(
                weights_cte + f"SELECT u.site_id, CAST({local_u} AS DATE) AS day, "
                f"{EXACT_SUM.format(expression='u.mean_value * w.weight')} AS peak FROM utilisation u JOIN weights w USING (server_id) "
                "WHERE u.metric = ? AND u.interval_seconds = 86400 AND u.interval_start_utc >= ? "
                "AND u.interval_start_utc < ? GROUP BY u.site_id, day ORDER BY u.site_id, day",
                params=[server_ids, weights, *local_params, metric, utc_naive(start), utc_naive(end)],
            ).pl()
        # summed by UTC hour first, then each of the (few) hours put on its local day
        local, local_params = local_clock("interval_start_utc", time_zone, start, end)
        return self._con.sql(
            weights_cte + f"SELECT site_id, CAST({local} AS DATE) AS day, max(total) AS peak FROM ("
            "  SELECT u.site_id, u.interval_start_utc, "
            f"         {EXACT_SUM.format(expression='u.mean_value * w.weight')} AS total "
            "  FROM utilisation u JOIN weights w USING (server_id) "
            "  WHERE u.metric = ? AND u.interval_seconds = 3600 AND u.interval_start_utc >= ? AND u.interval_start_utc < ? "
            "  GROUP BY u.site_id, u.interval_start_utc) "
            "GROUP BY site_id, day ORDER BY site_id, day",
            params=[server_ids, weights, *local_params, metric, utc_naive(start), utc_naive(end)],
        ).pl()

    def service_hourly_demand(
        self,
        metric: str,
        server_ids: list[str],
        group_ids: list[str],
        weights: list[float],
        start: datetime,
        end: datetime,
    ) -> pl.DataFrame:
        """Per group (a service) and hour in [start, end): the sum of mean_value x weight over the
        (server, group, weight) triples given as parallel lists; `hour` counts hours from start."""
        return self._con.sql(
            "WITH weights AS (SELECT unnest(?::VARCHAR[]) AS server_id, unnest(?::VARCHAR[]) AS group_id, "
            "                        unnest(?::DOUBLE[]) AS weight) "
            "SELECT w.group_id, CAST((epoch(u.interval_start_utc) - epoch(?::TIMESTAMP)) // 3600 AS BIGINT) AS hour, "
            f"       {EXACT_SUM.format(expression='u.mean_value * w.weight')} AS demand "
            "FROM utilisation u JOIN weights w USING (server_id) "
            "WHERE u.metric = ? AND u.interval_seconds = 3600 AND u.interval_start_utc >= ? AND u.interval_start_utc < ? "
            "GROUP BY ALL ORDER BY 1, 2",
            params=[
                server_ids,
                group_ids,
                weights,
                utc_naive(start),
                metric,
                utc_naive(start),
                utc_naive(end),
            ],
        ).pl()

    def hourly_demand(
        self, metric: str, server_ids: list[str], weights: list[float], start: datetime, end: datetime
    ) -> pl.DataFrame:
        """Per hour in [start, end): the sum over the given servers of mean_value x weight."""
        return self._con.sql(
            "WITH weights AS (SELECT unnest(?::VARCHAR[]) AS server_id, unnest(?::DOUBLE[]) AS weight) "
            f"SELECT u.interval_start_utc AS hour_utc, {EXACT_SUM.format(expression='u.mean_value * w.weight')} AS demand "
            "FROM utilisation u JOIN weights w USING (server_id) "
            "WHERE u.metric = ? AND u.interval_seconds = 3600 AND u.interval_start_utc >= ? AND u.interval_start_utc < ? "
            "GROUP BY ALL ORDER BY 1",
            params=[server_ids, weights, metric, utc_naive(start), utc_naive(end)],
        ).pl()

    def server_days_and_use(self, start: datetime, end: datetime) -> pl.DataFrame:
        """Per server from the daily CPU rollups in [start, end): the days it reported and the sum
        of its daily mean CPU % (x cores x 24 / 100 gives core-hours used)."""
        return self._con.sql(
            f"SELECT server_id, count(*) AS days, {EXACT_SUM.format(expression='mean_value')} AS cpu_percent_days FROM utilisation "
            "WHERE interval_seconds = 86400 AND metric = 'cpu_percent' AND interval_start_utc >= ? "
            "AND interval_start_utc < ? GROUP BY server_id ORDER BY server_id",
            params=[utc_naive(start), utc_naive(end)],
        ).pl()

    def history_days(self) -> tuple[datetime, datetime] | None:
        """The first and the last day of the daily rollups."""
        row = first_row(
            self._con.execute(
                "SELECT min(interval_start_utc), max(interval_start_utc) FROM utilisation WHERE interval_seconds = 86400"
            )
        )
        return (row[0], row[1]) if row and row[0] is not None else None

    # --- servers found by [[server_discovery]] (collectors.prometheus.discovery) ----------------

    def discovered_servers(self, site_ids: list[str] | None = None) -> tuple[Server, ...]:
        """The servers held for each site (or the sites named) from its last discovery that kept
        any, by site and id, as the estate's own Server values: Estate.with_discovered adds them."""
        rows = self._con.execute(
            "SELECT server_id, site_id, role, services, cores, memory_gib, storage_gib, annual_cost_gbp "
            "FROM discovered_servers WHERE (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], site_id)) "
            "ORDER BY site_id, server_id",
            [site_ids, site_ids],
        ).fetchall()
        return tuple(
            Server(
                id=server_id,
                site=site_id,
                role=role,
                services=tuple(services),
                cores=cores,
                memory_gib=memory_gib,
                storage_gib=storage_gib,
                annual_cost_gbp=cost,
            )
            for server_id, site_id, role, services, cores, memory_gib, storage_gib, cost in rows
        )
