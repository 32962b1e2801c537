"""Data coverage (to be written)."""

from __future__ import annotations

from dash import html

from dashboard.access import OPERATORS, Page
from dashboard.components import heading


def layout(viewer, served, **_):
    return html.Div([heading("Data coverage")])


PAGE = Page(module=__name__, path="/coverage", name="Data coverage", roles=OPERATORS, layout=layout, order=7)
