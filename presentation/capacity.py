"""Capacity answers shown: the JSON of docs/capacity.md, tables and CSV."""

from __future__ import annotations

import csv
import io
import json

from rich.console import Console

from application.consolidation import ConsolidationReport
from application.profile import UtilisationProfile
from application.site_loss import SiteLossReport
from application.timeleft import TimeLeftReport
from application.underuse import UnderuseReport
from presentation.formats import money_plain, utc_iso, yes_no
from presentation.tables import text_table


def underuse_document(report: UnderuseReport) -> dict:
    found = report.findings
    return {
        "as_of_utc": utc_iso(report.as_of_utc),
        "lookback_days": report.lookback_days,
        "rules": "docs/capacity.md",
        "provenance": report.provenance.document(),
        "under_used": [f.as_dict() for f in found if f.kind == "under-used"],
        "possibly_unused": [f.as_dict() for f in found if f.kind == "possibly-unused"],
        "annual_cost_gbp": {
            "under_used": money_plain(report.annual_cost_gbp("under-used")),
            "possibly_unused": money_plain(report.annual_cost_gbp("possibly-unused")),
        },
        "not_listed": {v.server_id: v.reason for v in report.verdicts if v.finding is None},
    }


def timeleft_document(report: TimeLeftReport) -> dict:
    return {
        "as_of_utc": utc_iso(report.as_of_utc),
        "ceiling_percent": report.ceiling_percent,
        "rules": "docs/capacity.md",
        "provenance": report.provenance.document(),
        "pools": [
            {"site": p.site_id, "pool": p.pool, "unit": p.unit, **p.projection.as_dict()}
            for p in report.pools
        ],
        "storage_days_until_full": [
            {
                "server": s.server_id,
                "site": s.site_id,
                "used_percent": round(s.used_percent, 2),
                "days_until_full": None if s.days_until_full is None else round(s.days_until_full, 1),
            }
            for s in report.storage
        ],
    }


def site_loss_document(report: SiteLossReport) -> dict:
    return {
        "as_of_utc": utc_iso(report.as_of_utc),
        "lookback_days": report.lookback_days,
        "ceiling_percent": report.ceiling_percent,
        "rules": "docs/capacity.md",
        "provenance": report.provenance.document(),
        "checks": [c.as_dict() for c in report.checks],
    }


def consolidation_document(report: ConsolidationReport) -> dict:
    host = report.host
    return {
        "as_of_utc": utc_iso(report.as_of_utc),
        "lookback_days": report.lookback_days,
        "host": {
            "cores": host.cores,
            "memory_gib": host.memory_gib,
            "headroom_percent": host.headroom_percent,
            "annual_cost_gbp": money_plain(host.annual_cost_gbp),
        },
        "rules": "docs/capacity.md",
        "provenance": report.provenance.document(),
        "two_site_services_kept_at_two_sites": report.two_site_services_kept_at_two_sites,
        "hosts_now": report.hosts_now,
        "hosts_needed": report.hosts_needed,
        "hosts_freed": report.hosts_freed,
        "saving_gbp_a_year": money_plain(report.saving_gbp_a_year),
        "hosts_needed_at_allocated_size": report.hosts_needed_at_allocated_size,
        "hosts_freed_by_right_sizing": report.hosts_freed_by_right_sizing,
        "saving_by_right_sizing_gbp_a_year": money_plain(report.saving_by_right_sizing_gbp_a_year),
        "sites": [p.as_dict() for p in report.plans],
    }


def profile_document(report: UtilisationProfile) -> dict:
    document = {
        "subject": {"kind": report.subject_kind, "id": report.subject_id},
        "from_utc": utc_iso(report.from_utc),
        "to_utc": utc_iso(report.to_utc),
        "servers": report.servers,
        "service_hours_from": list(report.service_hours_from),
        "rules": "docs/capacity.md",
        "provenance": report.provenance.document(),
    }
    for r in report.resources:
        document[r.resource] = {
            "unit": "percent of capacity",
            "all_hours": r.all_hours.as_dict(),
            "service_hours": None if r.service_hours is None else r.service_hours.as_dict(),
        }
    return document


def _json(document: dict) -> str:
    return json.dumps(document, indent=2)


def timeleft_json(report: TimeLeftReport) -> str:
    return _json(timeleft_document(report))


def site_loss_json(report: SiteLossReport) -> str:
    return _json(site_loss_document(report))


def consolidation_json(report: ConsolidationReport) -> str:
    return _json(consolidation_document(report))


def profile_json(report: UtilisationProfile) -> str:
    return _json(profile_document(report))


UNDERUSE_CSV_COLUMNS = (
    "kind",
    "server",
    "site",
    "role",
    "services",
    "annual_cost_gbp",
    "cpu_p50",
    "cpu_p95",
    "cpu_p99",
    "cpu_max_peak",
    "memory_p95",
    "network_p95_mbps",
    "peak_13_months_cpu_percent",
    "busiest_month",
)


def _row(finding: dict) -> dict:
    network = finding["network"] or {}
    return {
        "kind": finding["kind"],
        "server": finding["server"],
        "site": finding["site"],
        "role": finding["role"],
        "services": " ".join(finding["services"]),
        "annual_cost_gbp": finding["annual_cost_gbp"],
        "cpu_p50": finding["cpu"]["p50"],
        "cpu_p95": finding["cpu"]["p95"],
        "cpu_p99": finding["cpu"]["p99"],
        "cpu_max_peak": finding["cpu"]["max_peak"],
        "memory_p95": finding["memory"]["p95"],
        "network_p95_mbps": network.get("p95", ""),
        "peak_13_months_cpu_percent": finding["peak_13_months_cpu_percent"],
        "busiest_month": finding["busiest_month"] or "",
    }


def underuse_json(report: UnderuseReport) -> str:
    return _json(underuse_document(report))


def underuse_csv(report: UnderuseReport) -> str:
    data = underuse_document(report)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=UNDERUSE_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for finding in [*data["under_used"], *data["possibly_unused"]]:
        writer.writerow(_row(finding))
    return buffer.getvalue()


def _spark(peaks: list) -> str:
    """Daily CPU peaks as a one-line sparkline, a character a week (the week's highest day)."""
    bars = " ▁▂▃▄▅▆▇█"
    weekly = [max(v for _, v in peaks[i : i + 7]) for i in range(0, len(peaks), 7)]
    top = max(weekly, default=0) or 1
    return "".join(bars[min(8, int(8 * v / top))] for v in weekly)


def print_underuse(report: UnderuseReport, console: Console | None = None) -> None:
    console = console or Console(width=200)
    data = underuse_document(report)
    console.print(
        f"Under-used servers over the {data['lookback_days']} days to {data['as_of_utc']} (rules: docs/capacity.md)"
    )
    for key, title in (("under_used", "Under-used"), ("possibly_unused", "Possibly unused")):
        findings = data[key]
        columns = (
            "server",
            "site",
            "role",
            "services",
            "£ a year",
            "CPU p95 %",
            "CPU p99 %",
            "mem p95 %",
            "net p95 Mb/s",
            "13-month peak %",
            "daily CPU peaks",
        )
        table = text_table(
            columns,
            left=("server", "site", "role", "services", "daily CPU peaks"),
            title=f"{title}: {len(findings)} servers, £{data['annual_cost_gbp'][key]} a year",
        )
        for f in findings:
            network = f["network"] or {}
            table.add_row(
                f["server"],
                f["site"],
                f["role"],
                ", ".join(f["services"]),
                f["annual_cost_gbp"],
                f"{f['cpu']['p95']:.1f}",
                f"{f['cpu']['p99']:.1f}",
                f"{f['memory']['p95']:.1f}",
                "" if not network else f"{network['p95']:.2f}",
                f"{f['peak_13_months_cpu_percent']:.1f}",
                _spark(f["daily_cpu_peaks"]),
            )
        console.print(table)


def print_timeleft(report: TimeLeftReport, console: Console | None = None) -> None:
    console = console or Console(width=200)
    data = timeleft_document(report)
    columns = (
        "site",
        "pool",
        "capacity",
        "usable",
        "peak, last 30 days",
        "growth a year",
        "band",
        "method",
        "crosses (conservative)",
        "crosses (central)",
        "days left",
    )
    title = f"Time remaining to {data['ceiling_percent']} % of capacity, as of {data['as_of_utc']} (rules: docs/capacity.md)"
    table = text_table(columns, left=("site", "pool", "method"), title=title)
    for p in data["pools"]:
        unit = p["unit"]
        table.add_row(
            p["site"],
            p["pool"],
            f"{p['capacity']:,.0f} {unit}",
            f"{p['usable']:,.0f} {unit}",
            f"{p['peak_last_30_days']:,.0f} ({p['peak_last_30_days_percent_of_capacity']} %)",
            f"{p['growth_per_year']:+,.0f}",
            f"±{p['band']:,.0f}",
            p["method"],
            p["crossing_conservative"] or "beyond 3 years",
            p["crossing_central"] or "beyond 3 years",
            "" if p["days_remaining"] is None else str(p["days_remaining"]),
        )
    console.print(table)
    filling = [
        s
        for s in data["storage_days_until_full"]
        if s["days_until_full"] is not None and s["days_until_full"] < 365
    ]
    if filling:
        console.print("Storage full within a year:")
        for s in filling:
            console.print(
                f"  {s['server']} ({s['site']}): {s['used_percent']} % used, full in {s['days_until_full']} days"
            )


def print_site_loss(answer: SiteLossReport, console: Console | None = None) -> None:
    console = console or Console(width=200)
    report = site_loss_document(answer)
    console.print(
        f"Site-loss check over the {report['lookback_days']} days to {report['as_of_utc']}, "
        f"usable = {report['ceiling_percent']} % of capacity (rules: docs/capacity.md)"
    )
    columns = (
        "if lost",
        "survivor",
        "pool",
        "usable",
        "combined peak",
        "headroom",
        "fits",
        "would not fit (by criticality)",
    )
    table = text_table(
        columns, left=("if lost", "survivor", "pool", "fits", "would not fit (by criticality)")
    )
    for c in report["checks"]:
        left_out = c["would_not_fit"]
        shown = ", ".join(left_out[:8]) + (f" and {len(left_out) - 8} more" if len(left_out) > 8 else "")
        table.add_row(
            c["if_lost"],
            c["survivor"],
            c["pool"],
            f"{c['usable']:,.0f}",
            f"{c['combined_peak']:,.0f}",
            f"{c['headroom']:+,.0f}",
            "yes" if c["fits"] else "NO",
            shown,
        )
    console.print(table)


def print_consolidation(answer: ConsolidationReport, console: Console | None = None) -> None:
    console = console or Console(width=200)
    report = consolidation_document(answer)
    host = report["host"]
    console.print(
        f"Consolidation onto {host['cores']}-core, {host['memory_gib']:.0f} GiB hosts with {host['headroom_percent']} % "
        f"headroom, by p95 demand over {report['lookback_days']} days (rules: docs/capacity.md)"
    )
    table = text_table(
        ("site", "hosts now", "hosts needed", "hosts freed", "saving £ a year"), left=("site",)
    )
    for site in report["sites"]:
        table.add_row(
            site["site"],
            str(site["hosts_now"]),
            str(site["hosts_needed"]),
            str(site["hosts_freed"]),
            site["saving_gbp_a_year"],
        )
    console.print(table)
    console.print(
        f"At allocated size the same workloads need {report['hosts_needed_at_allocated_size']} hosts; packing by p95 "
        f"needs {report['hosts_needed']}: {report['hosts_freed_by_right_sizing']} hosts (£{report['saving_by_right_sizing_gbp_a_year']} "
        f"a year) freed by right-sizing. Two-site services kept at two sites: {yes_no(report['two_site_services_kept_at_two_sites'])}."
    )


def print_profile(answer: UtilisationProfile, console: Console | None = None) -> None:
    console = console or Console(width=200)
    report = profile_document(answer)
    subject = report["subject"]
    console.print(
        f"Utilisation of {subject['kind']} {subject['id']} ({report['servers']} servers), "
        f"{report['from_utc']} to {report['to_utc']}, percent of capacity (rules: docs/capacity.md)"
    )
    table = text_table(
        ("resource", "hours", "counted", "p50", "p95", "p99", "max"), left=("resource", "hours")
    )
    for resource in ("cpu", "memory"):
        for label, key in (("all hours", "all_hours"), ("service hours", "service_hours")):
            p = report[resource][key]
            if p is None:
                continue
            table.add_row(
                resource,
                label,
                str(p["hours"]),
                *(f"{p[q]:.1f}" if p[q] is not None else "" for q in ("p50", "p95", "p99", "max")),
            )
    console.print(table)
    shape = report["cpu"]["all_hours"]["hour_of_week_mean"]
    bars = " ▁▂▃▄▅▆▇█"
    top = max((v for v in shape if v is not None), default=0) or 1
    console.print("CPU by hour of the week (Mon .. Sun, local time):")
    for day, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
        row = shape[day * 24 : day * 24 + 24]
        console.print(
            f"  {name} " + "".join(" " if v is None else bars[min(8, int(8 * v / top))] for v in row)
        )
