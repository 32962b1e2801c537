"""Downloads of issued reports: `/reports/download?month=YYYY-MM&revision=N[&council=ID]` (a
council's monthly report) and `/reports/savings/download?report=ID&revision=N` (the savings
report, for the roles that see the savings ledger).

The gate has signed the user in (dashboard/auth.py). A council viewer's council is their own,
from the session: a `council` naming another is refused and logged, and answered as "not
found", exactly as an unknown council, so nothing says whether it has reports."""

from __future__ import annotations

import re

import flask

from application.issued_reports import issued_file, savings_file
from dashboard import auth
from dashboard.access import MANAGERS, QUERY_FORMS, NotFound
from dashboard.pages import common
from estate.model import UnknownId

REVISION = re.compile(r"[1-9][0-9]{0,3}")
SAVINGS_REPORT = re.compile(
    r"savings/(?:\d{4}-\d{2}|\d{4}-\d{2}/to-\d{4}-\d{2}-\d{2}|programme/to-\d{4}-\d{2}-\d{2})"
)


def install(server: flask.Flask, served) -> None:
    @server.route("/reports/download")
    def report_download():
        viewer = auth.current()
        query = flask.request.args
        month, revision = query.get("month", ""), query.get("revision", "")
        if not QUERY_FORMS["month"].fullmatch(month) or not REVISION.fullmatch(revision):
            auth.refused("a report download of the wrong form")
            return flask.Response("not found\n", 404, mimetype="text/plain")
        try:
            council_id = common.council_of(viewer, served, query.get("council"))
            if council_id is None:
                raise NotFound("council")
            with served.warehouse.cursor() as warehouse:
                content = issued_file(
                    warehouse, served.estate, viewer.scope, council_id, month, int(revision)
                )
        except (NotFound, UnknownId):
            return flask.Response("not found\n", 404, mimetype="text/plain")
        if content is None:
            return flask.Response("not found\n", 404, mimetype="text/plain")
        response = flask.Response(content, mimetype="application/pdf")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{council_id}-{month}-revision-{revision}.pdf"'
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @server.route("/reports/savings/download")
    def savings_report_download():
        viewer = auth.current()
        query = flask.request.args
        report_id, revision = query.get("report", ""), query.get("revision", "")
        if not SAVINGS_REPORT.fullmatch(report_id) or not REVISION.fullmatch(revision):
            auth.refused("a savings report download of the wrong form")
            return flask.Response("not found\n", 404, mimetype="text/plain")
        if viewer.role not in MANAGERS or not viewer.scope.is_provider:
            auth.refused("a savings report download outside the role")
            return flask.Response("not found\n", 404, mimetype="text/plain")
        with served.warehouse.cursor() as warehouse:
            content = savings_file(warehouse, viewer.scope, report_id, int(revision))
        if content is None:
            return flask.Response("not found\n", 404, mimetype="text/plain")
        response = flask.Response(content, mimetype="application/pdf")
        name = report_id.removeprefix("savings/").replace("/", "-")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="savings-{name}-revision-{revision}.pdf"'
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response
