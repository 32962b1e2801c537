"""The CMDB reconciliation shown: its findings as a table, JSON or CSV."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date

from rich.console import Console

from application.inventory import Finding
from presentation import render
from presentation.render import Column, text

# CSV and JSON keep the finding's own field names; the table reads as a sentence would.
CSV_COLUMNS = tuple(Column(f.name, "", lambda row, name=f.name: getattr(row, name)) for f in fields(Finding))
TABLE_COLUMNS = (
    text("site", lambda f: f.site_id),
    text("server", lambda f: f.server_id),
    text("finding", lambda f: f.finding),
    text("estate", lambda f: f.estate_value),
    text("CMDB", lambda f: f.cmdb_value),
    Column("CMDB line", "", lambda f: f.cmdb_line),
)


def findings_json(
    snapshot: date, findings: list[Finding], loaded: int | None = None, rejected: list | None = None
) -> str:
    document = {"snapshot_date": snapshot}
    if loaded is not None:
        document["servers_loaded"] = loaded
    if rejected is not None:
        document["rejected"] = [{"line": line, "reason": reason} for line, reason in rejected]
    return render.json_text({**document, "findings": [asdict(f) for f in findings]})


def findings_csv(findings: list[Finding]) -> str:
    return render.csv_text(CSV_COLUMNS, findings)


def print_findings(findings: list[Finding], summary: str, console: Console | None = None) -> None:
    console = console or Console(width=160)
    console.print(summary, soft_wrap=True)
    if findings:
        render.table(TABLE_COLUMNS, findings, "The estate against the CMDB", console=console)
