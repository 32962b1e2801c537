"""Utilisation and capacity: hour-of-week heatmaps per site, pool and server; peaks by site;
time remaining with the forecast band; the site-loss check per criticality, with the services
that would not fit. Every figure is as of the last collection (docs/capacity.md)."""

from __future__ import annotations

from dash import html

from dashboard.access import PLANNERS, NotFound, Page
from dashboard.components import chart, chooser, grid, heading, kept, link, note, tile, tiles
from dashboard.figures import heatmap, lines
from dashboard.pages import common
from presentation.formats import local_time, number
from presentation.render import Column, text

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
POOL_WORDS = {"cpu": "CPU", "memory": "memory", "storage": "storage"}


def layout(viewer, served, site: str | None = None, pool: str | None = None, server: str | None = None, **_):
    tz = common.zone(served)
    sites = {s.id: s for s in served.estate.sites}
    if site is not None and site not in sites:
        raise NotFound(f"site {site}")
    servers = {s.id: s for s in viewer.scope.servers(served.estate)}
    if server is not None and server not in servers:
        raise NotFound(f"server {server}")
    site = servers[server].site if server is not None else (site or served.estate.sites[0].id)
    pool = pool or "cpu"
    if pool not in ("cpu", "memory"):
        raise NotFound(f"pool {pool}")
    loss = served.answers.site_loss(viewer.scope)
    left = served.answers.time_left(viewer.scope)
    profile = served.answers.profile("site", site, viewer.scope)
    parts = [
        heading(
            "Utilisation and capacity",
            f"As of {local_time(loss.as_of_utc, tz)}; usable capacity is {loss.ceiling_percent:g}% of what is installed.",
        ),
        html.Nav(
            html.Ul(
                [
                    html.Li(
                        link(f"{s.name} · {POOL_WORDS[p]}", "/capacity", site=s.id, pool=p),
                        className="list-inline-item",
                    )
                    for s in served.estate.sites
                    for p in ("cpu", "memory")
                ],
                className="list-inline",
            ),
            **{"aria-label": "Site and pool"},
        ),
    ]
    # every part shows only answers as of the last collection: laid out once until the next write
    scope = viewer.scope.council_id
    parts.append(kept(served, ("capacity-loss", scope), None, lambda: _site_loss(loss)))
    parts.append(
        kept(
            served,
            ("capacity-heatmap", site, pool, scope),
            None,
            lambda: _heatmap(profile, site, pool, sites),
        )
    )
    parts.append(
        kept(
            served,
            ("capacity-server", site, pool, server, scope),
            None,
            lambda: _server(served, viewer, servers, site, pool, server),
        )
    )
    parts.append(kept(served, ("capacity-peaks", scope), None, lambda: _peaks(served, viewer)))
    parts.append(
        kept(served, ("capacity-left", site, pool, scope), None, lambda: _time_left(left, site, pool))
    )
    parts.append(kept(served, ("capacity-storage", scope), None, lambda: _storage(left)))
    return html.Div(parts)


def _site_loss(report):
    if not report.checks:
        return note(
            f"Not known: only {report.measured_hours:,} of {report.window_hours:,} hours were measured, too few to "
            "say whether one site could carry everything.",
            "warning",
        )
    items = []
    for check in report.checks:
        fits = dict(check.fits_by_criticality)
        items.append((check, fits))
    cards = [
        tile(
            f"If {c.lost} is lost, {c.survivor} carries · {POOL_WORDS.get(c.pool, c.pool)}",
            f"{number(c.combined_peak, 0)} of {number(c.usable, 0)}",
            f"headroom {number(c.headroom, 0)}",
            state="met" if c.fits else "missed",
        )
        for c, _ in items
    ]
    columns = (
        text("site lost", lambda r: r[0].lost),
        text("survivor", lambda r: r[0].survivor),
        text("pool", lambda r: r[0].pool),
        *(
            text(
                level,
                lambda r, level=level: (
                    "fits" if r[1].get(level) else ("does NOT fit" if level in r[1] else "")
                ),
            )
            for level in ("critical", "high", "medium", "low")
        ),
        text("would not fit", lambda r: ", ".join(f"{n.service} (+{n.needs:.1f})" for n in r[0].short)),
        text("lost with the site", lambda r: ", ".join(r[0].lost_with_site)),
    )
    return html.Section(
        [
            html.H2("Could one site carry everything?", className="h5"),
            html.P(
                "Each service's hourly demand over the last "
                f"{report.lookback_days} days moved as its mode says (active-active and active-passive move; "
                "single-site ones move only to their DR site), summed hour by hour against the survivor's usable "
                "capacity; a level fits when it and every level above it fit.",
                className="small text-body-secondary",
            ),
            tiles(cards),
            grid("capacity-site-loss", columns, items, file_name="site-loss.csv", title="By criticality"),
        ],
        className="mb-4",
    )


def _heatmap(profile, site, pool, sites):
    resource = profile.resource(pool).all_hours
    values = list(resource.hour_of_week_mean)
    z = [values[d * 24 : (d + 1) * 24] for d in range(7)]
    peaks = (
        f"p95 {number(resource.percentiles.get('p95'), 1)} %, p99 {number(resource.percentiles.get('p99'), 1)} %, "
        f"highest hour {number(resource.maximum, 1)} %, over {resource.hours:,} hours"
    )
    return html.Section(
        [
            chart(
                "capacity-heatmap",
                heatmap(z, [f"{h:02d}:00" for h in range(24)], DAYS, f"{POOL_WORDS[pool]} %"),
                f"{sites[site].name}: {POOL_WORDS[pool]} use by hour of week (percent of capacity)",
                "The mean use of the site's servers as a share of their capacity, for each hour of the week in local "
                "time, over the last 90 days.",
            ),
            html.P(f"Peaks: {peaks}.", className="small"),
        ]
    )


def _server(served, viewer, servers, site, pool, server):
    """One server's hour-of-week heatmap, chosen among the site's servers."""
    at_site = sorted((s for s in servers.values() if s.site == site), key=lambda s: s.id)
    parts = [
        chooser(
            "server",
            f"A server at {site}: its own hour-of-week heatmap",
            [(s.id, f"{s.id} · {s.role} · {s.cores} cores, {s.memory_gib:g} GiB") for s in at_site],
            server,
        )
    ]
    if server is not None:
        resource = served.answers.profile("server", server, viewer.scope).resource(pool).all_hours
        values = list(resource.hour_of_week_mean)
        parts.append(
            chart(
                "capacity-server-heatmap",
                heatmap(
                    [values[d * 24 : (d + 1) * 24] for d in range(7)],
                    [f"{h:02d}:00" for h in range(24)],
                    DAYS,
                    f"{POOL_WORDS[pool]} %",
                ),
                f"{server}: {POOL_WORDS[pool]} use by hour of week (percent of its capacity)",
                "The server's mean use as a share of its own capacity, for each hour of the week in local time, "
                f"over the last 90 days; p95 {number(resource.percentiles.get('p95'), 1)} %, highest hour "
                f"{number(resource.maximum, 1)} %.",
            )
        )
    return html.Section(parts, className="mb-4")


def _peaks(served, viewer):
    """Peaks by site and pool: p95, p99 and the highest hour of hourly use, not averages."""
    items = []
    for s in served.estate.sites:
        profile = served.answers.profile("site", s.id, viewer.scope)
        for pool in ("cpu", "memory"):
            resource = profile.resource(pool).all_hours
            items.append((s, pool, resource))
    columns = (
        text("site", lambda r: r[0].name),
        text("pool", lambda r: POOL_WORDS[r[1]]),
        Column("p95", "percent", lambda r: number(r[2].percentiles.get("p95"), 1)),
        Column("p99", "percent", lambda r: number(r[2].percentiles.get("p99"), 1)),
        Column("highest hour", "percent", lambda r: number(r[2].maximum, 1)),
        Column("hours measured", "", lambda r: r[2].hours),
    )
    return grid(
        "capacity-peaks",
        columns,
        items,
        file_name="peaks-by-site-and-pool.csv",
        title="Peaks by site and pool (hourly use, percent of installed capacity, last 90 days)",
    )


def _time_left(report, site, pool):
    chosen = next((p for p in report.pools if p.site_id == site and p.pool == pool), None)
    if chosen is None:
        return note(f"No projection for {site} {pool}.")
    p = chosen.projection
    days = [d.isoformat() for d, _, _ in p.forecast]
    figure = lines(
        days,
        {
            "central projection": [c for _, c, _ in p.forecast],
            "conservative (upper band)": [u for _, _, u in p.forecast],
            "usable capacity": [p.usable] * len(days),
        },
        chosen.unit,
        "week",
        dashed=("conservative (upper band)", "usable capacity"),
    )
    when = (
        f"already over the usable ceiling since {p.over_since}"
        if p.over_since
        else (
            f"reaches the usable ceiling on {p.crossing_conservative} on the conservative line ({p.days_remaining} days)"
            if p.crossing_conservative
            else "does not reach the usable ceiling within the forecast"
        )
    )
    return html.Section(
        [
            tiles(
                [
                    tile("Peak, last 30 days", f"{number(p.peak_recent, 1)} {chosen.unit}"),
                    tile("Usable", f"{number(p.usable, 1)} {chosen.unit}"),
                    tile("Growth a year", f"{number(p.growth_per_year, 1)} {chosen.unit}", p.method),
                    tile(
                        "Time remaining",
                        "n/a" if p.days_remaining is None else f"{p.days_remaining} days",
                        state="at risk" if p.days_remaining is not None and p.days_remaining < 365 else None,
                    ),
                ]
            ),
            chart(
                "capacity-forecast",
                figure,
                f"Time remaining: {site} {POOL_WORDS[pool]}",
                f"Daily peak demand projected ({p.method}) with its band; {when}.",
            ),
        ]
    )


def _storage(report):
    filling = sorted(
        (s for s in report.storage if s.days_until_full is not None), key=lambda s: s.days_until_full
    )
    columns = (
        text("server", lambda s: s.server_id),
        text("site", lambda s: s.site_id),
        Column("used", "percent", lambda s: round(s.used_percent, 1)),
        Column("days until full", "days", lambda s: round(s.days_until_full, 0)),
    )
    return (
        grid(
            "capacity-storage",
            columns,
            filling[:200],
            file_name="storage-days-until-full.csv",
            title="Storage filling (soonest full first)",
        )
        if filling
        else html.P("No server's storage is filling.")
    )


PAGE = Page(module=__name__, path="/capacity", name="Capacity", roles=PLANNERS, layout=layout, order=3)
