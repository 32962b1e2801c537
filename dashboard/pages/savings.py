"""Savings (to be written)."""

from __future__ import annotations

from dash import html

from dashboard.access import MANAGERS, Page
from dashboard.components import heading


def layout(viewer, served, **_):
    return html.Div([heading("Savings")])


PAGE = Page(module=__name__, path="/savings", name="Savings", roles=MANAGERS, layout=layout, order=6)
