"""`councilops collect`: every site's Prometheus into the warehouse."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from application.periods import estate_zone
from collectors.run import collect as collect_all
from councilops.cli.base import EXIT_UNAVAILABLE, Context, cli, parse_instant, require_window, utc_now
from estate import load_estate
from estate.scope import PROVIDER
from estate.secrets import redacted
from presentation.collection import discovery_lines, note_lines, print_collection

MAX_BACKFILL = timedelta(
    days=3660
)  # ten years: past what any site keeps, so a typo is not a decades-long run


def until_or_now(until: datetime | None) -> datetime:
    return until or utc_now()


@cli.command()
@click.option(
    "--since",
    "since_text",
    metavar="ISO-8601",
    default=None,
    help="Backfill from here (default: each site's watermark). Without an offset, local time.",
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
    window is recorded as unmonitored with the cause where nothing was measured before (what was
    measured stays) and the next run asks for it again. Exit status 2 when any site could not be
    collected.
    """
    estate = load_estate(obj.config)
    for site_id in site_ids:
        estate.site(site_id)  # UnknownId names it and the sites there are
    tz = estate_zone(estate)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    bars = Progress(*columns, console=Console(stderr=True))
    tasks: dict[tuple[str, str], int] = {}

    def advance(site: str, kind: str, done: int, total: int) -> None:
        if (site, kind) not in tasks:
            tasks[(site, kind)] = bars.add_task(f"{site} {kind} (days)", total=total)
        bars.update(tasks[(site, kind)], completed=done)

    since = parse_instant(since_text, "--since", tz)
    until = parse_instant(until_text, "--until", tz)
    if since is not None:
        require_window(since, until or utc_now(), "--since")
        if until_or_now(until) - since > MAX_BACKFILL:
            raise click.BadParameter(
                f"a backfill reaches at most {MAX_BACKFILL.days:,} days back from --until (ten years); "
                "collect earlier windows in separate runs",
                param_hint="--since",
            )
    with obj.warehouse() as warehouse, bars:
        summaries = collect_all(
            estate,
            warehouse,
            list(site_ids) or None,
            since,
            until,
            progress=advance,
            scope=PROVIDER,
        )
    print_collection(summaries)
    for s in summaries:
        for line in discovery_lines(s.discovery) + note_lines(s):
            click.echo(line, err=True)
    failed = [s for s in summaries if s.status != "ok"]
    for s in failed:
        click.echo(redacted(f"site {s.site_id} {s.kind}: {s.message}"), err=True)
    if failed:
        sys.exit(EXIT_UNAVAILABLE)
