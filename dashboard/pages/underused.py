"""Under-used servers: each with its evidence (daily CPU peaks as a sparkline, on 0-100 % for
every server) and its annual cost; the consolidation plan with the hosts it frees."""

from __future__ import annotations

from dash import html

from dashboard.access import PROVIDER_ROLES, Page
from dashboard.components import grid, heading, note, tile, tiles
from dashboard.pages import common
from presentation.capacity import PLAN_COLUMNS, UNDERUSE_TABLE_COLUMNS, spark
from presentation.formats import local_time, money
from presentation.render import text


def layout(viewer, served, **_):
    tz = common.zone(served)
    report = served.answers.underuse(viewer.scope)
    plan = served.answers.consolidation(viewer.scope)
    found = report.findings
    columns = (
        text("finding", lambda f: f.kind),
        *UNDERUSE_TABLE_COLUMNS,
        text("daily CPU peaks (0-100 %)", lambda f: spark(list(f.daily_cpu_peaks))),
    )
    parts = [
        heading(
            "Under-used servers",
            f"Over the {report.lookback_days} days to {local_time(report.as_of_utc, tz)} (rules: docs/capacity.md).",
        ),
        tiles(
            [
                tile(
                    "Under-used",
                    str(sum(f.kind == "under-used" for f in found)),
                    money(report.annual_cost_gbp("under-used")) + " a year",
                ),
                tile(
                    "Possibly unused",
                    str(sum(f.kind == "possibly-unused" for f in found)),
                    money(report.annual_cost_gbp("possibly-unused")) + " a year",
                ),
                tile("Hosts now", str(plan.hosts_now)),
                tile(
                    "Hosts freed by consolidating",
                    str(plan.hosts_freed),
                    money(plan.saving_gbp_a_year) + " a year",
                ),
            ]
        ),
        html.P(
            "A server is under-used when its CPU and memory p95 over the look-back are under the thresholds and it "
            "never peaked above the 13-month ceiling; possibly unused when its network too is near idle. DR standbys "
            "are never listed.",
            className="small text-body-secondary",
        ),
        grid(
            "underused-servers",
            columns,
            found,
            file_name="under-used-servers.csv",
            title="Servers",
            sparklines=("daily CPU peaks (0-100 %)",),
        )
        if found
        else note("No server is under-used."),
    ]
    parts.append(
        grid(
            "underused-plan",
            PLAN_COLUMNS,  # the command line's columns (hosts short included)
            plan.plans,
            file_name="consolidation-plan.csv",
            title="The consolidation plan",
        )
    )
    parts.append(html.Ul([html.Li(line) for line in plan.findings], className="small"))
    return html.Div(parts)


PAGE = Page(
    module=__name__,
    path="/under-used",
    name="Under-used servers",
    roles=PROVIDER_ROLES,
    layout=layout,
    order=4,
)
