"""The Dash app: the Flask server with the gate, the security headers, /healthz and /metrics, and
the pages (Dash Pages, one module per page under dashboard/pages/).

`create_app(served)` builds it; `councilops serve` runs it on waitress. Pages compute nothing
of their own: each asks `served.answers` (the application layer) within the signed-in user's
scope, and shows it through presentation/ and the figure builders in dashboard/figures.py.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import flask
import orjson
from dash import MATCH, Input, Output, State, dcc, html
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dashboard import access, auth, downloads, fast_json
from dashboard.context import Served
from dashboard.metrics import ServedMetrics
from dashboard.page_cache import PageCache, StaticCompressed, page_request, static_key
from dashboard.pages import PAGES

LOG = logging.getLogger("councilops.dashboard")
ASSETS = Path(__file__).parent / "assets"


def _content_security_policy(app: dash.Dash) -> str:
    # Dash's own inline scripts by their hashes (no nonces); plotly needs eval, and plotly and
    # ag-grid set inline styles
    scripts = " ".join(["'self'", "'unsafe-eval'", *app.csp_hashes()])
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _kind(request: flask.Request) -> str:
    if request.path == "/_dash-update-component":
        return "callback"
    if request.path.startswith("/download/"):
        return "download"
    if request.method == "GET" and not request.path.startswith(("/_", "/assets/")):
        return "page"
    return "other"


def _shell():
    """The frame around every page, for the signed-in user: their pages, who they are, sign-out."""
    # Dash lays the frame out once on its first request, whoever sends it, to check its ids: that
    # copy names nobody; the frame a browser gets comes from /_dash-layout, behind the gate
    viewer = flask.g.get("viewer")
    links = (
        [
            dbc.NavItem(dbc.NavLink(page.name, href=page.path, active="exact"))
            for page in access.pages_for(viewer.role)
            if page.in_menu
        ]
        if viewer
        else []
    )
    who = ""
    if viewer is not None:
        who = viewer.username + (
            f" ({viewer.account.council_id})" if viewer.scope.council_id else f" ({viewer.role})"
        )
    csrf = flask.session.get("csrf", "")
    return html.Div(
        [
            html.A("Skip to content", href="#content", className="visually-hidden-focusable skip-link"),
            html.Header(
                dbc.Navbar(
                    dbc.Container(
                        [
                            dbc.NavbarBrand("councilops", href="/"),
                            html.Nav(
                                dbc.Nav(links, navbar=True, className="me-auto"), **{"aria-label": "Pages"}
                            ),
                            html.Div(
                                [
                                    html.Span(who, className="navbar-text me-3", id="signed-in-as"),
                                    html.Button(
                                        "Dark theme",
                                        id="theme-toggle",
                                        className="btn btn-outline-secondary btn-sm me-2",
                                        type="button",
                                        **{"aria-pressed": "false"},
                                    ),
                                    html.Form(
                                        [
                                            dcc.Input(
                                                type="hidden", name="csrf", value=csrf, id="signout-csrf"
                                            ),
                                            html.Button(
                                                "Sign out",
                                                className="btn btn-outline-primary btn-sm",
                                                type="submit",
                                            ),
                                        ],
                                        method="POST",
                                        action=auth.SIGN_OUT,
                                        className="d-inline",
                                    ),
                                ],
                                className="d-flex align-items-center",
                            ),
                        ],
                        fluid=True,
                    ),
                    color="body-tertiary",
                    dark=False,
                    expand="lg",
                    className="border-bottom mb-3",
                )
            ),
            html.Main(dbc.Container(dash.page_container, fluid=True), id="content", tabIndex="-1"),
            dcc.Store(id="theme", storage_type="local"),
        ]
    )


def create_app(served: Served) -> dash.Dash:
    fast_json.install()
    server = flask.Flask("councilops")
    # the static files' compressed forms kept (fingerprinted: they never change while served)
    server.config.update(COMPRESS_CACHE_BACKEND=StaticCompressed, COMPRESS_CACHE_KEY=static_key)
    auth.install(server, served)
    metrics = ServedMetrics(served.guard, served.answers, served.collection_state)
    server.config["COUNCILOPS_REFUSED"] = metrics.refused
    server.config["COUNCILOPS_SERVED"] = served

    app = dash.Dash(
        "councilops",
        server=server,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        serve_locally=True,
        compress=True,
        suppress_callback_exceptions=True,
        title="councilops",
        update_title=None,
        include_assets_files=True,
    )
    for page in PAGES:
        dash.register_page(
            page.module,
            path=page.path,
            name=page.name,
            title=f"{page.name} - councilops",
            layout=access.guarded(page, served),
            order=page.order,
        )
    app.layout = _shell
    # the document's language, for screen readers (WCAG 3.1.1); the rest is Dash's own page
    app.index_string = app.index_string.replace("<html>", '<html lang="en-GB">', 1)

    # the theme: kept in the browser (local storage), applied to the document, said in the button
    app.clientside_callback(
        """
        function(clicks, stored) {
            var theme = stored || 'light';
            if (clicks) { theme = theme === 'dark' ? 'light' : 'dark'; }
            document.documentElement.setAttribute('data-bs-theme', theme);
            // ag-grid's themes follow the same choice (its colour scheme by this attribute)
            document.body.setAttribute('data-ag-theme-mode', theme);
            var other = theme === 'dark' ? 'Light theme' : 'Dark theme';
            return [theme, other, theme === 'dark' ? 'true' : 'false'];
        }
        """,
        Output("theme", "data"),
        Output("theme-toggle", "children"),
        Output("theme-toggle", "aria-pressed"),
        Input("theme-toggle", "n_clicks"),
        State("theme", "data"),
    )
    # a chooser (components.chooser) puts its choice in the URL and lays the page out afresh:
    # the server reads it from there, checked against the viewer's scope like any query
    app.clientside_callback(
        """
        function(value) {
            var id = dash_clientside.callback_context.triggered_id;
            if (value && id) {
                var url = new URL(window.location.href);
                if (url.searchParams.get(id.name) !== value) {
                    url.searchParams.set(id.name, value);
                    window.location.assign(url.toString());
                }
            }
            return dash_clientside.no_update;
        }
        """,
        Output({"type": "chooser", "name": MATCH}, "className"),
        Input({"type": "chooser", "name": MATCH}, "value"),
        prevent_initial_call=True,
    )
    access.register_callbacks(app, served)

    csp = {"value": None}
    pages = PageCache()
    app.councilops_pages = pages

    @server.before_request
    def started():
        flask.g.started = time.perf_counter()
        if flask.request.path == "/_dash-update-component":
            body = flask.request.get_json(silent=True) or {}
            output = body.get("output") if isinstance(body, dict) else None
            if output not in app.callback_map:  # no such callback: a forged or stale request
                auth.refused("a callback that does not exist", output=str(output)[:80])
                return flask.Response('{"error": "no such callback"}', 400, mimetype="application/json")
            flask.g.callback_output = output  # a label only for the app's own callbacks
            asked = page_request(body)
            viewer = flask.g.get("viewer")
            if asked is not None and viewer is not None:
                key = pages.key(*asked, viewer.scope.council_id, viewer.role, served.answers.generation)
                kept = pages.get(key) if key is not None else None
                if kept is not None:
                    return flask.Response(kept, mimetype="application/json")
                flask.g.page_key = key

    @server.after_request
    def headers(response: flask.Response) -> flask.Response:
        key = flask.g.get("page_key")
        if key is not None and response.status_code == 200 and not response.direct_passthrough:
            pages.put(key, response.get_data())  # before compression: flask-compress runs after this
        if csp["value"] is None:
            csp["value"] = _content_security_policy(app)
        response.headers["Content-Security-Policy"] = csp["value"]
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if served.settings.secure_cookies:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if not flask.request.path.startswith(("/assets/", "/_dash-component-suites/")):
            response.headers["Cache-Control"] = "no-store"  # a council's figures stay off shared caches
        began = flask.g.get("started")
        if began is not None:
            seconds = time.perf_counter() - began
            kind = _kind(flask.request)
            metrics.request_seconds.labels(kind).observe(seconds)
            # the server's own time, for the benchmark and the browser's devtools (W3C Server-Timing)
            response.headers["Server-Timing"] = f"app;dur={seconds * 1000:.1f}"
            if kind == "callback":
                output = flask.g.get("callback_output", "?")
                metrics.callback_seconds.labels(output).observe(seconds)
        return response

    @server.errorhandler(Exception)
    def failed(error):
        """A callback request Dash cannot read (forged or malformed) is the sender's fault: 400,
        logged as a refusal; anything else is logged whole and answered without its details."""
        from werkzeug.exceptions import HTTPException

        if isinstance(error, HTTPException):
            return error
        if flask.request.path == "/_dash-update-component" and isinstance(
            error, (KeyError, TypeError, ValueError, IndexError, AttributeError)
        ):
            auth.refused("a malformed callback", error=type(error).__name__)
            return flask.Response('{"error": "malformed callback"}', 400, mimetype="application/json")
        LOG.exception("request failed: %s %s", flask.request.method, flask.request.path)
        return flask.Response(
            '{"error": "the request failed; it has been logged"}', 500, mimetype="application/json"
        )

    @server.route("/healthz")
    def healthz():
        try:
            with served.warehouse.cursor() as warehouse:
                warehouse.applied_migrations()
        except Exception as error:  # noqa: BLE001 - any failure to read is "not healthy"
            LOG.error("health check failed: %s", error)
            return flask.Response(
                orjson.dumps({"ok": False, "warehouse": "unreadable"}), 503, mimetype="application/json"
            )
        return flask.Response(
            orjson.dumps({"ok": True, "warehouse": "readable"}), mimetype="application/json"
        )

    @server.route("/metrics")
    def prometheus_metrics():
        if not served.settings.may_read_metrics(flask.request.remote_addr):
            auth.refused("/metrics from an address not configured to read it")
            return flask.Response("not allowed from this address\n", 403, mimetype="text/plain")
        return flask.Response(generate_latest(metrics.registry), mimetype=CONTENT_TYPE_LATEST)

    downloads.install(server, served)
    app.councilops_metrics = metrics  # for serve and the tests
    return app
