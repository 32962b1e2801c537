"""`councilops sites`: does each site answer, and does it have what the estate needs?"""

from __future__ import annotations

import sys

import click

from application.periods import estate_zone
from collectors.prometheus.site_check import check_site
from councilops.cli.base import EXIT_UNAVAILABLE, Context, cli, format_option, parse_instant
from estate import load_estate
from presentation.sites import print_site_checks, site_checks_json


@cli.command()
@click.option(
    "--site",
    "site_ids",
    metavar="ID",
    multiple=True,
    help="Only this site (repeatable; default: every site).",
)
@click.option(
    "--as-of",
    "as_of_text",
    metavar="ISO-8601",
    default=None,
    help="Look for series in the hour before this instant (default: now). Without an offset, local time.",
)
@format_option("json")
@click.pass_obj
def sites(obj: Context, site_ids: tuple[str, ...], as_of_text: str | None, output_format: str) -> None:
    """Check each site's Prometheus: whether it answers, its version and build, and which of the
    metrics and labels the estate needs it has (each endpoint's probe_success, each server's
    node_exporter or windows_exporter metrics, each dataset's backup gauges), naming what is
    missing. A handful of metadata queries per site; the warehouse is not opened. Exit status 2
    when a site does not answer or lacks something."""
    estate = load_estate(obj.config)
    chosen = [estate.site(s) for s in site_ids] if site_ids else list(estate.sites)
    now = parse_instant(as_of_text, "--as-of", estate_zone(estate))
    checks = [check_site(estate, site, now=now) for site in chosen]
    if output_format == "json":
        click.echo(site_checks_json(checks))
    else:
        print_site_checks(checks)
    if not all(c.ok for c in checks):
        sys.exit(EXIT_UNAVAILABLE)
