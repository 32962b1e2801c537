"""Service: one service's month: availability across its sites, each site's lost time
(resilience lost: one site down while the other carried it), the outage timeline, response
time, and the servers behind it with their utilisation. A council viewer sees only their
council's services, and of the servers only those dedicated to their council."""

from __future__ import annotations

from dash import html

from dashboard.access import EVERYONE, NotFound, Page
from dashboard.components import chart, grid, heading, link, month_nav, note, tile, tiles
from dashboard.figures import heatmap
from dashboard.pages import common
from presentation.formats import duration, local_time, number, percent_down
from presentation.month_view import month_state
from presentation.render import Column, text
from sla import calendar as cal
from sla.intervals import intersect, normalise, total

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def layout(viewer, served, month: str | None = None, service: str | None = None, **_):
    visible = viewer.scope.services(served.estate)
    if service is None:
        return html.Div(
            [
                heading("Services", "Choose a service."),
                html.Ul([html.Li(link(s.name, "/service", service=s.id)) for s in visible]),
            ]
        )
    chosen = next((s for s in visible if s.id == service), None)
    if chosen is None:
        raise NotFound(f"service {service}")
    month, months = common.chosen_month(served, month)
    tz = common.zone(served)
    report = served.answers.month(month, viewer.scope)
    rows = [r for r in report.rows if r.service_id == service and r.contract is not None]
    names = {c.id: c.name for c in served.estate.councils}
    parts = [
        heading(
            chosen.name,
            f"{chosen.mode}, {chosen.tenancy}, {chosen.criticality}; sites {', '.join(chosen.sites)}; "
            f"{month} in {report.time_zone}.",
        ),
        month_nav("/service", month, months, service=service),
    ]
    if not rows:
        parts.append(note(f"No contract for {chosen.name} is in force in {month}."))
        return html.Div(parts)
    first = rows[0]
    lost = normalise((a, b) for a, b, _ in first.resilience_lost)
    parts.append(
        tiles(
            [
                tile(
                    "Availability across sites" + (f" ({names[first.council_id]})" if len(rows) > 1 else ""),
                    "n/a" if first.availability is None else percent_down(first.availability, 3),
                    f"target {first.contract.availability_target_percent}%",
                    state=month_state(first),
                ),
                tile("Outages in scheduled time", str(len(first.outages))),
                tile(
                    "Resilience lost (all hours)",
                    duration(total(lost)),
                    "one site down, the other carrying it",
                ),
                tile(
                    "Response p95",
                    "n/a"
                    if first.response is None or first.response.p95_seconds is None
                    else f"{first.response.p95_seconds:.2f} s",
                    "" if first.response is None else f"target {first.response.target_seconds:g} s",
                ),
            ]
        )
    )
    parts.append(_per_site(served, viewer, chosen, first))
    if len(rows) > 1 or viewer.scope.is_provider:
        parts.append(_per_council(rows, names, month, service))
    parts.append(_timeline(first, tz, month, service))
    parts.append(_servers(viewer, served, chosen))
    return html.Div(parts)


def _per_site(served, viewer, service, row):
    """Each site on its own: the availability rule applied to that site's probes alone, within
    the same contract's scheduled time and policy; and, over all hours, the stretches the site
    was down while the other carried the service (resilience lost)."""
    found = served.answers.site_availability(row.month, service.id, viewer.scope)
    measures = found[1] if found else {}
    items = []
    for site in service.sites:
        alone = normalise((a, b) for a, b, sites in row.resilience_lost if site in sites)
        items.append((site, measures.get(site), total(alone)))
    columns = (
        text("site", lambda r: r[0]),
        Column(
            "availability on its own",
            "percent",
            lambda r: (
                None if r[1] is None or r[1].availability is None else percent_down(r[1].availability, 3)
            ),
        ),
        Column(
            "down in scheduled time",
            "seconds",
            lambda r: None if r[1] is None else r[1].down_seconds,
            duration,
        ),
        Column(
            "unmonitored in scheduled time",
            "seconds",
            lambda r: None if r[1] is None else r[1].unmonitored_seconds,
            duration,
        ),
        Column("down while the other site carried it (all hours)", "seconds", lambda r: r[2], duration),
    )
    return html.Section(
        [
            grid(
                "service-sites",
                columns,
                items,
                file_name=f"sites-{service.id}-{row.month}.csv",
                title="Each site",
            ),
            html.P(
                "A site's availability on its own is the rule applied to that site's probes alone, within the "
                f"scheduled time of {served.estate.council(row.council_id).name}'s contract and its unmonitored policy ({row.contract.unmonitored_policy}); "
                "the service is up while any of its sites is, so its availability is never below a site's.",
                className="small text-body-secondary",
            ),
        ]
    )


def _per_council(rows, names, month, service):
    columns = (
        text("council", lambda r: names.get(r.council_id, r.council_id)),
        Column(
            "availability",
            "percent",
            lambda r: None if r.availability is None else percent_down(r.availability, 3),
        ),
        Column("target", "percent", lambda r: r.contract.availability_target_percent),
        text("state", month_state),
        Column(
            "scheduled",
            "seconds",
            lambda r: None if r.measure is None else r.measure.scheduled_seconds,
            duration,
        ),
        Column("down", "seconds", lambda r: None if r.measure is None else r.measure.down_seconds, duration),
    )
    return grid(
        "service-councils",
        columns,
        rows,
        file_name=f"councils-{service}-{month}.csv",
        title="Each council's contract (its own service hours)",
    )


def _timeline(row, tz, month, service):
    scheduled = row.schedule.scheduled if row.schedule else ()
    items = [(o, total(intersect(scheduled, ((o.start, o.end),)))) for o in row.outages]
    columns = (
        text("start", lambda r: local_time(cal.from_utc_seconds(r[0].start), tz)),
        text("end", lambda r: local_time(cal.from_utc_seconds(r[0].end), tz)),
        Column("length", "seconds", lambda r: r[0].seconds, duration),
        Column("in scheduled time", "seconds", lambda r: r[0].seconds_in_scheduled, duration),
        Column("in maintenance", "seconds", lambda r: r[0].seconds_in_maintenance, duration),
        Column("outside service hours", "seconds", lambda r: r[0].seconds_outside_service_hours, duration),
        text("sites", lambda r: ", ".join(r[0].sites)),
    )
    if not items:
        return html.Section(
            [html.H2("Outages", className="h5"), html.P("No outage this month.")], className="mb-4"
        )
    return grid(
        "service-outages", columns, items, file_name=f"outages-{service}-{month}.csv", title="Outages"
    )


def _servers(viewer, served, service):
    servers = [s for s in viewer.scope.servers(served.estate) if service.id in s.services]
    parts = []
    if not servers:
        parts.append(html.H2("Servers behind it", className="h5"))
        parts.append(
            html.P(
                "No server of this service is dedicated to your council."
                if viewer.scope.council_id
                else "No server lists this service."
            )
        )
        return html.Section(parts, className="mb-4")
    profile = (
        served.answers.profile("service", service.id, viewer.scope) if viewer.scope.is_provider else None
    )
    columns = (
        text("server", lambda s: s.id),
        text("site", lambda s: s.site),
        text("role", lambda s: s.role),
        Column("cores", "", lambda s: s.cores),
        Column("memory", "GiB", lambda s: s.memory_gib),
    )
    parts.append(
        grid(
            "service-servers",
            columns,
            servers,
            file_name=f"servers-{service.id}.csv",
            title="Servers behind it",
        )
    )
    if profile is not None:
        cpu = profile.resource("cpu").all_hours
        values = list(cpu.hour_of_week_mean)
        z = [[None if v is None else v for v in values[d * 24 : (d + 1) * 24]] for d in range(7)]
        parts.append(
            chart(
                "service-heatmap",
                heatmap(z, [f"{h:02d}:00" for h in range(24)], DAYS, "CPU %"),
                f"CPU use by hour of week, last {(profile.to_utc - profile.from_utc).days} days (percent of capacity)",
                "The mean CPU use of the service's servers (its share of shared ones), as a percentage of their "
                "cores, for each hour of the week in local time.",
            )
        )
        parts.append(
            html.P(
                f"CPU p95 {number(cpu.percentiles.get('p95'), 1)} %, p99 {number(cpu.percentiles.get('p99'), 1)} %, "
                f"highest hour {number(cpu.maximum, 1)} % over {cpu.hours:,} hours.",
                className="small",
            )
        )
    return html.Section(parts, className="mb-4")


PAGE = Page(module=__name__, path="/service", name="Service", roles=EVERYONE, layout=layout, order=2)
