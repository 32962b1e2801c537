"""Service levels shown: the JSON of docs/sla.md, the columns of a month's rows, the tables."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.console import Console

from application.service_levels import MonthServiceLevels
from presentation import render
from presentation.formats import duration, local_time, money, money_plain, percent_down, yes_no
from presentation.render import Column, text
from sla import calendar as cal
from sla.month import ContractMonth, CouncilSummary
from sla.response import PROBES


def _fraction(value) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _spans(spans) -> list[dict]:
    return [{"start_utc": cal.iso_utc(a), "end_utc": cal.iso_utc(b), "seconds": b - a} for a, b in spans]


def _percent(value, decimals: int = 3) -> str | None:
    return percent_down(value, decimals) if value is not None else None


def _rpo(rpo) -> dict | None:
    if rpo is None:
        return None
    return {
        "rpo_hours": rpo.rpo_hours,
        "assessed_scheduled_seconds": rpo.assessed_scheduled_seconds,
        "breach_seconds_in_scheduled": rpo.breach_seconds_in_scheduled,
        "compliance_percent": _percent(rpo.compliance),
        "met": rpo.met,
        "jobs_attempted": rpo.jobs.attempted,
        "jobs_succeeded": rpo.jobs.succeeded,
        "job_success_percent": _percent(rpo.jobs.success_rate, 2),
        "datasets": [
            {
                "dataset": d.dataset_id,
                "site": d.site_id,
                "size_gib": d.size_gib,
                "recovery_point_age_at_end_seconds": d.recovery_point_age_at_end_seconds,
                "backup_age_at_end_seconds": d.backup_age_at_end_seconds,
                "breaches": _spans(d.breaches),
                "breach_seconds": sum(b - a for a, b in d.breaches),
                "backup_breaches": _spans(d.backup_breaches),
                "backup_breach_seconds": sum(b - a for a, b in d.backup_breaches),
                "backup_max_age_seconds": d.backup_max_age_seconds,
                "jobs_attempted": d.jobs.attempted,
                "jobs_succeeded": d.jobs.succeeded,
                "jobs_with_warnings": d.jobs.warnings,
                "jobs_failed": d.jobs.failed,
                "job_success_percent": _percent(d.jobs.success_rate, 2),
            }
            for d in rpo.datasets
        ],
        "replication": [
            {
                "dataset": r.dataset_id,
                "from_site": r.from_site_id,
                "to_site": r.to_site_id,
                "max_lag_seconds": r.max_lag_seconds,
                "breaches": _spans(r.breaches),
                "breach_seconds": sum(b - a for a, b in r.breaches),
            }
            for r in rpo.replication
        ],
    }


def contract_month_document(row: ContractMonth) -> dict:
    """One council's month of one service, as docs/sla.md documents it."""
    c, m, s = row.contract, row.measure, row.schedule
    return {
        "council": row.council_id,
        "service": row.service_id,
        "service_name": row.service_name,
        "month": row.month,
        "period_start_utc": cal.iso_utc(row.period.start),
        "period_end_utc": cal.iso_utc(row.period.end),
        "month_complete": row.month_complete,
        "month_scheduled_seconds": row.month_scheduled_seconds,
        "status": row.status,
        "contract": None
        if c is None
        else {
            "effective_from": c.effective_from,
            "service_hours": str(c.service_hours),
            "bank_holidays": c.bank_holidays,
            "maintenance_windows": [str(w) for w in c.maintenance_windows],
            "availability_target_percent": str(c.availability_target_percent),
            "unmonitored_policy": c.unmonitored_policy,
            "rpo_hours": c.rpo_hours,
            "rto_hours": c.rto_hours,
            "response_time_target_seconds": c.response_time_target_seconds,
            "monthly_charge_gbp": money_plain(c.monthly_charge_gbp),
        },
        "sites": list(row.sites),
        "service_hours_seconds": sum(b - a for a, b in s.service_hours) if s else None,
        "maintenance_seconds": s.maintenance_seconds if s else None,
        "maintenance_windows": _spans(s.maintenance) if s else [],
        "bank_holidays": [d.isoformat() for d in row.bank_holidays],
        "scheduled_seconds": m.scheduled_seconds if m else None,
        "up_seconds": m.up_seconds if m else None,
        "degraded_seconds": m.degraded_seconds if m else None,
        "down_seconds": m.down_seconds if m else None,
        "unmonitored_seconds": m.unmonitored_seconds if m else None,
        "unmonitored_by_cause": m.unmonitored_by_cause if m else {},
        "counted_up_seconds": m.counted_up_seconds if m else None,
        "counted_down_seconds": m.counted_down_seconds if m else None,
        "measured_seconds": m.measured_seconds if m else None,
        "availability_percent": _percent(row.availability),
        "availability_fraction": _fraction(row.availability),
        "target_percent": str(c.availability_target_percent) if c else None,
        "met": row.met,
        "outage_count": len(row.outages),
        "longest_outage_seconds": row.longest_outage_seconds,
        "outages": [
            {
                "start_utc": cal.iso_utc(o.start),
                "end_utc": cal.iso_utc(o.end),
                "seconds": o.seconds,
                "seconds_in_scheduled_time": o.seconds_in_scheduled,
                "seconds_in_maintenance": o.seconds_in_maintenance,
                "seconds_outside_service_hours": o.seconds_outside_service_hours,
                "sites": list(o.sites),
                "continues_from_previous_month": o.continues_before,
                "continues_into_next_month": o.continues_after,
            }
            for o in row.outages
        ],
        "resilience_lost": [
            {
                "start_utc": cal.iso_utc(a),
                "end_utc": cal.iso_utc(b),
                "seconds": b - a,
                "sites_down": list(sites),
            }
            for a, b, sites in row.resilience_lost
        ],
        "error_budget": {
            b.window: {
                "label": b.label,
                "scheduled_seconds": b.scheduled_seconds,
                **({"counted_seconds": b.counted_seconds} if hasattr(b, "counted_seconds") else {}),
                "allowed_down_seconds": float(b.allowed_down_seconds),
                "down_seconds": b.down_seconds,
                "left_seconds": float(b.left_seconds),
                "burn_rate": None if b.burn_rate is None else round(float(b.burn_rate), 4),
            }
            for b in row.budgets
        },
        "rpo": _rpo(row.rpo),
        "response_time": None
        if row.response is None
        else {
            "target_seconds": row.response.target_seconds,
            "p95_seconds": row.response.p95_seconds,
            "met": row.response.met,
            "resolution": row.response.resolution,
            # how many probes the p95 is of; at the old resolution, the hourly intervals weighed
            "probes": row.response.counted if row.response.resolution == PROBES else None,
            "intervals": row.response.counted if row.response.resolution != PROBES else None,
        },
        "rto": None
        if row.rto is None
        else {
            "rto_hours": row.rto.rto_hours,
            "latest_dr_test": None if row.rto.latest_dr_test is None else row.rto.latest_dr_test.isoformat(),
            "evidence": [vars(e) for e in row.rto.evidence],
            "met": row.rto.met,
        },
        "credit_percent": str(row.credit_percent),
        "credit_gbp": str(row.credit_gbp),
    }


def council_summary_document(summary: CouncilSummary) -> dict:
    return {
        "council": summary.council_id,
        "month": summary.month,
        "services_with_contract": summary.services_total,
        "services_measured": summary.services_measured,
        "services_met": summary.services_met,
        "month_complete": summary.month_complete,
        "headline": summary.headline,
        "time_weighted_availability_percent": _percent(summary.time_weighted_availability),
        "credit_gbp": str(summary.credit_gbp),
    }


def month_document(report: MonthServiceLevels) -> dict:
    return {
        "month": report.month,
        "as_of_utc": report.as_of_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "rules": "docs/sla.md",
        "provenance": report.provenance.document(),
        "councils": [council_summary_document(c) for c in report.councils],
        "services": [contract_month_document(r) for r in report.rows],
    }


def _budget_left(row: ContractMonth):
    month = next((b for b in row.budgets if b.window == "month"), None)
    return None if month is None else month.left_seconds


def _outages_text(row: ContractMonth) -> str:
    return "; ".join(
        f"{cal.iso_utc(o.start)}/{cal.iso_utc(o.end)} {o.seconds_in_scheduled}s in scheduled time at {'+'.join(o.sites)}"
        for o in row.outages
    )


def _m(attribute: str):
    return lambda row: None if row.measure is None else getattr(row.measure, attribute)


def _available(row: ContractMonth) -> bool:
    return row.status not in ("no-contract", "not-in-service", "not-begun")


# The columns of a month's rows: CSV carries the machine values, the table the shown ones.
CSV_COLUMNS = (
    text("council", lambda r: r.council_id),
    text("service", lambda r: r.service_id),
    text("month", lambda r: r.month),
    text("status", lambda r: r.status),
    Column("scheduled_seconds", "seconds", _m("scheduled_seconds"), duration),
    Column("up_seconds", "seconds", _m("up_seconds"), duration),
    Column("degraded_seconds", "seconds", _m("degraded_seconds"), duration),
    Column("down_seconds", "seconds", _m("down_seconds"), duration),
    Column("unmonitored_seconds", "seconds", _m("unmonitored_seconds"), duration),
    text("unmonitored_policy", lambda r: r.contract.unmonitored_policy if r.contract else None),
    Column("availability_percent", "percent", lambda r: _percent(r.availability)),
    Column(
        "target_percent", "percent", lambda r: r.contract.availability_target_percent if r.contract else None
    ),
    Column("met", "", lambda r: r.met, yes_no, "center"),
    Column("error_budget_left_seconds", "seconds", lambda r: _float(_budget_left(r)), duration),
    Column("outage_count", "", lambda r: len(r.outages)),
    Column("longest_outage_seconds", "seconds", lambda r: r.longest_outage_seconds, duration),
    text("outages", _outages_text),
    Column("rpo_compliance_percent", "percent", lambda r: _percent(r.rpo.compliance) if r.rpo else None),
    Column("response_p95_seconds", "seconds", lambda r: r.response.p95_seconds if r.response else None),
    Column("response_target_seconds", "seconds", lambda r: r.response.target_seconds if r.response else None),
    text("response_resolution", lambda r: r.response.resolution if r.response else None),
    Column("credit_percent", "percent", lambda r: r.credit_percent),
    Column("credit_gbp", "GBP", lambda r: r.credit_gbp, money),
)


def _float(value):
    return None if value is None else float(value)


def _met_text(row) -> str:
    """yes/no for a month that is over; "so far" while it is in progress, whose figures are to date."""
    shown = yes_no(row.met)
    return f"{shown} so far" if row.met is not None and not row.month_complete else shown


def _response_text(response) -> str:
    """The p95, with the target beside it when it was missed (the met column is availability's);
    a month before probes were kept says its figure is the old rule's, on hourly p95s."""
    if response is None or response.p95_seconds is None:
        return ""
    text = f"{response.p95_seconds:.2f}"
    if response.met is False:
        text += f" > {response.target_seconds:g}"
    return text + ("" if response.resolution == PROBES else " (hourly)")


TABLE_COLUMNS = (
    text("service", lambda r: r.service_id),
    Column("scheduled", "seconds", _m("scheduled_seconds"), duration),
    Column("up", "seconds", _m("up_seconds"), duration),
    Column("down", "seconds", _m("down_seconds"), duration),
    Column(
        "unmonitored",
        "seconds",
        lambda r: r,
        lambda r: (
            ""
            if r.measure is None
            else duration(r.measure.unmonitored_seconds)
            + (f" ({r.contract.unmonitored_policy})" if r.measure.unmonitored_seconds else "")
        ),
    ),
    Column("availability %", "percent", lambda r: _percent(r.availability), lambda v: v or "n/a"),
    Column("target %", "percent", lambda r: r.contract.availability_target_percent if r.contract else None),
    Column("met", "", lambda r: r, _met_text, "center"),
    Column("budget left", "seconds", lambda r: _budget_left(r), duration),
    Column("outages", "", lambda r: len(r.outages)),
    Column("RPO %", "percent", lambda r: _percent(r.rpo.compliance) if r.rpo else None),
    Column(
        "p95 s",
        "seconds",
        lambda r: r.response,
        _response_text,
    ),
    Column("credit £", "GBP", lambda r: r.credit_gbp, lambda v: money(v, symbol=False)),
)


def as_json(report: MonthServiceLevels) -> str:
    return render.json_text(month_document(report))


def as_csv(report: MonthServiceLevels) -> str:
    return render.csv_text(CSV_COLUMNS, report.rows)


def print_table(report: MonthServiceLevels, console: Console | None = None) -> None:
    console = console or render.default_console()
    tz = ZoneInfo(report.time_zone)
    in_progress = any(not r.month_complete for r in report.rows)
    console.print(
        f"Service levels for {report.month}{', month in progress' if in_progress else ''} (evaluated to "
        f"{local_time(report.as_of_utc, tz)}; times in {report.time_zone}; rules: docs/sla.md)"
    )
    for council in report.councils:
        rows = [r for r in report.rows if r.council_id == council.council_id]
        title = (
            f"{council.council_id}: {council.headline}; time-weighted "
            f"{_percent(council.time_weighted_availability) or 'n/a'} %; credit due {money(council.credit_gbp)}"
        )
        table = render.table(TABLE_COLUMNS, [], title)
        for row in rows:
            if not _available(row):
                table.add_row(row.service_id, row.status, *[""] * (len(TABLE_COLUMNS) - 2))
            else:
                table.add_row(*(column.text(row) for column in TABLE_COLUMNS))
        console.print(table)
        for row in rows:
            for o in row.outages:
                console.print(
                    f"  outage {row.service_id}: {local_time(o.start_utc, tz)} to {local_time(o.end_utc, tz)} "
                    f"({duration(o.seconds)}: {duration(o.seconds_in_scheduled)} in scheduled time, "
                    f"{duration(o.seconds_in_maintenance)} in maintenance, "
                    f"{duration(o.seconds_outside_service_hours)} outside service hours) at {', '.join(o.sites)}"
                    + ("; began in the previous month" if o.continues_before else "")
                    + ("; continues into the next month" if o.continues_after else "")
                )


# --- the detail of each row: every table the JSON has, for the terminal ----------------------

BUDGET_COLUMNS = (
    text("window", lambda b: b.window.replace("_", " ")),
    text("period", lambda b: b.label),
    Column("counted", "seconds", lambda b: b.counted_seconds, duration),
    Column("allowed down", "seconds", lambda b: b.allowed_down_seconds, duration),
    Column("down", "seconds", lambda b: b.down_seconds, duration),
    Column("left", "seconds", lambda b: b.left_seconds, duration),
    Column("burn rate", "", lambda b: b.burn_rate, lambda v: "" if v is None else f"{float(v):.2f}"),
)

DATASET_COLUMNS = (
    text("dataset", lambda d: d.dataset_id),
    text("site", lambda d: d.site_id),
    Column("size GiB", "GiB", lambda d: d.size_gib, lambda v: "" if v is None else f"{v:,.0f}"),
    Column("recovery point age at end", "seconds", lambda d: d.recovery_point_age_at_end_seconds, duration),
    Column("breached", "seconds", lambda d: sum(b - a for a, b in d.breaches), duration),
    Column("backup age at end", "seconds", lambda d: d.backup_age_at_end_seconds, duration),
    Column(
        "backup chain over its limit", "seconds", lambda d: sum(b - a for a, b in d.backup_breaches), duration
    ),
    Column("jobs ok / tried", "", lambda d: d.jobs, lambda j: f"{j.succeeded} / {j.attempted}"),
)

REPLICATION_COLUMNS = (
    text("dataset", lambda r: r.dataset_id),
    text("from", lambda r: r.from_site_id),
    text("to", lambda r: r.to_site_id),
    Column("max lag", "seconds", lambda r: r.max_lag_seconds, duration),
    Column("lag over the RPO", "seconds", lambda r: sum(b - a for a, b in r.breaches), duration),
)


def print_detail(report: MonthServiceLevels, console: Console | None = None) -> None:
    """Each measured row's error budgets, maintenance, resilience lost, recovery points,
    replication and RTO evidence: what `--format json` carries, as a person reads it."""
    console = console or render.default_console()
    tz = ZoneInfo(report.time_zone)

    def local(seconds: int) -> str:
        return local_time(cal.from_utc_seconds(seconds), tz)

    for row in report.rows:
        if row.measure is None:
            continue
        console.print(f"\n{row.council_id} / {row.service_id} ({row.service_name}), {row.month}")
        render.table(BUDGET_COLUMNS, row.budgets, "Error budget (on counted time)", console=console)
        if row.schedule and row.schedule.maintenance:
            spans = ", ".join(f"{local(a)} to {local(b)}" for a, b in row.schedule.maintenance)
            console.print(f"  maintenance in service hours: {spans}")
        if row.measure.unmonitored_by_cause:
            causes = ", ".join(
                f"{c} {duration(s)}" for c, s in sorted(row.measure.unmonitored_by_cause.items())
            )
            console.print(f"  unmonitored ({row.contract.unmonitored_policy}): {causes}")
        for a, b, sites in row.resilience_lost:
            console.print(
                f"  resilience lost: {local(a)} to {local(b)} ({duration(b - a)}), down at {', '.join(sites)}"
            )
        if row.rpo is not None:
            title = (
                f"Recovery point (RPO {row.rpo.rpo_hours:g} h): compliance "
                f"{_percent(row.rpo.compliance) or 'n/a'} % of {duration(row.rpo.assessed_scheduled_seconds)} assessed"
            )
            render.table(DATASET_COLUMNS, row.rpo.datasets, title, console=console)
            if row.rpo.replication:
                render.table(REPLICATION_COLUMNS, row.rpo.replication, "Replication", console=console)
        if row.rto is not None:
            for e in row.rto.evidence:
                console.print(
                    f"  RTO {row.rto.rto_hours:g} h, {e.kind} {e.when}: recovered in {duration(e.recovery_seconds)}, "
                    f"{'within the RTO' if e.passed else 'NOT within the RTO'}"
                    + (f" ({e.detail})" if e.detail else "")
                )
