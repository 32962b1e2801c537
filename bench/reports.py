"""Benchmark: the monthly SLA reports, rendered to PDF.

    python -m bench.reports --demo DIR [--month 2026-10] [--council ID]

DIR is a demo built with `councilops demo --now 2026-11-22T10:00:00Z` (copied, so the archive
is untouched). Times, in one run:

- the baseline: the council's month of service levels (`month_report`, council scope), what
  any report of it must read at least;
- one council's report as `councilops report --council` issues it: its own twelve months, the
  HTML and the PDF (median of 3), and of that WeasyPrint's part;
- every council's report of the month as `councilops report` issues them: the provider's
  twelve months once, each council's HTML, and the PDFs rendered in parallel processes (one a
  core), and the same PDFs rendered one after another here, for comparison;
- the savings report of the year to date and of the whole programme.

Goals (issue 14): one council's report under 1 s; every council of the reference estate under
10 s on 2 cores. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from application.answers import narrowed
from application.periods import months_to
from application.savings import savings_report
from application.service_levels import month_report
from estate import load_estate
from estate.scope import PROVIDER, Scope
from presentation.sla import month_document
from reports import archive
from reports.monthly import Issue
from reports.pdf import render_job, render_pdfs
from reports.savings import PROGRAMME, YEAR_TO_DATE
from reports.savings_issue import render_savings, resolve_period
from warehouse import IssuedReport, Warehouse

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
            issue = Issue(1, NOW, "first issue", False)
            baseline, _ = _timed(
                lambda: month_report(estate, warehouse, args.month, scope=Scope.council(council), as_of=as_of)
            )
            one, weasy = [], []
            for _ in range(3):
                months = archive.ProviderMonths(estate, warehouse, as_of, Scope.council(council))
                took_html, prepared = _timed(
                    lambda months=months: archive.prepare_monthly(
                        estate, warehouse, args.month, council, as_of=as_of, known_at=NOW, months=months
                    )
                )
                took_pdf, (pdf,) = _timed(lambda prepared=prepared: render_pdfs([prepared.job(issue)]))
                one.append(took_html + took_pdf)
                weasy.append(took_pdf)
            provider = archive.ProviderMonths(estate, warehouse, as_of)
            trend, _ = _timed(lambda: [provider(m) for m in months_to(args.month, archive.TREND_MONTHS)])

            def every_council(months):
                """Each council's HTML as `councilops report` prepares it, on `months`."""
                return [
                    archive.prepare_monthly(
                        estate, warehouse, args.month, c, as_of=as_of, known_at=NOW, months=months
                    ).job(issue)
                    for c in councils
                ]

            took_prepare, jobs = _timed(lambda: every_council(provider))
            parallel, pdfs = _timed(lambda: render_pdfs(jobs))
            serial, here = _timed(lambda: [render_job(job) for job in jobs])
            assert pdfs == here, "a process rendered other bytes"
            # the months before, as if issued last month and before: their recorded figures are
            # the trend's, so the issue works out only the month itself (reports/archive.py)
            for c in councils:
                for label in months_to(args.month, archive.TREND_MONTHS)[:-1]:
                    document = month_document(narrowed(provider(label), Scope.council(c)))
                    if not any(r["contract"] for r in document["services"]):
                        continue
                    warehouse.add_issued_report(
                        IssuedReport(
                            archive.report_id(c, label),
                            1,
                            "sla",
                            c,
                            label,
                            datetime(2026, 10, 3, 9),
                            "-",
                            "first issue",
                            as_of.replace(tzinfo=None),
                            "-",
                            json.dumps({"figures": document, "draft": False}),
                            None,
                        ),
                        b"",
                    )
            fresh = archive.ProviderMonths(estate, warehouse, as_of)
            recorded, recorded_jobs = _timed(lambda: every_council(fresh))
            recorded_pdfs, _ = _timed(lambda: render_pdfs(recorded_jobs))
            savings = {}
            for kind in (YEAR_TO_DATE, PROGRAMME):
                report = savings_report(estate, warehouse, scope=PROVIDER, now=NOW)
                period = resolve_period(report, kind, None)
                savings[kind], _ = _timed(
                    lambda period=period, report=report: render_savings(
                        estate, warehouse, period, as_of=report.as_of_utc, issue=issue, report=report
                    )
                )
    services = sum(council in s.councils for s in estate.services)
    median, weasy_median = statistics.median(one), statistics.median(weasy)
    every = trend + took_prepare + parallel
    print(
        f"{args.demo}: {args.month}, {len(councils)} councils; timed alone: {council} ({services} services, {len(pdf):,} bytes)"
    )
    print(f"baseline: {council}'s month_report                 {baseline:7.2f} s   1.0x")
    print(
        f"one council's report, its 12 months (median of 3)   {median:7.2f} s   {median / baseline:5.1f}x   (goal: under 1 s)"
    )
    print(
        f"  of which WeasyPrint (layout and PDF)              {weasy_median:7.2f} s   {weasy_median / baseline:5.1f}x"
    )
    print(f"every council ({len(councils)}): the provider's 12 months once     {trend:7.2f} s")
    print(f"  each council's HTML                               {took_prepare:7.2f} s")
    print(
        f"  the PDFs in {min(len(jobs), os.cpu_count() or 1)} processes                        {parallel:7.2f} s   (one after another here: {serial:.2f} s)"
    )
    print(
        f"every council's report                              {every:7.2f} s   {every / baseline:5.1f}x   (goal: under 10 s)"
    )
    print(
        f"every council, the 11 months before issued: the month and each HTML {recorded:7.2f} s, "
        f"with the PDFs {recorded + recorded_pdfs:7.2f} s"
    )
    for kind, took in savings.items():
        print(f"savings report, {kind:<12}                        {took:7.2f} s")


if __name__ == "__main__":
    main()
