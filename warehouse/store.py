"""The warehouse: one DuckDB file, opened only here.

DuckDB lets one process hold the file for writing and refuses every other process, even a
read-only one. So one process owns the file (`councilops serve` once the dashboard exists, or
whichever command runs alone) and threads inside it take their own cursor with `cursor()`.
docs/architecture.md explains how other commands reach the warehouse while `serve` runs.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse.migrations import all_migrations, applied_migrations, migrate


class WarehouseError(Exception):
    """A problem with the warehouse file, stated in one line."""


class WarehouseBusyError(WarehouseError):
    pass


class WarehouseWriteError(WarehouseError):
    """A batch was refused as a whole, and nothing of it written, because some rows are wrong."""


def utc_naive(moment: datetime) -> datetime:
    """The warehouse stores UTC without a zone; aware datetimes are converted, naive ones trusted."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def first_row(cursor) -> tuple | None:
    """The first row of a result, reading it to the end: DuckDB 2.0 counts a result read only in
    part (fetchone) as unfinished and refuses the connection's next statement."""
    rows = cursor.fetchall()
    return rows[0] if rows else None


def _test_write_marker(point: str) -> None:
    """Test hook (tests/collectors/test_kill.py), inert unless COUNCILOPS_TEST_WRITE_MARKER names
    a file: inside a write transaction, right after BEGIN ("begin") and after the body's deletes
    and inserts but before COMMIT ("commit"), append "<pid> <point> waiting", pause, then append
    "<pid> <point> resumed", so a test can kill -9 the process where it is mid-transaction."""
    path = os.environ.get("COUNCILOPS_TEST_WRITE_MARKER")
    if path:
        for state, pause in (("waiting", 0.5), ("resumed", 0)):
            with open(path, "a", encoding="utf-8") as marker:
                marker.write(f"{os.getpid()} {point} {state}\n")
            time.sleep(pause)


class _Connection:
    """The connection, its transactions and migrations; the write and read mixins build on it."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: str):
        self._con = connection
        self.path = path

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False):
        path_text = str(path)
        if path_text != ":memory:":
            if read_only and not Path(path_text).exists():
                raise WarehouseError(
                    f"{path_text}: no warehouse here (build one with `councilops demo` or `councilops collect`)"
                )
            Path(path_text).parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = duckdb.connect(path_text, read_only=read_only)
        except duckdb.IOException as error:
            holder = re.search(r"held in (.+?) \(PID (\d+)\)", str(error))
            who = f" by process {holder[2]} ({holder[1]})" if holder else ""
            raise WarehouseBusyError(
                f"{path_text}: the warehouse is open for writing{who}; DuckDB allows one process at "
                "a time. Stop that process, or send the request to it (see docs/architecture.md)."
            ) from None
        except duckdb.Error as error:
            raise WarehouseError(f"{path_text}: cannot open the warehouse: {error}") from None
        # the terminal belongs to the command's own output, not DuckDB's progress bar
        connection.execute("SET enable_progress_bar = false")
        warehouse = cls(connection, path_text)
        if read_only:
            pending = warehouse.pending_migrations()
            if pending:
                connection.close()
                raise WarehouseError(
                    f"{path_text}: the warehouse needs migrations {', '.join(pending)}; open it once for writing"
                )
        else:
            migrate(connection)
        return warehouse

    def cursor(self):
        """A cursor on the same database for another thread of this process."""
        return type(self)(self._con.cursor(), self.path)

    def close(self) -> None:
        self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._con.execute("BEGIN TRANSACTION")
        try:
            _test_write_marker("begin")
            yield
            _test_write_marker("commit")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    def applied_migrations(self) -> list[str]:
        return applied_migrations(self._con)

    def pending_migrations(self) -> list[str]:
        done = set(self.applied_migrations())
        return [m.name for m in all_migrations() if m.name not in done]

    def _has_table(self, name: str) -> bool:
        row = first_row(
            self._con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name])
        )
        return bool(row and row[0])

    def schema_description(self) -> list[tuple[str, str, str, str]]:
        """(table, column, type, nullable) for every table: two files with equal schemas agree."""
        return self._con.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
        ).fetchall()
