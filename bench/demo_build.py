"""Benchmark: building the demo estate, against the floor of writing the same rows raw.

    python bench/demo_build.py [--scale default|reference]

The baseline, measured in the same run, is DuckDB inserting the finished tables (read back from
the warehouse the demo built) into an empty in-memory database with no generation and no checks:
the least any build of that data could cost. The ratio says what generation, per-window checks
and window replacement add on top. Figures are kept in docs/performance.md.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from collectors.demo import DemoPaths, build_demo
from warehouse import Warehouse

TABLES = ("utilisation", "availability_intervals", "probe_durations", "backup_jobs", "replication_lag")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["default", "reference"], default="default")
    args = parser.parse_args()
    now = datetime(2026, 11, 22, 10, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        paths = DemoPaths(Path(folder))
        started = time.perf_counter()
        build_demo(paths.folder, scale=args.scale, seed=2026, now=now)
        build_seconds = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
            counts = warehouse.row_counts()
            rows = sum(counts[t] for t in TABLES)
            if args.scale == "reference":
                # Reading 100 M rows back into memory for the baseline would need more than the
                # machine has; the reference scale is judged against its time goal alone.
                frames = {}
            else:
                frames = {t: warehouse.query(f"SELECT * FROM {t}").to_arrow() for t in TABLES}  # noqa: S608
        raw = duckdb.connect()
        started = time.perf_counter()
        for table, frame in frames.items():
            raw.register("frame", frame)
            raw.execute(f"CREATE TABLE {table} AS SELECT * FROM frame")
            raw.unregister("frame")
        raw_seconds = time.perf_counter() - started

    print(f"scale {args.scale}: {rows:,} rows of history")
    print(
        f"  demo build (generate, check, write by window): {build_seconds:8.1f} s  ({rows / build_seconds:,.0f} rows/s)"
    )
    if frames:
        print(
            f"  baseline (raw insert of the finished rows):    {raw_seconds:8.1f} s  ({rows / raw_seconds:,.0f} rows/s)"
        )
        print(f"  ratio build / baseline: {build_seconds / raw_seconds:.1f}x")
    print(f"  peak memory {peak_mib:,.0f} MiB")
    limit = 60 if args.scale == "default" else 600
    print(f"  goal: under {limit} s -> {'met' if build_seconds < limit else 'NOT met'}")


if __name__ == "__main__":
    main()
