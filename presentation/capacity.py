"""Capacity answers shown: the JSON of docs/capacity.md, tables and CSV."""

from __future__ import annotations

import json
from datetime import date, timedelta

from rich.console import Console

from application.consolidation import ConsolidationReport
from application.profile import UtilisationProfile
from application.site_loss import SiteLossReport
from application.timeleft import TimeLeftReport
from application.underuse import UnderuseReport
from capacity.consolidation import SitePlan
from capacity.profile import Profile
from capacity.siteloss import SiteLoss
from capacity.timeleft import Projection
from capacity.underuse import Finding, MetricStats
from presentation import render
from presentation.formats import money, money_plain, number, utc_iso, yes_no
from presentation.render import Column, text


def _r(value, places: int = 3):
    return None if value is None else round(value, places)


def _day(value) -> str | None:
    return None if value is None else value.isoformat()


def _stats(s: MetricStats | None) -> dict | None:
    return None if s is None else {k: _r(v) if isinstance(v, float) else v for k, v in vars(s).items()}


def finding_document(f: Finding) -> dict:
    return {
        "kind": f.kind,
        "server": f.server_id,
        "site": f.site_id,
        "role": f.role,
        "services": list(f.services),
        "annual_cost_gbp": money_plain(f.annual_cost_gbp),
        "cpu": _stats(f.cpu),
        "memory": _stats(f.memory),
        "network": _stats(f.network),
        "peak_13_months_cpu_percent": _r(f.peak_13_months_cpu_percent),
        "busiest_month": f.busiest_month,
        "busiest_month_p95_daily_mean_cpu_percent": _r(f.busiest_month_p95_daily_mean_cpu),
        "daily_cpu_peaks": [[day, _r(value)] for day, value in f.daily_cpu_peaks],
    }


def projection_document(p: Projection) -> dict:
    return {
        "method": p.method,
        "as_of": p.today.isoformat(),
        "capacity": _r(p.capacity),
        "usable": _r(p.usable),
        "peak_last_30_days": _r(p.peak_recent),
        "peak_last_30_days_percent_of_capacity": _r(100 * p.peak_recent / p.capacity, 2)
        if p.capacity
        else None,
        "growth_per_year": _r(p.growth_per_year),
        "band": _r(p.band),
        "over_ceiling_since": _day(p.over_since),
        "crossing_central": _day(p.crossing_central),
        "crossing_conservative": _day(p.crossing_conservative),
        "days_remaining": p.days_remaining,
        "forecast": [[d.isoformat(), _r(c), _r(u)] for d, c, u in p.forecast],
    }


def site_loss_check_document(c: SiteLoss) -> dict:
    return {
        "if_lost": c.lost,
        "survivor": c.survivor,
        "pool": c.pool,
        "usable": _r(c.usable),
        "combined_peak": _r(c.combined_peak),
        "headroom": _r(c.headroom),
        "fits": c.fits,
        "fits_by_criticality": dict(c.fits_by_criticality),
        "peak_by_criticality": {name: _r(peak) for name, peak in c.peak_by_criticality},
        "critical_peak_a_year_on": None
        if c.critical_peak_a_year_on is None
        else _r(c.critical_peak_a_year_on),
        "critical_stops_fitting_on": None
        if c.critical_stops_fitting_on is None
        else c.critical_stops_fitting_on.isoformat(),
        "would_not_fit": [
            {"service": n.service, "criticality": n.criticality, "needs": _r(n.needs)} for n in c.short
        ],
        "lost_with_site": list(c.lost_with_site),
    }


def site_plan_document(p: SitePlan) -> dict:
    return {
        "site": p.site,
        "hosts_now": p.hosts_now,
        "hosts_packed": p.hosts_packed,
        "hosts_kept_for_site_loss": p.kept_for_site_loss,
        "hosts_needed": p.hosts_needed,
        "hosts_freed": p.hosts_freed,
        "hosts_short": p.hosts_short,
        "saving_gbp_a_year": money_plain(p.saving_gbp),
        "host_usable_cores": _r(p.host_cpu_usable),
        "host_usable_memory_gib": _r(p.host_memory_usable),
        "hosts": [
            {
                "host": h.number,
                "workloads": h.workloads,
                "cpu_cores_used": _r(p.host_cpu_usable - h.cpu_free),
                "memory_gib_used": _r(p.host_memory_usable - h.memory_free),
                "oversized_workload": h.oversized,
            }
            for h in p.hosts
        ],
    }


def profile_part_document(p: Profile) -> dict:
    return {
        "hours": p.hours,
        **{k: _r(v) for k, v in p.percentiles.items()},
        "max": _r(p.maximum),
        "hour_of_week_mean": [_r(v) for v in p.hour_of_week_mean],
        "daily_peaks": [[d, _r(v)] for d, v in p.daily_peaks],
    }


def underuse_document(report: UnderuseReport) -> dict:
    found = report.findings
    return {
        "as_of_utc": utc_iso(report.as_of_utc),
        "lookback_days": report.lookback_days,
        "rules": "docs/capacity.md",
        "provenance": report.provenance.document(),
        "under_used": [finding_document(f) for f in found if f.kind == "under-used"],
        "possibly_unused": [finding_document(f) for f in found if f.kind == "possibly-unused"],
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
            {"site": p.site_id, "pool": p.pool, "unit": p.unit, **projection_document(p.projection)}
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
        "measured_hours": report.measured_hours,
        "window_hours": report.window_hours,
        "checks": [site_loss_check_document(c) for c in report.checks],
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
        "measured_servers": report.measured_servers,
        "unmeasured_servers": list(report.unmeasured_servers),
        "hosts_now": report.hosts_now,
        "hosts_needed": report.hosts_needed,
        "hosts_freed": report.hosts_freed,
        "saving_gbp_a_year": money_plain(report.saving_gbp_a_year),
        "hosts_needed_at_allocated_size": report.hosts_needed_at_allocated_size,
        "hosts_short": report.hosts_short,
        "hosts_avoided_by_right_sizing": report.hosts_avoided_by_right_sizing,
        "findings": list(report.findings),
        "sites": [site_plan_document(p) for p in report.plans],
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
            "all_hours": profile_part_document(r.all_hours),
            "service_hours": None if r.service_hours is None else profile_part_document(r.service_hours),
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


def _r3(value):
    return None if value is None else round(value, 3)


def _money_text(value) -> str:
    return money(value, symbol=False)


# under-use: CSV with the JSON's field names and figures, the table as a planner reads it
UNDERUSE_CSV_COLUMNS = (
    text("kind", lambda f: f.kind),
    text("server", lambda f: f.server_id),
    text("site", lambda f: f.site_id),
    text("role", lambda f: f.role),
    text("services", lambda f: f.services),
    Column("annual_cost_gbp", "GBP", lambda f: money_plain(f.annual_cost_gbp), lambda v: v or ""),
    Column("cpu_p50", "percent", lambda f: _r3(f.cpu.p50)),
    Column("cpu_p95", "percent", lambda f: _r3(f.cpu.p95)),
    Column("cpu_p99", "percent", lambda f: _r3(f.cpu.p99)),
    Column("cpu_max_peak", "percent", lambda f: _r3(f.cpu.max_peak)),
    Column("memory_p95", "percent", lambda f: _r3(f.memory.p95)),
    Column("network_p95_mbps", "Mb/s", lambda f: None if f.network is None else _r3(f.network.p95)),
    Column("peak_13_months_cpu_percent", "percent", lambda f: _r3(f.peak_13_months_cpu_percent)),
    text("busiest_month", lambda f: f.busiest_month),
)


def _one_decimal(value) -> str:
    return "" if value is None else f"{value:.1f}"


UNDERUSE_TABLE_COLUMNS = (
    text("server", lambda f: f.server_id),
    text("site", lambda f: f.site_id),
    text("role", lambda f: f.role),
    text("services", lambda f: ", ".join(f.services)),
    Column("£ a year", "GBP", lambda f: f.annual_cost_gbp, _money_text),
    Column("CPU p95 %", "percent", lambda f: f.cpu.p95, _one_decimal),
    Column("CPU p99 %", "percent", lambda f: f.cpu.p99, _one_decimal),
    Column("mem p95 %", "percent", lambda f: f.memory.p95, _one_decimal),
    Column("net p95 Mb/s", "Mb/s", lambda f: None if f.network is None else f.network.p95, number),
    Column("13-month peak %", "percent", lambda f: f.peak_13_months_cpu_percent, _one_decimal),
)


def underuse_csv(report: UnderuseReport) -> str:
    ordered = [f for f in report.findings if f.kind == "under-used"] + [
        f for f in report.findings if f.kind == "possibly-unused"
    ]
    return render.csv_text(UNDERUSE_CSV_COLUMNS, ordered)


SPARK_BARS = "▁▂▃▄▅▆▇█"
SPARK_GAP = "·"  # a day with no measurement


def spark(peaks: list[tuple[str, float]]) -> str:
    """Daily CPU peaks (percent) as a sparkline, a character for every day from the first to the
    last (a day without a measurement is a dot), on 0-100 %: the whole look-back is shown, not a
    week to a character, and on the same scale for every server, so an idle one reads as flat
    and low and one busy day among quiet ones stands out."""
    if not peaks:
        return ""
    by_day = {date.fromisoformat(day): value for day, value in peaks}
    first, last = min(by_day), max(by_day)
    out = []
    for k in range((last - first).days + 1):
        value = by_day.get(first + timedelta(days=k))
        out.append(SPARK_GAP if value is None else SPARK_BARS[max(0, min(7, int(8 * value / 100)))])
    return "".join(out)


def print_underuse(report: UnderuseReport, console: Console | None = None) -> None:
    console = console or render.default_console()
    console.print(
        f"Under-used servers over the {report.lookback_days} days to {utc_iso(report.as_of_utc)} "
        "(rules: docs/capacity.md)"
    )
    for kind, title in (("under-used", "Under-used"), ("possibly-unused", "Possibly unused")):
        findings = [f for f in report.findings if f.kind == kind]
        cost = money(report.annual_cost_gbp(kind))
        render.table(
            UNDERUSE_TABLE_COLUMNS,
            findings,
            f"{title}: {len(findings)} servers, {cost} a year",
            console=console,
        )
        if findings:
            width = max(len(f.server_id) for f in findings)
            console.print(f"Daily CPU peaks, a character a day on 0-100 % ({SPARK_GAP} not measured):")
            for f in findings:
                highest = max((v for _, v in f.daily_cpu_peaks), default=0.0)
                console.print(
                    f"  {f.server_id:<{width}}  {spark(list(f.daily_cpu_peaks))}  (highest {highest:.1f} %)"
                )


def _beyond(day) -> str:
    return "beyond 3 years" if day is None else day.isoformat()


def _crosses_conservative(projection) -> str:
    if projection.over_since is not None:
        return f"already over since {projection.over_since.isoformat()}"
    return _beyond(projection.crossing_conservative)


def _crosses_central(projection) -> str:
    return "already over" if projection.over_since is not None else _beyond(projection.crossing_central)


TIMELEFT_COLUMNS = (
    text("site", lambda p: p.site_id),
    text("pool", lambda p: p.pool),
    Column("capacity", "", lambda p: p, lambda p: f"{p.projection.capacity:,.0f} {p.unit}"),
    Column("usable", "", lambda p: p, lambda p: f"{p.projection.usable:,.0f} {p.unit}"),
    Column(
        "peak, last 30 days",
        "",
        lambda p: p.projection,
        lambda j: (
            f"{j.peak_recent:,.0f} ({round(100 * j.peak_recent / j.capacity, 2) if j.capacity else ''} %)"
        ),
    ),
    Column("growth a year", "", lambda p: p.projection.growth_per_year, lambda v: f"{v:+,.0f}"),
    Column("band", "", lambda p: p.projection.band, lambda v: f"±{v:,.0f}"),
    text("method", lambda p: p.projection.method),
    Column("crosses (conservative)", "date", lambda p: p.projection, _crosses_conservative),
    Column("crosses (central)", "date", lambda p: p.projection, _crosses_central),
    Column("days left", "days", lambda p: p.projection.days_remaining),
)


def print_timeleft(report: TimeLeftReport, console: Console | None = None) -> None:
    console = console or render.default_console()
    title = (
        f"Time remaining to {report.ceiling_percent} % of capacity, as of {utc_iso(report.as_of_utc)} "
        "(rules: docs/capacity.md)"
    )
    render.table(TIMELEFT_COLUMNS, report.pools, title, console=console)
    filling = [s for s in report.storage if s.days_until_full is not None and s.days_until_full < 365]
    if filling:
        console.print("Storage full within a year:")
        for s in filling:
            console.print(
                f"  {s.server_id} ({s.site_id}): {round(s.used_percent, 2)} % used, full in {round(s.days_until_full, 1)} days"
            )


def _left_out(names) -> str:
    return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")


POOL_UNITS = {"cpu": "cores", "memory": "GiB"}

SITE_LOSS_COLUMNS = (
    text("if lost", lambda c: c.lost),
    text("survivor", lambda c: c.survivor),
    text("pool", lambda c: f"{c.pool} ({POOL_UNITS.get(c.pool, '')})"),
    Column("usable", "", lambda c: c.usable, lambda v: f"{v:,.0f}"),
    Column("combined peak", "", lambda c: c.combined_peak, lambda v: f"{v:,.0f}"),
    # the difference of the figures as shown, so the row adds up on screen
    Column("headroom", "", lambda c: round(c.usable) - round(c.combined_peak), lambda v: f"{v:+,}"),
    Column("fits", "", lambda c: c.fits, yes_no, "left"),
    text("critical fits", lambda c: yes_no(dict(c.fits_by_criticality).get("critical"))),
    text(
        "would not fit (by criticality, needs)",
        lambda c: _left_out([f"{n.service} ({n.criticality}, +{n.needs:,.1f})" for n in c.short]),
    ),
    text("lost with the site (no DR site)", lambda c: _left_out(list(c.lost_with_site))),
)


def print_site_loss(answer: SiteLossReport, console: Console | None = None) -> None:
    console = console or render.default_console()
    console.print(
        f"Site-loss check over the {answer.lookback_days} days to {utc_iso(answer.as_of_utc)}, "
        f"usable = {answer.ceiling_percent} % of capacity (rules: docs/capacity.md); utilisation measured "
        f"in {answer.measured_hours:,} of its {answer.window_hours:,} hours"
    )
    if not answer.checks:
        console.print(
            "Too little utilisation was measured in the window: whether a site would fit is not known."
        )
        return
    render.table(SITE_LOSS_COLUMNS, answer.checks, console=console)
    for c in answer.checks:
        on = c.critical_stops_fitting_on
        peak = dict(c.peak_by_criticality).get("critical", 0.0)
        if on is None:
            trend = "on the trend of its daily peaks, they go on fitting for at least three years"
        elif on <= answer.as_of_utc.date():
            trend = f"they have not fitted since {on.isoformat()}"
        else:
            trend = f"on the trend of its daily peaks, they would no longer fit from {on.isoformat()}"
        console.print(
            f"  {c.survivor} without {c.lost}, {c.pool}: critical services peak at {peak:,.0f} of "
            f"{c.usable:,.0f} usable; {trend}"
        )


PLAN_COLUMNS = (
    text("site", lambda p: p.site),
    Column("hosts now", "", lambda p: p.hosts_now),
    Column("packed", "", lambda p: p.hosts_packed),
    Column("kept for site loss", "", lambda p: p.kept_for_site_loss),
    Column("hosts needed", "", lambda p: p.hosts_needed),
    Column("hosts freed", "", lambda p: p.hosts_freed),
    Column("hosts short", "", lambda p: p.hosts_short),
    Column("saving £ a year", "GBP", lambda p: p.saving_gbp, _money_text),
)


def print_consolidation(answer: ConsolidationReport, console: Console | None = None) -> None:
    console = console or render.default_console()
    host = answer.host
    console.print(
        f"Consolidation onto {host.cores}-core, {host.memory_gib:.0f} GiB hosts with {host.headroom_percent} % "
        f"headroom, by p95 demand over {answer.lookback_days} days (rules: docs/capacity.md)"
    )
    if not answer.plans:
        console.print("No utilisation was measured in the window: there is no plan to make.")
        return
    if answer.unmeasured_servers:
        console.print(
            f"{len(answer.unmeasured_servers)} servers with no utilisation measured in the window are packed at "
            f"their allocated size: {_left_out(list(answer.unmeasured_servers))}"
        )
    render.table(PLAN_COLUMNS, answer.plans, console=console)
    for finding in answer.findings:
        console.print(f"Finding: {finding}.")
    for plan in answer.plans:
        if plan.kept_for_site_loss >= plan.hosts_packed and plan.kept_for_site_loss:
            console.print(
                f"{plan.site} keeps {plan.kept_for_site_loss} hosts (its guests pack onto {plan.hosts_packed}): "
                "with fewer, its critical services would not fit, now or on their trend a year on, if the "
                "other site were lost."
            )
    console.print(
        f"Against the {answer.hosts_now} hosts that exist: {answer.hosts_freed} freed "
        f"({money(answer.saving_gbp_a_year)} a year), {answer.hosts_short} short. At allocated size the same "
        f"guests would need {answer.hosts_needed_at_allocated_size} hosts: packing by p95 avoids "
        f"{answer.hosts_avoided_by_right_sizing} (hosts not bought, not a saving against today's). "
        f"Two-site services kept at two sites: {yes_no(answer.two_site_services_kept_at_two_sites)}."
    )


def _percentile(name: str):
    return lambda row: row[1].maximum if name == "max" else row[1].percentiles[name]


PROFILE_COLUMNS = (
    text("resource", lambda row: row[0]),
    text("hours", lambda row: row[2]),
    Column("counted", "hours", lambda row: row[1].hours),
    *(Column(q, "percent", _percentile(q), _one_decimal) for q in ("p50", "p95", "p99", "max")),
)


def print_profile(answer: UtilisationProfile, console: Console | None = None) -> None:
    console = console or render.default_console()
    console.print(
        f"Utilisation of {answer.subject_kind} {answer.subject_id} "
        f"({answer.servers} server{'' if answer.servers == 1 else 's'}), "
        f"{utc_iso(answer.from_utc)} to {utc_iso(answer.to_utc)}, percent of capacity (rules: docs/capacity.md)"
    )
    rows = [
        (r.resource, p, label)
        for r in answer.resources
        for label, p in (("all hours", r.all_hours), ("service hours", r.service_hours))
        if p is not None
    ]
    render.table(PROFILE_COLUMNS, rows, console=console)
    shape = answer.resource("cpu").all_hours.hour_of_week_mean
    bars = " ▁▂▃▄▅▆▇█"
    top = max((v for v in shape if v is not None), default=0) or 1
    console.print("CPU by hour of the week (Mon .. Sun, local time):")
    for day, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
        row = shape[day * 24 : day * 24 + 24]
        console.print(
            f"  {name} " + "".join(" " if v is None else bars[min(8, int(8 * v / top))] for v in row)
        )


def underuse_json(report: UnderuseReport) -> str:
    return _json(underuse_document(report))


HOST_COLUMNS = (
    text("site", lambda row: row[0].site),
    Column("host", "", lambda row: row[1].number),
    Column(
        "cores used", "cores", lambda row: row[0].host_cpu_usable - row[1].cpu_free, lambda v: f"{v:,.1f}"
    ),
    Column(
        "GiB used", "GiB", lambda row: row[0].host_memory_usable - row[1].memory_free, lambda v: f"{v:,.1f}"
    ),
    text("oversized", lambda row: "yes" if row[1].oversized else ""),
    text("workloads", lambda row: ", ".join(row[1].workloads)),
)

NOT_LISTED_COLUMNS = (
    text("server", lambda v: v.server_id),
    text("why it is not listed", lambda v: v.reason),
)


def print_consolidation_detail(answer: ConsolidationReport, console: Console | None = None) -> None:
    """Each planned host and the workloads packed onto it."""
    rows = [(plan, host) for plan in answer.plans for host in plan.hosts]
    render.table(HOST_COLUMNS, rows, "The plan, host by host", console=console or render.default_console())


def print_underuse_detail(report: UnderuseReport, console: Console | None = None) -> None:
    """Every server judged and not listed, with the reason."""
    kept = [v for v in report.verdicts if v.finding is None]
    render.table(NOT_LISTED_COLUMNS, kept, "Not listed", console=console or render.default_console())
