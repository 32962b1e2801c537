"""Figure builders: plain functions from an answer's figures to a plotly figure (a dict), each
with its axis titles and units. Numbers are rounded to what is shown; arrays go as numpy, which
plotly sends as typed arrays. The reports issue draws its SVG charts from the same data."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

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
MARKERS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star")


def _base(y_title: str, x_title: str = "", height: int | None = None) -> go.Layout:
    return go.Layout(
        margin={"l": 60, "r": 20, "t": 10, "b": 50},
        xaxis={"title": {"text": x_title}},
        yaxis={"title": {"text": y_title}},
        legend={"orientation": "h", "y": -0.25},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        height=height,
        hovermode="x unified",
    )


def availability_trend(
    months: Sequence[str], series: dict[str, Sequence[float | None]], target: dict[str, float]
) -> dict:
    """Monthly availability (percent) per service, each with its target as a dashed line."""
    figure = go.Figure(layout=_base("availability (%)", "month"))
    for i, (name, values) in enumerate(series.items()):
        colour = SERIES[i % len(SERIES)]
        figure.add_trace(
            go.Scatter(
                x=list(months),
                y=np.array([np.nan if v is None else round(v, 3) for v in values], dtype=float),
                name=name,
                mode="lines+markers",
                marker={"symbol": MARKERS[i % len(MARKERS)], "color": colour},
                line={"color": colour},
            )
        )
        if name in target:
            figure.add_trace(
                go.Scatter(
                    x=list(months),
                    y=np.full(len(months), float(target[name])),
                    name=f"{name} target",
                    mode="lines",
                    line={"color": colour, "dash": "dash", "width": 1},
                )
            )
    return figure.to_dict()


def bars(
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    y_title: str,
    x_title: str = "",
    stacked: bool = False,
) -> dict:
    figure = go.Figure(layout=_base(y_title, x_title))
    for i, (name, values) in enumerate(series.items()):
        figure.add_trace(
            go.Bar(
                x=list(categories),
                y=np.array([np.nan if v is None else round(float(v), 2) for v in values], dtype=float),
                name=name,
                marker={
                    "color": SERIES[i % len(SERIES)],
                    "pattern": {"shape": ("", "/", "x", ".", "+", "-")[i % 6]},
                },
            )
        )
    figure.update_layout(barmode="stack" if stacked else "group")
    return figure.to_dict()


def lines(
    x: Sequence,
    series: dict[str, Sequence[float | None]],
    y_title: str,
    x_title: str = "",
    dashed: Sequence[str] = (),
) -> dict:
    figure = go.Figure(layout=_base(y_title, x_title))
    for i, (name, values) in enumerate(series.items()):
        colour = SERIES[i % len(SERIES)]
        figure.add_trace(
            go.Scatter(
                x=list(x),
                y=np.array([np.nan if v is None else round(float(v), 3) for v in values], dtype=float),
                name=name,
                mode="lines",
                line={"color": colour, "dash": "dash" if name in dashed else "solid"},
            )
        )
    return figure.to_dict()


def band(
    x: Sequence,
    central: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    history_x: Sequence,
    history: Sequence[float],
    ceiling: float,
    y_title: str,
) -> dict:
    """A forecast: the history, the central projection with its band, and the usable ceiling."""
    figure = go.Figure(layout=_base(y_title, "date"))
    figure.add_trace(
        go.Scatter(
            x=list(history_x),
            y=np.round(np.asarray(history, dtype=float), 1),
            name="weekly peak",
            mode="lines",
            line={"color": BLUE},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=list(x),
            y=np.round(np.asarray(high, dtype=float), 1),
            name="band (high)",
            mode="lines",
            line={"color": SKY, "width": 0},
            showlegend=False,
        )
    )
    figure.add_trace(
        go.Scatter(
            x=list(x),
            y=np.round(np.asarray(low, dtype=float), 1),
            name="forecast band",
            mode="lines",
            fill="tonexty",
            line={"color": SKY, "width": 0},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=list(x),
            y=np.round(np.asarray(central, dtype=float), 1),
            name="central projection",
            mode="lines",
            line={"color": BLUE, "dash": "dash"},
        )
    )
    figure.add_hline(
        y=ceiling,
        line={"color": VERMILION, "dash": "dot"},
        annotation_text=f"usable ceiling {ceiling:g}",
        annotation_position="top left",
    )
    return figure.to_dict()


def heatmap(z, x: Sequence[str], y: Sequence[str], z_title: str) -> dict:
    """Hour of week (x) by day (y): the values also in each cell's hover text."""
    figure = go.Figure(layout=_base("", "hour of day"))
    figure.add_trace(
        go.Heatmap(
            z=np.round(np.asarray(z, dtype=float), 1),
            x=list(x),
            y=list(y),
            colorscale="Cividis",
            colorbar={"title": {"text": z_title}},
            hovertemplate="%{y} %{x}: %{z}<extra></extra>",
        )
    )
    figure.update_layout(hovermode="closest")
    return figure.to_dict()


def sparkline(values: Sequence[float], colour: str = BLUE) -> dict:
    figure = go.Figure(
        go.Scatter(
            y=np.round(np.asarray(values, dtype=float), 1),
            mode="lines",
            line={"color": colour, "width": 1},
            hoverinfo="y",
        ),
        layout=go.Layout(
            margin={"l": 0, "r": 0, "t": 0, "b": 0},
            height=40,
            xaxis={"visible": False},
            yaxis={"visible": False},
            showlegend=False,
            paper_bgcolor="rgba(0,0,0,0)",
            plot_bgcolor="rgba(0,0,0,0)",
        ),
    )
    return figure.to_dict()


def against_target(months: Sequence[str], services: Sequence[str], margins, texts) -> dict:
    """Services (rows) by months (columns): each cell the month's availability less its target
    in percentage points (the colour), with the availability and met or missed written in it."""
    figure = go.Figure(layout=_base("", "month"))
    figure.add_trace(
        go.Heatmap(
            z=np.asarray(margins, dtype=float),
            x=list(months),
            y=list(services),
            text=texts,
            texttemplate="%{text}",
            textfont={"size": 10},
            zmid=0,
            colorscale=[[0, VERMILION], [0.5, "#f7f7f7"], [1, BLUE]],
            colorbar={"title": {"text": "points over target"}},
            hovertemplate="%{y}, %{x}: %{text} (%{z:+.3f} points against target)<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    figure.update_layout(
        hovermode="closest", yaxis={"autorange": "reversed", "title": {"text": ""}}, margin={"l": 260}
    )
    return figure.to_dict()
