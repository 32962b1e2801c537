"""`councilops sla` output: a table per council, JSON (documented in docs/sla.md) or CSV."""

from __future__ import annotations

import csv
import io
import json

from rich.console import Console
from rich.table import Table

from application.service_levels import MonthReport

CSV_COLUMNS = (
    "council",
    "service",
    "month",
    "status",
    "scheduled_seconds",
    "up_seconds",
    "degraded_seconds",
    "down_seconds",
    "unmonitored_seconds",
    "unmonitored_policy",
    "availability_percent",
    "target_percent",
    "met",
    "error_budget_left_seconds",
    "outage_count",
    "longest_outage_seconds",
    "outages",
    "rpo_compliance_percent",
    "response_p95_seconds",
    "response_target_seconds",
    "credit_percent",
    "credit_gbp",
)


def _flat(row: dict) -> dict:
    contract = row["contract"] or {}
    budget = row["error_budget"].get("month")
    return {
        "council": row["council"],
        "service": row["service"],
        "month": row["month"],
        "status": row["status"],
        "scheduled_seconds": row["scheduled_seconds"],
        "up_seconds": row["up_seconds"],
        "degraded_seconds": row["degraded_seconds"],
        "down_seconds": row["down_seconds"],
        "unmonitored_seconds": row["unmonitored_seconds"],
        "unmonitored_policy": contract.get("unmonitored_policy"),
        "availability_percent": row["availability_percent"],
        "target_percent": row["target_percent"],
        "met": row["met"],
        "error_budget_left_seconds": None if budget is None else budget["left_seconds"],
        "outage_count": row["outage_count"],
        "longest_outage_seconds": row["longest_outage_seconds"],
        "outages": "; ".join(
            f"{o['start_utc']}/{o['end_utc']} {o['seconds_in_service_hours']}s in hours at {'+'.join(o['sites'])}"
            for o in row["outages"]
        ),
        "rpo_compliance_percent": (row["rpo"] or {}).get("compliance_percent"),
        "response_p95_seconds": (row["response_time"] or {}).get("p95_seconds"),
        "response_target_seconds": (row["response_time"] or {}).get("target_seconds"),
        "credit_percent": row["credit_percent"],
        "credit_gbp": row["credit_gbp"],
    }


def as_json(report: MonthReport) -> str:
    return json.dumps(report.as_dict(), indent=2)


def as_csv(report: MonthReport) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in report.as_dict()["services"]:
        writer.writerow({k: "" if v is None else v for k, v in _flat(row).items()})
    return buffer.getvalue()


def _duration(seconds: int | float | None) -> str:
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else ""
    seconds = abs(int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


def print_table(report: MonthReport, console: Console | None = None) -> None:
    console = console or Console(width=200)
    data = report.as_dict()
    console.print(
        f"Service levels for {data['month']} (evaluated to {data['as_of_utc']}; rules: docs/sla.md)"
    )
    for council in data["councils"]:
        rows = [r for r in data["services"] if r["council"] == council["council"]]
        title = (
            f"{council['council']}: {council['headline']}; time-weighted "
            f"{council['time_weighted_availability_percent'] or 'n/a'} %; credit due £{council['credit_gbp']}"
        )
        table = Table(title=title, title_justify="left")
        for name, justify in (
            ("service", "left"),
            ("scheduled", "right"),
            ("up", "right"),
            ("down", "right"),
            ("unmonitored", "right"),
            ("availability %", "right"),
            ("target %", "right"),
            ("met", "center"),
            ("budget left", "right"),
            ("outages", "right"),
            ("RPO %", "right"),
            ("p95 s", "right"),
            ("credit £", "right"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for row in rows:
            flat = _flat(row)
            if row["status"] in ("no-contract", "not-in-service"):
                table.add_row(row["service"], row["status"], *[""] * 11)
                continue
            met = {True: "yes", False: "NO", None: "n/a"}[row["met"]]
            table.add_row(
                row["service"],
                _duration(row["scheduled_seconds"]),
                _duration(row["up_seconds"]),
                _duration(row["down_seconds"]),
                _duration(row["unmonitored_seconds"])
                + (f" ({flat['unmonitored_policy']})" if row["unmonitored_seconds"] else ""),
                row["availability_percent"] or "n/a",
                row["target_percent"],
                met,
                _duration(flat["error_budget_left_seconds"]),
                str(row["outage_count"]),
                flat["rpo_compliance_percent"] or "",
                "" if flat["response_p95_seconds"] is None else f"{flat['response_p95_seconds']:.2f}",
                row["credit_gbp"],
            )
        console.print(table)
        for row in rows:
            for outage in row["outages"]:
                console.print(
                    f"  outage {row['service']}: {outage['start_utc']} to {outage['end_utc']} "
                    f"({_duration(outage['seconds'])}; {_duration(outage['seconds_in_service_hours'])} in service hours, "
                    f"{_duration(outage['seconds_in_maintenance'])} in maintenance) at {', '.join(outage['sites'])}"
                )
