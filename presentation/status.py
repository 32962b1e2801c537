"""Printing what the warehouse holds and what the demo planted, as tables on the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from warehouse import Warehouse

_LABELS = {
    "utilisation": "utilisation (mean and peak per server, metric, hour; daily rollups)",
    "availability_intervals": "availability state intervals (up, down, unmonitored)",
    "probe_durations": "probe response times (hourly)",
    "backup_jobs": "backup job results",
    "replication_lag": "replication lag samples",
}


def print_warehouse_summary(warehouse: Warehouse, console: Console | None = None) -> None:
    console = console or Console()
    counts = warehouse.row_counts()
    span = warehouse.time_span()
    table = Table(title=f"Warehouse {warehouse.path}", title_justify="left")
    table.add_column("holds")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(_LABELS.get(name, name.replace("_", " ")), f"{count:,}")
    console.print(table)
    if span:
        console.print(
            f"History: {span[0]:%Y-%m-%d %H:%M} to {span[1]:%Y-%m-%d %H:%M} UTC "
            f"({(span[1] - span[0]).days} days)"
        )
    console.print(f"Schema: {', '.join(warehouse.applied_migrations())}")


def print_ground_truth(truth: dict, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Planted for later features to find (ground-truth.json)", title_justify="left")
    table.add_column("scenario")
    table.add_column("what")
    for scenario in truth["scenarios"]:
        table.add_row(scenario["id"], scenario["description"])
    console.print(table)
