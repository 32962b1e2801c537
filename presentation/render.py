"""One renderer: an answer's rows, through its columns, to a terminal table, CSV or JSON.

As sqlite-utils' commands yield rows once and one function prints them, every command here
hands its rows and columns to these functions; the dashboard's grids and the reports' tables
take the same columns (`Column.text` for people, `Column.value` for machines).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from rich.console import Console
from rich.table import Table

from presentation.formats import utc_iso


@dataclass(frozen=True)
class Column:
    """One column of an answer's rows: its name, its unit, how to get its value from a row, and
    how to show the value to a person (the machine value goes to CSV and JSON as it is)."""

    name: str
    unit: str  # '' when it has none; 'seconds', 'percent', 'GBP', 'UTC', ...
    value: Callable[[Any], Any]
    show: Callable[[Any], str] = lambda v: "" if v is None else str(v)
    align: str = "right"  # figures right, text left

    def text(self, row: Any) -> str:
        return self.show(self.value(row))

    @property
    def heading(self) -> str:
        return self.name


def text(name: str, value: Callable[[Any], Any], unit: str = "") -> Column:
    return Column(name, unit, value, lambda v: "" if v is None else str(v), "left")


def table(
    columns: Sequence[Column], rows: Iterable[Any], title: str | None = None, console: Console | None = None
) -> Table:
    """A rich table of the rows; printed when a console is given."""
    result = Table(title=title, title_justify="left")
    for column in columns:
        result.add_column(column.heading, justify=column.align)  # type: ignore[arg-type]
    for row in rows:
        result.add_row(*(column.text(row) for column in columns))
    if console is not None:
        console.print(result)
    return result


def machine_value(value: Any) -> Any:
    """A value as CSV and JSON carry it: money and exact percentages as strings of digits,
    fractions as 'n/d', instants as ISO 8601 UTC, tuples as lists."""
    if isinstance(value, bool) or value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [machine_value(v) for v in value]
    if isinstance(value, dict):
        return {k: machine_value(v) for k, v in value.items()}
    return str(value)


def csv_text(columns: Sequence[Column], rows: Iterable[Any]) -> str:
    """CSV of exactly the columns shown, machine values (empty for None, lists joined by ' ')."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    for row in rows:
        cells = []
        for column in columns:
            value = machine_value(column.value(row))
            if value is None:
                cells.append("")
            elif isinstance(value, list):
                cells.append(" ".join(str(v) for v in value))
            elif isinstance(value, bool):
                cells.append(str(value))
            else:
                cells.append(value)
        writer.writerow(cells)
    return buffer.getvalue()


def json_text(document: Any) -> str:
    return json.dumps(machine_value(document), indent=2)


def default_console() -> Console:
    return Console(width=200)
