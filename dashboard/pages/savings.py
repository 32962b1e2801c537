"""Savings: baseline against actual by financial year and category, cashable and not, measured
and reported years marked, projections apart; the cumulative net against the target
trajectory; each council's part; the evidence. The ledger's grid exports the auditors' CSV
(docs/savings.md has the rules; `councilops savings --format csv` the machine figures)."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlencode

from dash import html

from application.issued_reports import savings_issued
from dashboard.access import MANAGERS, NotFound, Page
from dashboard.components import chart, grid, heading, issued_reports_table, link, tile, tiles
from dashboard.figures import bars, lines
from dashboard.pages import common
from presentation.formats import day, local_time, money
from presentation.render import Column, text
from presentation.savings import LEDGER_TABLE_COLUMNS, YEAR_TABLE_COLUMNS, _rows, status_text
from savings.ledger import pounds


def _gbp(value) -> float | None:
    return None if value is None else float(pounds(value))


def layout(viewer, served, year: str | None = None, **_):
    tz = common.zone(served)
    report = served.answers.savings(viewer.scope)
    labels = [y.financial_year for y in report.years]
    if year is not None and year not in labels:
        raise NotFound(f"year {year}")
    chosen = (
        report.year(year)
        if year
        else next((y for y in reversed(report.years) if y.in_progress), report.years[-1])
    )
    cumulative = report.cumulative
    names = {c.id: c.name for c in served.estate.councils}
    parts = [
        heading(
            "Savings",
            f"The programme's ledger as of {local_time(report.as_of_utc, tz)} (rules: docs/savings.md).",
        ),
        tiles(
            [
                tile(
                    f"Net saving {chosen.financial_year}" + (" to date" if chosen.in_progress else ""),
                    money(pounds(chosen.net_saving)),
                    status_text(chosen),
                ),
                tile(
                    "Target" + (" to date" if chosen.in_progress else ""),
                    "no target" if chosen.target_to_date is None else money(pounds(chosen.target_to_date)),
                ),
                tile(
                    "Projected for the year",
                    "n/a"
                    if chosen.projected_full_year_net is None
                    else money(pounds(chosen.projected_full_year_net)),
                    "a projection at the rate so far, not a saving",
                ),
                tile("Cumulative net", money(pounds(cumulative[-1].net_saving)) if cumulative else "n/a"),
            ]
        ),
        html.Nav(
            html.Ul(
                [
                    html.Li(link(label, "/savings", year=label), className="list-inline-item")
                    for label in labels
                ],
                className="list-inline",
            ),
            **{"aria-label": "Financial year"},
        ),
        grid(
            "savings-years",
            YEAR_TABLE_COLUMNS,
            report.years,
            file_name="savings-years.csv",
            title="Financial years",
        ),
        chart(
            "savings-cumulative",
            lines(
                [c.financial_year for c in cumulative],
                {
                    "cumulative net saving": [_gbp(c.net_saving) for c in cumulative],
                    "cumulative target": [_gbp(c.target) for c in cumulative],
                },
                "£",
                "financial year",
                dashed=("cumulative target",),
            ),
            "Cumulative net saving against the target trajectory",
            "Each year's realised net saving (saving less investment) added up, against the targets added up the "
            "same way; a year in progress counts to date, and projections are not included.",
        ),
        chart(
            "savings-by-year",
            bars(
                labels,
                {
                    "cashable": [_gbp(y.saving_cashable) for y in report.years],
                    "non-cashable": [_gbp(y.saving_non_cashable) for y in report.years],
                    "investment": [-_gbp(y.investment) for y in report.years],
                },
                "£",
                "financial year",
                stacked=True,
            ),
            "Saving by year: cashable, non-cashable and investment",
            "Baseline less actual per category, cashable and not; investment is shown below zero. Reported years "
            "come from the signed savings register, measured ones from the warehouse.",
        ),
        grid(
            "savings-ledger",
            LEDGER_TABLE_COLUMNS,
            _rows(report, [chosen]),
            file_name=f"savings-ledger-{chosen.financial_year}.csv",
            title=f"The ledger, {chosen.financial_year}",
        ),
        _evidence(chosen),
        grid(
            "savings-councils",
            (
                text("council", lambda c: names.get(c.council_id, c.council_id)),
                Column("saving", "GBP", lambda c: c.saving_gbp, money),
                Column("net saving", "GBP", lambda c: c.net_saving_gbp, money),
                text("split", lambda c: c.rule),
            ),
            [c for c in report.councils if c.financial_year == chosen.financial_year],
            file_name=f"savings-councils-{chosen.financial_year}.csv",
            title=f"Each council's part, {chosen.financial_year}",
        ),
        _reports(viewer, served),
    ]
    return html.Div(parts)


def _reports(viewer, served):
    """The savings reports issued for the auditors, every revision, each a download (checked
    again on the server: dashboard/downloads.py)."""
    tz = common.zone(served)
    with served.warehouse.cursor() as warehouse:
        issued = savings_issued(warehouse, viewer.scope)
    title = html.H2("Savings reports issued", className="h5")
    how = html.P(
        [
            html.Code("councilops report savings --year YYYY/YY"),
            ", ",
            html.Code("--year-to-date"),
            " or ",
            html.Code("--programme"),
            " issues one. An issued report never changes: a correction is the next revision, which says "
            "what changed and why.",
        ],
        className="small text-body-secondary",
    )
    if not issued:
        return html.Section([title, html.P("No savings report has been issued yet."), how], className="mb-4")
    table = issued_reports_table(
        issued,
        lambda at: local_time(at.replace(tzinfo=UTC), tz),
        "period",
        lambda r: "/reports/savings/download?" + urlencode({"report": r.report_id, "revision": r.revision}),
        lambda r: f"Download the savings report {r.period}, revision {r.revision} (PDF)",
    )
    return html.Section([title, table, how], className="mb-4")


def _evidence(year):
    items = [(line, e) for line in year.lines for e in line.evidence]
    columns = (
        text("category", lambda x: x[0].category),
        text("kind", lambda x: x[1].kind),
        text("subject", lambda x: x[1].subject),
        text("date", lambda x: day(x[1].on) if x[1].on else ""),
        text("what", lambda x: x[1].detail),
        Column("value", "GBP", lambda x: pounds(x[1].value), money),
    )
    return grid(
        "savings-evidence",
        columns,
        items,
        file_name=f"savings-evidence-{year.financial_year}.csv",
        title=f"The evidence, {year.financial_year}",
    )


PAGE = Page(module=__name__, path="/savings", name="Savings", roles=MANAGERS, layout=layout, order=6)
