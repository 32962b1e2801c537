"""Administration (to be written)."""

from __future__ import annotations

from dash import html

from dashboard.access import ADMINISTRATORS, Page
from dashboard.components import heading


def layout(viewer, served, **_):
    return html.Div([heading("Administration")])


PAGE = Page(
    module=__name__, path="/admin", name="Administration", roles=ADMINISTRATORS, layout=layout, order=8
)
