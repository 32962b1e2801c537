"""Callback answers as JSON through orjson in one pass.

Dash turns a callback's answer into JSON with plotly's `to_json_plotly`: orjson is tried first,
but a layout holds Dash components, which orjson does not know, so it falls back to walking the
whole tree in Python (`clean_to_json_compatible`) before encoding it. For the Council page of
the reference estate that walk was 30 ms of a 130 ms layout. Here orjson calls back for each
component (`to_plotly_json`, what the walk calls too) and encodes the rest itself; the text
gets plotly's same escapes (`<`, `>`, `/`, U+2028, U+2029), so what the browser parses is the
same (tests/dashboard/test_fast_json.py compares both on every page). Anything else orjson
cannot encode goes to plotly's own path, unchanged.
"""

from __future__ import annotations

import orjson
from plotly.io._json import _safe, _swap_orjson, to_json_plotly

OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


class Laid:
    """A part of a page laid out and encoded once (kept while the answers it shows are, through
    `Answers.derived`): sent as its JSON text as is (an orjson fragment), so a page that holds it
    costs neither building nor encoding it again. Plotly's path reads it back as plain JSON."""

    __slots__ = ("fragment", "text")

    def __init__(self, component):
        self.text = to_json(component)
        self.fragment = orjson.Fragment(self.text)

    def to_plotly_json(self):
        return orjson.loads(self.text)


def _component(value):
    if isinstance(value, Laid):
        return value.fragment
    to_plotly_json = getattr(value, "to_plotly_json", None)
    if to_plotly_json is None:
        raise TypeError(type(value).__name__)
    return to_plotly_json()


def to_json(value) -> str:
    try:
        text = orjson.dumps(value, default=_component, option=OPTIONS).decode("utf8")
    except TypeError:
        return to_json_plotly(value)
    return _safe(text, _swap_orjson)


def install() -> None:
    """Dash's callbacks encode their answers with this (dash._callback imports `to_json` by name)."""
    import dash._callback  # noqa: PLC0415 - patched once, where the app is made

    dash._callback.to_json = to_json
