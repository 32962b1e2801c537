"""A collection run shown: one row per site and kind of data."""

from __future__ import annotations

from rich.console import Console

from presentation import render
from presentation.render import Column, text

COLUMNS = (
    text("site", lambda s: s.site_id),
    text("data", lambda s: s.kind),
    text("from", lambda s: f"{s.start:%Y-%m-%d %H:%M}"),
    text("to", lambda s: f"{s.end:%Y-%m-%d %H:%M}"),
    Column("windows", "", lambda s: s.windows),
    Column("series", "", lambda s: s.series, lambda v: f"{v:,}"),
    Column("samples", "", lambda s: s.samples, lambda v: f"{v:,}"),
    Column("gaps", "", lambda s: s.gaps, lambda v: f"{v:,}"),
    Column(
        "response times",
        "",
        lambda s: s.responses if s.kind == "availability" else None,
        lambda v: "" if v is None else f"{v:,}",
    ),
    Column("rows", "", lambda s: s.rows, lambda v: f"{v:,}"),
    text("status", lambda s: s.status),
)


def print_collection(summaries, console: Console | None = None) -> None:
    render.table(COLUMNS, summaries, "Collected", console=console or Console(width=160))


NOTES_SHOWN = 20  # a backfill of a site with a broken exporter must not print a line a day


def note_lines(summary) -> list[str]:
    """What a run refused in the windows that worked, a line each, the first NOTES_SHOWN."""
    lines = [f"site {summary.site_id} {summary.kind}: {note}" for note in summary.notes[:NOTES_SHOWN]]
    if len(summary.notes) > NOTES_SHOWN:
        lines.append(
            f"site {summary.site_id} {summary.kind}: and {len(summary.notes) - NOTES_SHOWN:,} more windows like these"
        )
    return lines


def discovery_lines(discovery) -> list[str]:
    """What a site's [[server_discovery]] did before its collection, a line each: the servers
    kept, each rejection with its series and label, the notes; why nothing was written."""
    if discovery is None:
        return []
    lines = []
    for result in discovery.results:
        lines.append(
            f"site {result.site_id} discovery ({result.selector}): {result.status}, {len(result.servers)} servers kept, "
            f"{len(result.rejected)} rejected" + (f": {result.message}" if result.message else "")
        )
        lines += [f"  rejected: {r.message}" for r in result.rejected]
        lines += [f"  note: {note}" for note in result.notes]
    if not discovery.written and discovery.message:
        lines.append(
            f"site {discovery.site_id} discovery: {discovery.message}; {len(discovery.held)} servers held from before"
        )
    return lines
