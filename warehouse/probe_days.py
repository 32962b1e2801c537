"""Probe durations kept as probes: a day's list of slots per endpoint (migration 0006).

A window write replaces, for every endpoint of the site it names, the slots whose probe time
lies in the window: set from the batch's successful probes, or emptied where the batch has
none; slots outside the window keep what they held. A batch is checked whole first (durations
finite, 0 to MAX_PROBE_SECONDS, inside the window, one probe per endpoint and instant, every
endpoint one of the site's) and refused whole with the rule it broke; then each day the window
touches is rewritten in one transaction, so a writer killed mid-write leaves the previous state.

Slots: an endpoint's slots are its probe interval apart at the phase of its probes (the seconds
past the interval's grid its first probe held showed), so a probe 1 ms early or late is still in
its slot. A second probe that rounds to a slot the batch already filled (jitter over half an
interval) is not written, and counted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from warehouse.store import WarehouseWriteError, _Connection, utc_naive
from warehouse.window_tables import Rule, WindowTable, finite, in_window, no_empty_fields, unique

TICK_SECONDS = 0.01
MAX_PROBE_SECONDS = 300.0  # a probe longer than this is not a response time (and 30,000 ticks fit SMALLINT)
DAY_SECONDS = 86400

PROBE_SAMPLES = WindowTable(
    table="probe_duration_days",
    describe="probe durations for site {site_id}",
    batch={"endpoint_id": pl.Utf8, "probed_at_utc": pl.Datetime("us"), "duration_seconds": pl.Float64},
    keys={"site_id": pl.Utf8},
    window_column=None,
    rules=(
        no_empty_fields(),
        finite("are not finite non-negative durations", "duration_seconds", non_negative=True),
        Rule(f"last longer than {MAX_PROBE_SECONDS:g} s", pl.col("duration_seconds") > MAX_PROBE_SECONDS),
        in_window("were taken outside the window", "probed_at_utc"),
        unique("repeat an (endpoint, instant)", "endpoint_id", "probed_at_utc"),
    ),
)


@dataclass(frozen=True)
class ProbeEndpoint:
    service_id: str
    interval_seconds: int


@dataclass(frozen=True)
class ProbeWrite:
    probes: int  # written into slots
    days: int  # day rows rewritten
    doubled: int  # probes not written: their slot already had one from this batch


def _epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp()) if moment.tzinfo is None else int(moment.timestamp())


def _day_start(day: date) -> int:
    return _epoch(datetime(day.year, day.month, day.day))


class ProbeDays(_Connection):
    def replace_probe_durations_days(
        self,
        site_id: str,
        window_start: datetime,
        window_end: datetime,
        endpoints: Mapping[str, ProbeEndpoint],
        frame: pl.DataFrame,
    ) -> ProbeWrite:
        """frame: endpoint_id, probed_at_utc, duration_seconds (successful probes only)."""
        window = (utc_naive(window_start), utc_naive(window_end))
        batch = self._checked_batch(PROBE_SAMPLES, frame, {"site_id": site_id}, window)
        unknown = batch.filter(~pl.col("endpoint_id").is_in(list(endpoints)))
        if unknown.height:
            raise WarehouseWriteError(
                f"probe durations for site {site_id}: {unknown.height} row(s) name an endpoint the site "
                f"does not have, for example {unknown.row(0, named=True)}"
            )
        lo, hi = _epoch(window[0]), _epoch(window[1])
        by_endpoint = {key: part for (key,), part in batch.partition_by("endpoint_id", as_dict=True).items()}
        first_day, last_day = window[0].date(), (window[1] - timedelta(microseconds=1)).date()
        days = [first_day + timedelta(days=k) for k in range((last_day - first_day).days + 1)]
        held = self._held_days(list(endpoints), days[0], days[-1])
        phases = self._phases(list(endpoints))
        rows, probes, doubled = [], 0, 0
        for endpoint_id, endpoint in endpoints.items():
            interval = endpoint.interval_seconds
            part = by_endpoint.get(endpoint_id)
            instants = (
                np.array([_epoch(t) for t in part["probed_at_utc"].to_list()], np.int64)
                if part is not None
                else np.empty(0, np.int64)
            )
            ticks = (
                np.rint(part["duration_seconds"].to_numpy() / TICK_SECONDS).astype(np.int64)
                if part is not None
                else np.empty(0, np.int64)
            )
            phase = phases.get(endpoint_id)
            if phase is None:
                phase = int(instants.min()) % interval if len(instants) else 0
            # every probe's place on the endpoint's grid: phase + g x interval
            grid = np.rint((instants - phase) / interval).astype(np.int64)
            for day in days:
                start = _day_start(day)
                offset = (phase - start) % interval  # the first grid point of the day, past midnight
                slots = math.ceil((DAY_SECONDS - offset) / interval)
                old = held.get((endpoint_id, day))
                values: list[int | None] = (
                    list(old) if old is not None and len(old) == slots else [None] * slots
                )
                slot_times = start + offset + interval * np.arange(slots)
                inside = (slot_times >= lo) & (slot_times < hi)
                for k in np.flatnonzero(inside):
                    values[k] = None
                first_grid = (start + offset - phase) // interval
                mine = (grid >= first_grid) & (grid < first_grid + slots)
                filled = set()
                for g, tick in zip(grid[mine], ticks[mine], strict=True):
                    k = int(g - first_grid)
                    if not inside[k]:
                        continue  # rounds to a slot outside the window: the other window's
                    if k in filled:
                        doubled += 1
                        continue
                    filled.add(k)
                    values[k] = int(tick)
                    probes += 1
                if old is None and not filled:
                    continue
                rows.append((endpoint_id, endpoint.service_id, site_id, day, interval, offset, values))
        with self.transaction():
            self._con.execute(
                "DELETE FROM probe_duration_days WHERE list_contains(?::VARCHAR[], endpoint_id) "
                "AND day_utc >= ? AND day_utc <= ?",
                [list(endpoints), days[0], days[-1]],
            )
            if rows:
                self._con.executemany(
                    "INSERT INTO probe_duration_days VALUES (?, ?, ?, ?, ?, ?, ?::SMALLINT[])", rows
                )
        return ProbeWrite(probes, len(rows), doubled)

    def _held_days(self, endpoint_ids: list[str], first: date, last: date) -> dict[tuple[str, date], list]:
        found = self._con.execute(
            "SELECT endpoint_id, day_utc, ticks FROM probe_duration_days "
            "WHERE list_contains(?::VARCHAR[], endpoint_id) AND day_utc >= ? AND day_utc <= ?",
            [endpoint_ids, first, last],
        ).fetchall()
        return {(endpoint_id, day): ticks for endpoint_id, day, ticks in found}

    def _phases(self, endpoint_ids: list[str]) -> dict[str, int]:
        """Each endpoint's grid as held: its first row's day start + phase, in epoch seconds."""
        found = self._con.execute(
            "SELECT endpoint_id, arg_min(epoch(day_utc)::BIGINT + phase_seconds, day_utc), "
            "arg_min(interval_seconds, day_utc) FROM probe_duration_days "
            "WHERE list_contains(?::VARCHAR[], endpoint_id) GROUP BY endpoint_id",
            [endpoint_ids],
        ).fetchall()
        return {endpoint_id: int(anchor) % interval for endpoint_id, anchor, interval in found}

    def probe_duration_arrays(
        self, start: datetime, end: datetime, service_ids: list[str] | None = None
    ) -> dict[str, dict[str, np.ndarray]]:
        """Per service, its successful probes in [start, end) over every site: instants (UTC s,
        int64) and ticks (int32), in time order."""
        found = self._con.execute(
            "WITH slots AS (SELECT service_id, epoch(day_utc)::BIGINT + phase_seconds "
            "+ (generate_subscripts(ticks, 1) - 1) * interval_seconds AS instant_s, unnest(ticks) AS tick "
            "FROM probe_duration_days WHERE day_utc >= ?::DATE - 1 AND day_utc <= ?::DATE "
            "AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], service_id))) "
            "SELECT service_id, instant_s, tick FROM slots WHERE tick IS NOT NULL "
            "AND instant_s >= ? AND instant_s < ? ORDER BY service_id, instant_s",
            [
                utc_naive(start).date(),
                utc_naive(end).date(),
                service_ids,
                service_ids,
                _epoch(utc_naive(start)),
                _epoch(utc_naive(end)),
            ],
        ).fetchnumpy()
        services = np.asarray(found["service_id"]).astype(str)
        out: dict[str, dict[str, np.ndarray]] = {}
        for service_id in dict.fromkeys(services.tolist()):
            mask = services == service_id
            out[service_id] = {
                "instants": np.asarray(found["instant_s"])[mask].astype(np.int64),
                "ticks": np.asarray(found["tick"])[mask].astype(np.int32),
            }
        return out
