"""Benchmark: each capacity and savings analysis over 13 months of history, from the warehouse.

    python bench/capacity_analyses.py [--scale default|reference] [--demo DIR]

Builds the demo estate (or reuses one built with `councilops demo --now 2026-11-22T10:00:00Z`)
and times each analysis (median of 3, after one warm-up call). The baseline, measured in the
same run, is DuckDB scanning the same utilisation rows the analysis reads (a sum over them, no
grouping, no percentiles, nothing to Python): the floor for anything that reads those rows.
Goal (issue 5): each analysis under 1 s for the reference estate. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from application.collected import HISTORY_DAYS
from application.consolidation import consolidation_report
from application.savings import savings_report
from application.site_loss import site_loss_report
from application.timeleft import timeleft_report
from application.underuse import underuse_report
from collectors.demo import DemoPaths, build_demo
from estate import load_estate
from estate.scope import PROVIDER
from warehouse import Warehouse

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


def scan(warehouse: Warehouse, metrics: list[str], interval: int, days: int) -> None:
    warehouse.query(
        "SELECT count(*), sum(mean_value) FROM utilisation WHERE interval_seconds = ? "
        "AND interval_start_utc >= ? AND interval_start_utc < ? AND list_contains(?::VARCHAR[], metric)",
        [interval, (NOW - timedelta(days=days)).replace(tzinfo=None), NOW.replace(tzinfo=None), metrics],
    )


def median_seconds(function, repeats: int = 3) -> float:
    function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(folder: Path) -> None:
    paths = DemoPaths(folder)
    estate = load_estate(paths.estate)
    lookback = estate.capacity.under_use.lookback_days
    analyses = {
        # analysis: (function, [(metrics, interval, days) of the rows it reads])
        "underused": (
            underuse_report,
            [
                (["cpu_percent", "memory_percent", "network_mbps"], 3600, lookback),
                (["cpu_percent"], 86400, HISTORY_DAYS),
            ],
        ),
        "timeleft": (
            timeleft_report,
            [
                (["cpu_percent"], 3600, HISTORY_DAYS),
                (["memory_percent"], 3600, HISTORY_DAYS),
                (["storage_percent"], 86400, HISTORY_DAYS),
            ],
        ),
        # site loss also reads 13 months of the critical services' hourly use for their trend (a
        # subset: the scan of every server's is more than it reads)
        "site-loss": (
            site_loss_report,
            [
                (["cpu_percent", "memory_percent"], 3600, lookback),
                (["cpu_percent", "memory_percent"], 3600, HISTORY_DAYS),
            ],
        ),
        # the plan reads the critical services' outlook for the hosts each site keeps
        "consolidate": (
            consolidation_report,
            [
                (["cpu_percent", "memory_percent"], 3600, lookback),
                (["cpu_percent", "memory_percent"], 3600, HISTORY_DAYS),
            ],
        ),
        "savings": (
            savings_report,
            [(["cpu_percent"], 86400, HISTORY_DAYS), (["cpu_percent"], 3600, HISTORY_DAYS)],
        ),
    }
    print(
        f"estate: {len(estate.councils)} councils, {len(estate.services)} services, {len(estate.servers)} servers"
    )
    print(f"{'analysis':<12} {'baseline scan':>14} {'analysis':>10} {'ratio':>7}  goal < 1 s")
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        for name, (function, reads) in analyses.items():
            baseline = median_seconds(lambda reads=reads: [scan(warehouse, *r) for r in reads])
            took = median_seconds(
                lambda function=function: function(estate, warehouse, scope=PROVIDER, now=NOW)
            )
            print(
                f"{name:<12} {baseline:>12.3f} s {took:>8.3f} s {took / baseline:>6.2f}x  {'met' if took < 1 else 'NOT met'}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["default", "reference"], default="default")
    parser.add_argument(
        "--demo", type=Path, default=None, help="a demo folder built with --now 2026-11-22T10:00:00Z"
    )
    args = parser.parse_args()
    if args.demo:
        run(args.demo)
        return
    with tempfile.TemporaryDirectory() as folder:
        build_demo(Path(folder), scale=args.scale, seed=2026, now=NOW)
        run(Path(folder))


if __name__ == "__main__":
    main()
