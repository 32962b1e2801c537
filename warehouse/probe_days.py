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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.store import WarehouseWriteError, _Connection, utc_naive

TICK_SECONDS = 0.01
MAX_PROBE_SECONDS = 300.0  # a probe longer than this is not a response time (and 30,000 ticks fit SMALLINT)
DAY_SECONDS = 86400


@dataclass(frozen=True)
class ProbeEndpoint:
    service_id: str
    interval_seconds: int


@dataclass(frozen=True)
class Probes:
    """One endpoint's successful probes: when each was taken (UTC seconds, with the milliseconds
    Prometheus keeps) and how long it took (seconds)."""

    instants_s: np.ndarray  # float64 or int64
    durations_s: np.ndarray  # float64

    @classmethod
    def empty(cls) -> Probes:
        return cls(np.empty(0, np.float64), np.empty(0, np.float64))


@dataclass(frozen=True)
class ProbeWrite:
    probes: int  # written into slots
    days: int  # day rows rewritten
    doubled: int  # probes not written: their slot already had one from this batch


def _epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp()) if moment.tzinfo is None else int(moment.timestamp())


def _day_start(day: date) -> int:
    return _epoch(datetime(day.year, day.month, day.day))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _list_array(days: list[np.ndarray]) -> pa.ListArray:
    """Days of slot values (-1: no successful probe) as a SMALLINT[] column, NULL for -1."""
    flat = np.concatenate(days) if days else np.empty(0, np.int16)
    offsets = np.concatenate(([0], np.cumsum([len(d) for d in days], dtype=np.int64))).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(flat, pa.int16(), mask=flat < 0))


_REFUSALS = (
    ("are not finite non-negative durations", lambda i, d, lo, hi: ~(np.isfinite(d) & (d >= 0))),
    (
        f"last longer than {MAX_PROBE_SECONDS:g} s",
        lambda i, d, lo, hi: np.isfinite(d) & (d > MAX_PROBE_SECONDS),
    ),
    ("were taken outside the window", lambda i, d, lo, hi: ~np.isfinite(i) | (i < lo) | (i >= hi)),
)


def _check(what: str, endpoint_id: str, known: bool, found: Probes, lo: int, hi: int) -> None:
    """Refuse the whole batch, naming the rule, the endpoint and a probe that broke it."""
    instants = np.asarray(found.instants_s, np.float64)
    durations = np.asarray(found.durations_s, np.float64)
    if len(instants) != len(durations):
        raise WarehouseWriteError(
            f"{what}: {endpoint_id} has {len(instants)} instants and {len(durations)} durations"
        )
    if not len(instants):
        return
    if not known:
        raise WarehouseWriteError(
            f"{what}: {len(instants)} probe(s) name an endpoint the site does not have: {endpoint_id}"
        )
    for refusal, marks in _REFUSALS:
        bad = np.flatnonzero(marks(instants, durations, lo, hi))
        if len(bad):
            k = int(bad[0])
            raise WarehouseWriteError(
                f"{what}: {len(bad)} probe(s) of {endpoint_id} {refusal}, for example "
                f"{_moment(instants[k])} {durations[k]!r} s"
            )
    ordered = np.sort(instants)
    repeated = np.flatnonzero(ordered[1:] == ordered[:-1])
    if len(repeated):
        raise WarehouseWriteError(
            f"{what}: {len(repeated)} probe(s) of {endpoint_id} repeat an instant, for example "
            f"{_moment(ordered[int(repeated[0])])}"
        )


def _moment(seconds: float) -> str:
    if not np.isfinite(seconds):
        return repr(float(seconds))
    return datetime.fromtimestamp(float(seconds), UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"


class ProbeDays(_Connection):
    def replace_probe_durations_days(
        self,
        site_id: str,
        window_start: datetime,
        window_end: datetime,
        endpoints: Mapping[str, ProbeEndpoint],
        probes: Mapping[str, Probes],
    ) -> ProbeWrite:
        """Replace the window's slots of every endpoint in `endpoints` from `probes` (endpoint id
        -> its successful probes; an endpoint not in it had none in the window)."""
        window = (utc_naive(window_start), utc_naive(window_end))
        lo, hi = _epoch(window[0]), _epoch(window[1])
        what = f"probe durations for site {site_id} {window[0]:%Y-%m-%d %H:%M}..{window[1]:%Y-%m-%d %H:%M}"
        for endpoint_id, found in probes.items():
            _check(what, endpoint_id, endpoint_id in endpoints, found, lo, hi)
        first_day, last_day = window[0].date(), (window[1] - timedelta(microseconds=1)).date()
        span_lo = _day_start(first_day)
        span_hi = _day_start(last_day) + DAY_SECONDS
        ids = list(endpoints)
        window_days = _days(first_day, last_day)
        held = self._held_days(ids, first_day, last_day)
        phases = self._phases(ids)
        rows: list[tuple] = []  # endpoint_id, service_id, day, interval, phase, slot values (-1: none)
        written = doubled = 0
        for endpoint_id, endpoint in endpoints.items():
            interval = endpoint.interval_seconds
            found = probes.get(endpoint_id, Probes.empty())
            instants = np.asarray(found.instants_s)
            ticks = np.rint(np.asarray(found.durations_s, np.float64) / TICK_SECONDS).astype(np.int16)
            phase = phases.get(endpoint_id)
            if phase is None:
                phase = int(np.rint(instants.min())) % interval if len(instants) else 0
            # the endpoint's grid points phase + g x interval over the days the window touches
            g_lo = -(-(span_lo - phase) // interval)
            g_hi = -(-(span_hi - phase) // interval)
            slot_s = phase + interval * np.arange(g_lo, g_hi, dtype=np.int64)
            values = np.full(len(slot_s), -1, np.int16)
            day_of = (slot_s - span_lo) // DAY_SECONDS
            day_bounds = np.searchsorted(day_of, np.arange(len(window_days) + 1))
            was_held = np.zeros(len(window_days), bool)
            for d, day in enumerate(window_days):
                old = held.get((endpoint_id, day))
                a, b = day_bounds[d], day_bounds[d + 1]
                if old is not None:
                    was_held[d] = True
                    if len(old) == b - a:  # a day kept on another grid is replaced whole
                        values[a:b] = old
            inside = (slot_s >= lo) & (slot_s < hi)
            values[inside] = -1
            # every probe's place on the grid; one that rounds outside the window is the other window's
            k = np.rint((instants - phase) / interval).astype(np.int64) - g_lo
            mine = (k >= 0) & (k < len(slot_s))
            mine[mine] = inside[k[mine]]
            k, ticks = k[mine], ticks[mine]
            first = np.unique(k, return_index=True)[1]  # a second probe in a slot is not written
            doubled += len(k) - len(first)
            written += len(first)
            values[k[first]] = ticks[first]
            filled = np.zeros(len(window_days), bool)
            filled[np.unique(day_of[k[first]])] = True
            for d, day in enumerate(window_days):
                if was_held[d] or filled[d]:
                    a, b = day_bounds[d], day_bounds[d + 1]
                    offset = int(slot_s[a] - _day_start(day))  # an interval is at most an hour
                    rows.append((endpoint_id, endpoint.service_id, day, interval, offset, values[a:b]))
        table = pa.table(
            {
                "endpoint_id": pa.array([r[0] for r in rows], pa.string()),
                "service_id": pa.array([r[1] for r in rows], pa.string()),
                "site_id": pa.array([site_id] * len(rows), pa.string()),
                "day_utc": pa.array([r[2] for r in rows], pa.date32()),
                "interval_seconds": pa.array([r[3] for r in rows], pa.int32()),
                "phase_seconds": pa.array([r[4] for r in rows], pa.int32()),
                "ticks": _list_array([r[5] for r in rows]),
            }
        )
        with self.transaction():
            self._con.execute(
                "DELETE FROM probe_duration_days WHERE endpoint_id IN (SELECT unnest(?::VARCHAR[])) "
                "AND day_utc >= ? AND day_utc <= ?",
                [ids, first_day, last_day],
            )
            if rows:
                self._con.register("probe_days_batch", table)
                try:
                    self._con.execute("INSERT INTO probe_duration_days SELECT * FROM probe_days_batch")
                finally:
                    self._con.unregister("probe_days_batch")
        return ProbeWrite(written, len(rows), doubled)

    def _held_days(
        self, endpoint_ids: list[str], first: date, last: date
    ) -> dict[tuple[str, date], np.ndarray]:
        """Each held day's slots, -1 where none."""
        found = self._con.sql(
            "SELECT endpoint_id, day_utc, ticks FROM probe_duration_days "
            "WHERE endpoint_id IN (SELECT unnest(?::VARCHAR[])) AND day_utc >= ? AND day_utc <= ?",
            params=[endpoint_ids, first, last],
        ).to_arrow_table()
        if not found.num_rows:
            return {}
        ticks = found.column("ticks").combine_chunks()
        offsets = ticks.offsets.to_numpy()
        flat = pc.fill_null(ticks.values, -1).to_numpy(zero_copy_only=False).astype(np.int16)
        return {
            (endpoint_id, day): flat[offsets[n] : offsets[n + 1]]
            for n, (endpoint_id, day) in enumerate(
                zip(found.column("endpoint_id").to_pylist(), found.column("day_utc").to_pylist(), strict=True)
            )
        }

    def _phases(self, endpoint_ids: list[str]) -> dict[str, int]:
        """Each endpoint's grid as held: its first row's day start + phase, in epoch seconds."""
        found = self._con.execute(
            "SELECT endpoint_id, arg_min(epoch(day_utc)::BIGINT + phase_seconds, day_utc), "
            "arg_min(interval_seconds, day_utc) FROM probe_duration_days "
            "WHERE endpoint_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY endpoint_id",
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
            "AND (?::VARCHAR[] IS NULL OR service_id IN (SELECT unnest(?::VARCHAR[])))) "
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

    def probe_day_arrays(
        self, start: datetime, end: datetime, service_ids: list[str] | None = None
    ) -> dict[str, dict[str, np.ndarray]]:
        """Per service, the day rows that may hold its probes in [start, end), as kept: each
        row's first slot (UTC s), interval, and where its slots begin and end in `ticks` (10 ms,
        -1 where no probe succeeded), which every service of the answer shares. Moved as the
        lists are, without a row per probe, and unsorted (sorting moves the lists; the rule
        needs no order): sla/response.py `KeptProbes`."""
        found = self._con.sql(
            "SELECT service_id, epoch(day_utc)::BIGINT + phase_seconds AS first_s, "
            "interval_seconds::BIGINT AS interval_s, ticks FROM probe_duration_days "
            "WHERE day_utc >= ? AND day_utc <= ? "
            "AND (?::VARCHAR[] IS NULL OR service_id IN (SELECT unnest(?::VARCHAR[])))",
            params=[
                utc_naive(start).date(),
                (utc_naive(end) - timedelta(microseconds=1)).date(),
                service_ids,
                service_ids,
            ],
        ).to_arrow_table()
        if not found.num_rows:
            return {}
        lists = found.column("ticks").combine_chunks()
        offsets = lists.offsets.to_numpy().astype(np.int64)
        ticks = pc.fill_null(lists.values, -1).to_numpy(zero_copy_only=False).astype(np.int16, copy=False)
        codes = pc.dictionary_encode(found.column("service_id")).combine_chunks()
        names = codes.dictionary.to_pylist()
        index = codes.indices.to_numpy(zero_copy_only=False)
        order = np.argsort(index, kind="stable")
        bounds = np.searchsorted(index[order], np.arange(len(names) + 1))
        first_s = found.column("first_s").to_numpy()
        interval_s = found.column("interval_s").to_numpy()
        out: dict[str, dict[str, np.ndarray]] = {}
        for code, name in enumerate(names):
            rows = order[bounds[code] : bounds[code + 1]]
            out[name] = {
                "first_s": first_s[rows],
                "interval_s": interval_s[rows],
                "begin": offsets[rows],
                "end": offsets[rows + 1],
                "ticks": ticks,
            }
        return out
