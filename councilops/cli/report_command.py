"""`councilops report`: issue, list and verify the monthly SLA reports (rules: docs/reports.md)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from application.periods import estate_zone, last_complete_month
from councilops.cli.base import EXIT_PROBLEMS, Context, cli, utc_now
from estate import load_estate
from presentation import render
from presentation.render import Column, text
from reports.archive import ReportError, archive_folder, issue_monthly, verify_report
from reports.delivery import latest_revisions, send_report
from reports.pdf import RenderUnavailable
from reports.savings import PROGRAMME, YEAR, YEAR_TO_DATE
from reports.savings_issue import issue_savings
from warehouse import IssuedReport


@cli.group(invoke_without_command=True)
@click.option(
    "--month", "month", metavar="YYYY-MM", default=None, help="The month (default: the last complete month)."
)
@click.option(
    "--council",
    "council_id",
    metavar="ID",
    default=None,
    help="One council (default: every council with a contract that month).",
)
@click.option(
    "--revise", is_flag=True, help="Issue the next revision of a report already issued (needs --reason)."
)
@click.option(
    "--reason", default=None, help="With --revise: what the revision corrects and why (printed in it)."
)
@click.option("--force", is_flag=True, help="Issue a month not over yet, marked DRAFT on every page.")
@click.pass_context
def report(
    ctx: click.Context,
    month: str | None,
    council_id: str | None,
    revise: bool,
    reason: str | None,
    force: bool,
) -> None:
    """Issue the monthly SLA report of each council (a PDF/A-3b with its figures attached).

    An issued report is kept in the warehouse and under reports/ beside it, and never changed:
    a correction is the next revision (--revise --reason), saying which figures changed and why.
    `report list` shows what is issued; `report verify FILE` checks a file against the archive.
    """
    if ctx.invoked_subcommand is not None:
        return
    obj: Context = ctx.obj
    estate = load_estate(obj.config)
    month = month or last_complete_month(utc_now(), estate_zone(estate))
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise click.BadParameter(f"{month!r} is not a month; write it as YYYY-MM", param_hint="--month")
    if reason is not None and not revise:
        raise click.BadParameter("--reason goes with --revise", param_hint="--reason")
    with obj.warehouse(read_only=False) as warehouse:
        try:
            outcomes = issue_monthly(
                estate,
                warehouse,
                month,
                archive=archive_folder(Path(obj.db)),
                clock=utc_now,
                council_id=council_id,
                revise=revise,
                reason=reason,
                force=force,
            )
        except (ReportError, RenderUnavailable) as error:
            raise click.ClickException(str(error)) from None
    for outcome in outcomes:
        where = (
            f": {outcome.issued.archive_path} (SHA-256 {outcome.issued.content_sha256})"
            if outcome.issued
            else ""
        )
        click.echo(f"{outcome.council_id} {outcome.month}: {outcome.said}{where}")
    if not outcomes:
        click.echo(f"No council has a contract in force in {month}: nothing to issue.")


LIST_COLUMNS = (
    text("report", lambda r: r.kind),
    text("council", lambda r: r.council_id or ""),
    text("period", lambda r: r.period),
    Column("revision", "", lambda r: r.revision),
    text("issued at (UTC)", lambda r: f"{r.issued_at_utc:%Y-%m-%d %H:%M:%S}"),
    text("reason", lambda r: r.reason),
    text("SHA-256", lambda r: r.content_sha256),
    text("path", lambda r: r.archive_path or ""),
)


def _listed(r: IssuedReport) -> dict:
    return {
        "kind": r.kind,
        "council": r.council_id,
        "period": r.period,
        "month": r.period if r.kind == "sla" else None,
        "revision": r.revision,
        "issued_at_utc": f"{r.issued_at_utc:%Y-%m-%dT%H:%M:%SZ}",
        "reason": r.reason,
        "sha256": r.content_sha256,
        "path": r.archive_path,
    }


@report.command("list")
@click.option("--council", "council_id", metavar="ID", default=None, help="One council's reports.")
@click.option(
    "--kind",
    type=click.Choice(["sla", "savings"]),
    default=None,
    help="Only the monthly SLA reports, or only the savings reports (default: both).",
)
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
def report_list(obj: Context, council_id: str | None, kind: str | None, output_format: str) -> None:
    """The reports issued: kind, council, period, revision, issued at, SHA-256 and file."""
    if council_id is not None and kind == "savings":
        raise click.BadParameter(
            "the savings reports are the provider's, not a council's", param_hint="--council"
        )
    estate = load_estate(obj.config)
    if council_id is not None:
        estate.council(council_id)
    with obj.warehouse(read_only=True) as warehouse:
        issued = warehouse.issued_reports(kind="sla" if council_id else kind, council_id=council_id)
    # the monthly reports by month and council, then the savings reports by period
    issued.sort(key=lambda r: (r.kind != "sla", r.period, r.council_id or "", r.revision))
    if output_format == "json":
        click.echo(json.dumps([_listed(r) for r in issued], indent=2))
    elif not issued:
        click.echo(
            "No report has been issued."
            if council_id is None
            else f"No report of {council_id} has been issued."
        )
    else:
        render.table(LIST_COLUMNS, issued, console=render.default_console())


@report.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def report_verify(ctx: click.Context, file: Path) -> None:
    """Is FILE a report we issued, unchanged, and does rendering it again from the warehouse as
    recorded give the same bytes? Exit 0 when both hold."""
    obj: Context = ctx.obj
    estate = load_estate(obj.config)
    content = file.read_bytes()
    with obj.warehouse(read_only=True) as warehouse:
        try:
            found = verify_report(estate, warehouse, content)
        except RenderUnavailable as error:
            raise click.ClickException(str(error)) from None
    failed = found.issued is None or found.rerendered_same is not True
    click.echo(f"{file}: {found.said}", err=failed)
    if failed:
        sys.exit(EXIT_PROBLEMS)


@report.command("send")
@click.option("--month", "month", metavar="YYYY-MM", required=True, help="The month whose reports to send.")
@click.option(
    "--council", "council_id", metavar="ID", default=None, help="One council (default: every one issued)."
)
@click.pass_obj
def report_send(obj: Context, month: str, council_id: str | None) -> None:
    """Email the latest revision of the month's issued reports to each council's contact_email
    (again, if sent before); every attempt goes into the delivery log."""
    estate = load_estate(obj.config)
    if council_id is not None:
        estate.council(council_id)
    with obj.warehouse(read_only=False) as warehouse:
        issued = latest_revisions(warehouse, month, council_id)
        if not issued:
            raise click.ClickException(
                f"no report of {month} has been issued{'' if council_id is None else ' for ' + council_id}"
            )
        results = [send_report(estate, warehouse, report, clock=utc_now) for report in issued]
    for result in results:
        click.echo(
            f"{result.council_id} {result.month} revision {result.revision}: {result.said}",
            err=not result.sent,
        )
    if not all(r.sent for r in results):
        sys.exit(EXIT_PROBLEMS)


@report.command("savings")
@click.option(
    "--year",
    "financial_year",
    metavar="YYYY/YY",
    default=None,
    help="One complete financial year of the programme.",
)
@click.option(
    "--year-to-date", is_flag=True, help="The financial year in progress, to the end of what is collected."
)
@click.option(
    "--programme", is_flag=True, help="Every year of the programme, to the end of what is collected."
)
@click.option(
    "--revise", is_flag=True, help="Issue the next revision of a report already issued (needs --reason)."
)
@click.option(
    "--reason", default=None, help="With --revise: what the revision corrects and why (printed in it)."
)
@click.pass_obj
def report_savings(
    obj: Context,
    financial_year: str | None,
    year_to_date: bool,
    programme: bool,
    revise: bool,
    reason: str | None,
) -> None:
    """Issue the savings report for the auditors (a PDF/A-3b with its figures attached, the ledger
    as CSV beside it): one complete financial year (--year), the year in progress to date
    (--year-to-date) or the whole programme (--programme). Kept and revised as the monthly
    reports are."""
    chosen = [
        name
        for name, on in (
            ("--year", financial_year is not None),
            ("--year-to-date", year_to_date),
            ("--programme", programme),
        )
        if on
    ]
    if len(chosen) != 1:
        raise click.UsageError("choose one period: --year YYYY/YY, --year-to-date or --programme")
    if financial_year is not None and not re.fullmatch(r"\d{4}/\d{2}", financial_year):
        raise click.BadParameter(
            f"{financial_year!r} is not a financial year; write it as YYYY/YY", param_hint="--year"
        )
    if reason is not None and not revise:
        raise click.BadParameter("--reason goes with --revise", param_hint="--reason")
    kind = YEAR if financial_year is not None else (YEAR_TO_DATE if year_to_date else PROGRAMME)
    estate = load_estate(obj.config)
    with obj.warehouse(read_only=False) as warehouse:
        try:
            outcome = issue_savings(
                estate,
                warehouse,
                kind,
                archive=archive_folder(Path(obj.db)),
                clock=utc_now,
                financial_year=financial_year,
                revise=revise,
                reason=reason,
            )
        except (ReportError, RenderUnavailable) as error:
            raise click.ClickException(str(error)) from None
    where = (
        f": {outcome.issued.archive_path} (SHA-256 {outcome.issued.content_sha256}); ledger {outcome.csv_path}"
        if outcome.issued
        else ""
    )
    click.echo(f"savings {outcome.period}: {outcome.said}{where}")
