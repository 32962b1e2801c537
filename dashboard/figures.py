"""Figure builders: plain functions from an answer's figures to a plotly figure (a dict), each
with its axis titles and units. Built as plain dicts (plotly's graph objects validate every
attribute, ten times slower for the same JSON); numbers rounded to what is shown; arrays as
numpy, which plotly sends to the browser as typed arrays. The reports issue draws its SVG
charts from the same data."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# colour-blind-safe (Okabe-Ito); every state also has a word or a marker shape
BLUE, ORANGE, GREEN, VERMILION, GREY, SKY, PURPLE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#6c757d",
    "#56B4E9",
    "#CC79A7",
)
SERIES = (BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, GREY)
PATTERNS = ("", "/", "x", ".", "+", "-")


def _layout(y_title: str, x_title: str = "", **more) -> dict:
    layout = {
        "margin": {"l": 60, "r": 20, "t": 10, "b": 50},
        "xaxis": {"title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}},
        "legend": {"orientation": "h", "y": -0.25},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hovermode": "x unified",
    }
    layout.update(more)
    return layout


def _values(values, places: int) -> np.ndarray:
    return np.round(np.array([np.nan if v is None else float(v) for v in values], dtype=float), places)


def bars(
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    y_title: str,
    x_title: str = "",
    stacked: bool = False,
) -> dict:
    data = [
        {
            "type": "bar",
            "x": list(categories),
            "y": _values(values, 2),
            "name": name,
            "marker": {"color": SERIES[i % len(SERIES)], "pattern": {"shape": PATTERNS[i % len(PATTERNS)]}},
        }
        for i, (name, values) in enumerate(series.items())
    ]
    return {"data": data, "layout": _layout(y_title, x_title, barmode="relative" if stacked else "group")}


def lines(
    x: Sequence,
    series: dict[str, Sequence[float | None]],
    y_title: str,
    x_title: str = "",
    dashed: Sequence[str] = (),
) -> dict:
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": list(x),
            "y": _values(values, 3),
            "name": name,
            "line": {"color": SERIES[i % len(SERIES)], "dash": "dash" if name in dashed else "solid"},
        }
        for i, (name, values) in enumerate(series.items())
    ]
    return {"data": data, "layout": _layout(y_title, x_title)}


def heatmap(z, x: Sequence[str], y: Sequence[str], z_title: str) -> dict:
    """Hour of week (x) by day (y): the values also in each cell's hover text."""
    data = [
        {
            "type": "heatmap",
            "z": np.round(np.array([[np.nan if v is None else v for v in row] for row in z], dtype=float), 1),
            "x": list(x),
            "y": list(y),
            "colorscale": "Cividis",
            "colorbar": {"title": {"text": z_title}},
            "hovertemplate": "%{y} %{x}: %{z}<extra></extra>",
        }
    ]
    return {"data": data, "layout": _layout("", "hour of day", hovermode="closest")}


def against_target(months: Sequence[str], services: Sequence[str], margins, texts) -> dict:
    """Services (rows) by months (columns): each cell the month's availability less its target
    in percentage points (the colour), with the availability and met or missed written in it."""
    data = [
        {
            "type": "heatmap",
            "z": np.array(
                [[np.nan if v is None else round(v, 3) for v in row] for row in margins], dtype=float
            ),
            "x": list(months),
            "y": list(services),
            "text": texts,
            "texttemplate": "%{text}",
            "textfont": {"size": 10},
            "zmid": 0,
            "colorscale": [[0, VERMILION], [0.5, "#f7f7f7"], [1, BLUE]],
            "colorbar": {"title": {"text": "points over target"}},
            "hovertemplate": "%{y}, %{x}: %{text} (%{z:+.3f} points against target)<extra></extra>",
            "xgap": 1,
            "ygap": 1,
        }
    ]
    layout = _layout("", "month", hovermode="closest", margin={"l": 260, "r": 20, "t": 10, "b": 50})
    layout["yaxis"] = {"autorange": "reversed", "title": {"text": ""}}
    return {"data": data, "layout": layout}
