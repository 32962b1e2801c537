"""Printing what the warehouse holds and what the demo planted, as tables on the terminal."""

from __future__ import annotations

from fractions import Fraction

from rich.console import Console
from rich.table import Table

from application.status import WarehouseStatus
from presentation import render
from presentation.formats import duration, percent_down, utc_iso
from presentation.render import Column, text

_LABELS = {
    "utilisation": "utilisation (mean and peak per server, metric, hour; daily rollups)",
    "availability_intervals": "availability state intervals (up, down, unmonitored)",
    "probe_durations": "probe response times, hourly p95s (the old resolution, before probes were kept)",
    "probe_duration_days": "probe response times (every successful probe; a row per endpoint and day)",
    "backup_jobs": "backup job results",
    "replication_lag": "replication lag samples",
}


def status_document(status: WarehouseStatus) -> dict:
    return {
        "warehouse": status.path,
        "migrations": list(status.migrations),
        "tables_verified": status.tables_verified,
        "rows": dict(status.rows),
        "span_utc": None if status.span_utc is None else [utc_iso(t) for t in status.span_utc],
        "collection": {
            "from_utc": utc_iso(status.health_from_utc),
            "to_utc": utc_iso(status.health_to_utc),
            "sources": [
                {
                    "site": c.site_id,
                    "source": c.source,
                    "collected_until_utc": utc_iso(c.collected_until_utc),
                    "last_status": c.last_status,
                    "last_finished_utc": utc_iso(c.last_finished_utc),
                    "last_message": c.last_message,
                    "failed_runs": c.failed_runs,
                }
                for c in status.collection
            ],
            "completeness": [
                {
                    "site": c.site_id,
                    "held_seconds": c.held_seconds,
                    "unmonitored_seconds": c.unmonitored_seconds,
                    "unmonitored_seconds_by_cause": dict(c.unmonitored_seconds_by_cause),
                }
                for c in status.completeness
            ],
        },
    }


def status_json(status: WarehouseStatus) -> str:
    return render.json_text(status_document(status))


SOURCE_COLUMNS = (
    text("site", lambda c: c.site_id),
    text("data", lambda c: c.source),
    text("collected until", lambda c: utc_iso(c.collected_until_utc) or "never"),
    text("last run", lambda c: c.last_status or ""),
    text("finished", lambda c: utc_iso(c.last_finished_utc) or ""),
    Column("failed runs", "", lambda c: c.failed_runs),
    text("message", lambda c: c.last_message or ""),
)

COMPLETENESS_COLUMNS = (
    text("site", lambda c: c.site_id),
    Column(
        "measured %",
        "percent",
        lambda c: (
            None if not c.held_seconds else Fraction(c.held_seconds - c.unmonitored_seconds, c.held_seconds)
        ),
        percent_down,
    ),
    Column("unmonitored (endpoint time)", "seconds", lambda c: c.unmonitored_seconds, duration),
    text(
        "by cause",
        lambda c: ", ".join(f"{cause} {duration(s)}" for cause, s in c.unmonitored_seconds_by_cause),
    ),
)


def print_status(status: WarehouseStatus, console: Console | None = None) -> None:
    console = console or Console(width=160)
    table = Table(title=f"Warehouse {status.path}", title_justify="left")
    table.add_column("holds")
    table.add_column("rows", justify="right")
    for name, count in status.rows:
        table.add_row(_LABELS.get(name, name.replace("_", " ")), f"{count:,}")
    console.print(table)
    if status.span_utc:
        first, last = status.span_utc
        console.print(
            f"History: {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC ({(last - first).days} days)"
        )
    console.print(f"Schema: {', '.join(status.migrations)}")
    console.print(
        f"Integrity: every block of the {status.tables_verified} tables read and its checksum checked"
    )
    if status.collection:
        render.table(SOURCE_COLUMNS, status.collection, "Collection by site and data", console=console)
    if status.completeness:
        render.table(
            COMPLETENESS_COLUMNS,
            status.completeness,
            f"Availability collected, {utc_iso(status.health_from_utc)} to {utc_iso(status.health_to_utc)}",
            console=console,
        )


def print_ground_truth(truth: dict, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Planted for later features to find (ground-truth.json)", title_justify="left")
    table.add_column("scenario")
    table.add_column("what")
    for scenario in truth["scenarios"]:
        table.add_row(scenario["id"], scenario["description"])
    console.print(table)
