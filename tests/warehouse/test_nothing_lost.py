"""Measured data is never replaced by less: a window that could not be collected is unmonitored
only where nothing is held; a later successful collection replaces what was there."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate import load_estate
from tests.conftest import SMALL_ESTATE
from warehouse import AVAILABILITY_BATCH_SCHEMA, Warehouse

T0 = datetime(2026, 10, 1)
MINUTE = timedelta(minutes=1)
ENDPOINT = ("council-tax@dc1", "council-tax")


def intervals(warehouse: Warehouse) -> list[tuple]:
    return warehouse.query(
        "SELECT start_utc, end_utc, state, cause FROM availability_intervals ORDER BY start_utc"
    ).rows()


def measured(start: int, end: int, state: str) -> pl.DataFrame:
    return pl.DataFrame(
        [(*ENDPOINT, T0 + start * MINUTE, T0 + end * MINUTE, state, None)],
        schema=AVAILABILITY_BATCH_SCHEMA,
        orient="row",
    )


def test_a_failed_window_keeps_what_was_measured_and_fills_only_the_rest(warehouse):
    # minutes 0-60 measured up, then a failed collection of minutes 30-90: 0-60 stays up, and
    # only 60-90 (nothing held there) becomes unmonitored, cause prometheus-unreachable
    warehouse.write_estate(load_estate(SMALL_ESTATE), "estate.toml", T0)
    warehouse.replace_availability("dc1", T0, T0 + 60 * MINUTE, measured(0, 60, "up"))
    written = warehouse.fill_availability_gaps(
        "dc1", T0 + 30 * MINUTE, T0 + 90 * MINUTE, [ENDPOINT], "prometheus-unreachable"
    )
    assert written == 1
    assert intervals(warehouse) == [
        (T0, T0 + 60 * MINUTE, "up", None),
        (T0 + 60 * MINUTE, T0 + 90 * MINUTE, "unmonitored", "prometheus-unreachable"),
    ]
    # the same failure again adds nothing; a success then replaces the gap with what it measured
    assert (
        warehouse.fill_availability_gaps("dc1", T0, T0 + 90 * MINUTE, [ENDPOINT], "prometheus-bad-answer")
        == 0
    )
    warehouse.replace_availability("dc1", T0 + 60 * MINUTE, T0 + 90 * MINUTE, measured(60, 90, "down"))
    assert intervals(warehouse)[-1] == (T0 + 60 * MINUTE, T0 + 90 * MINUTE, "down", None)


windows = st.tuples(st.integers(0, 50), st.integers(1, 30)).map(lambda w: (w[0], w[0] + w[1]))
steps = st.lists(st.tuples(st.booleans(), windows, st.sampled_from(["up", "down"])), min_size=1, max_size=8)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_every_minute_holds_the_last_successful_collection_that_covered_it(tmp_path_factory, sequence):
    """Any sequence of successful and failed collections of overlapping windows leaves, for every
    minute, the state of the last successful collection that covered it; a minute no success
    covered is unmonitored (with the first failure's cause) if a failure covered it, else absent.
    The expected state is worked out minute by minute, apart from the warehouse."""
    path = tmp_path_factory.mktemp("lost") / "w.duckdb"
    with Warehouse.open(path, create=True) as warehouse:
        expected: dict[int, tuple] = {}
        for number, (succeeded, (lo, hi), state) in enumerate(sequence):
            if succeeded:
                warehouse.replace_availability(
                    "dc1", T0 + lo * MINUTE, T0 + hi * MINUTE, measured(lo, hi, state)
                )
                for minute in range(lo, hi):
                    expected[minute] = (state, None)
            else:
                cause = ("prometheus-unreachable", "prometheus-bad-answer")[number % 2]
                warehouse.fill_availability_gaps("dc1", T0 + lo * MINUTE, T0 + hi * MINUTE, [ENDPOINT], cause)
                for minute in range(lo, hi):
                    expected.setdefault(minute, ("unmonitored", cause))
        got: dict[int, tuple] = {}
        for start, end, state, cause in intervals(warehouse):
            for minute in range((start - T0) // MINUTE, (end - T0) // MINUTE):
                assert minute not in got, "two intervals hold the same minute"
                got[minute] = (state, cause)
    assert got == expected
