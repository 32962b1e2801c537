"""Writes replace a window as a whole: twice is the same as once, and bad batches change nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate import load_estate
from tests.conftest import SMALL_ESTATE
from warehouse import AVAILABILITY_BATCH_SCHEMA, Warehouse, WarehouseWriteError
from warehouse.fragments import ONLY

T0 = datetime(2026, 3, 1)
HOUR = timedelta(hours=1)


def _table(warehouse: Warehouse, table: str) -> pl.DataFrame:
    return warehouse.query(f"SELECT * FROM {table}").sort(pl.all())


def utilisation_frame(hours: int, servers=("s1", "s2"), offset: float = 0.0) -> pl.DataFrame:
    rows = [
        {
            "server_id": s,
            "metric": "cpu_percent",
            "interval_start_utc": T0 + h * HOUR,
            "mean_value": 10.0 + h + offset,
            "peak_value": 20.0 + h + offset,
        }
        for s in servers
        for h in range(hours)
    ]
    return pl.DataFrame(rows)


def availability_frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "endpoint_id": "ctax@dc1",
                "service_id": "ctax",
                "start_utc": a,
                "end_utc": b,
                "state": s,
                "cause": c,
            }
            for a, b, s, c in rows
        ],
        schema=AVAILABILITY_BATCH_SCHEMA,
    )


def test_writing_the_estate_twice_keeps_one_snapshot_and_one_copy(warehouse):
    estate = load_estate(SMALL_ESTATE)
    first = warehouse.write_estate(estate, str(SMALL_ESTATE), T0)
    before = {t: _table(warehouse, t) for t in ("servers", "contracts", "endpoints", "estate_snapshots")}
    second = warehouse.write_estate(estate, str(SMALL_ESTATE), T0 + HOUR)
    assert first == second
    for table, frame in before.items():
        assert _table(warehouse, table).equals(frame), table
    counts = warehouse.row_counts()
    assert (counts["servers"], counts["contracts"], counts["endpoints"], counts["estate_snapshots"]) == (
        2,
        3,
        2,
        1,
    )
    money = warehouse.query("SELECT annual_cost_gbp FROM servers WHERE server_id = 'dc2-dr-ctax'")
    assert str(money.item()) == "5100.50"


def test_utilisation_window_written_twice_equals_once(warehouse):
    frame = utilisation_frame(24)
    warehouse.replace_utilisation("dc1", 3600, T0, T0 + 24 * HOUR, frame)
    once = _table(warehouse, "utilisation")
    warehouse.replace_utilisation("dc1", 3600, T0, T0 + 24 * HOUR, frame)
    assert _table(warehouse, "utilisation").equals(once)
    assert once.height == 48


def test_a_rewritten_window_replaces_only_itself(warehouse):
    warehouse.replace_utilisation("dc1", 3600, T0, T0 + 24 * HOUR, utilisation_frame(24))
    warehouse.replace_utilisation("dc2", 3600, T0, T0 + 24 * HOUR, utilisation_frame(24, servers=("s9",)))
    # the collector comes back for hours 6-12 with corrected numbers
    corrected = utilisation_frame(12, offset=100.0).filter(pl.col("interval_start_utc") >= T0 + 6 * HOUR)
    warehouse.replace_utilisation("dc1", 3600, T0 + 6 * HOUR, T0 + 12 * HOUR, corrected)
    rows = warehouse.query("SELECT site_id, interval_start_utc, mean_value FROM utilisation ORDER BY ALL")
    dc1 = rows.filter(pl.col("site_id") == "dc1")
    assert dc1.height == 48 and rows.filter(pl.col("site_id") == "dc2").height == 24
    inside = dc1.filter(pl.col("interval_start_utc").is_between(T0 + 6 * HOUR, T0 + 12 * HOUR, closed="left"))
    assert (inside["mean_value"] >= 100).all() and inside.height == 12
    assert (dc1.filter(pl.col("interval_start_utc") >= T0 + 12 * HOUR)["mean_value"] < 100).all()


def test_daily_rollup_takes_mean_of_means_and_max_of_peaks(warehouse):
    warehouse.replace_utilisation("dc1", 3600, T0, T0 + 24 * HOUR, utilisation_frame(24, servers=("s1",)))
    warehouse.rollup_utilisation_daily("dc1", T0, T0 + 24 * HOUR, "Europe/London")
    warehouse.rollup_utilisation_daily("dc1", T0, T0 + 24 * HOUR, "Europe/London")  # again: one row
    daily = warehouse.query("SELECT mean_value, peak_value FROM utilisation WHERE interval_seconds = 86400")
    # means are 10..33, so their mean is (10 + 33) / 2 = 21.5; peaks are 20..43, so the max is 43
    assert daily.rows() == [(21.5, 43.0)]


def hourly(start: datetime, hours: int) -> pl.DataFrame:
    """One server's hourly CPU from `start` (naive UTC): mean = the hour's number, peak = mean + 100."""
    return pl.DataFrame(
        {
            "server_id": ["s1"] * hours,
            "metric": ["cpu_percent"] * hours,
            "interval_start_utc": [start + h * HOUR for h in range(hours)],
            "mean_value": [float(h) for h in range(hours)],
            "peak_value": [float(h) + 100 for h in range(hours)],
        }
    )


def test_daily_rollups_are_local_days_in_summer_time(warehouse):
    # 14 July 2026 22:00Z to 16 July 00:00Z: in BST (UTC+1) that is 14 July 23:00 to 16 July 01:00
    # local. Local 15 July runs 14 July 23:00Z to 15 July 23:00Z: the hours numbered 1..24.
    start = datetime(2026, 7, 14, 22)
    warehouse.replace_utilisation("dc1", 3600, start, start + 26 * HOUR, hourly(start, 26))
    warehouse.rollup_utilisation_daily("dc1", start, start + 26 * HOUR, "Europe/London")
    daily = warehouse.query(
        "SELECT interval_start_utc, mean_value, peak_value FROM utilisation WHERE interval_seconds = 86400 "
        "ORDER BY 1"
    )
    assert daily.rows() == [
        (datetime(2026, 7, 13, 23), 0.0, 100.0),  # local 14 July: only its last hour (hour 0) is held
        (datetime(2026, 7, 14, 23), (1 + 24) / 2, 124.0),  # local 15 July: hours 1..24, mean 12.5
        (datetime(2026, 7, 15, 23), 25.0, 125.0),  # local 16 July: its first hour (hour 25)
    ]


def test_the_day_the_clocks_go_forward_has_23_hours(warehouse):
    # 29 March 2026: local midnight is 00:00Z (GMT), the next local midnight 23:00Z (BST):
    # the local day holds the 23 hours 00:00Z..22:00Z, numbered 0..22 (mean 11, peak 122).
    start = datetime(2026, 3, 29, 0)
    warehouse.replace_utilisation("dc1", 3600, start, start + 24 * HOUR, hourly(start, 24))
    warehouse.rollup_utilisation_daily("dc1", start, start + 24 * HOUR, "Europe/London")
    daily = warehouse.query(
        "SELECT interval_start_utc, mean_value, peak_value FROM utilisation WHERE interval_seconds = 86400 "
        "ORDER BY 1"
    )
    assert daily.rows() == [(datetime(2026, 3, 29, 0), 11.0, 122.0), (datetime(2026, 3, 29, 23), 23.0, 123.0)]
    days = warehouse.daily_rollups("cpu_percent", start, start + 48 * HOUR, "Europe/London")
    assert days["day"].to_list() == [date(2026, 3, 29), date(2026, 3, 30)]


def test_a_later_window_recomputes_the_whole_local_day_it_touches(warehouse):
    # Hours 00:00Z..11:00Z of 10 March (GMT) first, then 12:00Z..23:00Z: the second rollup must
    # still cover the whole day (hours 0..23: mean 11.5), not only the second half.
    start = datetime(2026, 3, 10, 0)
    frame = hourly(start, 24)
    half = frame.filter(pl.col("interval_start_utc") < start + 12 * HOUR)
    warehouse.replace_utilisation("dc1", 3600, start, start + 12 * HOUR, half)
    warehouse.rollup_utilisation_daily("dc1", start, start + 12 * HOUR, "Europe/London")
    rest = frame.filter(pl.col("interval_start_utc") >= start + 12 * HOUR)
    warehouse.replace_utilisation("dc1", 3600, start + 12 * HOUR, start + 24 * HOUR, rest)
    warehouse.rollup_utilisation_daily("dc1", start + 12 * HOUR, start + 24 * HOUR, "Europe/London")
    daily = warehouse.query("SELECT mean_value, peak_value FROM utilisation WHERE interval_seconds = 86400")
    assert daily.rows() == [(11.5, 123.0)]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda f: f.with_columns(pl.lit(float("nan")).alias("mean_value")), "are not finite numbers"),
        (
            lambda f: f.with_columns(pl.col("interval_start_utc") + timedelta(days=5)),
            "start outside the window",
        ),
        (lambda f: f.with_columns(pl.lit("gpu_percent").alias("metric")), "name an unknown metric"),
        (lambda f: f.with_columns(pl.lit(1.0).alias("peak_value")), "have a peak below the mean"),
        (lambda f: pl.concat([f, f.head(1)]), "repeat a (server, metric, interval)"),
        (lambda f: f.drop("peak_value"), "lacks columns peak_value"),
    ],
)
def test_a_bad_utilisation_batch_is_refused_whole_and_changes_nothing(warehouse, change, words):
    warehouse.replace_utilisation("dc1", 3600, T0, T0 + 24 * HOUR, utilisation_frame(24))
    before = _table(warehouse, "utilisation")
    with pytest.raises(WarehouseWriteError, match=words.replace("(", r"\(").replace(")", r"\)")) as raised:
        warehouse.replace_utilisation(
            "dc1", 3600, T0, T0 + 24 * HOUR, change(utilisation_frame(24, offset=1))
        )
    assert "utilisation for site dc1 2026-03-01 00:00..2026-03-02 00:00" in str(raised.value)
    assert _table(warehouse, "utilisation").equals(before)


def test_availability_edges_keep_the_outside_parts_of_stored_intervals(warehouse):
    day = timedelta(days=1)
    warehouse.replace_availability("dc1", T0, T0 + day, availability_frame([(T0, T0 + day, "up", None)]))
    # a second write for 06:00-12:00 says the endpoint was down for an hour in it
    warehouse.replace_availability(
        "dc1",
        T0 + 6 * HOUR,
        T0 + 12 * HOUR,
        availability_frame(
            [
                (T0 + 6 * HOUR, T0 + 9 * HOUR, "up", None),
                (T0 + 9 * HOUR, T0 + 10 * HOUR, "down", None),
                (T0 + 10 * HOUR, T0 + 12 * HOUR, "up", None),
            ]
        ),
    )
    stored = warehouse.availability_intervals("dc1", T0, T0 + day)
    assert [(r["start_utc"], r["end_utc"], r["state"]) for r in stored.iter_rows(named=True)] == [
        (T0, T0 + 6 * HOUR, "up"),
        (T0 + 6 * HOUR, T0 + 9 * HOUR, "up"),
        (T0 + 9 * HOUR, T0 + 10 * HOUR, "down"),
        (T0 + 10 * HOUR, T0 + 12 * HOUR, "up"),
        (T0 + 12 * HOUR, T0 + day, "up"),
    ]


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        (
            [(T0, T0 + 2 * HOUR, "up", None), (T0 + HOUR, T0 + 3 * HOUR, "down", None)],
            "overlap the previous interval",
        ),
        ([(T0, T0 + HOUR, "unmonitored", None)], "without a known cause"),
        ([(T0, T0 + HOUR, "unmonitored", "sunspots")], "without a known cause"),
        ([(T0, T0 + HOUR, "down", "no-samples")], "have a cause while monitored"),
        ([(T0, T0 + HOUR, "sideways", None)], "have an unknown state"),
        ([(T0 + HOUR, T0 + HOUR, "up", None)], "end before they start"),
        ([(T0 - HOUR, T0 + HOUR, "up", None)], "lie outside the window"),
    ],
)
def test_a_bad_availability_batch_is_refused_whole(warehouse, rows, words):
    with pytest.raises(WarehouseWriteError, match=words):
        warehouse.replace_availability("dc1", T0, T0 + 24 * HOUR, availability_frame(rows))
    assert warehouse.row_counts()["availability_intervals"] == 0


def test_backups_lag_and_probes_written_twice_equal_once(warehouse):
    jobs = pl.DataFrame(
        {
            "dataset_id": ["db"] * 2,
            "job_name": ["night", "day"],
            "started_at_utc": [T0 + HOUR, T0 + 13 * HOUR],
            "finished_at_utc": [T0 + 2 * HOUR, T0 + 14 * HOUR],
            "status": ["success", "failed"],
        }
    )
    lag = pl.DataFrame(
        {
            "dataset_id": ["db"] * 3,
            "to_site_id": ["dc2"] * 3,
            "sampled_at_utc": [T0, T0 + HOUR, T0 + 2 * HOUR],
            "lag_seconds": [30.0, 45.5, 12.0],
        }
    )
    probes = pl.DataFrame(
        {
            "endpoint_id": ["a@dc1"],
            "service_id": ["a"],
            "interval_start_utc": [T0],
            "mean_seconds": [0.2],
            "p95_seconds": [0.4],
            "max_seconds": [0.9],
        }
    )
    for _ in range(2):
        warehouse.replace_backup_jobs("dc1", "veeam-csv", T0, T0 + 24 * HOUR, jobs)
        warehouse.replace_replication_lag("dc1", T0, T0 + 24 * HOUR, lag)
        warehouse.replace_probe_durations("dc1", 3600, T0, T0 + 24 * HOUR, probes)
    counts = warehouse.row_counts()
    assert (counts["backup_jobs"], counts["replication_lag"], counts["probe_durations"]) == (2, 3, 1)
    # another source's jobs for the same window are not touched by a rewrite
    warehouse.replace_backup_jobs("dc1", "prometheus", T0, T0 + 24 * HOUR, jobs.head(1))
    warehouse.replace_backup_jobs("dc1", "veeam-csv", T0, T0 + 24 * HOUR, jobs)
    assert warehouse.row_counts()["backup_jobs"] == 3


def test_collection_runs_and_watermarks_are_upserts(warehouse):
    for status in ("running", "ok"):
        warehouse.record_collection_run("run-1", "probes", "dc1", T0, T0 + HOUR, T0, T0 + HOUR, status, 10)
    warehouse.set_watermark("dc1", "probes", T0)
    warehouse.set_watermark("dc1", "probes", T0 + HOUR)
    assert warehouse.query("SELECT status FROM collection_runs").rows() == [("ok",)]
    assert warehouse.watermark("dc1", "probes") == T0 + HOUR
    warehouse.set_watermark("dc1", "probes", T0 - HOUR)  # a backfill of older data
    assert warehouse.watermark("dc1", "probes") == T0 + HOUR  # never moves back


# A window is a pair of hour offsets within one day; each write says "state X throughout".
windows = st.lists(
    st.tuples(st.integers(0, 23), st.integers(1, 24), st.sampled_from(["up", "down"])).filter(
        lambda w: w[0] < w[1]
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=windows)
def test_any_sequence_of_window_writes_leaves_what_the_last_write_of_each_hour_said(tmp_path_factory, writes):
    """Brute force: replay the writes hour by hour; the stored intervals must tile the same answer."""
    with Warehouse.open(tmp_path_factory.mktemp("prop") / "w.duckdb", create=True) as warehouse:
        expected: dict[int, str] = {}
        for lo, hi, state in writes:
            frame = availability_frame([(T0 + lo * HOUR, T0 + hi * HOUR, state, None)])
            warehouse.replace_availability("dc1", T0 + lo * HOUR, T0 + hi * HOUR, frame)
            warehouse.replace_availability("dc1", T0 + lo * HOUR, T0 + hi * HOUR, frame)  # idempotent
            for hour in range(lo, hi):
                expected[hour] = state
        stored = warehouse.availability_intervals("dc1", T0, T0 + 24 * HOUR)
        seen: dict[int, str] = {}
        previous_end = None
        for row in stored.iter_rows(named=True):
            assert previous_end is None or row["start_utc"] >= previous_end, "intervals overlap"
            previous_end = row["end_utc"]
            first, last = (row["start_utc"] - T0) // HOUR, (row["end_utc"] - T0) // HOUR
            for hour in range(first, last):
                seen[hour] = row["state"]
        assert seen == expected


def test_demand_sums_do_not_depend_on_the_order_rows_are_added(warehouse):
    # Ten servers at 0.1 % in one hour: added as floats, 0.1 ten times is 0.9999999999999999 and
    # the last bit moves with the order DuckDB's threads add them in. Summed exactly (each term
    # to the nano-unit), the hour's demand is 1.0, in any order.
    hour = datetime(2026, 3, 10, 9)
    frame = pl.DataFrame(
        {
            "server_id": [f"s{i}" for i in range(10)],
            "metric": ["cpu_percent"] * 10,
            "interval_start_utc": [hour] * 10,
            "mean_value": [0.1] * 10,
            "peak_value": [0.2] * 10,
        }
    )
    assert sum([0.1] * 10) != 1.0  # what a float sum gives
    warehouse.replace_utilisation("dc1", 3600, hour, hour + HOUR, frame)
    demand = warehouse.hourly_demand(
        "cpu_percent", [f"s{i}" for i in range(10)], [1.0] * 10, hour, hour + HOUR
    )
    assert demand["demand"].to_list() == [1.0]


def test_the_day_the_clocks_go_back_has_25_hours(warehouse):
    # 25 October 2026: local midnight is 24 October 23:00Z (BST), the next 25 October 24:00Z
    # (GMT): the local day holds the 25 hours 23:00Z..23:00Z, numbered 1..25 from the start below.
    start = datetime(2026, 10, 24, 22)  # 23:00 BST on the 24th: hour 0 belongs to the 24th
    warehouse.replace_utilisation("dc1", 3600, start, start + 27 * HOUR, hourly(start, 27))
    warehouse.rollup_utilisation_daily("dc1", start, start + 27 * HOUR, "Europe/London")
    daily = warehouse.query(
        "SELECT interval_start_utc, mean_value, peak_value FROM utilisation WHERE interval_seconds = 86400 "
        "ORDER BY 1"
    )
    assert daily.rows() == [
        (datetime(2026, 10, 23, 23), 0.0, 100.0),
        (datetime(2026, 10, 24, 23), (1 + 25) / 2, 125.0),  # hours 1..25: mean 13
        (datetime(2026, 10, 26, 0), 26.0, 126.0),
    ]
    days = warehouse.daily_rollups("cpu_percent", start - 24 * HOUR, start + 48 * HOUR, "Europe/London")
    assert days["day"].to_list() == [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)]


def test_a_backup_run_told_by_two_sources_counts_once_and_at_its_worst(warehouse):
    """The same run (dataset, job, start, site) collected from Prometheus and loaded from the
    backup software's report is one run: counted once, failed if either source saw it fail, and
    then no recovery point; runs only one source tells are as that source says."""

    def jobs(statuses: list[str], finished_minutes: list[int]) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "dataset_id": ["db"] * len(statuses),
                "job_name": [f"nightly-{i}" for i in range(len(statuses))],
                "started_at_utc": [T0 + i * HOUR for i in range(len(statuses))],
                "finished_at_utc": [
                    T0 + i * HOUR + timedelta(minutes=m) for i, m in enumerate(finished_minutes)
                ],
                "status": statuses,
            }
        )

    day = (T0, T0 + 24 * HOUR)
    # runs 0-2 told by both; run 3 by the report only
    warehouse.replace_backup_jobs(
        "dc1", "prometheus", *day, jobs(["success", "success", "failed"], [10, 10, 10])
    )
    # one source so far: its rows are its runs, read as they are, the same as grouped into runs
    fast = (
        warehouse.backup_jobs_seconds(*day, ["db"]).rows(),
        warehouse.recovery_points_seconds(*day, ["db"]).rows(),
    )
    grouped = type(warehouse)._RUNS.format(only=ONLY.format(column="dataset_id"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(warehouse), "_runs", lambda self, ids: grouped)
        assert fast == (
            warehouse.backup_jobs_seconds(*day, ["db"]).rows(),
            warehouse.recovery_points_seconds(*day, ["db"]).rows(),
        )
    assert len(fast[0]) == 3 and len(fast[1]) == 2
    warehouse.replace_backup_jobs(
        "dc1", "backup-report", *day, jobs(["success", "failed", "success", "warning"], [12, 10, 10, 10])
    )
    assert warehouse.row_counts()["backup_jobs"] == 7  # both sources' rows are kept as told
    runs = warehouse.backup_jobs_seconds(*day, ["db"])
    epoch = int(T0.replace(tzinfo=UTC).timestamp())
    # by hand: run 0 success at its earlier finish (10 min); runs 1 and 2 failed (one source each);
    # run 3 the report's warning
    assert runs.rows() == [
        ("db", epoch + 600, "success"),
        ("db", epoch + 3600 + 600, "failed"),
        ("db", epoch + 7200 + 600, "failed"),
        ("db", epoch + 10800 + 600, "warning"),
    ]
    points = warehouse.recovery_points_seconds(*day, ["db"])
    assert points.rows() == [("db", epoch + 600), ("db", epoch + 10800 + 600)]  # the good runs only


def test_a_backup_run_finishing_across_a_windows_end_counts_in_the_window_of_its_earliest_finish(warehouse):
    """One source finished the run at 23:50, the other (failed) at 00:10 the next day: the run
    is the first window's, failed there, and not the next window's at all."""
    run = {"dataset_id": ["db"], "job_name": ["nightly"], "started_at_utc": [T0 + 23 * HOUR]}
    warehouse.replace_backup_jobs(
        "dc1",
        "prometheus",
        T0,
        T0 + 24 * HOUR,
        pl.DataFrame(
            {**run, "finished_at_utc": [T0 + 23 * HOUR + timedelta(minutes=50)], "status": ["success"]}
        ),
    )
    warehouse.replace_backup_jobs(
        "dc1",
        "backup-report",
        T0 + 24 * HOUR,
        T0 + 48 * HOUR,
        pl.DataFrame(
            {**run, "finished_at_utc": [T0 + 24 * HOUR + timedelta(minutes=10)], "status": ["failed"]}
        ),
    )
    epoch = int(T0.replace(tzinfo=UTC).timestamp())
    assert warehouse.backup_jobs_seconds(T0, T0 + 24 * HOUR, ["db"]).rows() == [
        ("db", epoch + 23 * 3600 + 3000, "failed")
    ]
    assert warehouse.backup_jobs_seconds(T0 + 24 * HOUR, T0 + 48 * HOUR, ["db"]).rows() == []
    assert warehouse.recovery_points_seconds(T0, T0 + 48 * HOUR, ["db"]).rows() == []  # never a good run


def test_when_a_server_last_reported_is_as_of_an_instant(warehouse):
    """A server silent from 05:00 that reports again at 20:00: as of 10:00 it last reported in
    the 04:00 hour (what a savings report issued then said, and says again when verified)."""
    frame = utilisation_frame(24, servers=("s1",)).filter(
        (pl.col("interval_start_utc") < T0 + 5 * HOUR) | (pl.col("interval_start_utc") >= T0 + 20 * HOUR)
    )
    warehouse.replace_utilisation("dc1", 3600, T0, T0 + 24 * HOUR, frame)
    assert warehouse.last_reported()["last_hour_utc"].to_list() == [T0 + 23 * HOUR]
    assert warehouse.last_reported(before=T0 + 10 * HOUR)["last_hour_utc"].to_list() == [T0 + 4 * HOUR]
