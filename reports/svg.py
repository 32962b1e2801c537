"""Charts for the PDFs as plain vector SVG, from the same cells as the dashboard's figures. Their
text is in "Report Sans", the stylesheet's own font (reports/fonts/), never the machine's
(WeasyPrint draws SVG shapes and text but not `foreignObject`; plotly's own export would need
Kaleido and a Chromium per render, 3 s a call, against the reports' 1 s goal)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BLUE, VERMILION, PALE, INK = "#0072B2", "#D55E00", "#f2f2f2", "#1a1a1a"


SHADES = 4  # steps of paleness each side of the target: a handful of paths, not one per cell


def _fill(margin: float | None) -> str:
    """Blue above target, vermilion below, paler the closer to it (within 1 point shades in, in
    SHADES steps so that cells of one shade are drawn as one path)."""
    if margin is None:
        return PALE
    strength = min(SHADES, max(1, round(abs(margin) / 1.0 * SHADES))) / SHADES
    base = BLUE if margin >= 0 else VERMILION
    r, g, b = (int(base[i : i + 2], 16) for i in (1, 3, 5))
    mix = 0.25 + 0.75 * strength
    return "#{:02x}{:02x}{:02x}".format(*(round(255 + (c - 255) * mix) for c in (r, g, b)))


def _ink(margin: float | None) -> str:
    return INK if margin is None or abs(margin) < 0.6 else "#ffffff"


def _mark(text: str, cx: float, cy: float) -> str:
    """The cell's state as a shape, not text (text in SVG costs WeasyPrint ten times a path):
    a tick for met, a cross for missed, a dash for a month without a contract or a figure."""
    if "✓" in text:
        return f"M{cx - 4:.1f} {cy:.1f} l3 3 l6 -6"
    if "✗" in text:
        return f"M{cx - 3.5:.1f} {cy - 3.5:.1f} l7 7 m0 -7 l-7 7"
    return f"M{cx - 3:.1f} {cy:.1f} h6"


def trend_svg(
    months: Sequence[str], services: Sequence[str], margins: Sequence[Sequence[float | None]], texts
) -> str:
    """Services (rows) by months (columns), as the dashboard's 12-month chart: each cell's colour
    its margin over target, its mark the state (a tick met, a cross missed, a dash neither), so
    the state is never the colour alone. Each month's figures are in that month's report.

    The cells of one shade are one path, and the marks of one ink another: WeasyPrint's cost is
    per SVG element (about 1 ms), so a 19-service chart is some twenty elements, not 500."""
    label_width, cell_width, cell_height, head = 150, 40, 15, 16
    width = label_width + cell_width * len(months)
    height = head + cell_height * len(services)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="Availability by month against target" '
        'font-family="Report Sans" font-size="7">'
    ]
    for j, month in enumerate(months):
        x = label_width + j * cell_width + cell_width / 2
        out.append(f'<text x="{x:.1f}" y="11" text-anchor="middle" fill="{INK}">{escape(month)}</text>')
    cells: dict[str, list[str]] = {}
    marks: dict[str, list[str]] = {}
    for i, name in enumerate(services):
        y = head + i * cell_height
        shown = name if len(name) <= 36 else name[:35] + "…"
        out.append(f'<text x="0" y="{y + 10.5}" fill="{INK}">{escape(shown)}</text>')
        for j in range(len(months)):
            margin, text = margins[i][j], texts[i][j]
            x = label_width + j * cell_width
            cells.setdefault(_fill(margin), []).append(
                f"M{x + 0.5} {y + 0.5}h{cell_width - 1}v{cell_height - 1}h{1 - cell_width}z"
            )
            if text:
                marks.setdefault(_ink(margin), []).append(
                    _mark(text, x + cell_width / 2, y + cell_height / 2)
                )
    for fill, parts in sorted(cells.items()):
        out.append(f'<path d="{"".join(parts)}" fill="{fill}"/>')
    for ink, parts in sorted(marks.items()):
        out.append(f'<path d="{" ".join(parts)}" stroke="{ink}" stroke-width="1.6" fill="none"/>')
    out.append("</svg>")
    return "".join(out)


def _money_tick(value: float) -> str:
    """An axis label: '£1.5m', '£250k', '−£340k', '£0'."""
    sign = "−" if value < 0 else ""
    value = abs(value)
    if value >= 1_000_000:
        return f"{sign}£{value / 1_000_000:.1f}m".replace(".0m", "m")
    if value >= 1_000:
        return f"{sign}£{value / 1_000:.0f}k"
    return f"{sign}£{value:.0f}"


def _tick_step(span: float) -> float:
    """A round step giving four to eight ticks over `span`."""
    step = 1.0
    while span / step > 8:
        for factor in (2, 2.5, 2):
            step *= factor
            if span / step <= 8:
                break
    return step


def cumulative_svg(years: Sequence[str], nets: Sequence, targets: Sequence, projected_end=None) -> str:
    """The cumulative net saving by financial year (bars) against the cumulative target
    (diamonds joined by a line); the year in progress's projection to its end, when given, an
    outlined bar beside it, labelled, never filled as if realised. The figures are in the table
    under the chart."""
    width, height, left, top, bottom = 520, 220, 62, 14, 34
    plot_h = height - top - bottom
    values = [float(v) for v in nets] + [float(t) for t in targets if t is not None]
    if projected_end is not None:
        values.append(float(projected_end))
    low, high = min(values + [0.0]), max(values + [0.0])
    if high == low:
        high = low + 1
    step = _tick_step(high - low)
    low = step * (low // step)
    high = step * -(-high // step)

    def y(value: float) -> float:
        return top + (high - value) / (high - low) * plot_h

    slot = (width - left - 8) / max(1, len(years))
    bar = slot * 0.42
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="Cumulative net saving against the cumulative target, '
        'by financial year" font-family="Report Sans" font-size="7.5">'
    ]
    tick = low
    while tick <= high + step / 2:
        ty = y(tick)
        out.append(f'<path d="M{left} {ty:.1f} H{width - 8}" stroke="#dddddd" stroke-width="0.6"/>')
        out.append(
            f'<text x="{left - 4}" y="{ty + 2.5:.1f}" text-anchor="end" fill="{INK}">{_money_tick(tick)}</text>'
        )
        tick += step
    out.append(f'<path d="M{left} {y(0):.1f} H{width - 8}" stroke="{INK}" stroke-width="0.8"/>')
    points = []
    for i, (label, net, target) in enumerate(zip(years, nets, targets, strict=True)):
        cx = left + slot * i + slot / 2
        top_y, base_y = sorted((y(float(net)), y(0)))
        out.append(
            f'<rect x="{cx - bar / 2:.1f}" y="{top_y:.1f}" width="{bar:.1f}" height="{max(0.6, base_y - top_y):.1f}" '
            f'fill="{BLUE}"/>'
        )
        out.append(
            f'<text x="{cx:.1f}" y="{height - bottom + 12}" text-anchor="middle" fill="{INK}">{escape(label)}</text>'
        )
        if target is not None:
            points.append((cx, y(float(target))))
    if projected_end is not None and years:
        cx = left + slot * (len(years) - 1) + slot / 2 + bar * 0.55
        top_y, base_y = sorted((y(float(projected_end)), y(0)))
        out.append(
            f'<rect x="{cx:.1f}" y="{top_y:.1f}" width="{bar * 0.5:.1f}" height="{max(0.6, base_y - top_y):.1f}" '
            f'fill="none" stroke="{BLUE}" stroke-width="1" stroke-dasharray="3 2"/>'
        )
    if points:
        out.append(
            '<path d="M' + " L".join(f"{x:.1f} {py:.1f}" for x, py in points) + f'" stroke="{INK}" '
            'stroke-width="1" fill="none"/>'
        )
        for x, py in points:
            out.append(f'<path d="M{x:.1f} {py - 4:.1f} l4 4 l-4 4 l-4 -4 z" fill="{VERMILION}"/>')
    # the key, in words as well as shapes
    ky = height - 8
    out.append(f'<rect x="{left}" y="{ky - 6}" width="9" height="7" fill="{BLUE}"/>')
    out.append(f'<text x="{left + 12}" y="{ky}" fill="{INK}">cumulative net saving, realised</text>')
    out.append(f'<path d="M{left + 150} {ky - 6.5} l3.5 3.5 l-3.5 3.5 l-3.5 -3.5 z" fill="{VERMILION}"/>')
    out.append(f'<text x="{left + 157}" y="{ky}" fill="{INK}">cumulative target</text>')
    if projected_end is not None:
        out.append(
            f'<rect x="{left + 240}" y="{ky - 6}" width="9" height="7" fill="none" stroke="{BLUE}" '
            'stroke-dasharray="3 2"/>'
        )
        out.append(
            f'<text x="{left + 252}" y="{ky}" fill="{INK}">projection to the year end (not counted)</text>'
        )
    out.append("</svg>")
    return "".join(out)
