"""Which roles see which pages, and the guard every page's layout runs behind.

A page's layout runs only for a signed-in user whose role may see it, with that user's scope
(from the session: `auth.current()`); its query parameters are checked against fixed patterns
and the estate before the page sees them. A page asked outside the role, an id the scope may not
see and an unknown id are all answered "not found" alike (so a council viewer cannot tell
another council's ids from made-up ones), and logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import dash
from dash import ALL, Input, Output, State, dcc, html

from dashboard import auth
from estate.model import UnknownId
from estate.scope import OutOfScope

LOG = logging.getLogger("councilops.dashboard")

EVERYONE = ("administrator", "operator", "capacity-planner", "manager", "council-viewer")
PROVIDER_ROLES = ("administrator", "operator", "capacity-planner", "manager")
ADMINISTRATORS = ("administrator",)
PLANNERS = ("administrator", "operator", "capacity-planner")  # utilisation and capacity
OPERATORS = ("administrator", "operator")  # collection, data coverage, backups
MANAGERS = ("administrator", "manager")  # the savings ledger
EXPLAINERS = ("administrator", "operator")  # who may write an outage's explanation

# the query parameters a page may be given, each with the only form it may take
QUERY_FORMS = {
    "month": re.compile(r"\d{4}-(0[1-9]|1[0-2])"),
    "council": re.compile(r"[a-z0-9][a-z0-9-]{0,63}"),
    "service": re.compile(r"[a-z0-9][a-z0-9-]{0,63}"),
    "site": re.compile(r"[a-z0-9][a-z0-9-]{0,63}"),
    "dataset": re.compile(r"[a-z0-9][a-z0-9-]{0,63}"),
    "server": re.compile(r"[a-z0-9][a-z0-9-]{0,63}"),
    "pool": re.compile(r"cpu|memory|storage"),
    "year": re.compile(r"\d{4}-\d{2}"),
}


@dataclass(frozen=True)
class Page:
    module: str
    path: str
    name: str
    roles: tuple[str, ...]
    layout: Callable  # (viewer, served, **query) -> component
    order: int = 0
    in_menu: bool = True
    rule: str = ""  # a sentence on what the page shows


class NotFound(Exception):
    """What was asked for does not exist for this user (or at all: the two are not told apart)."""


def pages_for(role: str) -> list[Page]:
    from dashboard.pages import PAGES

    return [p for p in PAGES if role in p.roles]


def not_found(
    message: str = "Nothing here: the page or the figures asked for do not exist, or are not yours to see.",
):
    return html.Div(
        [html.H1("Not found", className="h3"), html.P(message), dcc.Link("Back to the overview", href="/")],
        className="not-found",
    )


def _query(page: Page, query: dict) -> dict:
    clean = {}
    for key, value in query.items():
        form = QUERY_FORMS.get(key)
        if form is None:
            continue  # what a page does not take is ignored, never passed on
        if not isinstance(value, str) or not form.fullmatch(value):
            auth.refused("query parameter of the wrong form", page=page.path, key=key)
            raise NotFound(key)
        clean[key] = value
    return clean


def guarded(page: Page, served) -> Callable:
    def layout(**query):
        if not flask_request_active():
            return html.Div()  # Dash lays out pages once at start, outside any request
        viewer = auth.current()
        if viewer.role not in page.roles:
            auth.refused("page outside the role", page=page.path, role=viewer.role)
            return not_found()
        try:
            return page.layout(viewer, served, **_query(page, query))
        except (NotFound, UnknownId, OutOfScope) as error:
            auth.refused("id outside the scope or unknown", page=page.path, asked=str(error)[:80])
            return not_found()
        except Exception:  # noqa: BLE001 - one page failing says so, in words, and is logged whole
            LOG.exception("page %s failed for %s", page.path, viewer.username)
            return html.Div(
                [
                    html.H1("This page could not be shown", className="h3"),
                    html.P(
                        "Something went wrong working out its figures; it has been logged. Try again, or another page."
                    ),
                ],
                role="alert",
            )

    return layout


def flask_request_active() -> bool:
    import flask

    return flask.has_request_context()


def register_callbacks(app: dash.Dash, served) -> None:
    """The callbacks every page shares. Each sends nothing of its own: the CSV export asks the
    grid in the browser to export the rows it holds (already the user's), as shown."""

    @app.callback(
        Output({"type": "grid", "name": ALL}, "exportDataAsCsv"),
        Input({"type": "grid-csv", "name": ALL}, "n_clicks"),
        State({"type": "grid", "name": ALL}, "id"),
        prevent_initial_call=True,
    )
    def export_csv(clicks, grid_ids):
        triggered = dash.ctx.triggered_id
        if triggered is None:
            return [False] * len(grid_ids)
        return [grid_id["name"] == triggered["name"] for grid_id in grid_ids]
