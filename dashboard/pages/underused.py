"""Under-used servers (to be written)."""

from __future__ import annotations

from dash import html

from dashboard.access import PROVIDER_ROLES, Page
from dashboard.components import heading


def layout(viewer, served, **_):
    return html.Div([heading("Under-used servers")])


PAGE = Page(
    module=__name__,
    path="/under-used",
    name="Under-used servers",
    roles=PROVIDER_ROLES,
    layout=layout,
    order=4,
)
