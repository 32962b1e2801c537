"""Charts for the PDFs as plain vector SVG, from the same cells as the dashboard's figures
(WeasyPrint draws SVG shapes and text but not `foreignObject`; plotly's own export would need
Kaleido and a Chromium per render, 3 s a call, against the reports' 1 s goal)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BLUE, VERMILION, PALE, INK = "#0072B2", "#D55E00", "#f2f2f2", "#1a1a1a"


def _fill(margin: float | None) -> str:
    """Blue above target, vermilion below, paler the closer to it (within 1 point shades in)."""
    if margin is None:
        return PALE
    strength = min(1.0, abs(margin) / 1.0)
    base = BLUE if margin >= 0 else VERMILION
    r, g, b = (int(base[i : i + 2], 16) for i in (1, 3, 5))
    mix = 0.25 + 0.75 * strength
    return "#{:02x}{:02x}{:02x}".format(*(round(255 + (c - 255) * mix) for c in (r, g, b)))


def _ink(margin: float | None) -> str:
    return INK if margin is None or abs(margin) < 0.6 else "#ffffff"


def _mark(text: str, cx: float, cy: float, ink: str) -> str:
    """The cell's state as a shape, not text (text in SVG costs WeasyPrint ten times a path):
    a tick for met, a cross for missed, a dash for a month without a contract or a figure."""
    if "✓" in text:
        d = f"M{cx - 4:.1f} {cy:.1f} l3 3 l6 -6"
    elif "✗" in text:
        d = f"M{cx - 3.5:.1f} {cy - 3.5:.1f} l7 7 m0 -7 l-7 7"
    else:
        d = f"M{cx - 3:.1f} {cy:.1f} h6"
    return f'<path d="{d}" stroke="{ink}" stroke-width="1.6" fill="none"/>'


def trend_svg(
    months: Sequence[str], services: Sequence[str], margins: Sequence[Sequence[float | None]], texts
) -> str:
    """Services (rows) by months (columns), as the dashboard's 12-month chart: each cell's colour
    its margin over target, its mark the state (a tick met, a cross missed, a dash neither), so
    the state is never the colour alone. Each month's figures are in that month's report."""
    label_width, cell_width, cell_height, head = 150, 40, 15, 16
    width = label_width + cell_width * len(months)
    height = head + cell_height * len(services)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="Availability by month against target" '
        'font-family="DejaVu Sans" font-size="7">'
    ]
    for j, month in enumerate(months):
        x = label_width + j * cell_width + cell_width / 2
        out.append(f'<text x="{x:.1f}" y="11" text-anchor="middle" fill="{INK}">{escape(month)}</text>')
    for i, name in enumerate(services):
        y = head + i * cell_height
        shown = name if len(name) <= 36 else name[:35] + "…"
        out.append(f'<text x="0" y="{y + 10.5}" fill="{INK}">{escape(shown)}</text>')
        for j in range(len(months)):
            margin, text = margins[i][j], texts[i][j]
            x = label_width + j * cell_width
            out.append(
                f'<rect x="{x + 0.5}" y="{y + 0.5}" width="{cell_width - 1}" height="{cell_height - 1}" '
                f'fill="{_fill(margin)}"/>'
            )
            if text:
                out.append(_mark(text, x + cell_width / 2, y + cell_height / 2, _ink(margin)))
    out.append("</svg>")
    return "".join(out)
