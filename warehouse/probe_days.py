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
PIECE_SLOTS = 1 << 20  # slots a write works on at once


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
    ordered = instants if bool((instants[1:] > instants[:-1]).all()) else np.sort(instants)
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
        days = (last_day - first_day).days + 1
        ids = list(endpoints)
        held = self._held_days(ids, first_day, last_day)
        phases = self._phases(ids)
        # In pieces of about a million slots: the arrays stay small enough to be quick to make
        # (a month of 400 endpoints in one piece spent most of its time faulting in fresh pages).
        pieces, piece, slots = [], [], 0
        for endpoint_id in ids:
            piece.append(endpoint_id)
            slots += days * DAY_SECONDS // endpoints[endpoint_id].interval_seconds
            if slots >= PIECE_SLOTS:
                pieces.append(piece)
                piece, slots = [], 0
        if piece:
            pieces.append(piece)
        made = [
            _day_rows(site_id, piece, endpoints, probes, held, phases, first_day, days, lo, hi)
            for piece in pieces
        ]
        written, doubled = sum(w for _, w, _ in made), sum(d for _, _, d in made)
        table = pa.concat_tables([t for t, _, _ in made]) if made else None
        with self.transaction():
            self._con.execute(
                "DELETE FROM probe_duration_days WHERE endpoint_id IN (SELECT unnest(?::VARCHAR[])) "
                "AND day_utc >= ? AND day_utc <= ?",
                [ids, first_day, last_day],
            )
            if table is not None and table.num_rows:
                self._con.register("probe_days_batch", table)
                try:
                    self._con.execute("INSERT INTO probe_duration_days SELECT * FROM probe_days_batch")
                finally:
                    self._con.unregister("probe_days_batch")
        return ProbeWrite(written, 0 if table is None else table.num_rows, doubled)

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


def _day_rows(
    site_id: str,
    ids: list[str],
    endpoints: Mapping[str, ProbeEndpoint],
    probes: Mapping[str, Probes],
    held: dict[tuple[str, date], np.ndarray],
    phases: dict[str, int],
    first_day: date,
    days: int,
    lo: int,
    hi: int,
) -> tuple[pa.Table, int, int]:
    """The day rows of endpoints `ids` after the window's write: (rows, probes written, doubled)."""
    span_lo = _day_start(first_day)
    where = {endpoint_id: n for n, endpoint_id in enumerate(ids)}
    # Every endpoint's grid points phase + g x interval over the days the window touches,
    # laid end to end: endpoint by endpoint, in time order, so (endpoint, day) is sorted.
    intervals = np.array([endpoints[e].interval_seconds for e in ids], np.int64)
    found = [probes.get(e) for e in ids]
    phase = np.array(
        [
            phases[e]
            if e in phases
            else (
                int(np.rint(np.min(f.instants_s))) % endpoints[e].interval_seconds
                if f is not None and len(f.instants_s)
                else 0
            )
            for e, f in zip(ids, found, strict=True)
        ],
        np.int64,
    )
    g_lo = -(-(span_lo - phase) // intervals)
    g_hi = -(-(span_lo + days * DAY_SECONDS - phase) // intervals)
    counts = g_hi - g_lo
    base = np.cumsum(counts) - counts
    # (np.repeat of a per-endpoint figure, not a gather through an index: several times faster)
    slot_s = np.repeat(phase + intervals * (g_lo - base), counts) + np.repeat(intervals, counts) * np.arange(
        int(counts.sum())
    )
    row_of = np.repeat(np.arange(len(ids)) * days, counts) + (slot_s - span_lo) // DAY_SECONDS  # a row each
    bounds = np.searchsorted(row_of, np.arange(len(ids) * days + 1))
    values = np.full(len(slot_s), -1, np.int16)
    was_held = np.zeros(len(ids) * days, bool)
    for (endpoint_id, day), old in held.items():
        if endpoint_id not in where:
            continue  # another piece's
        row = where[endpoint_id] * days + (day - first_day).days
        a, b = bounds[row], bounds[row + 1]
        was_held[row] = True
        if len(old) == b - a:  # a day kept on another grid is replaced whole
            values[a:b] = old
    inside = (slot_s >= lo) & (slot_s < hi)
    values[inside] = -1
    # every probe's place on its endpoint's grid; one that rounds outside the window is the
    # other window's, and a second in one slot is not written
    sizes = np.array([0 if f is None else len(f.instants_s) for f in found], np.int64)
    kept = [f for f in found if f is not None and len(f.instants_s)]
    instants = np.concatenate([np.asarray(f.instants_s, np.float64) for f in kept]) if kept else np.empty(0)
    seconds = np.concatenate([np.asarray(f.durations_s, np.float64) for f in kept]) if kept else np.empty(0)
    k = np.rint((instants - np.repeat(phase, sizes)) / np.repeat(intervals, sizes)).astype(np.int64)
    k -= np.repeat(g_lo, sizes)
    mine = (k >= 0) & (k < np.repeat(counts, sizes))
    position = np.repeat(base, sizes) + k
    mine[mine] = inside[position[mine]]
    position, seconds = position[mine], seconds[mine]
    if len(position) < 2 or bool((position[1:] > position[:-1]).all()):
        first = np.arange(len(position))  # one probe a slot, in order: nothing to sort out
    else:
        first = np.unique(position, return_index=True)[1]
    doubled, written = len(position) - len(first), len(first)
    values[position[first]] = np.rint(seconds[first] / TICK_SECONDS).astype(np.int16)
    filled = np.zeros(len(ids) * days, bool)
    filled[row_of[position[first]]] = True
    rows = np.flatnonzero(was_held | filled)
    lengths = bounds[rows + 1] - bounds[rows]
    taken = np.repeat(bounds[rows] - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
    flat = values[taken]
    endpoint_index, day_index = rows // days, rows % days
    table = pa.table(
        {
            "endpoint_id": pa.array([ids[n] for n in endpoint_index.tolist()], pa.string()),
            "service_id": pa.array(
                [endpoints[ids[n]].service_id for n in endpoint_index.tolist()], pa.string()
            ),
            "site_id": pa.array([site_id] * len(rows), pa.string()),
            "day_utc": pa.array((span_lo // DAY_SECONDS + day_index).astype(np.int32), pa.date32()),
            "interval_seconds": pa.array(intervals[endpoint_index].astype(np.int32), pa.int32()),
            "phase_seconds": pa.array(
                (slot_s[bounds[rows]] - span_lo - day_index * DAY_SECONDS).astype(np.int32), pa.int32()
            ),
            "ticks": pa.ListArray.from_arrays(
                pa.array(np.concatenate(([0], np.cumsum(lengths))).astype(np.int32), pa.int32()),
                pa.array(flat, pa.int16(), mask=flat < 0),
            ),
        }
    )
    return table, written, doubled
