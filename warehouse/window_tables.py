"""The tables written a window at a time, each described once: what a batch carries, what
scopes its replace, and the rules it must pass (warehouse/window_writes.py does the writing).

A rule names what is wrong as the refusal says it ("N row(s) start outside the window") and
marks the rows: an expression, or a function of the window's bounds for a rule about the window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

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


# --- how a table is described ------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Rows a batch may not hold. `refusal` completes "N row(s) ...", as the refusal says it;
    `bad` marks the rows: an expression, or, for a rule about the window, a function of the
    window's start and end (naive UTC) giving one."""

    refusal: str
    bad: pl.Expr | Callable[[datetime, datetime], pl.Expr]

    def marks(self, window: tuple[datetime, datetime] | None) -> pl.Expr:
        return self.bad if isinstance(self.bad, pl.Expr) else self.bad(*window)


@dataclass(frozen=True)
class WindowTable:
    """One table written a window at a time.

    table: the warehouse table (a constant: it is put into the SQL).
    describe: how a refusal names the write, formatted with the keys (and labels); the window
        follows it when there is one.
    batch: the columns a batch carries, with the table's types in polars terms (the insert is
        by name, and DuckDB casts a batch's column to the table's type).
    keys: the columns the caller names: the delete matches each, and every row gets them.
    window_column: the column whose `[start, end)` the delete matches; None when the keys alone
        scope the replace (or, for availability, when the replace is its own).
    rules: the checks, in order; the first that any row fails refuses the batch.
    labels: columns every row gets that the delete does not match (the file a snapshot came from).
    order_by: the order the batch is checked (and written) in, when a rule needs one.
    null_as: what a null in an optional column is stored as.
    """

    table: str
    describe: str
    batch: dict[str, pl.DataType]
    keys: dict[str, pl.DataType]
    window_column: str | None
    rules: tuple[Rule, ...]
    labels: dict[str, pl.DataType] = field(default_factory=dict)
    order_by: tuple[str, ...] = ()
    null_as: dict[str, object] = field(default_factory=dict)


def no_empty_fields(*optional: str) -> Rule:
    """Every column of the batch is filled, except the `optional` ones."""
    columns = pl.exclude(*optional) if optional else pl.all()
    return Rule("have an empty field", pl.any_horizontal(columns.is_null()))


def finite(refusal: str, *columns: str, non_negative: bool = False) -> Rule:
    """Each of `columns` is a finite number (and, if `non_negative`, zero or more)."""

    def usable(column: str) -> pl.Expr:
        number = pl.col(column).is_finite()
        return number & (pl.col(column) >= 0) if non_negative else number

    return Rule(refusal, ~pl.all_horizontal([usable(c) for c in columns]))


def in_window(refusal: str, column: str) -> Rule:
    """The instant in `column` lies in the window's `[start, end)`."""
    return Rule(refusal, lambda start, end: (pl.col(column) < start) | (pl.col(column) >= end))


def one_of(refusal: str, column: str, known: tuple[str, ...]) -> Rule:
    return Rule(refusal, ~pl.col(column).is_in(known))


def unique(refusal: str, *columns: str) -> Rule:
    """No two rows share the values of `columns`."""
    return Rule(refusal, pl.struct(*columns).is_duplicated())


# --- the tables --------------------------------------------------------------------------------

UTILISATION = WindowTable(
    table="utilisation",
    describe="utilisation for site {site_id}",
    batch={
        "server_id": pl.Utf8,
        "metric": pl.Utf8,
        "interval_start_utc": pl.Datetime("us"),
        "mean_value": pl.Float64,
        "peak_value": pl.Float64,
    },
    keys={"site_id": pl.Utf8, "interval_seconds": pl.Int32},
    window_column="interval_start_utc",
    rules=(
        no_empty_fields(),
        finite("are not finite numbers", "mean_value", "peak_value"),
        in_window("start outside the window", "interval_start_utc"),
        Rule("have a peak below the mean", pl.col("peak_value") < pl.col("mean_value")),
        one_of("name an unknown metric", "metric", UTILISATION_METRICS),
        unique("repeat a (server, metric, interval)", "server_id", "metric", "interval_start_utc"),
    ),
)

AVAILABILITY = WindowTable(
    table="availability_intervals",
    describe="availability for site {site_id}",
    batch=AVAILABILITY_BATCH_SCHEMA,
    keys={"site_id": pl.Utf8},
    window_column=None,  # intervals, not instants: replace_availability deletes and trims them itself
    order_by=("endpoint_id", "start_utc"),  # the overlap rule compares each interval with the previous
    rules=(
        no_empty_fields("cause"),
        Rule(
            "lie outside the window",
            lambda start, end: (pl.col("start_utc") < start) | (pl.col("end_utc") > end),
        ),
        Rule("end before they start", pl.col("end_utc") <= pl.col("start_utc")),
        one_of("have an unknown state", "state", ("up", "down", "unmonitored")),
        Rule(
            "are unmonitored without a known cause, or have a cause while monitored",
            (pl.col("state") == "unmonitored") != pl.col("cause").is_in(UNMONITORED_CAUSES).fill_null(False),
        ),
        Rule(
            "overlap the previous interval of the same endpoint",
            (
                (pl.col("endpoint_id") == pl.col("endpoint_id").shift(1))
                & (pl.col("start_utc") < pl.col("end_utc").shift(1))
            ).fill_null(False),
        ),
    ),
)

PROBE_DURATIONS = WindowTable(
    table="probe_durations",
    describe="probe durations for site {site_id}",
    batch={
        "endpoint_id": pl.Utf8,
        "service_id": pl.Utf8,
        "interval_start_utc": pl.Datetime("us"),
        "mean_seconds": pl.Float64,
        "p95_seconds": pl.Float64,
        "max_seconds": pl.Float64,
    },
    keys={"site_id": pl.Utf8, "interval_seconds": pl.Int32},
    window_column="interval_start_utc",
    rules=(
        no_empty_fields(),
        finite(
            "are not finite non-negative numbers",
            "mean_seconds",
            "p95_seconds",
            "max_seconds",
            non_negative=True,
        ),
        in_window("start outside the window", "interval_start_utc"),
    ),
)

BACKUP_JOBS = WindowTable(
    table="backup_jobs",
    describe="backup jobs from {source} for site {site_id}",
    batch={
        "dataset_id": pl.Utf8,
        "job_name": pl.Utf8,
        "started_at_utc": pl.Datetime("us"),
        "finished_at_utc": pl.Datetime("us"),
        "status": pl.Utf8,
    },
    keys={"site_id": pl.Utf8, "source": pl.Utf8},
    window_column="finished_at_utc",
    rules=(
        no_empty_fields(),
        in_window("finish outside the window", "finished_at_utc"),
        Rule("finish before they start", pl.col("finished_at_utc") < pl.col("started_at_utc")),
        one_of("have an unknown status", "status", ("success", "warning", "failed")),
    ),
)

REPLICATION_LAG = WindowTable(
    table="replication_lag",
    describe="replication lag from site {from_site_id}",
    batch={
        "dataset_id": pl.Utf8,
        "to_site_id": pl.Utf8,
        "sampled_at_utc": pl.Datetime("us"),
        "lag_seconds": pl.Float64,
    },
    keys={"from_site_id": pl.Utf8},
    window_column="sampled_at_utc",
    rules=(
        no_empty_fields(),
        finite("are not finite non-negative lags", "lag_seconds", non_negative=True),
        in_window("were sampled outside the window", "sampled_at_utc"),
    ),
)

MAINTENANCE_WINDOWS = WindowTable(
    table="maintenance_windows",
    describe="maintenance windows from {source}",
    batch={
        "service_id": pl.Utf8,
        "start_utc": pl.Datetime("us"),
        "end_utc": pl.Datetime("us"),
        "reference": pl.Utf8,
        "summary": pl.Utf8,
    },
    keys={"source": pl.Utf8},
    window_column="start_utc",
    rules=(
        no_empty_fields("summary"),
        Rule("end before they start", pl.col("end_utc") <= pl.col("start_utc")),
        in_window("start outside the window", "start_utc"),
    ),
    null_as={"summary": ""},
)

SERVER_INVENTORY = WindowTable(
    table="server_inventory",
    describe="server inventory of {snapshot_date:%Y-%m-%d} from {source}",
    batch={
        "server_id": pl.Utf8,
        "site_id": pl.Utf8,
        "kind": pl.Utf8,
        "cores": pl.Int32,
        "memory_gib": pl.Float64,
        "storage_gib": pl.Float64,
        "status": pl.Utf8,
        "in_service": pl.Boolean,
        "source_line": pl.Int32,
    },
    keys={"snapshot_date": pl.Date},  # a re-exported day replaces the earlier export, whatever its file
    labels={"source": pl.Utf8},
    window_column=None,
    rules=(
        no_empty_fields("storage_gib"),
        Rule("have no cores or memory", (pl.col("cores") <= 0) | (pl.col("memory_gib") <= 0)),
        unique("name a server twice", "server_id"),
    ),
)
