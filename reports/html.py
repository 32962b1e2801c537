"""The reports' HTML from Jinja2 templates (reports/templates/), autoescaped."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the render, never prints nothing
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(name: str, context: dict) -> str:
    return _environment().get_template(name).render(**context)
