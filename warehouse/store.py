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


class WarehouseDamagedError(WarehouseError):
    """The file is truncated or corrupt, or is not a councilops warehouse: nothing in it can be
    trusted until it is restored from a backup or rebuilt."""


# DuckDB's file starts with three 4 KiB headers, then `total_blocks` blocks of `block_size`.
_DUCKDB_HEADER_BYTES = 3 * 4096
# What DuckDB says when a block it reads fails its checksum or lies past the end of the file.
_DAMAGE_SIGNS = ("Corrupt database file", "Could not read enough bytes", "checksum")


def damage(error: BaseException, path: str) -> WarehouseDamagedError | None:
    """The error a DuckDB failure mid-query stands for, when it is the file that is damaged:
    every command then names the warehouse as damaged instead of failing with DuckDB's words."""
    message = str(error)
    if isinstance(error, duckdb.Error) and any(sign in message for sign in _DAMAGE_SIGNS):
        return WarehouseDamagedError(f"{path}: the warehouse is damaged ({_first_line(message)}); {_REMEDY}")
    return None


_REMEDY = (
    "restore it from a backup, or rebuild it (`councilops demo`, or `councilops init` and collect again)"
)


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else message


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


NO_WAREHOUSE_HINT = "create one with `councilops init`, or build the demo with `councilops demo`"


def _check_path(path: Path, read_only: bool, create: bool) -> None:
    """What can be said of the file before DuckDB tries it, each in words that name only what is there."""
    if not path.exists() and (read_only or not create):
        # a mistyped --db must not quietly make an empty warehouse: creating one is explicit
        if not path.parent.is_dir():
            raise WarehouseError(f"{path}: no such directory {path.parent}")
        raise WarehouseError(f"{path}: no warehouse here ({NO_WAREHOUSE_HINT})")
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


def _tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """The file's tables, by name."""
    rows = connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1"
    ).fetchall()
    return [name for (name,) in rows]


def _check_whole(connection: duckdb.DuckDBPyConnection, path: str) -> None:
    """The quick checks every open makes, so a damaged file is named as such before any answer
    is built from it (a truncated file otherwise answers some questions and fails others
    mid-query): the file is as long as the blocks DuckDB has in use need, it is a councilops
    warehouse made by this or an earlier version, and every table's first block reads (DuckDB
    checksums each block it reads). `verify_every_block` reads everything, for `status`."""

    def damaged(what: str) -> WarehouseDamagedError:
        return WarehouseDamagedError(f"{path}: the warehouse is damaged: {what}; {_REMEDY}")

    try:
        ((block_size, total_blocks),) = connection.execute(
            "SELECT block_size, total_blocks FROM pragma_database_size() WHERE database_name = current_database()"
        ).fetchall()
        actual = os.path.getsize(path)
        if actual < _DUCKDB_HEADER_BYTES + int(block_size) * int(total_blocks):
            # Shorter than DuckDB's block count: cut off, or a checkpoint after a delete cut free
            # blocks off the end while the count still holds them (an account removed did). Only
            # then, the last block anything lives in says which (0.1-0.5 s, so not on every open).
            needed = _DUCKDB_HEADER_BYTES + int(block_size) * (_last_block_in_use(connection) + 1)
            if actual < needed:
                raise damaged(
                    f"truncated: {actual:,} bytes where the blocks DuckDB has in use need {needed:,}"
                )
        tables = _tables(connection)
        if tables and "schema_migrations" not in tables:
            raise WarehouseDamagedError(
                f"{path}: a DuckDB file, but not a councilops warehouse (it has no schema_migrations table)"
            )
        if tables:
            known = {m.name for m in all_migrations()}
            unknown = [name for name in applied_migrations(connection) if name not in known]
            if unknown:
                raise WarehouseError(
                    f"{path}: made by a newer councilops (migrations {', '.join(unknown)} are unknown "
                    "to this one): upgrade councilops"
                )
        for table in tables:
            connection.execute(f'SELECT * FROM "{table}" LIMIT 1').fetchall()  # noqa: S608 - catalogue names
    except duckdb.Error as error:
        raise damaged(_first_line(str(error))) from None


def _last_block_in_use(connection: duckdb.DuckDBPyConnection) -> int:
    """The highest block any table's data or the catalogue's metadata lives in."""
    last = max((block for (block, *_) in connection.execute("PRAGMA metadata_info").fetchall()), default=-1)
    for table in _tables(connection):
        found = connection.execute(
            "SELECT max(block_id) FROM pragma_storage_info(?) WHERE block_id >= 0", [table]
        ).fetchall()[0][0]
        last = max(last, -1 if found is None else int(found))
    return last


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
    def open(cls, path: str | Path, *, read_only: bool = False, create: bool = False):
        """Open the warehouse at `path`; a missing file is an error unless `create` (a fresh,
        migrated warehouse is then made there). Every open checks the file is whole (below)."""
        path_text = str(path)
        fresh = path_text == ":memory:" or not Path(path_text).exists()
        if path_text != ":memory:":
            _check_path(Path(path_text), read_only, create)
        try:
            connection = duckdb.connect(path_text, read_only=read_only)
        except duckdb.IOException as error:
            raise damage(error, path_text) or _open_error(path_text, str(error), read_only) from None
        except duckdb.Error as error:
            raise damage(error, path_text) or WarehouseError(
                f"{path_text}: cannot open the warehouse: {_first_line(str(error))}"
            ) from None
        try:
            # the terminal belongs to the command's own output, not DuckDB's progress bar
            connection.execute("SET enable_progress_bar = false")
            if not fresh:
                _check_whole(connection, path_text)
        except BaseException:
            connection.close()
            raise
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

    def verify_every_block(self) -> int:
        """Read every value of every table, so DuckDB checks every block's checksum; return the
        number of tables read. 0.2 s for the demo, 3.8 s for the reference estate (1.1 GB)."""
        tables = _tables(self._con)
        for table in tables:
            columns = [
                name
                for (name,) in self._con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
                    "AND table_name = ? ORDER BY column_index",
                    [table],
                ).fetchall()
            ]
            # hashing each value makes DuckDB read it; count(*) or min() can be answered from statistics
            digest = ", ".join(f'bit_xor(hash("{column}"))' for column in columns)
            try:
                self._con.execute(f'SELECT count(*), {digest} FROM "{table}"').fetchall()  # noqa: S608
            except duckdb.Error as error:
                raise damage(error, self.path) or WarehouseDamagedError(
                    f"{self.path}: the warehouse is damaged: table {table}: {_first_line(str(error))}; {_REMEDY}"
                ) from None
        return len(tables)

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
