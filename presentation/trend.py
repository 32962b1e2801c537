"""A council's months against target, as cells: the dashboard's 12-month chart and the monthly
report's trend are drawn from these same cells (dashboard/figures.py, reports/svg.py)."""

from __future__ import annotations

from collections.abc import Sequence

from application.service_levels import MonthServiceLevels
from presentation.formats import percent_down


def twelve_months(reports: Sequence[MonthServiceLevels], council_id: str):
    """The months (oldest first), the services with a contract in any of them, each cell's
    availability less its target in points (None: not measured) and its text (the availability
    rounded down to two places with ✓ met or ✗ missed)."""
    labels = [r.month for r in reports]
    names: list[str] = []
    cells: dict[str, list] = {}
    for i, report in enumerate(reports):
        for row in report.rows:
            if row.council_id != council_id or row.contract is None:
                continue
            if row.service_name not in cells:
                names.append(row.service_name)
                cells[row.service_name] = [(None, "")] * len(reports)
            if row.availability is not None:
                margin = float(row.availability) * 100 - float(row.contract.availability_target_percent)
                cells[row.service_name][i] = (
                    margin,
                    f"{percent_down(row.availability, 2)} {'✓' if row.met else '✗'}",
                )
            else:
                cells[row.service_name][i] = (None, "no contract" if row.status == "no-contract" else "–")
    margins = [[m for m, _ in cells[n]] for n in names]
    texts = [[t for _, t in cells[n]] for n in names]
    return labels, names, margins, texts
