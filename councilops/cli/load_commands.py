"""`councilops load ...`: what other systems export (docs/sources.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from application.inventory import inventory_reconciliation
from application.periods import estate_zone
from collectors.files.backup_report import ReportError, read_backup_report, write_jobs
from collectors.files.change_calendar import (
    CalendarError,
    changes_in_issued_months,
    default_window,
    read_change_calendar,
    write_windows,
)
from collectors.files.cmdb_inventory import InventoryError, read_inventory, write_inventory
from councilops.cli.base import (
    EXIT_PROBLEMS,
    Context,
    cli,
    emit,
    fail,
    format_option,
    parse_instant,
    require_window,
    utc_now,
)
from estate import load_estate
from estate.scope import PROVIDER
from presentation.inventory import findings_csv, findings_json, print_findings
from warehouse import Replacement


@cli.group()
def load() -> None:
    """Load what other systems export: backup job reports, the change calendar and the CMDB's
    server inventory (docs/sources.md)."""


def _read_export(path: Path, read, unreadable: type[Exception]):
    """`read(text, file name)` of a file another system exported; a file that cannot be read at
    all (`unreadable`, or not UTF-8) is one message naming it and exit status 1."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        click.echo(
            f"{path}:{line}: not UTF-8: byte 0x{raw[error.start]:02x} at offset {error.start} "
            "(export the file as UTF-8)",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)
    try:
        return read(text, str(path))
    except unreadable as error:
        click.echo(one_line(str(error)), err=True)
        sys.exit(EXIT_PROBLEMS)


def one_line(text: str) -> str:
    """A message as one line: control characters a spoiled file put in a quoted value (a lone
    carriage return, a NUL) are shown escaped, so each message stays one line naming where."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def _echo_rejected(path: Path, rejected: list[tuple[int, str]]) -> None:
    for line, reason in rejected:
        click.echo(one_line(f"{path}:{line}: rejected: {reason}"), err=True)


def _what_changed(done: Replacement) -> str:
    """What a load did to what the warehouse held: every load says it, so nothing goes silently."""
    return f"{done.added} added, {done.changed} changed, {done.unchanged} unchanged, {done.removed} removed"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@load.command("backups")
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def load_backups(obj: Context, report: Path) -> None:
    """Load a Veeam-style backup job report (CSV; columns in docs/sources.md) into the warehouse.

    Each bad row is rejected with its line and reason and the rest loads; exit status 1 when
    any row was rejected. Loading the same report again replaces what it loaded before.
    """
    estate = load_estate(obj.config)
    loaded = _read_export(report, lambda text, name: read_backup_report(text, name, estate), ReportError)
    with obj.warehouse() as warehouse:
        written = write_jobs(loaded, warehouse, estate.estate.time_zone)
    _echo_rejected(report, loaded.rejected)
    done = sum(written.values(), start=Replacement())
    per_site = ", ".join(f"{site} {r.written}" for site, r in written.items()) or "none"
    click.echo(
        f"{report}: {_plural(done.written, 'job')} loaded ({per_site}): {_what_changed(done)}; "
        f"{len(loaded.rejected)} rejected, {_plural(len(loaded.skipped), 'unfinished session')} skipped"
    )
    if loaded.rejected:
        sys.exit(EXIT_PROBLEMS)


@load.command("changes")
@click.argument("calendar_file", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--from",
    "from_text",
    metavar="ISO-8601",
    default=None,
    help="Start of the window (default: 13 months ago). Without an offset, local time.",
)
@click.option(
    "--until",
    "until_text",
    metavar="ISO-8601",
    default=None,
    help="End of the window (default: 3 months ahead).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Load even though it changes maintenance windows in months whose SLA report has been issued "
    "(those reports then need a revision).",
)
@click.pass_obj
def load_changes(
    obj: Context, calendar_file: Path, from_text: str | None, until_text: str | None, force: bool
) -> None:
    """Load maintenance windows from the change calendar (iCalendar, recurring events expanded).

    Each event names its services in CATEGORIES. A bad event is rejected with its line and UID,
    the windows it loaded before stay, and the rest load; exit status 1 when any was rejected.
    Loading again replaces the window's windows of the services the file's events name, and says
    what it added, changed and removed. A load that would change a month whose SLA report has
    been issued is refused, listing what it would change, unless --force.
    """
    estate = load_estate(obj.config)
    tz = estate_zone(estate)
    default_start, default_end = default_window(utc_now())
    start = parse_instant(from_text, "--from", tz) or default_start
    end = parse_instant(until_text, "--until", tz) or default_end
    require_window(start, end, "--until")
    loaded = _read_export(
        calendar_file, lambda text, name: read_change_calendar(text, name, estate, start, end), CalendarError
    )
    with obj.warehouse() as warehouse:
        issued = changes_in_issued_months(loaded, warehouse, estate, start, end)
        if issued and not force:
            _echo_rejected(calendar_file, loaded.rejected)
            for c in issued:
                click.echo(
                    f"{calendar_file}: would leave {c.service_id}'s window {c.reference} {c.change} in {c.month}, "
                    f"whose SLA report has been issued to {', '.join(c.councils)}",
                    err=True,
                )
            fail(
                f"{calendar_file}: nothing loaded: {_plural(len(issued), 'change')} to months already reported; "
                "run again with --force to load it, then revise those reports"
            )
        done = write_windows(loaded, warehouse, start, end)
    _echo_rejected(calendar_file, loaded.rejected)
    covered = (
        f" for {', '.join(sorted(loaded.services))}: {_what_changed(done)}"
        if loaded.services
        else "; no accepted event names a service, so nothing was replaced"
    )
    forced = (
        f"; {_plural(len(issued), 'change')} to months already reported, loaded by --force" if issued else ""
    )
    click.echo(
        f"{calendar_file}: {_plural(loaded.events, 'event')}, {_plural(done.written, 'maintenance window')} loaded "
        f"({start:%Y-%m-%d} to {end:%Y-%m-%d}){covered}, {len(loaded.rejected)} events rejected{forced}"
    )
    if loaded.rejected:
        sys.exit(EXIT_PROBLEMS)


@load.command("inventory")
@click.argument("export", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as-of",
    "as_of_text",
    metavar="YYYY-MM-DD",
    default=None,
    help="The day the export describes (default: today in the estate's zone). Loading the same day "
    "again replaces it.",
)
@format_option("json", "csv")
@click.pass_obj
def load_inventory(obj: Context, export: Path, as_of_text: str | None, output_format: str) -> None:
    """Load the CMDB's server inventory (CSV; columns in docs/sources.md) and reconcile it with
    the estate: servers in one and not the other, and sites, sizes or kinds that differ.

    Each bad row is rejected with its line and reason and the rest loads; exit status 1 when
    any row was rejected. Differences are findings, not errors: they are listed, exit status 0.
    """
    from datetime import date

    estate = load_estate(obj.config)
    try:
        snapshot = (
            date.fromisoformat(as_of_text) if as_of_text else utc_now().astimezone(estate_zone(estate)).date()
        )
    except ValueError:
        raise click.BadParameter(f"{as_of_text!r} is not a date (YYYY-MM-DD)", param_hint="--as-of") from None
    loaded = _read_export(export, lambda text, name: read_inventory(text, name, estate), InventoryError)
    with obj.warehouse() as warehouse:
        done = write_inventory(loaded, warehouse, snapshot, str(export))
        answer = inventory_reconciliation(estate, warehouse, snapshot, scope=PROVIDER)
    written = done.written
    _echo_rejected(export, loaded.rejected)
    in_service = sum(1 for s in loaded.servers if s.in_service)
    loaded_text = (
        f"{_plural(written, 'server')} loaded for {snapshot:%Y-%m-%d} ({in_service} in service): {_what_changed(done)}"
        if loaded.servers
        else f"no server loaded, so the inventory of {snapshot:%Y-%m-%d} was left as it was"
    )
    compared = (
        f"{_plural(len(answer.findings), 'difference')} from the estate"
        if answer.cmdb_servers
        else f"no CMDB inventory held for {snapshot:%Y-%m-%d} to compare the estate with"
    )
    summary = f"{export}: {loaded_text}; {len(loaded.rejected)} rejected; {compared}"
    emit(
        output_format,
        lambda: findings_json(snapshot, list(answer.findings), written, loaded.rejected),
        lambda: print_findings(list(answer.findings), summary),
        lambda: findings_csv(list(answer.findings)),
    )
    if output_format != "table":
        click.echo(summary, err=True)
    if loaded.rejected:
        sys.exit(EXIT_PROBLEMS)
