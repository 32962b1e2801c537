"""`councilops check`, `demo` and `status`: the estate file, the demo estate, the warehouse."""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime
from pathlib import Path

import click

from application.accounts import add_account
from application.status import warehouse_status
from councilops.cli.base import EXIT_PROBLEMS, YEARS, Context, cli, fail, parse_instant
from councilops.settings import CONFIG_ENV, DB_ENV, DEMO_FOLDER
from estate import check_estate_file
from estate.scope import PROVIDER
from presentation.status import print_ground_truth, print_status, status_json
from warehouse import Warehouse


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
        fail(f"{path}: {count} problem{'s' if count != 1 else ''}", EXIT_PROBLEMS)
    assert estate is not None
    click.echo(
        f"{path}: ok ({len(estate.sites)} sites, {len(estate.councils)} councils, {len(estate.services)} services, "
        f"{len(estate.servers)} servers, {len(estate.contracts)} contract versions)"
    )


DEMO_CLOCKS = range(YEARS[0] + 2, YEARS[-1])  # years the demo's clock may end its history in


@cli.command()
@click.option(
    "--out",
    "out_folder",
    default=DEMO_FOLDER,
    show_default=True,
    metavar="DIR",
    help="Folder for estate.toml, warehouse.duckdb, ground-truth.json and accounts.csv (replaced; a folder holding "
    "other files is refused unless --force).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Build even though the folder holds files the demo did not write (they are left as they are).",
)
@click.option(
    "--scale",
    type=click.Choice(["default", "reference"]),
    default="default",
    show_default=True,
    help="default: 7 councils, 23 services, 165 servers. reference: 12 councils, 400 services, "
    "2,000 servers (for benchmarks).",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**32 - 1),
    default=2026,
    show_default=True,
    help="Seed of the random history (0 to 4294967295).",
)
@click.option(
    "--now",
    "now_text",
    metavar="ISO-8601",
    default=None,
    help="Where the 13 months of history end (default: the current hour; without an offset, UTC).",
)
def demo(out_folder: str, force: bool, scale: str, seed: int, now_text: str | None) -> None:
    """Build the demo estate: a two-site estate with 13 months of history and planted situations.

    Writes the estate configuration, the warehouse (through the same writer the collectors use),
    accounts.csv (an account per role and a council viewer per council, readable only by you) and
    ground-truth.json, which lists every planted outage, gap, backup failure, capacity trend,
    under-used server and decommissioned baseline server. Prints what the warehouse then holds.
    """
    from collectors.demo import DemoFolderError, DemoPaths, build_demo  # only needed here

    now = parse_instant(now_text, "--now")
    if now is not None and not DEMO_CLOCKS[0] <= now.year <= DEMO_CLOCKS[-1]:
        raise click.BadParameter(
            f"{now_text!r}: the demo's 13 months of history and 3 months ahead must lie in "
            f"{YEARS[0]}-{YEARS[-1]}: choose a time in {DEMO_CLOCKS[0]}-{DEMO_CLOCKS[-1]}",
            param_hint="--now",
        )
    paths = DemoPaths(Path(out_folder))
    started = datetime.now(UTC)
    try:
        truth = build_demo(
            paths.folder,
            scale=scale,
            seed=seed,
            now=now,
            force=force,
            progress=lambda message: click.echo(f"  {message}", err=True),
            accounts=demo_accounts,
        )
    except DemoFolderError as error:
        fail(str(error), EXIT_PROBLEMS)
    elapsed = (datetime.now(UTC) - started).total_seconds()
    click.echo(f"Built the {scale} demo estate in {elapsed:.1f} s: {paths.folder}/")
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        print_status(warehouse_status(warehouse, scope=PROVIDER))
    print_ground_truth(truth)
    click.echo(f"\nTo use it:  export {CONFIG_ENV}={paths.estate} {DB_ENV}={paths.warehouse}")
    click.echo(
        f"\nSign-in accounts for the dashboard (`councilops serve`; also in {paths.accounts}, "
        "readable only by you; `councilops users` manages them):"
    )
    with paths.accounts.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            where = f" of {row['council']}" if row["council"] else ""
            click.echo(f"  {row['username']:<22} {row['password']}  {row['role']}{where}")


DEMO_ROLES = (
    ("admin", "administrator"),
    ("operator", "operator"),
    ("planner", "capacity-planner"),
    ("manager", "manager"),
)


def demo_accounts(warehouse, estate, path: Path) -> None:
    """One account per provider role and a council viewer per council, each with a new random
    password, written to `path` (username,role,council,password) readable only by its owner."""
    rows = [(name, role, None) for name, role in DEMO_ROLES]
    rows += [(f"viewer-{council.id}", "council-viewer", council.id) for council in estate.councils]
    made = [
        (name, role, council, add_account(warehouse, estate, name, role, council))
        for name, role, council in rows
    ]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "role", "council", "password"])
        writer.writerows((name, role, council or "", password) for name, role, council, password in made)


@cli.command()
@click.pass_obj
def init(obj: Context) -> None:
    """Create an empty warehouse at --db: the schema, no data. Commands that write (collect,
    load) never create one, so a mistyped --db is an error rather than a new, empty warehouse.
    Run on an existing warehouse it applies any pending migrations and changes nothing else."""
    existed = obj.db.exists()
    with obj.warehouse(create=True) as warehouse:
        migrations = warehouse.applied_migrations()
    if existed:
        click.echo(f"{obj.db}: already a warehouse (schema {migrations[-1]}); nothing else changed")
    else:
        click.echo(f"{obj.db}: created an empty warehouse (schema {migrations[-1]})")


@cli.command()
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
def status(obj: Context, output_format: str) -> None:
    """Show what the warehouse holds: the estate, row counts, the time span, and how complete each
    site's collection is over the last 30 days (watermarks, last runs, unmonitored time by cause).

    Reads every block of the file first, so DuckDB checks each one's checksum: a damaged
    warehouse is named as such (exit status 2), never reported as well."""
    with obj.warehouse(read_only=True) as warehouse:
        answer = warehouse_status(warehouse, scope=PROVIDER)
    if output_format == "json":
        click.echo(status_json(answer))
    else:
        print_status(answer)
