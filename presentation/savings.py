"""Savings shown: the JSON of docs/savings.md, the year and council tables, CSV."""

from __future__ import annotations

from rich.console import Console

from application.savings import SavingsReport
from presentation import render
from presentation.formats import money, money_plain, utc_iso, yes_no
from presentation.render import Column, text
from savings.years import YearFigures, pounds


def year_document(year: YearFigures) -> dict:
    """A year's figures as docs/savings.md documents them: pounds and pence as text; those that
    need a measured day are null for a year without one."""
    measured = year.measured_days > 0

    def gbp(value, needs_measure: bool = True) -> str | None:
        return None if value is None or (needs_measure and not measured) else money_plain(pounds(value))

    return {
        "financial_year": year.financial_year,
        "measured_days": year.measured_days,
        "baseline_cashable_gbp": gbp(year.baseline_cashable),
        "baseline_non_cashable_gbp": gbp(year.baseline_non_cashable),
        "actual_cashable_gbp": gbp(year.actual_cashable),
        "actual_non_cashable_gbp": gbp(year.actual_non_cashable),
        "saving_cashable_gbp": gbp(year.saving_cashable),
        "saving_non_cashable_gbp": gbp(year.saving_non_cashable),
        "investment_gbp": gbp(year.investment, needs_measure=False),
        "net_saving_gbp": gbp(year.net_saving),
        "full_year_net_saving_gbp": gbp(year.full_year_net_saving),
        "target_gbp": gbp(year.target, needs_measure=False),
        "in_progress": year.in_progress,
        "met": year.met,
        "on_track_to_date": year.on_track_to_date,
    }


def cumulative_document(row) -> dict:
    if not row.measured:
        return {"financial_year": row.financial_year, "measured": False}
    return {
        "financial_year": row.financial_year,
        "measured": True,
        "cumulative_net_saving_gbp": money_plain(pounds(row.net_saving)),
        "cumulative_target_gbp": money_plain(pounds(row.target)),
        "on_track": row.on_track,
    }


def savings_document(report: SavingsReport) -> dict:
    return {
        "as_of_utc": utc_iso(report.as_of_utc),
        "rules": "docs/savings.md",
        "provenance": report.provenance.document(),
        "shared_cost_split": report.rule,
        "years": [year_document(y) for y in report.years],
        "cumulative": [cumulative_document(c) for c in report.cumulative],
        "councils": [
            {
                "financial_year": c.financial_year,
                "council": c.council_id,
                "actual_cost_gbp": money_plain(c.actual_cost_gbp),
                "net_saving_gbp": money_plain(c.net_saving_gbp),
            }
            for c in report.councils
        ],
        "evidence": [
            {
                "kind": "baseline-server",
                "server": e.server_id,
                "site": e.site_id,
                "annual_cost_gbp": money_plain(e.annual_cost_gbp),
                "last_reported_hour_utc": utc_iso(e.last_reported_hour_utc),
                "stopped_reporting": e.stopped_reporting,
                "since_utc": utc_iso(e.since_utc),
            }
            for e in report.evidence
        ],
    }


def _measured(year: YearFigures, value):
    """A year's figure in pounds, or None when the year has no measured day."""
    return None if not year.measured_days or value is None else pounds(value)


def _shown(value) -> str:
    return money(value, symbol=False)


# CSV keeps the field names of the JSON (machine values); the table shows pounds to people.
YEAR_CSV_COLUMNS = (
    text("financial_year", lambda y: y.financial_year),
    Column("measured_days", "days", lambda y: y.measured_days),
    Column("baseline_cashable_gbp", "GBP", lambda y: _measured(y, y.baseline_cashable)),
    Column("baseline_non_cashable_gbp", "GBP", lambda y: _measured(y, y.baseline_non_cashable)),
    Column("actual_cashable_gbp", "GBP", lambda y: _measured(y, y.actual_cashable)),
    Column("actual_non_cashable_gbp", "GBP", lambda y: _measured(y, y.actual_non_cashable)),
    Column("saving_cashable_gbp", "GBP", lambda y: _measured(y, y.saving_cashable)),
    Column("saving_non_cashable_gbp", "GBP", lambda y: _measured(y, y.saving_non_cashable)),
    Column("investment_gbp", "GBP", lambda y: pounds(y.investment)),
    Column("net_saving_gbp", "GBP", lambda y: _measured(y, y.net_saving)),
    Column("full_year_net_saving_gbp", "GBP", lambda y: _measured(y, y.full_year_net_saving)),
    Column("target_gbp", "GBP", lambda y: None if y.target is None else pounds(y.target)),
    Column("met", "", lambda y: y.met),
)


def _met_text(year: YearFigures) -> str:
    """A complete year: yes or no; a year in progress is never "met": on track or behind to date."""
    if year.in_progress:
        progress = year.on_track_to_date
        return "in progress" if progress is None else f"in progress, {'on track' if progress else 'BEHIND'}"
    return yes_no(year.met, unknown="not measured")


YEAR_TABLE_COLUMNS = (
    text("year", lambda y: y.financial_year),
    Column("days", "days", lambda y: y.measured_days),
    Column(
        "baseline £", "GBP", lambda y: _measured(y, y.baseline_cashable + y.baseline_non_cashable), _shown
    ),
    Column("actual £", "GBP", lambda y: _measured(y, y.actual_cashable + y.actual_non_cashable), _shown),
    Column("cashable £", "GBP", lambda y: _measured(y, y.saving_cashable), _shown),
    Column("non-cashable £", "GBP", lambda y: _measured(y, y.saving_non_cashable), _shown),
    Column("investment £", "GBP", lambda y: pounds(y.investment), _shown),
    Column("net £", "GBP", lambda y: _measured(y, y.net_saving), _shown),
    Column("full year £", "GBP", lambda y: _measured(y, y.full_year_net_saving), _shown),
    Column("target £", "GBP", lambda y: None if y.target is None else pounds(y.target), _shown),
    Column("met", "", lambda y: y, _met_text),
)

COUNCIL_TABLE_COLUMNS = (
    text("year", lambda c: c.financial_year),
    text("council", lambda c: c.council_id),
    Column("actual cost £", "GBP", lambda c: c.actual_cost_gbp, _shown),
    Column("net saving £", "GBP", lambda c: c.net_saving_gbp, _shown),
)


def savings_csv(report: SavingsReport) -> str:
    return render.csv_text(YEAR_CSV_COLUMNS, report.years)


def savings_json(report: SavingsReport) -> str:
    return render.json_text(savings_document(report))


def print_savings(report: SavingsReport, console: Console | None = None) -> None:
    console = console or render.default_console()
    console.print(
        f"Savings to {utc_iso(report.as_of_utc)}; shared costs split by {report.rule} (rules: docs/savings.md)"
    )
    render.table(YEAR_TABLE_COLUMNS, report.years, console=console)
    for row in report.cumulative:
        if row.measured:
            console.print(
                f"  to {row.financial_year}: cumulative {money(row.net_saving)} against {money(row.target)} "
                f"({'on track' if row.on_track else 'BEHIND'})"
            )
    if report.councils:
        render.table(
            COUNCIL_TABLE_COLUMNS, report.councils, f"Per council ({report.rule} split)", console=console
        )
    stopped = [e for e in report.evidence if e.stopped_reporting]
    if stopped:
        console.print("Evidence: baseline servers no longer reporting")
        for e in stopped:
            console.print(
                f"  {e.server_id} ({e.site_id}), {money(e.annual_cost_gbp)} a year, silent since {utc_iso(e.since_utc)}"
            )
