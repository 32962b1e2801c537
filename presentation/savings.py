"""Savings shown: the JSON of docs/savings.md, the year, ledger and council tables, the ledger CSV."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rich.console import Console

from application.savings import SavingsReport
from presentation import render
from presentation.formats import money, money_plain, utc_iso, yes_no
from presentation.render import Column, text
from savings.ledger import LedgerLine
from savings.years import NOT_KNOWN_YEAR, YearLedger, pounds

PROJECTION_LABEL = "projection: the saving realised so far at the same rate for the whole year; never counted"


def _gbp(value) -> str | None:
    return None if value is None else money_plain(pounds(value))


def status_text(year: YearLedger) -> str:
    """A complete year: met yes or NO; a year in progress is never "met": on track or behind."""
    if year.basis == NOT_KNOWN_YEAR:
        return "not known"
    if year.in_progress:
        progress = year.on_track_to_date
        return "in progress" if progress is None else f"in progress, {'on track' if progress else 'BEHIND'}"
    return yes_no(year.met, unknown="no target")


def evidence_document(item) -> dict:
    return {
        "kind": item.kind,
        "subject": item.subject,
        "detail": item.detail,
        "date": None if item.on is None else item.on.isoformat(),
        "value_gbp": _gbp(item.value),
        "source": item.source,
    }


def line_document(line: LedgerLine) -> dict:
    return {
        "category": line.category,
        "cashable": line.cashable,
        "basis": line.basis,
        "baseline_gbp": _gbp(line.baseline),
        "actual_gbp": _gbp(line.actual),
        "saving_gbp": _gbp(line.saving),
        "evidence_gbp": _gbp(line.evidence_total),
        "unevidenced_gbp": _gbp(line.unevidenced),
        "source": line.source,
        "signed_by": line.signed_by,
        "evidence": [evidence_document(e) for e in line.evidence],
    }


def year_document(year: YearLedger) -> dict:
    """A year as docs/savings.md documents it: pounds and pence as text."""
    known = year.basis != NOT_KNOWN_YEAR
    projected = year.projected_full_year_saving
    return {
        "financial_year": year.financial_year,
        "basis": year.basis,
        "days_in_year": year.days_in_year,
        "realised_days": year.realised_days,
        "elapsed_days": year.elapsed_days,
        "days_held_in_warehouse": year.held_days,
        "in_progress": year.in_progress,
        "saving_cashable_gbp": _gbp(year.saving_cashable) if known else None,
        "saving_non_cashable_gbp": _gbp(year.saving_non_cashable) if known else None,
        "saving_gbp": _gbp(year.saving) if known else None,
        "investment_gbp": _gbp(year.investment),
        "net_saving_gbp": _gbp(year.net_saving) if known else None,
        # NI179's test, as an option: ongoing, cash-releasing (cashable lines only), net
        "ni179_net_cashable_gbp": _gbp(year.saving_cashable - year.investment) if known else None,
        "evidence_gbp": _gbp(year.evidence_total) if known else None,
        "unevidenced_gbp": _gbp(year.unevidenced) if known else None,
        "categories_not_known": list(year.not_known),
        "target_gbp": _gbp(year.target),
        "target_to_date_gbp": _gbp(year.target_to_date),
        "met": year.met,
        "on_track_to_date": year.on_track_to_date,
        "projection": None
        if projected is None
        else {
            "label": PROJECTION_LABEL,
            "full_year_saving_gbp": _gbp(projected),
            "full_year_net_saving_gbp": _gbp(year.projected_full_year_net),
        },
        "ledger": [line_document(line) for line in year.lines],
    }


def projected_cumulative(report: SavingsReport, row):
    """For the year in progress: the cumulative net and target at its year end if the saving
    went on at the rate realised (a projection, never counted): (net, target), or None."""
    progress = report.year(row.financial_year)
    if progress is None or progress.projected_full_year_net is None or row.target is None:
        return None
    before = row.net_saving - progress.net_saving
    target = row.target - progress.target_to_date + (progress.target or 0)
    return before + progress.projected_full_year_net, target


def cumulative_document(row, report: SavingsReport | None = None) -> dict:
    projected = None if report is None else projected_cumulative(report, row)
    return {
        "financial_year": row.financial_year,
        "to_date": row.in_progress,
        "cumulative_net_saving_gbp": _gbp(row.net_saving),
        "cumulative_target_gbp": _gbp(row.target),
        "on_track": row.on_track,
        "every_year_known": row.complete,
        "projection": None
        if projected is None
        else {
            "label": PROJECTION_LABEL,
            "year_end_cumulative_net_saving_gbp": _gbp(projected[0]),
            "year_end_cumulative_target_gbp": _gbp(projected[1]),
        },
    }


def savings_document(report: SavingsReport) -> dict:
    return {
        "as_of_utc": utc_iso(report.as_of_utc),
        "rules": "docs/savings.md",
        "provenance": report.provenance.document(),
        "shared_cost_split": report.rule,
        "years": [year_document(y) for y in report.years],
        "cumulative": [cumulative_document(c, report) for c in report.cumulative],
        "councils": [
            {
                "financial_year": c.financial_year,
                "council": c.council_id,
                "saving_gbp": money_plain(c.saving_gbp),
                "net_saving_gbp": money_plain(c.net_saving_gbp),
                "split": c.rule,
            }
            for c in report.councils
        ],
    }


def _shown(value) -> str:
    return "" if value is None else money(pounds(value), symbol=False)


def _shown_pounds(value) -> str:
    return money(value, symbol=False)


@dataclass(frozen=True)
class _Row:
    """A ledger line with its year, for the ledger table and CSV."""

    year: YearLedger
    line: LedgerLine


def _rows(report: SavingsReport, years: list[YearLedger]) -> list[_Row]:
    return [_Row(y, line) for y in years for line in y.lines]


def _known(year: YearLedger, value):
    return None if year.basis == NOT_KNOWN_YEAR else value


YEAR_TABLE_COLUMNS = (
    text("year", lambda y: y.financial_year),
    text("basis", lambda y: y.basis),
    Column("days", "days", lambda y: y.realised_days),
    Column("cashable £", "GBP", lambda y: _known(y, y.saving_cashable), _shown),
    Column("non-cashable £", "GBP", lambda y: _known(y, y.saving_non_cashable), _shown),
    Column("investment £", "GBP", lambda y: y.investment, _shown),
    Column("net £", "GBP", lambda y: _known(y, y.net_saving), _shown),
    Column("target £", "GBP", lambda y: y.target, _shown),
    Column("status", "", lambda y: y, status_text),
)


# evidence kind -> (one, many)
EVIDENCE_WORDS = {
    "baseline-server": ("baseline server off", "baseline servers off"),
    "storage-array": ("array retired", "arrays retired"),
    "licence-dropped": ("licence dropped", "licences dropped"),
    "post-removed": ("post removed", "posts removed"),
    "contract-ended": ("contract ended", "contracts ended"),
    "accommodation-released": ("accommodation released", "accommodation released"),
    "other": ("other change", "other changes"),
}


def _evidence_summary(line: LedgerLine) -> str:
    if line.basis == "reported":
        return f"signed by {line.signed_by}: {line.source}"
    if line.basis == "not known":
        return "no actual recorded for the year: claims nothing"
    counts = Counter(e.kind for e in line.evidence if e.value > 0 and e.kind != "power")
    parts = [f"{n} {EVIDENCE_WORDS.get(kind, (kind, kind))[n != 1]}" for kind, n in counts.items()]
    parts += [e.detail for e in line.evidence if e.kind == "power"]
    parts += [e.subject + " (cost now)" for e in line.evidence if e.value < 0]
    return "; ".join(parts) if parts else "no evidence"


def _unevidenced_text(value) -> str:
    return "" if not value else f"UNEVIDENCED {money(pounds(value))}"


LEDGER_TABLE_COLUMNS = (
    text("year", lambda r: r.year.financial_year),
    text("category", lambda r: r.line.category + ("" if r.line.cashable else " (non-cashable)")),
    text("basis", lambda r: r.line.basis),
    Column("baseline £", "GBP", lambda r: r.line.baseline, _shown),
    Column("actual £", "GBP", lambda r: r.line.actual, _shown),
    Column("saving £", "GBP", lambda r: r.line.saving, _shown),
    Column("evidence £", "GBP", lambda r: None if r.line.saving is None else r.line.evidence_total, _shown),
    text("evidence", lambda r: _evidence_summary(r.line) + " " + _unevidenced_text(r.line.unevidenced)),
)

# The ledger CSV keeps the JSON's field names (machine values), a row per line.
LEDGER_CSV_COLUMNS = (
    text("financial_year", lambda r: r.year.financial_year),
    text("year_basis", lambda r: r.year.basis),
    Column("realised_days", "days", lambda r: r.year.realised_days),
    text("category", lambda r: r.line.category),
    Column("cashable", "", lambda r: r.line.cashable),
    text("basis", lambda r: r.line.basis),
    Column("baseline_gbp", "GBP", lambda r: _gbp(r.line.baseline)),
    Column("actual_gbp", "GBP", lambda r: _gbp(r.line.actual)),
    Column("saving_gbp", "GBP", lambda r: _gbp(r.line.saving)),
    Column("evidence_gbp", "GBP", lambda r: _gbp(r.line.evidence_total)),
    Column("unevidenced_gbp", "GBP", lambda r: _gbp(r.line.unevidenced)),
    Column("evidence_items", "", lambda r: len(r.line.evidence)),
    text("source", lambda r: r.line.source),
    text("signed_by", lambda r: r.line.signed_by),
)

COUNCIL_TABLE_COLUMNS = (
    text("year", lambda c: c.financial_year),
    text("council", lambda c: c.council_id),
    Column("saving £", "GBP", lambda c: c.saving_gbp, _shown_pounds),
    Column("net saving £", "GBP", lambda c: c.net_saving_gbp, _shown_pounds),
    text("split", lambda c: c.rule),
)

EVIDENCE_TABLE_COLUMNS = (
    text("category", lambda p: p[0].category),
    text("kind", lambda p: p[1].kind),
    text("what", lambda p: p[1].subject),
    text("when and how long", lambda p: p[1].detail),
    Column("£ in these days", "GBP", lambda p: p[1].value, _shown),
    text("source", lambda p: p[1].source),
)


def savings_csv(report: SavingsReport) -> str:
    return render.csv_text(LEDGER_CSV_COLUMNS, _rows(report, list(report.years)))


def savings_json(report: SavingsReport) -> str:
    return render.json_text(savings_document(report))


def print_savings(report: SavingsReport, console: Console | None = None, year: str | None = None) -> None:
    """The programme (every year), or with `year` that year's ledger with every evidence item."""
    console = console or render.default_console()
    console.print(
        f"Savings to {utc_iso(report.as_of_utc)}, realised only; shared costs split by {report.rule} "
        "(rules: docs/savings.md)"
    )
    years = [y for y in report.years if year is None or y.financial_year == year]
    render.table(YEAR_TABLE_COLUMNS, years, console=console)
    for y in years:
        if y.projected_full_year_saving is not None:
            console.print(
                f"  {y.financial_year} projection (not counted): at the rate of its {y.realised_days} days "
                f"realised, {money(pounds(y.projected_full_year_saving))} saved in the full year, net "
                f"{money(pounds(y.projected_full_year_net))}"
            )
        if y.basis == "reported" and y.held_days:
            console.print(
                f"  {y.financial_year} is the register's signed outturn; the warehouse holds {y.held_days} days "
                "of it, not the whole year"
            )
        if y.basis == "part measured":
            console.print(
                f"{y.financial_year}: the warehouse's history begins inside the year; its first "
                f"{y.days_in_year - y.realised_days if not y.in_progress else y.elapsed_days - y.realised_days} "
                "days claim nothing"
            )
    for row in report.cumulative:
        if year is None or row.financial_year == year:
            if row.target is None:
                continue
            console.print(
                f"  to {'date in ' if row.in_progress else 'the end of '}{row.financial_year}: cumulative net "
                f"{money(pounds(row.net_saving))} against a target of {money(pounds(row.target))} "
                f"({'on track' if row.on_track else 'BEHIND'}"
                f"{'' if row.complete else '; some years not known'})"
            )
        projected = projected_cumulative(report, row)
        if projected is not None:
            console.print(
                f"  projection (not counted) to the end of {row.financial_year}: cumulative net "
                f"{money(pounds(projected[0]))} against a target of {money(pounds(projected[1]))}"
            )
    rows = _rows(report, years)
    if rows:
        render.table(
            LEDGER_TABLE_COLUMNS, rows, "Ledger: each year's saving is the sum of its lines", console=console
        )
    councils = [c for c in report.councils if year is None or c.financial_year == year]
    if councils:
        render.table(COUNCIL_TABLE_COLUMNS, councils, f"Per council ({report.rule} split)", console=console)
    if year is not None:
        items = [(r.line, e) for r in rows for e in r.line.evidence]
        if items:
            render.table(EVIDENCE_TABLE_COLUMNS, items, f"Evidence, {year}", console=console)
    else:
        console.print("Every evidence item of a year: councilops savings --year YYYY/YY (or --format json)")
