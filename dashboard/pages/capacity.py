"""Capacity (to be written)."""

from __future__ import annotations

from dash import html

from dashboard.access import PLANNERS, Page
from dashboard.components import heading


def layout(viewer, served, **_):
    return html.Div([heading("Capacity")])


PAGE = Page(module=__name__, path="/capacity", name="Capacity", roles=PLANNERS, layout=layout, order=3)
