"""A council's months against target, as cells: the dashboard's 12-month chart and the monthly
report's trend are drawn from these same cells (dashboard/figures.py, reports/svg.py).

The cells come from the months' service levels (`twelve_months`) or, for a month already
issued, from the figures its report recorded (`twelve_months_of_documents`, the JSON of
`councilops sla --format json`): the same rule on the same exact fractions, so the same cells
(tests/reports/test_awkward_months.py)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from application.service_levels import MonthServiceLevels
from presentation.formats import percent_down


def _cell(availability: Fraction | None, target_percent, met, status: str) -> tuple[float | None, str]:
    """The cell's availability less its target in points (None: not measured) and its text (the
    availability rounded down to two places with ✓ met or ✗ missed)."""
    if availability is None:
        return None, "no contract" if status == "no-contract" else "–"
    margin = float(availability) * 100 - float(target_percent)
    return margin, f"{percent_down(availability, 2)} {'✓' if met else '✗'}"


def cells_table(labels: list[str], months: Sequence[Sequence[tuple]]):
    """`months`: each month's (service name, cell) of the council's contracted services."""
    names: list[str] = []
    cells: dict[str, list] = {}
    for i, month in enumerate(months):
        for name, cell in month:
            if name not in cells:
                names.append(name)
                cells[name] = [(None, "")] * len(months)
            cells[name][i] = cell
    margins = [[m for m, _ in cells[n]] for n in names]
    texts = [[t for _, t in cells[n]] for n in names]
    return labels, names, margins, texts


def report_cells(report: MonthServiceLevels, council_id: str) -> list[tuple[str, tuple]]:
    """One month's (service name, cell) of the council's contracted services."""
    return [
        (
            row.service_name,
            _cell(
                row.availability,
                row.contract.availability_target_percent if row.availability is not None else 0,
                row.met,
                row.status,
            ),
        )
        for row in report.rows
        if row.council_id == council_id and row.contract is not None
    ]


def document_cells(document: dict, council_id: str) -> list[tuple[str, tuple]]:
    """The same from the month's figures as `councilops sla --format json` writes them."""
    return [
        (
            row["service_name"],
            _cell(
                None if row["availability_fraction"] is None else Fraction(row["availability_fraction"]),
                row["contract"]["availability_target_percent"],
                row["met"],
                row["status"],
            ),
        )
        for row in document["services"]
        if row["council"] == council_id and row["contract"] is not None
    ]


def twelve_months(reports: Sequence[MonthServiceLevels], council_id: str):
    """The months (oldest first), the services with a contract in any of them, each cell's
    margin and text (`_cell`)."""
    return cells_table([r.month for r in reports], [report_cells(r, council_id) for r in reports])


def twelve_months_of_documents(documents: Sequence[dict], council_id: str):
    """The same cells from each month's recorded figures."""
    return cells_table([d["month"] for d in documents], [document_cells(d, council_id) for d in documents])
