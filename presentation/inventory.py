"""`councilops load inventory` output: the reconciliation findings as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, fields
from datetime import date

from rich.console import Console

from application.inventory import Finding
from presentation.tables import text_table

COLUMNS = tuple(f.name for f in fields(Finding))


def findings_json(snapshot: date, findings: list[Finding]) -> str:
    return json.dumps(
        {"snapshot_date": snapshot.isoformat(), "findings": [asdict(f) for f in findings]}, indent=2
    )


def findings_csv(findings: list[Finding]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for finding in findings:
        writer.writerow(asdict(finding))
    return buffer.getvalue()


def print_findings(findings: list[Finding], summary: str, console: Console | None = None) -> None:
    console = console or Console(width=160)
    console.print(summary, soft_wrap=True)
    if not findings:
        return
    table = text_table(
        ("site", "server", "finding", "estate", "CMDB", "CMDB line"),
        left=("site", "server", "finding", "estate", "CMDB"),
        title="The estate against the CMDB",
    )
    for f in findings:
        table.add_row(
            f.site_id,
            f.server_id,
            f.finding,
            f.estate_value,
            f.cmdb_value,
            "" if f.cmdb_line is None else str(f.cmdb_line),
        )
    console.print(table)
