"""Council: one council's month, service by service, with the rules in force beside the figures.

A council viewer sees only their own council (from the session; another in the URL is refused
as unknown). A provider's role picks the council from the list.
"""

from __future__ import annotations

from datetime import UTC
from html import escape
from urllib.parse import parse_qs, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from application.explanations import CAUSES, MAX_TEXT, ExplanationError, explain, explanations_for
from application.issued_reports import issued_to
from dashboard import auth
from dashboard.access import EVERYONE, EXPLAINERS, QUERY_FORMS, NotFound, Page
from dashboard.components import (
    chart,
    grid,
    grid_rows,
    heading,
    issued_reports_table,
    kept,
    link,
    month_nav,
    note,
    rules_list,
    state_badge,
    tile,
    tiles,
)
from dashboard.figures import against_target
from dashboard.pages import common
from presentation.formats import duration, local_time, money, percent_down
from presentation.month_view import (
    DEGRADED,
    NO_HOURS,
    OUTAGE,
    TO_COME,
    UP,
    budget_left_seconds,
    days_of,
    month_state,
)
from presentation.render import Column, text
from presentation.trend import twelve_months
from sla import calendar as cal

DAY_MARKS = {
    UP: ("✓", "up"),
    DEGRADED: ("~", "degraded"),
    OUTAGE: ("✗", "outage"),
    NO_HOURS: ("·", "no service hours"),
    TO_COME: ("", "to come"),
}


def layout(viewer, served, month: str | None = None, council: str | None = None, **_):
    council_id = common.council_of(viewer, served, council)
    if council_id is None:
        return _choose(served)
    month, months = common.chosen_month(served, month)
    tz = common.zone(served)
    report = served.answers.month(month, viewer.scope if viewer.scope.council_id else _one(council_id))
    rows = [r for r in report.rows if r.council_id == council_id]
    name = next(c.name for c in served.estate.councils if c.id == council_id)
    summary = next((c for c in report.councils if c.council_id == council_id), None)
    in_progress = any(not r.month_complete for r in rows)
    measured = [r for r in rows if r.contract is not None]
    parts = [
        heading(
            name,
            f"Service levels for {month}{' to date (the month is in progress)' if in_progress else ''}; "
            f"times in {report.time_zone}; as of {local_time(report.as_of_utc, tz)}.",
        ),
        month_nav("/council", month, months, council=None if viewer.scope.council_id else council_id),
    ]
    if not measured:
        parts.append(note(f"{name} has no contract in force in {month}."))
        return html.Div(parts)
    if summary is not None:
        parts.append(
            tiles(
                [
                    tile("Services with a contract", str(summary.services_total)),
                    tile("Met", f"{summary.services_met} of {summary.services_measured} measured"),
                    tile(
                        "Time-weighted availability",
                        "n/a"
                        if summary.time_weighted_availability is None
                        else percent_down(summary.time_weighted_availability, 3),
                    ),
                    tile("Credits due", money(summary.credit_gbp)),
                ]
            )
        )
    # what shows only the month's answers is laid out once and kept with them; the outages carry
    # their explanations and the viewer's form, so they are laid out each time
    part = ("council", council_id, month, viewer.scope.council_id)
    parts.append(
        kept(
            served,
            (*part, "top"),
            month,
            lambda: html.Div(
                [
                    _service_tiles(measured),
                    _days_grid(_days_table(measured, tz), month),
                    _trend(viewer, served, council_id, month),
                ]
            ),
        )
    )
    parts.append(_outages(viewer, served, council_id, month))
    parts.append(_reports(viewer, served, council_id))
    parts.append(
        kept(
            served,
            (*part, "rest"),
            month,
            lambda: html.Div(
                [
                    _maintenance(measured, tz, month, council_id),
                    _unmonitored(measured, month, council_id),
                    _recovery(measured, month, council_id),
                    _response(measured, month, council_id),
                    _rules(measured, report, served),
                ]
            ),
        )
    )
    return html.Div(parts)


def _one(council_id: str):
    from estate.scope import Scope

    return Scope.council(council_id)


def _choose(served):
    return html.Div(
        [
            heading("Councils", "Choose a council to see its service levels."),
            html.Ul([html.Li(link(c.name, "/council", council=c.id)) for c in served.estate.councils]),
        ]
    )


def _service_tiles(rows):
    cards = []
    for row in rows:
        state = month_state(row)
        left = budget_left_seconds(row)
        cards.append(
            tile(
                row.service_name,
                "n/a" if row.availability is None else percent_down(row.availability, 3),
                f"target {row.contract.availability_target_percent}% · budget left "
                + ("n/a" if left is None else ("−" + duration(-left) if left < 0 else duration(left))),
                state=state,
            )
        )
    return html.Section([html.H2("Services", className="h5"), tiles(cards)], className="mb-2")


def _days_table(rows, tz) -> str:
    """A cell per day and service (as Grafana's status history): a mark and a word, coloured too.
    Written as one HTML table (escaped here) rather than a component per cell: a council of 50
    services has 1,500 cells, which as Dash components cost more to build and send than the
    rest of the page."""
    per_service = [(row, days_of(row, tz)) for row in rows]
    days = [d.day for d in per_service[0][1]]
    out = ['<table class="table table-sm days-grid"><thead><tr><th scope="col">service</th>']
    out += [f'<th scope="col" class="day">{d.day}</th>' for d in days]
    out.append("</tr></thead><tbody>")
    for row, states in per_service:
        name = escape(row.service_name)
        out.append(f'<tr><th scope="row" class="text-nowrap">{name}</th>')
        for state in states:
            mark, word = DAY_MARKS[state.state]
            detail = word
            if state.outage_seconds:
                detail += f", {duration(state.outage_seconds)} down in scheduled time"
            elif state.degraded_seconds:
                detail += f", {duration(state.degraded_seconds)} with one site"
            # the cell's headers (the service's row, the day's column) and its mark say what it
            # is; the title says it in words, with the down time, on hover and to screen readers
            # (the day and service only where something happened: 1,500 cells add up)
            label = escape(
                f"{row.service_name} {state.day:%a %d %b}: {detail}" if detail != word else word, quote=True
            )
            out.append(f'<td class="day-{word.replace(" ", "-")}" title="{label}">{mark}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _days_grid(days_table: str, month):
    table = dcc.Markdown(days_table, dangerously_allow_html=True, className="table-responsive")
    legend = html.P(
        [
            html.Span(f"{mark} {word}", className=f"legend-item day-{word.replace(' ', '-')} me-3")
            for mark, word in DAY_MARKS.values()
            if mark
        ],
        className="small",
    )
    return html.Section(
        [
            html.H2(f"Days of {month}", className="h5"),
            html.P(
                "Each day's state in scheduled time: an outage if any outage overlapped it, degraded if a site "
                "was down while the other carried the service.",
                className="small text-body-secondary",
            ),
            table,
            legend,
        ],
        className="mb-4",
    )


def _trend(viewer, served, council_id, month):
    labels, names, margins, texts = _trend_cells(viewer, served, council_id, month)
    return chart(
        "council-trend",
        against_target(labels, names, margins, texts),
        "The last 12 months against target",
        "Each month's availability (up time over counted scheduled time) with ✓ met or ✗ missed; the colour is "
        "how far above (blue) or below (red) the service's target it was, in percentage points.",
        height=max(260, 90 + 24 * len(names)),
    )


def _trend_cells(viewer, served, council_id, month):
    reports = served.answers.months(month, 12, viewer.scope if viewer.scope.council_id else _one(council_id))
    return twelve_months(reports, council_id)


def outage_rows(viewer, served, council_id: str, month: str):
    """The council's outages of the month with their explanations (latest version): the columns
    and the rows of the outages grid, for the page and for the callback that saves one."""
    tz = common.zone(served)
    report = served.answers.month(month, viewer.scope if viewer.scope.council_id else _one(council_id))
    rows = [r for r in report.rows if r.council_id == council_id and r.contract is not None]
    outages = [(row, o) for row in rows for o in row.outages]
    with served.warehouse.cursor() as warehouse:
        said = explanations_for(
            warehouse, served.estate, viewer.scope, [(row.service_id, o.start, o.end) for row, o in outages]
        )

    def latest(item):
        versions = said.get((item[0].service_id, item[1].start))
        if not versions:
            return ""
        last = versions[-1]
        edits = f", version {last.version}" if last.version > 1 else ""
        return f"{last.shown} ({last.written_by}, {local_time(last.written_at_utc, tz)}{edits})"

    columns = (
        text("service", lambda r: r[0].service_name),
        text(
            "start",
            lambda r: (
                local_time(cal.from_utc_seconds(r[1].start), tz)
                + (" (began earlier)" if r[1].continues_before else "")
            ),
        ),
        text(
            "end",
            lambda r: (
                local_time(cal.from_utc_seconds(r[1].end), tz)
                + (" (still going)" if r[1].continues_after else "")
            ),
        ),
        Column("minutes in scheduled time", "minutes", lambda r: round(r[1].seconds_in_scheduled / 60, 1)),
        text("sites", lambda r: ", ".join(r[1].sites)),
        text("explanation", latest),
    )
    return columns, outages


def _outages(viewer, served, council_id: str, month: str):
    columns, outages = outage_rows(viewer, served, council_id, month)
    if not outages:
        return html.Section(
            [html.H2("Outages", className="h5"), html.P("No outage in scheduled time this month.")],
            className="mb-4",
        )
    parts = [
        grid(
            "council-outages",
            columns,
            outages,
            file_name=f"outages-{council_id}-{month}.csv",
            title="Outages",
        )
    ]
    if viewer.role in EXPLAINERS:
        parts.append(_explain_form(served, outages))
    return html.Div(parts)


def _reports(viewer, served, council_id: str):
    """The council's issued monthly reports, every revision, each a download (the server checks
    the viewer's council again on the download: dashboard/downloads.py)."""
    tz = common.zone(served)
    with served.warehouse.cursor() as warehouse:
        issued = issued_to(warehouse, served.estate, viewer.scope, council_id)
    title = html.H2("Reports issued", className="h5")
    if not issued:
        return html.Section([title, html.P("No monthly report has been issued yet.")], className="mb-4")
    query = {} if viewer.scope.council_id else {"council": council_id}
    return html.Section(
        [
            title,
            issued_reports_table(
                issued,
                lambda at: local_time(at.replace(tzinfo=UTC), tz),
                "month",
                lambda r: (
                    "/reports/download?" + urlencode({**query, "month": r.period, "revision": r.revision})
                ),
                lambda r: f"Download the {r.period} report, revision {r.revision} (PDF)",
            ),
            html.P(
                [
                    "An issued report never changes: a correction is the next revision, which says what changed "
                    "and why. ",
                    html.Code("councilops report verify FILE"),
                    " checks a file against the archive.",
                ],
                className="small text-body-secondary",
            ),
        ],
        className="mb-4",
    )


def _explain_form(served, outages):
    tz = common.zone(served)
    choices = [
        {
            "label": f"{row.service_name}, {local_time(cal.from_utc_seconds(o.start), tz)}, "
            f"{round(o.seconds_in_scheduled / 60)} min",
            "value": f"{row.service_id}|{o.start}|{o.end}",
        }
        for row, o in outages
    ]
    return html.Section(
        [
            html.H3("Explain an outage", className="h6"),
            html.P(
                "Shown to the council beside the outage, with your name and the time. Writing again keeps "
                "the earlier text as an earlier version.",
                className="small text-body-secondary",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Outage", html_for="explain-outage"),
                            dbc.Select(id="explain-outage", options=choices, value=choices[0]["value"]),
                        ],
                        md=5,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Cause", html_for="explain-cause"),
                            dbc.Select(
                                id="explain-cause",
                                options=[{"label": c, "value": c} for c in CAUSES],
                                value=CAUSES[-2],
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Incident reference", html_for="explain-ref"),
                            dbc.Input(id="explain-ref", maxLength=64),
                        ],
                        md=3,
                    ),
                ],
                className="mb-2",
            ),
            dbc.Label("What happened, for the council", html_for="explain-text"),
            dbc.Textarea(id="explain-text", maxLength=MAX_TEXT, rows=3, className="mb-2"),
            html.Button(
                "Save the explanation", id="explain-save", className="btn btn-primary btn-sm", type="button"
            ),
            html.Div(id="explain-result", className="mt-2", role="status"),
        ],
        className="mb-4 border rounded p-3",
    )


@callback(
    Output("explain-result", "children"),
    Output({"type": "grid", "name": "council-outages"}, "rowData"),
    Input("explain-save", "n_clicks"),
    State("explain-outage", "value"),
    State("explain-cause", "value"),
    State("explain-ref", "value"),
    State("explain-text", "value"),
    State("_pages_location", "search"),
    prevent_initial_call=True,
)
def save_explanation(clicks, outage, cause, incident_ref, text_given, search):
    import flask

    viewer = auth.current()
    served = flask.current_app.config["COUNCILOPS_SERVED"]
    if viewer.role not in EXPLAINERS:
        auth.refused("an explanation from a role that may not write one", role=viewer.role)
        return html.P("Not found."), dash.no_update
    query = {
        k: v[0] if isinstance(v, list) and len(v) == 1 else v
        for k, v in parse_qs((search or "").lstrip("?")).items()
    }
    try:
        council_id = common.council_of(viewer, served, _checked(query, "council"))
        month, _ = common.chosen_month(served, _checked(query, "month"))
        service_id, start, end = _outage_value(outage)
    except (NotFound, ValueError) as error:
        auth.refused("an explanation for an outage not shown", asked=str(error)[:80])
        return dbc.Alert("No such outage in the month shown.", color="danger"), dash.no_update
    columns, outages = outage_rows(viewer, served, council_id, month)
    known = [(row.service_id, o.start, o.end) for row, o in outages]
    try:
        with served.warehouse.cursor() as warehouse:
            kept = explain(
                warehouse,
                served.estate,
                viewer.account,
                viewer.scope,
                (service_id, start, end),
                cause,
                incident_ref,
                text_given,
                known,
                served.clock,
            )
    except ExplanationError as error:
        said = str(error)
        return dbc.Alert(said[:1].upper() + said[1:] + ".", color="danger"), dash.no_update
    served.answers.touched()  # the pages laid out before show the old explanation
    columns, outages = outage_rows(viewer, served, council_id, month)
    return (
        dbc.Alert(f"Saved (version {kept.version}); the council sees it now.", color="success"),
        grid_rows(columns, outages),
    )


def _checked(query: dict, key: str) -> str | None:
    value = query.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not QUERY_FORMS[key].fullmatch(value):
        raise NotFound(key)
    return value


def _outage_value(value) -> tuple[str, int, int]:
    service_id, start, end = str(value).split("|")
    if not QUERY_FORMS["service"].fullmatch(service_id):
        raise ValueError("service")
    return service_id, int(start), int(end)


def _maintenance(rows, tz, month, council_id):
    windows = [(row, a, b) for row in rows if row.schedule for a, b in row.schedule.maintenance]
    columns = (
        text("service", lambda r: r[0].service_name),
        text("start", lambda r: local_time(cal.from_utc_seconds(r[1]), tz)),
        text("end", lambda r: local_time(cal.from_utc_seconds(r[2]), tz)),
        Column("minutes", "minutes", lambda r: round((r[2] - r[1]) / 60, 1)),
    )
    if not windows:
        return html.Section(
            [
                html.H2("Maintenance windows", className="h5"),
                html.P("No maintenance in service hours this month."),
            ],
            className="mb-4",
        )
    return grid(
        "council-maintenance",
        columns,
        windows,
        file_name=f"maintenance-{council_id}-{month}.csv",
        title="Maintenance windows (within service hours; not counted)",
    )


def _unmonitored(rows, month, council_id):
    items = [
        (row, cause, seconds)
        for row in rows
        if row.measure is not None
        for cause, seconds in sorted(row.measure.unmonitored_by_cause.items())
        if seconds
    ]
    columns = (
        text("service", lambda r: r[0].service_name),
        text("cause", lambda r: r[1]),
        Column("time", "seconds", lambda r: r[2], duration),
        text("policy applied", lambda r: r[0].contract.unmonitored_policy),
    )
    if not items:
        return html.Section(
            [
                html.H2("Unmonitored time", className="h5"),
                html.P("Every second of scheduled time was measured."),
            ],
            className="mb-4",
        )
    return grid(
        "council-unmonitored",
        columns,
        items,
        file_name=f"unmonitored-{council_id}-{month}.csv",
        title="Unmonitored time, by cause, and the policy applied",
    )


def _recovery(rows, month, council_id):
    items = [row for row in rows if row.rpo is not None]
    if not items:
        return html.Section(
            [
                html.H2("Recovery points", className="h5"),
                html.P("No service of this council has a recovery-point objective."),
            ],
            className="mb-4",
        )
    columns = (
        text("service", lambda r: r.service_name),
        Column("RPO", "hours", lambda r: r.rpo.rpo_hours),
        Column(
            "RPO compliance",
            "percent",
            lambda r: None if r.rpo.compliance is None else percent_down(r.rpo.compliance, 3),
        ),
        text("met", lambda r: "n/a" if r.rpo.met is None else ("yes" if r.rpo.met else "NO")),
        Column("backup jobs", "", lambda r: r.rpo.jobs.attempted),
        Column("succeeded", "", lambda r: r.rpo.jobs.succeeded),
        Column(
            "success",
            "percent",
            lambda r: None if r.rpo.jobs.success_rate is None else percent_down(r.rpo.jobs.success_rate, 2),
        ),
    )
    return grid(
        "council-recovery",
        columns,
        items,
        file_name=f"recovery-{council_id}-{month}.csv",
        title="Recovery points and backups",
    )


def _response(rows, month, council_id):
    items = [row for row in rows if row.response is not None]
    if not items:
        return html.Div()
    columns = (
        text("service", lambda r: r.service_name),
        Column(
            "p95",
            "seconds",
            lambda r: None if r.response.p95_seconds is None else f"{r.response.p95_seconds:.2f}",
        ),
        Column("target", "seconds", lambda r: r.response.target_seconds),
        text("met", lambda r: "n/a" if r.response.met is None else ("yes" if r.response.met else "NO")),
        Column("probes counted", "", lambda r: r.response.counted),
        text("resolution", lambda r: r.response.resolution),
    )
    return grid(
        "council-response",
        columns,
        items,
        file_name=f"response-{council_id}-{month}.csv",
        title="Response time (p95 of successful probes in scheduled time)",
    )


def _rules(rows, report, served):
    items = []
    for row in rows:
        c = row.contract
        hours = str(c.service_hours)
        holidays = c.bank_holidays or served.estate.estate.bank_holidays
        windows = "; ".join(str(w) for w in c.maintenance_windows) or "none"
        items.append(
            (
                row.service_name,
                f"contract from {c.effective_from}{' to ' + str(c.effective_until) if c.effective_until else ''}; "
                f"service hours {hours}; bank holidays: {holidays}; maintenance: {windows}; "
                f"unmonitored time counted as {c.unmonitored_policy}; target {c.availability_target_percent}%"
                + (f"; RPO {c.rpo_hours} h" if c.rpo_hours else "")
                + (
                    f"; response p95 ≤ {c.response_time_target_seconds:g} s"
                    if c.response_time_target_seconds
                    else ""
                )
                + (f"; credits {money(row.credit_gbp)} ({row.credit_percent}%)" if row.credit_gbp else ""),
            )
        )
    items.append(("Time zone", report.time_zone))
    items.append(
        (
            "Figures produced by",
            f"councilops {report.provenance.councilops_version}, holidays {report.provenance.holidays_version}, estate SHA-256 {report.provenance.estate_sha256[:12]}…",
        )
    )
    return rules_list(items, "Rules in force this month")


PAGE = Page(module=__name__, path="/council", name="Council", roles=EVERYONE, layout=layout, order=1)


def state_of(row) -> html.Span:
    return state_badge(month_state(row))
