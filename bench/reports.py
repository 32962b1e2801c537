"""Benchmark: the monthly SLA reports, rendered to PDF.

    python -m bench.reports --demo DIR [--month 2026-10] [--council ID]

DIR is a demo built with `councilops demo --now 2026-11-22T10:00:00Z` (copied, so the archive
is untouched). Times, in one run:

- the baseline: the council's month of service levels (`month_report`, council scope), what
  any report of it must read at least;
- the provider's twelve months for the trend, worked out once for every council of an issue;
- one council's report rendered (median of 3), and its parts: the HTML, WeasyPrint's layout,
  the PDF written;
- every council's report of the month, the twelve months included.

Goals (issue 14): one council's report under 1 s; every council of the reference estate under
10 s on 2 cores. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from application.periods import months_to
from application.service_levels import month_report
from estate import load_estate
from estate.scope import Scope
from reports import archive
from reports import pdf as pdf_module
from reports.monthly import Issue
from warehouse import Warehouse

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


def _timed(work):
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, required=True)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument(
        "--council", default=None, help="the council timed alone (default: the one with most services)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        shutil.copy(args.demo / "estate.toml", folder / "estate.toml")
        shutil.copy(args.demo / "warehouse.duckdb", folder / "warehouse.duckdb")
        estate = load_estate(folder / "estate.toml")
        with Warehouse.open(folder / "warehouse.duckdb") as warehouse:
            councils = archive.councils_of_month(estate, args.month)
            council = args.council or max(
                councils, key=lambda c: sum(c in s.councils for s in estate.services)
            )
            as_of = min(NOW, datetime(2026, 11, 2, tzinfo=UTC))
            baseline, _ = _timed(
                lambda: month_report(estate, warehouse, args.month, scope=Scope.council(council), as_of=as_of)
            )
            months = archive.ProviderMonths(estate, warehouse, as_of)
            trend, _ = _timed(lambda: [months(m) for m in months_to(args.month, archive.TREND_MONTHS)])
            parts: dict[str, list[float]] = {"html": [], "layout and PDF": []}
            real_render = pdf_module.render_pdf

            def timed_render(html, **kw):
                took, out = _timed(lambda: real_render(html, **kw))
                parts["layout and PDF"].append(took)
                return out

            archive.render_pdf = timed_render
            issue = Issue(1, NOW, "first issue", False)
            one = []
            for _ in range(3):
                took, rendered = _timed(
                    lambda: archive.render_monthly(
                        estate, warehouse, args.month, council, as_of=as_of, issue=issue, months=months
                    )
                )
                one.append(took)
            every, _ = _timed(
                lambda: [
                    archive.render_monthly(
                        estate, warehouse, args.month, c, as_of=as_of, issue=issue, months=months
                    )
                    for c in councils
                ]
            )
            archive.render_pdf = real_render
    services = sum(council in s.councils for s in estate.services)
    median = statistics.median(one)
    weasy = statistics.median(parts["layout and PDF"][:3])
    print(
        f"{args.demo}: {args.month}, {len(councils)} councils; timed alone: {council} ({services} services, {len(rendered.pdf):,} bytes)"
    )
    print(f"baseline: {council}'s month_report                {baseline:7.2f} s   1.0x")
    print(f"the provider's 12 months (once per issue)          {trend:7.2f} s   {trend / baseline:5.1f}x")
    print(
        f"one council's report, months kept (median of 3)     {median:7.2f} s   {median / baseline:5.1f}x   (goal: under 1 s)"
    )
    print(f"  of which WeasyPrint (layout and PDF)              {weasy:7.2f} s   {weasy / baseline:5.1f}x")
    print(
        f"every council's report ({len(councils)}), months kept          {every:7.2f} s   {every / baseline:5.1f}x"
    )
    print(
        f"every council's report with the 12 months           {every + trend:7.2f} s   {(every + trend) / baseline:5.1f}x   (goal: under 10 s)"
    )


if __name__ == "__main__":
    main()
