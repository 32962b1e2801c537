"""Probe durations kept as probes (issue 15): a day's slots per endpoint, replaced a window at a
time, held against a plain dictionary model of "the last write covering each probe wins"."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warehouse import ProbeEndpoint, Probes, Warehouse, WarehouseWriteError

DAY = datetime(2026, 10, 14)
ENDPOINTS = {"mail@dc1": ProbeEndpoint("mail", 60), "web@dc1": ProbeEndpoint("web", 60)}


def batch(rows: list[tuple[str, datetime, float]]) -> dict[str, Probes]:
    """(endpoint, when, seconds) rows as the writer takes them: each endpoint's arrays."""
    out: dict[str, tuple[list, list]] = {}
    for endpoint_id, moment, seconds in rows:
        instants, durations = out.setdefault(endpoint_id, ([], []))
        instants.append((moment - datetime(1970, 1, 1)).total_seconds())
        durations.append(seconds)
    return {e: Probes(np.array(i), np.array(d)) for e, (i, d) in out.items()}


def held(warehouse: Warehouse, start: datetime, end: datetime) -> dict[str, list[tuple[int, int]]]:
    arrays = warehouse.probe_duration_arrays(start, end)
    return {s: list(zip(a["instants"].tolist(), a["ticks"].tolist(), strict=True)) for s, a in arrays.items()}


def epoch(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1)).total_seconds())


def test_probes_written_are_read_back_to_the_10_ms_tick(warehouse):
    # three probes of mail 12 ms and 7 ms off a grid at second 5 of each minute: the grid is set
    # by the first, and each keeps its slot; durations to the nearest 10 ms
    probes = [
        ("mail@dc1", DAY + timedelta(minutes=10, seconds=5, milliseconds=12), 0.234),
        ("mail@dc1", DAY + timedelta(minutes=11, seconds=4, milliseconds=993), 3.456),
        ("mail@dc1", DAY + timedelta(minutes=13, seconds=5), 0.2),
    ]
    written = warehouse.replace_probe_durations_days(
        "dc1", DAY, DAY + timedelta(days=1), ENDPOINTS, batch(probes)
    )
    assert (written.probes, written.days, written.doubled) == (3, 1, 0)
    minute = epoch(DAY) + 5
    assert held(warehouse, DAY, DAY + timedelta(days=1)) == {
        "mail": [(minute + 600, 23), (minute + 660, 346), (minute + 780, 20)]
    }


def test_a_window_replaces_only_its_own_slots_and_a_rerun_changes_nothing(warehouse):
    day = [("mail@dc1", DAY + timedelta(minutes=m), 0.1 * (1 + m % 3)) for m in range(0, 24 * 60)]
    warehouse.replace_probe_durations_days("dc1", DAY, DAY + timedelta(days=1), ENDPOINTS, batch(day))
    # 10:00-11:00 again, slower, and with no probe at 10:30 (it failed this time)
    window = (DAY + timedelta(hours=10), DAY + timedelta(hours=11))
    again = [("mail@dc1", DAY + timedelta(hours=10, minutes=m), 2.0) for m in range(60) if m != 30]
    for _ in range(2):
        written = warehouse.replace_probe_durations_days("dc1", *window, ENDPOINTS, batch(again))
        assert written.probes == 59
    kept = dict(held(warehouse, DAY, DAY + timedelta(days=1))["mail"])
    start = epoch(DAY)
    assert len(kept) == 24 * 60 - 1  # the 10:30 slot emptied, every other kept
    assert kept[start + 9 * 3600 + 59 * 60] == 10 * (1 + (9 * 60 + 59) % 3)  # before the window: as it was
    assert kept[start + 10 * 3600] == 200 and start + 10 * 3600 + 30 * 60 not in kept
    assert kept[start + 11 * 3600] == 10 * (1 + (11 * 60) % 3)  # after it: as it was


@pytest.mark.parametrize(
    ("duration", "moment", "endpoint", "words"),
    [
        (float("nan"), DAY + timedelta(minutes=1), "mail@dc1", "are not finite non-negative durations"),
        (-0.5, DAY + timedelta(minutes=1), "mail@dc1", "are not finite non-negative durations"),
        (301.0, DAY + timedelta(minutes=1), "mail@dc1", "last longer than 300 s"),
        (0.2, DAY - timedelta(minutes=1), "mail@dc1", "were taken outside the window"),
        (0.2, DAY + timedelta(minutes=1), "ftp@dc1", "name an endpoint the site does not have"),
    ],
)
def test_a_bad_probe_refuses_the_batch_and_nothing_is_replaced(warehouse, duration, moment, endpoint, words):
    good = [("mail@dc1", DAY + timedelta(minutes=m), 0.3) for m in range(5)]
    warehouse.replace_probe_durations_days("dc1", DAY, DAY + timedelta(days=1), ENDPOINTS, batch(good))
    with pytest.raises(WarehouseWriteError, match=words):
        warehouse.replace_probe_durations_days(
            "dc1", DAY, DAY + timedelta(days=1), ENDPOINTS, batch([(endpoint, moment, duration)])
        )
    assert len(held(warehouse, DAY, DAY + timedelta(days=1))["mail"]) == 5


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3 * 24 * 60 - 1),  # window start, minutes into three days
            st.integers(1, 36 * 60),  # its length in minutes
            # probes: (endpoint, minute into the window, ticks)
            st.lists(
                st.tuples(
                    st.sampled_from(["mail@dc1", "web@dc1"]),
                    st.integers(0, 36 * 60 - 1),
                    st.integers(0, 3000),
                ),
                max_size=40,
            ),
        ),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from([1 << 20, 1000]),  # one piece, or a piece per endpoint and day or so
)
def test_any_sequence_of_windows_leaves_each_probe_as_the_last_window_covering_it_said(
    tmp_path, monkeypatch, writes, piece
):
    monkeypatch.setattr("warehouse.probe_days.PIECE_SLOTS", piece)
    with Warehouse.open(tmp_path / f"p{abs(hash(str((writes, piece))))}.duckdb", create=True) as warehouse:
        model: dict[tuple[str, int], int] = {}  # (endpoint, minute) -> ticks, what a plain replay says
        for start_minute, length, probes in writes:
            lo, hi = start_minute, start_minute + length
            rows = {}
            for endpoint, offset, ticks in probes:
                minute = lo + offset
                if minute < hi:
                    rows.setdefault((endpoint, minute), ticks)
            for key in [k for k in model if lo <= k[1] < hi]:
                del model[key]
            model.update(rows)
            frame = batch([(e, DAY + timedelta(minutes=m), t / 100) for (e, m), t in sorted(rows.items())])
            warehouse.replace_probe_durations_days(
                "dc1", DAY + timedelta(minutes=lo), DAY + timedelta(minutes=hi), ENDPOINTS, frame
            )
        found = held(warehouse, DAY, DAY + timedelta(days=5))
        for endpoint, service in (("mail@dc1", "mail"), ("web@dc1", "web")):
            wanted = [(epoch(DAY) + 60 * m, t) for (e, m), t in sorted(model.items()) if e == endpoint]
            assert found.get(service, []) == wanted


def test_a_repeated_probe_refuses_the_batch_by_name(warehouse):
    twice = [("mail@dc1", DAY + timedelta(minutes=3), 0.3), ("mail@dc1", DAY + timedelta(minutes=3), 0.4)]
    with pytest.raises(
        WarehouseWriteError,
        match=r"1 probe\(s\) of mail@dc1 repeat an instant, for example 2026-10-14 00:03:00.000 UTC",
    ):
        warehouse.replace_probe_durations_days("dc1", DAY, DAY + timedelta(days=1), ENDPOINTS, batch(twice))
    assert held(warehouse, DAY, DAY + timedelta(days=1)) == {}
