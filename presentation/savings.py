"""`councilops savings` output: tables, JSON, CSV."""

from __future__ import annotations

import csv
import io

from rich.console import Console

from application.savings import SavingsReport
from presentation.tables import text_table

YEAR_COLUMNS = (
    "financial_year",
    "measured_days",
    "baseline_cashable_gbp",
    "baseline_non_cashable_gbp",
    "actual_cashable_gbp",
    "actual_non_cashable_gbp",
    "saving_cashable_gbp",
    "saving_non_cashable_gbp",
    "investment_gbp",
    "net_saving_gbp",
    "full_year_net_saving_gbp",
    "target_gbp",
    "met",
)


def savings_csv(report: SavingsReport) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=YEAR_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for year in report.as_dict()["years"]:
        writer.writerow({k: "" if year[k] is None else year[k] for k in YEAR_COLUMNS})
    return buffer.getvalue()


def print_savings(report: SavingsReport, console: Console | None = None) -> None:
    console = console or Console(width=200)
    data = report.as_dict()
    console.print(
        f"Savings to {data['as_of_utc']}; shared costs split by {data['shared_cost_split']} (rules: docs/savings.md)"
    )
    table = text_table(
        (
            "year",
            "days",
            "baseline £",
            "actual £",
            "cashable £",
            "non-cashable £",
            "investment £",
            "net £",
            "full year £",
            "target £",
            "met",
        ),
        left=("year",),
    )
    for y in data["years"]:
        table.add_row(
            y["financial_year"],
            str(y["measured_days"]),
            *(
                "" if v is None else v
                for v in (
                    None
                    if y["baseline_cashable_gbp"] is None
                    else f"{float(y['baseline_cashable_gbp']) + float(y['baseline_non_cashable_gbp']):,.2f}",
                    None
                    if y["actual_cashable_gbp"] is None
                    else f"{float(y['actual_cashable_gbp']) + float(y['actual_non_cashable_gbp']):,.2f}",
                    y["saving_cashable_gbp"],
                    y["saving_non_cashable_gbp"],
                    y["investment_gbp"],
                    y["net_saving_gbp"],
                    y["full_year_net_saving_gbp"],
                    y["target_gbp"],
                )
            ),
            {True: "yes", False: "NO", None: "not measured"}[y["met"]],
        )
    console.print(table)
    for row in data["cumulative"]:
        if row["measured"]:
            console.print(
                f"  to {row['financial_year']}: cumulative £{row['cumulative_net_saving_gbp']} against £{row['cumulative_target_gbp']} "
                f"({'on track' if row['on_track'] else 'BEHIND'})"
            )
    stopped = [e for e in data["evidence"] if e["stopped_reporting"]]
    if stopped:
        console.print("Evidence: baseline servers no longer reporting")
        for e in stopped:
            console.print(
                f"  {e['server']} ({e['site']}), £{e['annual_cost_gbp']} a year, silent since {e['since_utc']}"
            )
