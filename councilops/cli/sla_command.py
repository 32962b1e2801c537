"""`councilops sla`: a month's service levels."""

from __future__ import annotations

import re

import click

from application.periods import estate_zone, last_complete_month
from application.service_levels import month_report
from councilops.cli.base import YEARS, Context, cli, parse_instant, utc_now
from estate import load_estate
from estate.scope import Scope
from presentation.sla import as_csv, as_json, print_detail, print_table


@cli.command()
@click.option(
    "--month", "month", metavar="YYYY-MM", default=None, help="The month (default: the last complete month)."
)
@click.option(
    "--council", "council_id", metavar="ID", default=None, help="One council (default: every council)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--as-of",
    "as_of_text",
    metavar="ISO-8601",
    default=None,
    help="Evaluate a month in progress up to this instant (default: now, or the end of what has been "
    "collected). Without an offset, local time in the estate's zone.",
)
@click.option(
    "--detail",
    is_flag=True,
    help="With the table: each row's error budgets, maintenance, resilience lost, recovery points, "
    "replication and RTO evidence.",
)
@click.pass_obj
def sla(
    obj: Context,
    month: str | None,
    council_id: str | None,
    output_format: str,
    as_of_text: str | None,
    detail: bool,
) -> None:
    """Service levels for a month, per council and service (rules and JSON fields: docs/sla.md).

    Prints scheduled, up, down and unmonitored time, availability against target, the error
    budget, outages, RPO compliance, response-time p95 and the service credit due.
    """
    estate = load_estate(obj.config)
    tz = estate_zone(estate)
    as_of = parse_instant(as_of_text, "--as-of", tz)
    month = month or last_complete_month(as_of or utc_now(), tz)  # the last complete as of then
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise click.BadParameter(f"{month!r} is not a month; write it as YYYY-MM", param_hint="--month")
    if int(month[:4]) not in YEARS:
        raise click.BadParameter(
            f"{month!r} is outside the years {YEARS[0]}-{YEARS[-1]} councilops works in", param_hint="--month"
        )
    scope = Scope.provider() if council_id is None else Scope.council(council_id)
    with obj.warehouse(read_only=True) as warehouse:
        report = month_report(estate, warehouse, month, scope=scope, as_of=as_of)
    if output_format == "json":
        click.echo(as_json(report))
    elif output_format == "csv":
        click.echo(as_csv(report), nl=False)
    else:
        print_table(report)
        if detail:
            print_detail(report)
