"""Overview: both sites now, this month's service levels per council, savings against the
programme, collection health. A council viewer lands on their council's page instead."""

from __future__ import annotations

from collections import Counter

import dash_bootstrap_components as dbc
from dash import html

from dashboard.access import EVERYONE, Page
from dashboard.components import grid, heading, link, state_badge, tile, tiles
from dashboard.pages import common
from presentation.formats import duration, local_time, money, percent_down
from presentation.month_view import AT_RISK, MET, MISSED, NOT_MEASURED, ON_TRACK, month_state
from presentation.render import Column, text
from savings.ledger import pounds


def layout(viewer, served, month: str | None = None, council: str | None = None, **_):
    if viewer.scope.council_id is not None:
        from dashboard.pages import council as council_page

        return council_page.layout(viewer, served, month=month, council=council)
    tz = common.zone(served)
    month, _months = common.chosen_month(served, month)
    report = served.answers.month(month, viewer.scope)
    as_of = served.answers.as_of()
    states_by_council: dict[str, Counter] = {}
    for row in report.rows:
        states_by_council.setdefault(row.council_id, Counter())[month_state(row)] += 1
    names = {c.id: c.name for c in served.estate.councils}

    class _Council:
        def __init__(self, summary):
            self.summary = summary
            self.states = states_by_council.get(summary.council_id, Counter())

    rows = [_Council(s) for s in report.councils]
    columns = (
        text("council", lambda r: names.get(r.summary.council_id, r.summary.council_id)),
        Column("services", "", lambda r: r.summary.services_total),
        Column("met", "", lambda r: r.states[MET] + r.states[ON_TRACK]),
        Column("at risk", "", lambda r: r.states[AT_RISK]),
        Column("missed", "", lambda r: r.states[MISSED]),
        Column("not measured", "", lambda r: r.states[NOT_MEASURED]),
        Column(
            "time-weighted availability",
            "percent",
            lambda r: r.summary.time_weighted_availability,
            lambda v: "n/a" if v is None else percent_down(v, 3),
        ),
        Column("credits due", "GBP", lambda r: r.summary.credit_gbp, money),
    )
    council_links = html.Ul(
        [
            html.Li(link(names[c.council_id], "/council", council=c.council_id, month=month))
            for c in report.councils
        ],
        className="list-inline council-links",
    )
    totals = Counter()
    for counter in states_by_council.values():
        totals.update(counter)
    parts = [
        heading(
            "Overview",
            f"Service levels for {month}{' to date' if not all(r.month_complete for r in report.rows) else ''}, "
            f"as of {local_time(as_of, tz)} ({report.time_zone}).",
        ),
        tiles(
            [
                tile("Services met or on track", str(totals[MET] + totals[ON_TRACK])),
                tile("At risk", str(totals[AT_RISK]), "budget burning faster than the month elapses"),
                tile("Missed", str(totals[MISSED])),
                tile("Credits due", money(sum((c.credit_gbp for c in report.councils), start=0))),
            ]
        ),
        grid(
            "overview-councils",
            columns,
            rows,
            file_name=f"service-levels-{month}.csv",
            title="Councils this month",
        ),
        html.Section([html.H2("Each council's page", className="h5"), council_links], className="mb-4"),
    ]
    parts.append(_sites(viewer, served, tz))
    if viewer.role in ("administrator", "manager", "capacity-planner", "operator"):
        parts.append(_savings(viewer, served))
    return html.Div(parts)


def _sites(viewer, served, tz):
    status = served.answers.status(viewer.scope)
    by_site: dict[str, list] = {}
    for source in status.collection:
        by_site.setdefault(source.site_id, []).append(source)
    completeness = {c.site_id: c for c in status.completeness}
    cards = []
    for site in served.estate.sites:
        sources = by_site.get(site.id, [])
        worst = "ok"
        for s in sources:
            if s.last_status in ("failed",):
                worst = "failed"
            elif s.last_status in ("partial",) and worst != "failed":
                worst = "partial"
        held = completeness.get(site.id)
        gap = (
            ""
            if held is None or not held.held_seconds
            else (f"unmonitored {duration(held.unmonitored_seconds)} of endpoint time in the last 30 days")
        )
        until = min((s.collected_until_utc for s in sources if s.collected_until_utc), default=None)
        cards.append(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H3(f"{site.name} ({site.id})", className="h6"),
                        state_badge(worst if sources else "not measured", "collection"),
                        html.P(
                            f"Collected to {local_time(until, tz)}" if until else "Nothing collected yet.",
                            className="mb-1 small",
                        ),
                        html.P(gap, className="small text-body-secondary mb-0"),
                    ]
                ),
                className="h-100",
            )
        )
    return html.Section(
        [
            html.H2("Sites now", className="h5"),
            dbc.Row([dbc.Col(card, md=6, className="mb-3") for card in cards]),
            link("Data coverage and collection gaps", "/coverage")
            if viewer.role in ("administrator", "operator")
            else None,
        ],
        className="mb-4",
    )


def _savings(viewer, served):
    report = served.answers.savings(viewer.scope)
    year = next(
        (y for y in reversed(report.years) if y.in_progress), report.years[-1] if report.years else None
    )
    if year is None:
        return html.Section([html.H2("Savings", className="h5"), html.P("No programme years.")])
    target = year.target_to_date
    state = None
    if year.on_track_to_date is not None:
        state = "on track" if year.on_track_to_date else "at risk"
    elif year.met is not None:
        state = "met" if year.met else "missed"
    return html.Section(
        [
            html.H2(f"Savings, financial year {year.financial_year}", className="h5"),
            tiles(
                [
                    tile("Net saving to date", money(pounds(year.net_saving)), state=state),
                    tile("Target to date", "no target" if target is None else money(pounds(target))),
                    tile(
                        "Projected for the year",
                        "n/a"
                        if year.projected_full_year_net is None
                        else money(pounds(year.projected_full_year_net)),
                        "a projection, at the rate so far",
                    ),
                ]
            ),
            link("The savings ledger", "/savings") if viewer.role in ("administrator", "manager") else None,
        ],
        className="mb-4",
    )


PAGE = Page(module=__name__, path="/", name="Overview", roles=EVERYONE, layout=layout, order=0)
