"""`councilops savings`: savings against the baseline by financial year."""

from __future__ import annotations

import click

from application.savings import savings_report
from councilops.cli.base import Context, as_of_option, build, cli, emit, format_option
from presentation.savings import print_savings, savings_csv, savings_json


@cli.command()
@format_option("json", "csv")
@as_of_option
@click.pass_obj
def savings(obj: Context, output_format: str, as_of_text: str | None) -> None:
    """Savings against the baseline by UK financial year, net of investment, against the targets;
    per council by the configured split; the evidence (baseline servers no longer reporting)."""
    report = build(obj, savings_report, as_of_text)
    emit(
        output_format,
        lambda: savings_json(report),
        lambda: print_savings(report),
        lambda: savings_csv(report),
    )
