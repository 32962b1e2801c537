"""Benchmark: one month of service levels for every council and service, from the warehouse.

    python bench/sla_month.py [--scale default|reference] [--demo DIR] [--month 2026-10]

Builds the demo estate (or reuses one built with `councilops demo --now 2026-11-22T10:00:00Z`)
and times `month_report`: every contract's availability, outages, error budgets over the month,
quarter, financial year and 30 days, RPO, replication, response time, RTO and credits. The
baseline, measured in the same run, is fetching the rows those rules read (the same queries,
into data frames) with no computation: the floor for any implementation that reads the
warehouse. Goal (issue 4): under 1 s for the reference estate. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from application.service_levels import LAG_LOOKBACK_SECONDS, month_report
from collectors.demo import DemoPaths, build_demo
from estate import load_estate
from estate.scope import PROVIDER, Scope
from sla import calendar as cal
from sla.month import Calendar, budget_span_start
from warehouse import Warehouse

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


def fetch_only(warehouse: Warehouse, month: str, tz: ZoneInfo) -> int:
    """The same reads month_report makes, fetched and dropped: the floor."""
    whole = cal.month_period(month, tz)
    start = budget_span_start(month, whole.end, Calendar(tz, "england-and-wales"))
    first, last, begin = (cal.from_utc_seconds(s) for s in (whole.start, whole.end, start))
    frames = [
        warehouse.state_intervals_seconds(begin, last + timedelta(days=1)),
        warehouse.recovery_points_seconds(first, last),
        warehouse.backup_jobs_seconds(first, last),
    ]
    arrays = [
        warehouse.replication_lag_arrays(first - timedelta(seconds=LAG_LOOKBACK_SECONDS), last),
        warehouse.probe_p95_arrays(first, last),
    ]
    kept = warehouse.probe_day_arrays(first, last)  # every successful probe, as day lists
    frames += [
        warehouse.maintenance_windows_seconds(begin, last),
    ]
    return (
        sum(f.height for f in frames)
        + sum(len(next(iter(a.values()))) for group in arrays for a in group.values())
        + sum(len(a["first_s"]) for a in kept.values())
    )


def timed(function, repeats: int) -> tuple[float, list[float]]:
    """(first call, the following calls) in seconds."""
    times = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times[0], times[1:]


def run(folder: Path, month: str, repeats: int) -> None:
    paths = DemoPaths(folder)
    estate = load_estate(paths.estate)
    tz = ZoneInfo(estate.estate.time_zone)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        rows_read = fetch_only(warehouse, month, tz)
        floor_first, floor = timed(lambda: fetch_only(warehouse, month, tz), repeats)
        report = month_report(estate, warehouse, month, scope=PROVIDER, now=NOW)
        first, warm = timed(lambda: month_report(estate, warehouse, month, scope=PROVIDER, now=NOW), repeats)
        # a council viewer's page: one council, reading only its services' rows
        viewer = Scope.council(estate.councils[1].id)
        council_rows = len(month_report(estate, warehouse, month, scope=viewer, now=NOW).rows)
        _, scoped = timed(lambda: month_report(estate, warehouse, month, scope=viewer, now=NOW), repeats)
    floor_s, warm_s = statistics.median(floor), statistics.median(warm)
    print(
        f"estate: {len(estate.councils)} councils, {len(estate.services)} services, {len(report.rows)} contract rows"
    )
    print(f"rows read for {month}: {rows_read:,}")
    print(f"baseline (fetch the same rows, no rules): median {floor_s:.3f} s (first {floor_first:.3f} s)")
    print(f"month_report: median {warm_s:.3f} s (first call in this process {first:.3f} s)")
    print(
        f"ratio month_report / fetch: {warm_s / floor_s:.2f}x; goal under 1 s: {'met' if warm_s < 1 else 'NOT met'}"
    )
    print(
        f"one council ({viewer.council_id}, {council_rows} contract rows, only its rows read): median "
        f"{statistics.median(scoped):.3f} s, {statistics.median(scoped) / warm_s:.2f}x the whole estate's"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["default", "reference"], default="default")
    parser.add_argument(
        "--demo", type=Path, default=None, help="a demo folder built with --now 2026-11-22T10:00:00Z"
    )
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.demo:
        run(args.demo, args.month, args.repeats)
        return
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        build_demo(Path(folder), scale=args.scale, seed=2026, now=NOW)
        print(f"built the {args.scale} demo in {time.perf_counter() - started:.1f} s")
        run(Path(folder), args.month, args.repeats)


if __name__ == "__main__":
    main()
