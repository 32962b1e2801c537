"""A damaged warehouse is named as such by every command; none is ever created by accident.

A tester truncated the demo's warehouse: some commands then failed mid-query while `sla` kept
reporting and `status` said all was well. Each open now checks the file is as long as DuckDB's
own block list says, is a councilops warehouse, and that every table's first block reads;
`status` reads every block (DuckDB checks each one's checksum as it reads it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb
import pytest

from warehouse import Warehouse, WarehouseDamagedError, WarehouseError

HEADER_BYTES = 3 * 4096  # DuckDB's file headers, before block 0


def run(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "councilops.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture
def demo_copy(demo_build, tmp_path):
    paths, _ = demo_build
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(paths.warehouse, copy)
    return paths, copy


def a_block_of(path, table: str) -> int:
    """The file offset of one of `table`'s data blocks, read from DuckDB's own storage map."""
    with duckdb.connect(str(path), read_only=True) as connection:
        ((block_id,),) = connection.execute(
            f"SELECT max(block_id) FROM pragma_storage_info('{table}') WHERE block_id >= 0"
        ).fetchall()
        ((block_size,),) = connection.execute("SELECT block_size FROM pragma_database_size()").fetchall()
    return HEADER_BYTES + block_id * block_size


def test_a_truncated_warehouse_is_named_by_every_command(demo_copy):
    paths, copy = demo_copy
    whole = copy.stat().st_size
    with open(copy, "r+b") as file:
        file.truncate(whole - 20 * 262144)  # the last 20 blocks lost, as a full disk or a cut copy would
    with pytest.raises(WarehouseDamagedError, match="truncated: "):
        Warehouse.open(copy, read_only=True)
    expected = f"error: {copy}: the warehouse is damaged: truncated: {whole - 20 * 262144:,} bytes where"
    export = copy.parent / "backups.csv"
    export.write_text("Job Name,Object Name,Status,Start Time,End Time\n", encoding="utf-8")
    for command in (
        ["status"],
        ["sla", "--month", "2026-10"],
        ["capacity", "underused"],
        ["savings"],
        ["load", "backups", str(export)],  # a write is refused the same way, before it reads the file
    ):
        result = run("--config", str(paths.estate), "--db", str(copy), *command)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert result.stderr.startswith(expected), (command, result.stderr)
        assert "restore it from a backup, or rebuild it" in result.stderr
        assert result.stdout == ""  # no figure is printed from a damaged file
    assert copy.stat().st_size == whole - 20 * 262144  # nothing wrote to it


def test_a_block_that_fails_its_checksum_is_found_by_status_and_named_mid_query(demo_copy):
    paths, copy = demo_copy
    offset = a_block_of(copy, "utilisation") + 1000
    with open(copy, "r+b") as file:
        file.seek(offset)
        original = file.read(256)
        file.seek(offset)
        file.write(bytes(b ^ 0xFF for b in original))  # every bit of 256 bytes flipped
    status = run("--config", str(paths.estate), "--db", str(copy), "status")
    assert status.returncode == 2, status.stdout
    assert status.stderr.startswith(f"error: {copy}: the warehouse is damaged (Corrupt database file: ")
    assert "does not match stored checksum" in status.stderr and status.stdout == ""
    # past the quick checks on open, a command whose query reaches the block (under-use reads
    # 90 days of every server's hours, this last block of utilisation among them) says the same
    underused = run(
        "--config", str(paths.estate), "--db", str(copy), "capacity", "underused", "--format", "json"
    )
    assert underused.returncode == 2, underused.stdout[:200]
    assert underused.stderr.startswith(f"error: {copy}: the warehouse is damaged (Corrupt database file: ")
    assert underused.stdout == "" and "Traceback" not in underused.stderr


def test_the_undamaged_demo_passes_every_check_and_status_says_it_read_every_block(demo_build):
    paths, _ = demo_build
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        tables = warehouse.verify_every_block()
    with duckdb.connect(str(paths.warehouse), read_only=True) as connection:
        ((count,),) = connection.execute("SELECT count(*) FROM duckdb_tables()").fetchall()
    assert (
        tables == count == 27
    )  # 23 tables, probe_duration_days (0006), accounts (0007), outage_explanations (0008), report_deliveries (0010)
    status = run("--config", str(paths.estate), "--db", str(paths.warehouse), "status")
    assert status.returncode == 0, status.stderr
    assert "Integrity: every block of the 27 tables read and its checksum checked" in status.stdout


def test_a_duckdb_file_that_is_not_a_councilops_warehouse_is_refused_untouched(tmp_path):
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
        connection.execute("INSERT INTO invoices VALUES (1), (2)")
    for read_only in (True, False):
        with pytest.raises(WarehouseDamagedError) as refused:
            Warehouse.open(other, read_only=read_only)
        assert str(refused.value) == (
            f"{other}: a DuckDB file, but not a councilops warehouse (it has no schema_migrations table)"
        )
    with duckdb.connect(str(other), read_only=True) as connection:  # no migration ran on it
        assert connection.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("invoices",)]


def test_a_warehouse_from_a_newer_councilops_says_so(tmp_path):
    path = tmp_path / "w.duckdb"
    Warehouse.open(path, create=True).close()
    with duckdb.connect(str(path)) as connection:
        connection.execute("INSERT INTO schema_migrations VALUES ('0099_from_the_future', now())")
    with pytest.raises(WarehouseError, match=r"made by a newer councilops \(migrations 0099_from_the_future"):
        Warehouse.open(path, read_only=True)


def test_writes_never_create_a_warehouse_and_init_does_once(tmp_path):
    from tests.conftest import SMALL_ESTATE

    db = tmp_path / "w.duckdb"
    export = tmp_path / "backups.csv"
    export.write_text("Job Name,Object Name,Status,Start Time,End Time\n", encoding="utf-8")
    for command in (["load", "backups", str(export)], ["collect", "--site", "dc1"]):
        result = run("--config", str(SMALL_ESTATE), "--db", str(db), *command)
        assert result.returncode == 2, result.stderr
        assert result.stderr == (
            f"error: {db}: no warehouse here (create one with `councilops init`, or build the demo with "
            "`councilops demo`)\n"
        )
        assert not db.exists()
    first = run("--db", str(db), "init")
    assert (
        first.returncode == 0
        and first.stdout == f"{db}: created an empty warehouse (schema 0010_report_deliveries)\n"
    )
    again = run("--db", str(db), "init")
    assert again.returncode == 0
    assert (
        again.stdout == f"{db}: already a warehouse (schema 0010_report_deliveries); nothing else changed\n"
    )
    loaded = run("--config", str(SMALL_ESTATE), "--db", str(db), "load", "backups", str(export))
    assert loaded.returncode == 0, loaded.stderr


def test_a_file_a_checkpoint_shortened_after_a_delete_is_not_called_truncated(tmp_path):
    # Found removing an account: the checkpoint after the delete cut two free blocks off the
    # file's end while DuckDB's block list still counted them; the check called it truncated.
    # It now counts the blocks in use (the existing truncation tests still catch a cut file).
    from datetime import datetime

    db = tmp_path / "w.duckdb"
    with Warehouse.open(db, create=True) as warehouse:
        warehouse.add_account(
            "a", "manager", None, "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", datetime(2026, 12, 1)
        )
    with Warehouse.open(db) as warehouse:
        assert warehouse.remove_account("a")
    with Warehouse.open(db, read_only=True) as warehouse:
        assert warehouse.accounts() == []
