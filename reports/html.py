"""The reports' HTML from Jinja2 templates (reports/templates/), autoescaped."""

from __future__ import annotations

import base64
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


def logo_image(svg: str, alt: str) -> dict:
    """A logo as an image of its own (a `data:` URL), never as markup in the page: an HTML
    parser reads inline SVG otherwise than the XML checker did (estate/logo.py), so inline it
    could end the SVG and write into the report; as an image it is only ever an image."""
    return {
        "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii"),
        "alt": alt,
    }


def render_template(name: str, context: dict) -> str:
    return _environment().get_template(name).render(**context)
