"""`councilops sites` output: each site's check (collectors.prometheus.site_check) as tables or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from rich.console import Console

from collectors.prometheus.site_check import Missing, SiteCheck
from presentation import render
from presentation.formats import number
from presentation.render import Column, text


def _answers(check: SiteCheck) -> str:
    if not check.answers:
        return "no"
    return "yes" if check.ok else "yes, with gaps"


def _build(field: str):
    return lambda c: getattr(c.build, field) if c.build else None


def _when_answering(field: str):
    return lambda c: getattr(c, field) if c.answers else None


def _count(value) -> str:
    return "" if value is None else f"{value:,}"


SITE_COLUMNS = (
    text("site", lambda c: c.site_id),
    text("URL", lambda c: c.prometheus_url),
    text("answers", _answers),
    text("version", _build("version")),
    text("revision", _build("revision")),
    text("branch", _build("branch")),
    text("Go", _build("go_version")),
    Column("endpoints", "", _when_answering("endpoints_checked"), _count),
    Column("servers", "", _when_answering("servers_checked"), _count),
    Column("datasets", "", _when_answering("datasets_checked"), _count),
    Column("missing", "", lambda c: len(c.missing) if c.answers else None, _count),
    Column("requests", "", lambda c: c.requests_made, _count),
    Column("seconds", "seconds", lambda c: c.elapsed_seconds, number),
)
MISSING_COLUMNS = (
    text("site", lambda row: row[0].site_id),
    text("kind", lambda row: row[1].kind),
    text("id", lambda row: row[1].id),
    text("missing", lambda row: row[1].metric),
)


def print_site_checks(checks: Sequence[SiteCheck], console: Console | None = None) -> None:
    """One row per site (does it answer, its build, how much was checked and is missing), then
    what is missing item by item, then every message in full, one a line, so none is cut to
    fit a column."""
    console = console or render.default_console()
    render.table(SITE_COLUMNS, checks, title="Sites", console=console)
    missing: list[tuple[SiteCheck, Missing]] = [(c, m) for c in checks for m in c.missing]
    if missing:
        render.table(MISSING_COLUMNS, missing, title="Missing", console=console)
    for c in checks:
        if not c.answers:
            console.print(f"site {c.site_id} does not answer: {c.error}", soft_wrap=True)
        for problem in c.problems:
            console.print(problem, soft_wrap=True)
        for m in c.missing:
            console.print(f"site {c.site_id}: {m.message}", soft_wrap=True)


def site_checks_document(checks: Sequence[SiteCheck]) -> dict:
    """Every field of each check, and its `ok` (it answers, every request worked, nothing missing)."""
    return {"sites": [{**asdict(c), "ok": c.ok} for c in checks]}


def site_checks_json(checks: Sequence[SiteCheck]) -> str:
    """The checks as JSON (instants in ISO 8601 UTC)."""
    return render.json_text(site_checks_document(checks))
