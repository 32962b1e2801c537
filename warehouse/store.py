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


def _check_path(path: Path, read_only: bool) -> None:
    """What can be said of the file before DuckDB tries it, each in words that name only what is there."""
    if read_only and not path.exists():
        if not path.parent.is_dir():
            raise WarehouseError(f"{path}: no such directory {path.parent}")
        raise WarehouseError(
            f"{path}: no warehouse here (build one with `councilops demo` or `councilops collect`)"
        )
    if path.is_dir():
        raise WarehouseError(f"{path}: is a directory, not a warehouse file")
    if not read_only:
        # a mistyped --db must not quietly make directories and an empty warehouse there
        if not path.parent.is_dir():
            raise WarehouseError(f"{path}: no such directory {path.parent}")
        if path.exists() and not os.access(path, os.W_OK):
            raise WarehouseError(f"{path}: read-only: this command writes to the warehouse")
        if not path.exists() and not os.access(path.parent, os.W_OK):
            raise WarehouseError(
                f"{path}: read-only directory {path.parent}: the warehouse cannot be made there"
            )


def _open_error(path: str, message: str, read_only: bool) -> WarehouseError:
    """DuckDB's refusal to open, in one line saying what happened."""
    if "not a valid DuckDB database file" in message:
        return WarehouseError(f"{path}: not a DuckDB file (is --db, or COUNCILOPS_DB, the warehouse?)")
    if "No such file or directory" in message:
        return WarehouseError(f"{path}: no such directory {Path(path).parent}")
    if "Permission denied" in message or "Read-only file system" in message:
        return WarehouseError(
            f"{path}: read-only: " + ("cannot read it" if read_only else "this command writes to it")
        )
    holder = re.search(r"held in (.+?) \(PID (\d+)\)", message)
    if holder or "Could not set lock" in message:
        by_reader = "open this database in read-only mode" in message
        who = f"process {holder[2]} ({Path(holder[1]).name})" if holder else "another process"
        return WarehouseBusyError(
            f"{path}: held by {who} for {'reading' if by_reader else 'writing'}; DuckDB lets no other "
            "process open it meanwhile: wait for that process to finish, or stop it"
        )
    return WarehouseError(f"{path}: cannot open the warehouse: {message}")


class _Connection:
    """The connection, its transactions and migrations; the write and read mixins build on it."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: str):
        self._con = connection
        self.path = path

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False):
        path_text = str(path)
        if path_text != ":memory:":
            _check_path(Path(path_text), read_only)
        try:
            connection = duckdb.connect(path_text, read_only=read_only)
        except duckdb.IOException as error:
            raise _open_error(path_text, str(error), read_only) from None
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
