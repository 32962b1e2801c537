"""`councilops capacity ...`: under-use, time remaining, site loss, consolidation, profiles."""

from __future__ import annotations

import click

from application.consolidation import consolidation_report
from application.profile import profile_report
from application.site_loss import site_loss_report
from application.timeleft import timeleft_report
from application.underuse import underuse_report
from councilops.cli.base import Context, as_of_option, build, cli, emit, format_option
from presentation.capacity import (
    consolidation_json,
    print_consolidation,
    print_consolidation_detail,
    print_profile,
    print_site_loss,
    print_timeleft,
    print_underuse,
    print_underuse_detail,
    profile_json,
    site_loss_json,
    timeleft_json,
    underuse_csv,
    underuse_json,
)


@cli.group()
def capacity() -> None:
    """Capacity: under-used servers, time remaining, the site-loss check, a consolidation plan (docs/capacity.md)."""


@capacity.command()
@format_option("json", "csv")
@as_of_option
@click.option("--detail", is_flag=True, help="With the table: every server not listed, and why.")
@click.pass_obj
def underused(obj: Context, output_format: str, as_of_text: str | None, detail: bool) -> None:
    """Under-used and possibly unused servers, with the evidence and what they cost a year.

    Thresholds and the look-back come from [capacity.under_use] in the configuration.
    """
    report = build(obj, underuse_report, as_of_text)

    def table() -> None:
        print_underuse(report)
        if detail:
            print_underuse_detail(report)

    emit(output_format, lambda: underuse_json(report), table, lambda: underuse_csv(report))


@capacity.command()
@format_option("json")
@as_of_option
@click.pass_obj
def timeleft(obj: Context, output_format: str, as_of_text: str | None) -> None:
    """Time remaining per site and pool (CPU, memory, storage), and days until each server's storage is full.

    The trend of daily peaks, seasonal once 13 months exist, with an uncertainty band; the
    date the conservative projection crosses capacity x capacity.ceiling_percent.
    """
    report = build(obj, timeleft_report, as_of_text)
    emit(output_format, lambda: timeleft_json(report), lambda: print_timeleft(report))


@capacity.command("site-loss")
@format_option("json")
@as_of_option
@click.pass_obj
def site_loss(obj: Context, output_format: str, as_of_text: str | None) -> None:
    """Could each site carry both sites' peak demand if the other were lost? Which services would not fit?"""
    report = build(obj, site_loss_report, as_of_text)
    emit(output_format, lambda: site_loss_json(report), lambda: print_site_loss(report))


@capacity.command()
@format_option("json")
@as_of_option
@click.option("--detail", is_flag=True, help="With the table: each planned host and what is packed onto it.")
@click.pass_obj
def consolidate(obj: Context, output_format: str, as_of_text: str | None, detail: bool) -> None:
    """A consolidation plan: workloads packed by p95 demand onto hosts of the configured size, per site.

    Host size, headroom and cost come from [capacity.consolidation]. The same input always
    gives the same plan.
    """
    report = build(obj, consolidation_report, as_of_text)

    def table() -> None:
        print_consolidation(report)
        if detail:
            print_consolidation_detail(report)

    emit(output_format, lambda: consolidation_json(report), table)


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
    named = (("server", server_id), ("service", service_id), ("site", site_id), ("council", council_id))
    chosen = [(kind, value) for kind, value in named if value]
    if len(chosen) != 1:
        raise click.UsageError("name exactly one of --server, --service, --site or --council")
    kind, subject_id = chosen[0]
    report = build(obj, profile_report, as_of_text, kind, subject_id, days)
    emit(output_format, lambda: profile_json(report), lambda: print_profile(report))
