"""Terminal tables for the commands' output: one way to lay out columns."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.table import Table


def text_table(columns: Sequence[str], left: Collection[str], title: str | None = None) -> Table:
    """A table whose columns are right-aligned (figures) except those named in `left` (text)."""
    table = Table(title=title, title_justify="left")
    for name in columns:
        table.add_column(name, justify="left" if name in left else "right")
    return table
