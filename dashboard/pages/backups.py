"""Backups and DR (to be written)."""

from __future__ import annotations

from dash import html

from dashboard.access import OPERATORS, Page
from dashboard.components import heading


def layout(viewer, served, **_):
    return html.Div([heading("Backups and DR")])


PAGE = Page(module=__name__, path="/backups", name="Backups and DR", roles=OPERATORS, layout=layout, order=5)
