"""The pieces every page is made of: grids from presentation's columns, tiles, states shown in
words (never by colour alone), charts with a title, units and the rule behind them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.fast_json import Laid
from presentation.render import Column

# how a state reads: a word and a mark, with the colour only as a third cue
STATES = {
    "met": ("met", "✓", "success"),
    "on track": ("on track", "✓", "success"),
    "at risk": ("at risk", "!", "warning"),
    "missed": ("missed", "✗", "danger"),
    "not measured": ("not measured", "–", "secondary"),
    "ok": ("ok", "✓", "success"),
    "partial": ("partial", "!", "warning"),
    "failed": ("failed", "✗", "danger"),
    "running": ("running", "…", "info"),
}
GROWN_ROWS = 30  # up to this many rows a grid is as tall as its rows; more scroll inside it
_NUMBER = re.compile(r"-?[\d,]*\.?\d+")


def state_badge(state: str, detail: str = "") -> html.Span:
    word, mark, colour = STATES.get(state, (state, "", "secondary"))
    return html.Span(
        f"{mark} {word}{(' ' + detail) if detail else ''}".strip(),
        className=f"badge text-bg-{colour} state state-{word.replace(' ', '-')}",
    )


def _cell(column: Column, row) -> object:
    """What a grid cell holds: the text the terminal shows; a plain number where the text is one
    (so it sorts as a number), the same figure as shown."""
    shown = column.text(row)
    bare = shown.replace("%", "").replace("£", "").strip()
    if column.unit and _NUMBER.fullmatch(bare):
        return float(bare.replace(",", ""))
    return shown


def _field(index: int) -> str:
    return f"c{index}"


def grid_rows(columns: Sequence[Column], rows: Iterable) -> list[dict]:
    """A grid's rows: what each column shows of each row (a callback that changes a grid's rows
    sends these)."""
    return [{_field(i): _cell(column, row) for i, column in enumerate(columns)} for row in rows]


def grid(
    name: str,
    columns: Sequence[Column],
    rows: Iterable,
    *,
    file_name: str,
    title: str,
    height: int | None = None,
    sparklines: Sequence[str] = (),
):
    """A sortable, filterable grid of the rows through the columns, with a CSV export of exactly
    the rows shown (the grid's own export: filtered and sorted as on screen)."""
    rows = list(rows)
    column_defs = [
        {
            "field": _field(i),
            "headerName": column.heading
            + (f" ({column.unit})" if column.unit and column.unit not in column.heading else ""),
            "filter": True,
            "sortable": True,
            "type": "rightAligned" if column.align == "right" else None,
            # text wraps (a service's name, an explanation) rather than being cut short
            **({} if column.align == "right" else {"wrapText": True, "autoHeight": True, "minWidth": 160}),
        }
        for i, column in enumerate(columns)
    ]
    for definition in column_defs:
        if definition["type"] is None:
            del definition["type"]
        if definition["headerName"] in sparklines:  # a character a day: one line, in a fixed-width face
            definition.update(wrapText=False, autoHeight=False, minWidth=640, cellClass="sparkline")
    row_data = grid_rows(columns, rows)
    # a short grid grows to its rows (wrapped text makes rows taller); a long one scrolls
    grows = height is None and len(row_data) <= GROWN_ROWS
    return html.Section(
        [
            html.Div(
                [
                    html.H2(title, className="h5 mb-0"),
                    html.Button(
                        "Download CSV of these rows",
                        id={"type": "grid-csv", "name": name},
                        className="btn btn-outline-secondary btn-sm",
                        type="button",
                    ),
                ],
                className="d-flex justify-content-between align-items-center mb-2",
            ),
            dag.AgGrid(
                id={"type": "grid", "name": name},
                columnDefs=column_defs,
                rowData=row_data,
                defaultColDef={
                    "resizable": True,
                    "minWidth": 90,
                    "wrapHeaderText": True,
                    "autoHeaderHeight": True,
                },
                columnSize="responsiveSizeToFit",
                csvExportParams={"fileName": file_name},
                dashGridOptions={
                    "domLayout": "autoHeight" if grows else "normal",
                    "ensureDomOrder": True,
                    "suppressCellFocus": False,
                },
                style={"width": "100%"} if grows else {"height": f"{height or 600}px", "width": "100%"},
                className="ag-theme-quartz",
            ),
            html.P(f"{len(row_data)} row(s).", className="small text-body-secondary mt-1"),
        ],
        className="mb-4",
        **{"aria-label": title},
    )


def tile(label: str, value: str, note: str = "", state: str | None = None):
    body = [
        html.Div(label, className="tile-label small text-body-secondary"),
        html.Div(value, className="tile-value fs-4"),
    ]
    if state:
        body.append(state_badge(state))
    if note:
        body.append(html.Div(note, className="small text-body-secondary"))
    return dbc.Card(dbc.CardBody(body), className="tile h-100")


def tiles(items: Sequence) -> dbc.Row:
    return dbc.Row([dbc.Col(item, xs=12, sm=6, lg=3, className="mb-3") for item in items])


def chart(graph_id: str, figure, title: str, rule: str, height: int = 320):
    """A chart with its title, units on its axes (set by the builder) and one plain sentence on
    the rule behind it; the figure's title is the heading, read by screen readers too."""
    return html.Figure(
        [
            html.Figcaption(
                [
                    html.H2(title, className="h5 mb-1"),
                    html.P(rule, className="small text-body-secondary mb-2"),
                ]
            ),
            dcc.Graph(
                id=graph_id,
                figure=figure,
                config={
                    "displaylogo": False,
                    "responsive": True,
                    "modeBarButtonsToRemove": ["sendDataToCloud", "lasso2d", "select2d"],
                },
                style={"height": f"{height}px"},
            ),
        ],
        className="mb-4",
    )


def rules_list(items: Sequence[tuple[str, str]], title: str = "Rules in force"):
    return html.Section(
        [
            html.H2(title, className="h5"),
            html.Dl(
                [part for key, value in items for part in (html.Dt(key), html.Dd(value))],
                className="rules row-cols-2",
            ),
        ],
        className="mb-4",
    )


def link(text: str, path: str, **query) -> html.A:
    shown = {k: v for k, v in query.items() if v}
    # dcc.Link moves within the app without reloading it (Dash Pages lays the page out)
    return dcc.Link(text, href=path + (("?" + urlencode(shown)) if shown else ""))


def month_nav(path: str, month: str, months: Sequence[str], **query):
    """Links to the months around this one: the selection lives in the URL, so every view is a link."""
    items = []
    for label in months:
        current = label == month
        shown = (
            html.Span(label, className="page-link", **{"aria-current": "page"})  # this month: not a link
            if current
            else dcc.Link(
                label,
                href=path + "?" + urlencode({**{k: v for k, v in query.items() if v}, "month": label}),
                className="page-link",
            )
        )
        items.append(html.Li(shown, className="page-item" + (" active" if current else "")))
    return html.Nav(html.Ul(items, className="pagination pagination-sm flex-wrap"), **{"aria-label": "Month"})


def issued_reports_table(issued: Sequence, shown_time, period_heading: str, href, described) -> html.Table:
    """Issued reports, a row per revision: period, revision, when, why, the PDF and its SHA-256.
    `shown_time`: the issue time as the page shows it; `href`: a revision's download path;
    `described`: what its link reads aloud."""
    rows = [
        html.Tr(
            [
                html.Td(r.period),
                html.Td(str(r.revision), className="text-end"),
                html.Td(shown_time(r.issued_at_utc)),
                html.Td(r.reason),
                html.Td(html.A(f"PDF, revision {r.revision}", href=href(r), **{"aria-label": described(r)})),
                html.Td(html.Code(r.content_sha256[:16] + "…", title=r.content_sha256)),
            ]
        )
        for r in issued
    ]
    head = html.Thead(
        html.Tr(
            [
                html.Th(period_heading, scope="col"),
                html.Th("revision", scope="col", className="text-end"),
                html.Th("issued", scope="col"),
                html.Th("reason", scope="col"),
                html.Th("file", scope="col"),
                html.Th("SHA-256", scope="col"),
            ]
        )
    )
    return html.Table([head, html.Tbody(rows)], className="table table-sm")


def heading(title: str, subtitle: str = ""):
    parts = [html.H1(title, className="h3 mb-1")]
    if subtitle:
        parts.append(html.P(subtitle, className="text-body-secondary"))
    return html.Div(parts, className="mb-3")


def note(text: str, kind: str = "info"):
    return dbc.Alert(text, color=kind, className="py-2")


def chooser(name: str, label: str, options: Sequence[tuple[str, str]], chosen: str | None):
    """A choice of one of `options` (value, label) that moves the page to it: the choice goes
    into the URL's `name` (a clientside callback in dashboard/app.py), so the view stays a link
    and the server checks it as it checks any query. A native select inside its label: read by
    screen readers, chosen by keyboard (type-ahead) without a script of its own."""
    choices = [{"value": value, "label": text} for value, text in options]
    return html.Div(
        html.Label(
            [
                html.Span(label, className="form-label small d-block mb-1"),
                dbc.Select(
                    id={"type": "chooser", "name": name},
                    options=choices,
                    value=chosen or "",
                    placeholder="Choose…",
                    size="sm",
                ),
            ],
            className="d-block",
        ),
        className="mb-3",
        style={"maxWidth": "36rem"},
    )


def kept(served, key: tuple, month: str | None, build) -> Laid:
    """A part of a page that shows only the answers of `month` (and what leads to it), or of the
    last collection when None: laid out and encoded once and kept with those answers
    (`Answers.derived`). The key names the part and everything it depends on beyond them."""
    return served.answers.derived(key, month, lambda: Laid(build()))
