"""The `councilops` command line: a thin layer over the library.

Each command parses its options, calls one library function and prints what it returned.
An expected failure (a broken configuration, a busy warehouse) is one clear message and a
non-zero exit, never a traceback; COUNCILOPS_DEBUG=1 shows the traceback of an unexpected one.
"""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click

from councilops import __version__
from councilops.settings import CONFIG_ENV, DB_ENV, DEBUG_ENV, DEFAULT_CONFIG, DEFAULT_DB, DEMO_FOLDER
from estate import EstateConfigError, check_estate_file, load_estate
from estate.model import UnknownId
from presentation.status import print_ground_truth, print_warehouse_summary
from warehouse import Warehouse, WarehouseError

EXIT_PROBLEMS = 1  # the input is wrong: the message says what and where
EXIT_UNAVAILABLE = 2  # something needed is missing or busy
EXIT_USAGE = 2  # an option is wrong (click's own code for usage errors)


class Context:
    def __init__(self, config: str, db: str):
        self.config = Path(config)
        self.db = Path(db)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    envvar=CONFIG_ENV,
    default=DEFAULT_CONFIG,
    show_default=True,
    metavar="FILE",
    help=f"The estate configuration (TOML). Environment: {CONFIG_ENV}.",
)
@click.option(
    "--db",
    envvar=DB_ENV,
    default=DEFAULT_DB,
    show_default=True,
    metavar="FILE",
    help=f"The warehouse (DuckDB file). Environment: {DB_ENV}.",
)
@click.version_option(__version__, prog_name="councilops")
@click.pass_context
def cli(ctx: click.Context, config: str, db: str) -> None:
    """councilops: service levels, capacity and savings for a two-site council IT provider.

    Commands report and serve arrive with their features (see docs/cli.md).
    """
    ctx.obj = Context(config, db)


@cli.command()
@click.option(
    "--config",
    "config_option",
    metavar="FILE",
    default=None,
    help="The file to check (default: the global --config).",
)
@click.pass_obj
def check(obj: Context, config_option: str | None) -> None:
    """Check an estate configuration and report every problem at once.

    Each problem names the file, the line, the key and what is wrong. Exit status 0 when the
    file is sound, 1 when it has problems.
    """
    path = Path(config_option) if config_option else obj.config
    estate, problems = check_estate_file(path)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        count = len(problems)
        click.echo(f"{path}: {count} problem{'s' if count != 1 else ''}", err=True)
        sys.exit(EXIT_PROBLEMS)
    assert estate is not None
    click.echo(
        f"{path}: ok ({len(estate.sites)} sites, {len(estate.councils)} councils, {len(estate.services)} services, "
        f"{len(estate.servers)} servers, {len(estate.contracts)} contract versions)"
    )


@cli.command()
@click.option(
    "--out",
    "out_folder",
    default=DEMO_FOLDER,
    show_default=True,
    metavar="DIR",
    help="Folder for estate.toml, warehouse.duckdb and ground-truth.json (replaced).",
)
@click.option(
    "--scale",
    type=click.Choice(["default", "reference"]),
    default="default",
    show_default=True,
    help="default: 7 councils, 23 services, 165 servers. reference: 12 councils, 400 services, "
    "2,000 servers (for benchmarks).",
)
@click.option("--seed", type=int, default=2026, show_default=True, help="Seed of the random history.")
@click.option(
    "--now",
    "now_text",
    metavar="ISO-8601",
    default=None,
    help="Where the 13 months of history end (default: the current hour).",
)
def demo(out_folder: str, scale: str, seed: int, now_text: str | None) -> None:
    """Build the demo estate: a two-site estate with 13 months of history and planted situations.

    Writes the estate configuration, the warehouse (through the same writer the collectors use)
    and ground-truth.json, which lists every planted outage, gap, backup failure, capacity trend,
    under-used server and decommissioned baseline server. Prints what the warehouse then holds.
    """
    from collectors.demo import DemoPaths, build_demo  # the demo generator is only needed here

    now = _parse_now(now_text)
    paths = DemoPaths(Path(out_folder))
    started = datetime.now(UTC)
    truth = build_demo(
        paths.folder,
        scale=scale,
        seed=seed,
        now=now,
        progress=lambda message: click.echo(f"  {message}", err=True),
    )
    elapsed = (datetime.now(UTC) - started).total_seconds()
    click.echo(f"Built the {scale} demo estate in {elapsed:.1f} s: {paths.folder}/")
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        print_warehouse_summary(warehouse)
    print_ground_truth(truth)
    click.echo(f"\nTo use it:  export {CONFIG_ENV}={paths.estate} {DB_ENV}={paths.warehouse}")


@cli.command()
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
def status(obj: Context, output_format: str) -> None:
    """Show what the warehouse holds: the estate, row counts, the time span and collection runs."""
    with Warehouse.open(obj.db, read_only=True) as warehouse:
        if output_format == "json":
            span = warehouse.time_span()
            click.echo(
                json.dumps(
                    {
                        "warehouse": str(obj.db),
                        "migrations": warehouse.applied_migrations(),
                        "rows": warehouse.row_counts(),
                        "span_utc": [t.isoformat() for t in span] if span else None,
                    },
                    indent=2,
                )
            )
        else:
            print_warehouse_summary(warehouse)


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
    help="Evaluate a month in progress up to this instant (default: now, or the end of what has been collected).",
)
@click.pass_obj
def sla(
    obj: Context, month: str | None, council_id: str | None, output_format: str, as_of_text: str | None
) -> None:
    """Service levels for a month, per council and service (rules and JSON fields: docs/sla.md).

    Prints scheduled, up, down and unmonitored time, availability against target, the error
    budget, outages, RPO compliance, response-time p95 and the service credit due.
    """
    from application.scope import Scope
    from application.service_levels import month_report
    from presentation.sla import as_csv, as_json, print_table

    estate = load_estate(obj.config)
    month = month or _last_complete_month()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise click.BadParameter(f"{month!r} is not a month; write it as YYYY-MM", param_hint="--month")
    scope = Scope.provider() if council_id is None else Scope.council(council_id)
    with Warehouse.open(obj.db, read_only=True) as warehouse:
        report = month_report(estate, warehouse, month, scope=scope, as_of=_parse_now(as_of_text, "--as-of"))
    if output_format == "json":
        click.echo(as_json(report))
    elif output_format == "csv":
        click.echo(as_csv(report), nl=False)
    else:
        print_table(report)


@cli.group()
def capacity() -> None:
    """Capacity: under-used servers, time remaining, the site-loss check, a consolidation plan (docs/capacity.md)."""


AS_OF_HELP = "End of the window (default: now, or the end of what has been collected)."
as_of_option = click.option("--as-of", "as_of_text", metavar="ISO-8601", default=None, help=AS_OF_HELP)


def format_option(*choices: str):
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["table", *choices]),
        default="table",
        show_default=True,
    )


def _build(obj: Context, build, as_of_text: str | None, *args):
    """Load the estate, open the warehouse read-only and build one answer as of --as-of. The
    command line is the provider's own tool: it sees every council."""
    from application.scope import PROVIDER

    estate = load_estate(obj.config)
    with Warehouse.open(obj.db, read_only=True) as warehouse:
        return build(estate, warehouse, *args, scope=PROVIDER, now=_parse_now(as_of_text, "--as-of"))


def _emit(output_format: str, as_json, print_table, as_csv=None) -> None:
    if output_format == "json":
        click.echo(as_json())
    elif output_format == "csv" and as_csv is not None:
        click.echo(as_csv(), nl=False)
    else:
        print_table()


@capacity.command()
@format_option("json", "csv")
@as_of_option
@click.pass_obj
def underused(obj: Context, output_format: str, as_of_text: str | None) -> None:
    """Under-used and possibly unused servers, with the evidence and what they cost a year.

    Thresholds and the look-back come from [capacity.under_use] in the configuration.
    """
    from application.underuse import underuse_report
    from presentation.capacity import print_underuse, underuse_csv, underuse_json

    report = _build(obj, underuse_report, as_of_text)
    _emit(
        output_format,
        lambda: underuse_json(report),
        lambda: print_underuse(report),
        lambda: underuse_csv(report),
    )


@capacity.command()
@format_option("json")
@as_of_option
@click.pass_obj
def timeleft(obj: Context, output_format: str, as_of_text: str | None) -> None:
    """Time remaining per site and pool (CPU, memory, storage), and days until each server's storage is full.

    The trend of daily peaks, seasonal once 13 months exist, with an uncertainty band; the
    date the conservative projection crosses capacity x capacity.ceiling_percent.
    """
    from application.timeleft import timeleft_report
    from presentation.capacity import print_timeleft, timeleft_json

    report = _build(obj, timeleft_report, as_of_text)
    _emit(output_format, lambda: timeleft_json(report), lambda: print_timeleft(report))


@capacity.command("site-loss")
@format_option("json")
@as_of_option
@click.pass_obj
def site_loss(obj: Context, output_format: str, as_of_text: str | None) -> None:
    """Could each site carry both sites' peak demand if the other were lost? Which services would not fit?"""
    from application.site_loss import site_loss_report
    from presentation.capacity import print_site_loss, site_loss_json

    report = _build(obj, site_loss_report, as_of_text)
    _emit(output_format, lambda: site_loss_json(report), lambda: print_site_loss(report))


@capacity.command()
@format_option("json")
@as_of_option
@click.pass_obj
def consolidate(obj: Context, output_format: str, as_of_text: str | None) -> None:
    """A consolidation plan: workloads packed by p95 demand onto hosts of the configured size, per site.

    Host size, headroom and cost come from [capacity.consolidation]. The same input always
    gives the same plan.
    """
    from application.consolidation import consolidation_report
    from presentation.capacity import consolidation_json, print_consolidation

    report = _build(obj, consolidation_report, as_of_text)
    _emit(output_format, lambda: consolidation_json(report), lambda: print_consolidation(report))


@capacity.command()
@click.option("--server", "server_id", metavar="ID", default=None)
@click.option("--service", "service_id", metavar="ID", default=None)
@click.option("--site", "site_id", metavar="ID", default=None)
@click.option("--council", "council_id", metavar="ID", default=None)
@click.option(
    "--days",
    type=click.IntRange(1, 800),
    default=90,
    show_default=True,
    help="The window, ending at --as-of.",
)
@format_option("json")
@as_of_option
@click.pass_obj
def profile(
    obj: Context, server_id, service_id, site_id, council_id, days: int, output_format: str, as_of_text
) -> None:
    """Utilisation profile of one server, service, site or council: p50, p95, p99 and max of CPU
    and memory, 24x7 and in service hours; the hour-of-week shape; daily peaks."""
    from application.profile import profile_report
    from presentation.capacity import print_profile, profile_json

    named = (("server", server_id), ("service", service_id), ("site", site_id), ("council", council_id))
    chosen = [(kind, value) for kind, value in named if value]
    if len(chosen) != 1:
        raise click.UsageError("name exactly one of --server, --service, --site or --council")
    kind, subject_id = chosen[0]
    report = _build(obj, profile_report, as_of_text, kind, subject_id, days)
    _emit(output_format, lambda: profile_json(report), lambda: print_profile(report))


@cli.command()
@format_option("json", "csv")
@as_of_option
@click.pass_obj
def savings(obj: Context, output_format: str, as_of_text: str | None) -> None:
    """Savings against the baseline by UK financial year, net of investment, against the targets;
    per council by the configured split; the evidence (baseline servers no longer reporting)."""
    from application.savings import savings_report
    from presentation.savings import print_savings, savings_csv, savings_json

    report = _build(obj, savings_report, as_of_text)
    _emit(
        output_format,
        lambda: savings_json(report),
        lambda: print_savings(report),
        lambda: savings_csv(report),
    )


@cli.command()
@click.option(
    "--since",
    "since_text",
    metavar="ISO-8601",
    default=None,
    help="Backfill from here (default: each site's watermark).",
)
@click.option("--until", "until_text", metavar="ISO-8601", default=None, help="Up to here (default: now).")
@click.option(
    "--site",
    "site_ids",
    metavar="ID",
    multiple=True,
    help="Only this site (repeatable; default: every site).",
)
@click.pass_obj
def collect(obj: Context, since_text: str | None, until_text: str | None, site_ids: tuple[str, ...]) -> None:
    """Collect availability, utilisation, backups and replication from every site's Prometheus
    into the warehouse.

    Each site catches up from its watermarks, a day at a time, the sites side by side; --since
    backfills. A site that cannot be reached or answers nonsense does not stop the others: its
    window is recorded as unmonitored with the cause and the next run asks for it again. Exit
    status 2 when any site could not be collected.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from collectors.run import collect as collect_all
    from presentation.tables import text_table

    estate = load_estate(obj.config)
    unknown = [s for s in site_ids if s not in {site.id for site in estate.sites}]
    if unknown:
        raise click.BadParameter(f"no site {unknown[0]!r} in {obj.config}", param_hint="--site")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    bars = Progress(*columns, console=Console(stderr=True))
    tasks: dict[tuple[str, str], int] = {}

    def advance(site: str, kind: str, done: int, total: int) -> None:
        if (site, kind) not in tasks:
            tasks[(site, kind)] = bars.add_task(f"{site} {kind} (days)", total=total)
        bars.update(tasks[(site, kind)], completed=done)

    with Warehouse.open(obj.db) as warehouse, bars:
        summaries = collect_all(
            estate,
            warehouse,
            list(site_ids) or None,
            _parse_now(since_text, "--since"),
            _parse_now(until_text, "--until"),
            progress=advance,
        )
    columns = ("site", "data", "from", "to", "windows", "series", "samples", "gaps", "rows", "status")
    table = text_table(columns, left=("site", "data", "from", "to", "status"), title="Collected")
    for s in summaries:
        table.add_row(
            s.site_id,
            s.kind,
            f"{s.start:%Y-%m-%d %H:%M}",
            f"{s.end:%Y-%m-%d %H:%M}",
            str(s.windows),
            f"{s.series:,}",
            f"{s.samples:,}",
            f"{s.gaps:,}",
            f"{s.rows:,}",
            s.status,
        )
    Console(width=160).print(table)
    failed = [s for s in summaries if s.status != "ok"]
    for s in failed:
        click.echo(f"site {s.site_id} {s.kind}: {s.message}", err=True)
    if failed:
        sys.exit(EXIT_UNAVAILABLE)


@cli.group()
def load() -> None:
    """Load what other systems export: backup job reports, the change calendar and the CMDB's
    server inventory (docs/sources.md)."""


def _read_export(path: Path, read, unreadable: type[Exception]):
    """`read(text, file name)` of a file another system exported; a file that cannot be read at
    all (`unreadable`, or not UTF-8) is one message naming it and exit status 1."""
    try:
        return read(path.read_text(encoding="utf-8-sig"), str(path))
    except (unreadable, UnicodeDecodeError) as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_PROBLEMS)


def _echo_rejected(path: Path, rejected: list[tuple[int, str]]) -> None:
    for line, reason in rejected:
        click.echo(f"{path}:{line}: rejected: {reason}", err=True)


@load.command("backups")
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def load_backups(obj: Context, report: Path) -> None:
    """Load a Veeam-style backup job report (CSV; columns in docs/sources.md) into the warehouse.

    Each bad row is rejected with its line and reason and the rest loads; exit status 1 when
    any row was rejected. Loading the same report again replaces what it loaded before.
    """
    from collectors.files.backup_report import ReportError, read_backup_report, write_jobs

    estate = load_estate(obj.config)
    loaded = _read_export(report, lambda text, name: read_backup_report(text, name, estate), ReportError)
    with Warehouse.open(obj.db) as warehouse:
        written = write_jobs(loaded, warehouse)
    _echo_rejected(report, loaded.rejected)
    per_site = ", ".join(f"{site} {count}" for site, count in written.items()) or "none"
    click.echo(
        f"{report}: {sum(written.values())} jobs loaded ({per_site}), {len(loaded.rejected)} rejected, "
        f"{len(loaded.skipped)} unfinished sessions skipped"
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
    help="Start of the window (default: 13 months ago).",
)
@click.option(
    "--until",
    "until_text",
    metavar="ISO-8601",
    default=None,
    help="End of the window (default: 3 months ahead).",
)
@click.pass_obj
def load_changes(obj: Context, calendar_file: Path, from_text: str | None, until_text: str | None) -> None:
    """Load maintenance windows from the change calendar (iCalendar, recurring events expanded).

    Each event names its services in CATEGORIES. A bad event is rejected with its line and UID
    and the rest load; exit status 1 when any was rejected. Loading again replaces the window.
    """
    from datetime import timedelta

    from collectors.files.change_calendar import CalendarError, read_change_calendar, write_windows

    now = datetime.now(UTC)
    start = _parse_now(from_text, "--from") or now - timedelta(days=396)
    end = _parse_now(until_text, "--until") or now + timedelta(days=92)
    estate = load_estate(obj.config)
    loaded = _read_export(
        calendar_file, lambda text, name: read_change_calendar(text, name, estate, start, end), CalendarError
    )
    with Warehouse.open(obj.db) as warehouse:
        written = write_windows(loaded, warehouse, start, end)
    _echo_rejected(calendar_file, loaded.rejected)
    click.echo(
        f"{calendar_file}: {loaded.events} events, {written} maintenance windows loaded "
        f"({start:%Y-%m-%d} to {end:%Y-%m-%d}), {len(loaded.rejected)} events rejected"
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
    help="The day the export describes (default: today). Loading the same day again replaces it.",
)
@format_option("json", "csv")
@click.pass_obj
def load_inventory(obj: Context, export: Path, as_of_text: str | None, output_format: str) -> None:
    """Load the CMDB's server inventory (CSV; columns in docs/sources.md) and reconcile it with
    the estate: servers in one and not the other, and sites, sizes or kinds that differ.

    Each bad row is rejected with its line and reason and the rest loads; exit status 1 when
    any row was rejected. Differences are findings, not errors: they are listed, exit status 0.
    """
    from application.inventory import reconcile
    from collectors.files.cmdb_inventory import InventoryError, inventory_frame, read_inventory
    from presentation.inventory import findings_csv, findings_json, print_findings

    try:
        snapshot = date.fromisoformat(as_of_text) if as_of_text else datetime.now(UTC).date()
    except ValueError:
        raise click.BadParameter(f"{as_of_text!r} is not a date (YYYY-MM-DD)", param_hint="--as-of") from None
    estate = load_estate(obj.config)
    loaded = _read_export(export, lambda text, name: read_inventory(text, name, estate), InventoryError)
    with Warehouse.open(obj.db) as warehouse:
        written = warehouse.replace_server_inventory(snapshot, str(export), inventory_frame(loaded))
        findings = reconcile(estate, warehouse.server_inventory(snapshot).iter_rows(named=True))
    _echo_rejected(export, loaded.rejected)
    in_service = sum(1 for s in loaded.servers if s.in_service)
    summary = (
        f"{export}: {written} servers loaded for {snapshot:%Y-%m-%d} ({in_service} in service), "
        f"{len(loaded.rejected)} rejected; {len(findings)} differences from the estate"
    )
    _emit(
        output_format,
        lambda: findings_json(snapshot, findings),
        lambda: print_findings(findings, summary),
        lambda: findings_csv(findings),
    )
    if output_format != "table":
        click.echo(summary, err=True)
    if loaded.rejected:
        sys.exit(EXIT_PROBLEMS)


def _last_complete_month() -> str:
    today = datetime.now(UTC).date()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year:04d}-{month:02d}"


def _parse_now(text: str | None, option: str = "--now") -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO-8601 date and time", param_hint=option) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def main() -> None:
    try:
        cli.main(standalone_mode=False, prog_name="councilops")
    except click.exceptions.Exit as stop:
        sys.exit(stop.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except EstateConfigError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(
            f"{len(error.problems)} problem(s) in the estate configuration; see `councilops check`.", err=True
        )
        sys.exit(EXIT_PROBLEMS)
    except UnknownId as error:  # an option named nothing in the estate: a usage error, as click's
        click.echo(f"error: {error.args[0]}", err=True)
        sys.exit(EXIT_USAGE)
    except WarehouseError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_UNAVAILABLE)
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if os.environ.get(DEBUG_ENV):
            raise
        click.echo(f"error: {type(error).__name__}: {error} (set {DEBUG_ENV}=1 for the traceback)", err=True)
        sys.exit(EXIT_UNAVAILABLE)


if __name__ == "__main__":
    main()
