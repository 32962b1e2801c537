"""The writes that are not one window of metrics (those are warehouse/window_writes.py): the
estate, replaced whole on each load; the daily utilisation rollups, recomputed for the local
days a window touches; the servers a site's discovery found; and the collection bookkeeping
(runs and watermarks). Each is idempotent: doing it twice leaves what doing it once did.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from estate.model import Estate, Server
from estate.snapshot import canonical_json
from warehouse.fragments import EXACT_SUM, local_clock
from warehouse.store import WarehouseWriteError, _Connection, first_row, utc_naive


def local_days_touched(start: datetime, end: datetime, time_zone: str) -> tuple[datetime, datetime]:
    """[local midnight on or before start, local midnight after the day holding end - 1 s), as
    naive UTC: the whole local days that [start, end) touches."""
    tz = ZoneInfo(time_zone)
    start, end = (t if t.tzinfo else t.replace(tzinfo=UTC) for t in (start, end))  # naive is UTC
    first_day = start.astimezone(tz).date()
    last_day = (end - timedelta(seconds=1)).astimezone(tz).date() + timedelta(days=1)

    return _local_midnight_utc(first_day, tz), _local_midnight_utc(
        max(last_day, first_day + timedelta(days=1)), tz
    )


def _local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    """The instant (naive UTC) the local day begins."""
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


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

    def _insert_many(self, table: str, rows: list[tuple]) -> None:
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            self._con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608

    # --- daily rollups of the hourly utilisation (hourly rows: window_writes.replace_utilisation)

    def rollup_utilisation_daily(
        self, site_id: str, window_start: datetime, window_end: datetime, time_zone: str
    ) -> int:
        """Recompute the daily rollups of the hourly rows for every local day (in the estate's
        zone: 23, 24 or 25 hours) the window touches, from all the hourly rows of those days.

        A rollup row starts at the day's local midnight (as a UTC instant); its interval_seconds
        is 86400 whatever the day's length: it marks "a local day", not a length."""
        first, last = local_days_touched(window_start, window_end, time_zone)
        tz = ZoneInfo(time_zone)
        days, midnights = [], []
        day = first.replace(tzinfo=UTC).astimezone(tz).date()
        while (midnight := _local_midnight_utc(day, tz)) < last:
            days.append(day)
            midnights.append(midnight)
            day += timedelta(days=1)
        local, local_params = local_clock("interval_start_utc", time_zone, first, last)
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
                SELECT h.server_id, h.site_id, h.metric, 86400, m.midnight_utc, h.mean_value, h.peak_value
                FROM (
                    SELECT server_id, site_id, metric, CAST({local} AS DATE) AS day,
                           {EXACT_SUM.format(expression="mean_value")} / count(*) AS mean_value,
                           max(peak_value) AS peak_value
                    FROM utilisation
                    WHERE site_id = ? AND interval_seconds = 3600
                      AND interval_start_utc >= ? AND interval_start_utc < ?
                    GROUP BY ALL
                ) h
                JOIN (SELECT unnest(?::DATE[]) AS day, unnest(?::TIMESTAMP[]) AS midnight_utc) m USING (day)
                """,
                    [*local_params, site_id, first, last, days, midnights],
                )
            )
        return int(row[0]) if row else 0

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
