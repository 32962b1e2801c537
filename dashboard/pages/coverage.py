"""Data coverage: per site and kind of data, the last collection, the watermark and recent
failures; the share of endpoint time measured over the last 30 days, with the gaps by cause;
and, on demand, the `councilops sites` check of each site's Prometheus."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from dash import Input, Output, callback, html

from dashboard import auth
from dashboard.access import OPERATORS, Page
from dashboard.components import grid, heading, state_badge, tile, tiles
from dashboard.pages import common
from presentation.formats import duration, local_time
from presentation.render import text
from presentation.sites import MISSING_COLUMNS, SITE_COLUMNS
from presentation.status import COMPLETENESS_COLUMNS, SOURCE_COLUMNS


def layout(viewer, served, **_):
    tz = common.zone(served)
    status = served.answers.status(viewer.scope)
    gaps = [
        (c.site_id, cause, seconds)
        for c in status.completeness
        for cause, seconds in c.unmonitored_seconds_by_cause
        if seconds
    ]
    failing = [s for s in status.collection if s.last_status not in ("ok", None)]
    first, last = status.span_utc if status.span_utc else (None, None)
    return html.Div(
        [
            heading(
                "Data coverage",
                f"Collection health over the {status.health_from_utc:%d %b} to {status.health_to_utc:%d %b %Y} window; "
                f"history from {local_time(first, tz)} to {local_time(last, tz)}.",
            ),
            tiles(
                [
                    tile("Sources collected", str(len(status.collection))),
                    tile("Last run not ok", str(len(failing)), state="met" if not failing else "missed"),
                    tile(
                        "Unmonitored endpoint time, 30 days",
                        duration(sum(c.unmonitored_seconds for c in status.completeness)),
                    ),
                    tile("Tables checked block by block", str(status.tables_verified)),
                ]
            ),
            grid(
                "coverage-sources",
                SOURCE_COLUMNS,
                status.collection,
                file_name="collection.csv",
                title="Collection by site and kind (times UTC)",
            ),
            grid(
                "coverage-completeness",
                COMPLETENESS_COLUMNS,
                status.completeness,
                file_name="completeness.csv",
                title="Availability collected, last 30 days",
            ),
            grid(
                "coverage-gaps",
                (
                    text("site", lambda g: g[0]),
                    text("cause", lambda g: g[1]),
                    text("unmonitored", lambda g: duration(g[2])),
                ),
                gaps,
                file_name="gaps.csv",
                title="Gaps by cause, last 30 days",
            )
            if gaps
            else html.P("No gap in the last 30 days: every endpoint-second held was measured."),
            html.Section(
                [
                    html.H2("Check the sites", className="h5"),
                    html.P(
                        "Asks each site's Prometheus whether it answers and has every metric and label the estate "
                        "needs (a handful of metadata requests per site; nothing is written).",
                        className="small text-body-secondary",
                    ),
                    html.Button(
                        "Check the sites now",
                        id="coverage-check",
                        className="btn btn-outline-primary btn-sm",
                        type="button",
                    ),
                    html.Div(id="coverage-check-result", className="mt-3", **{"aria-live": "polite"}),
                ],
                className="mb-4",
            ),
        ]
    )


@callback(
    Output("coverage-check-result", "children"),
    Input("coverage-check", "n_clicks"),
    prevent_initial_call=True,
)
def check_sites(clicks):
    import flask

    from collectors.prometheus.site_check import check_site

    viewer = auth.current()
    if viewer.role not in OPERATORS:
        auth.refused("sites check outside the role", role=viewer.role)
        return html.P("Not found.")
    served = flask.current_app.config["COUNCILOPS_SERVED"]
    estate = served.estate
    with ThreadPoolExecutor(max(1, len(estate.sites))) as pool:
        checks = list(pool.map(lambda site: check_site(estate, site), estate.sites))
    missing = [(c, m) for c in checks for m in c.missing]
    parts = [
        html.P(
            [state_badge("ok" if c.answers and not c.missing else "failed", c.site_id), " ", c.error or ""],
            className="mb-1",
        )
        for c in checks
    ]
    parts.append(
        grid("coverage-site-check", SITE_COLUMNS, checks, file_name="sites-check.csv", title="Each site")
    )
    if missing:
        parts.append(
            grid(
                "coverage-site-missing",
                MISSING_COLUMNS,
                missing[:500],
                file_name="sites-missing.csv",
                title="What is missing",
            )
        )
    return parts


PAGE = Page(module=__name__, path="/coverage", name="Data coverage", roles=OPERATORS, layout=layout, order=7)
