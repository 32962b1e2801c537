"""`councilops savings`: savings against the baseline by financial year."""

from __future__ import annotations

import click

from application.savings import savings_report
from councilops.cli.base import Context, as_of_option, build, cli, emit, format_option
from presentation.savings import print_savings, savings_csv, savings_json


@cli.command()
@format_option("json", "csv")
@click.option(
    "--year",
    "financial_year",
    metavar="YYYY/YY",
    help="Show one financial year's ledger with every evidence item (the table format).",
)
@as_of_option
@click.pass_obj
def savings(obj: Context, output_format: str, financial_year: str | None, as_of_text: str | None) -> None:
    """Savings against the baseline by UK financial year, realised only, net of every investment,
    against the targets: the ledger by cost category with its evidence, the cumulative net, the
    projection of a year in progress, and each council's part by the configured split."""
    report = build(obj, savings_report, as_of_text)
    if financial_year is not None and report.year(financial_year) is None:
        known = ", ".join(y.financial_year for y in report.years) or "none"
        raise click.BadParameter(
            f"{financial_year!r} is not a year of the programme (years: {known})", param_hint="--year"
        )
    emit(
        output_format,
        lambda: savings_json(report),
        lambda: print_savings(report, year=financial_year),
        lambda: savings_csv(report),
    )
