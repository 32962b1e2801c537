"""Named, ordered migrations: every path to the latest schema gives the same schema, once each."""

from __future__ import annotations

import os

import duckdb
import pytest

from warehouse import Warehouse, WarehouseBusyError, WarehouseError
from warehouse.migrations import all_migrations, applied_migrations, migrate

NAMES = [m.name for m in all_migrations()]


def test_migrations_are_numbered_in_order_and_unique():
    assert NAMES == sorted(NAMES)
    assert len(NAMES) >= 3
    prefixes = [name.split("_", 1)[0] for name in NAMES]
    assert prefixes == [f"{n:04d}" for n in range(1, len(NAMES) + 1)]


def _schema(connection) -> list[tuple]:
    return connection.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall()


def test_a_fresh_file_gets_every_migration(tmp_path):
    with Warehouse.open(tmp_path / "fresh.duckdb", create=True) as warehouse:
        assert warehouse.applied_migrations() == NAMES
        assert warehouse.pending_migrations() == []


@pytest.mark.parametrize("stop_after", NAMES[:-1])
def test_an_old_file_reaches_the_same_schema_and_keeps_its_rows(tmp_path, stop_after):
    fresh = duckdb.connect(str(tmp_path / "fresh.duckdb"))
    migrate(fresh)

    old_path = tmp_path / f"old-{stop_after}.duckdb"
    old = duckdb.connect(str(old_path))
    assert migrate(old, up_to=stop_after) == NAMES[: NAMES.index(stop_after) + 1]
    old.execute("INSERT INTO collection_watermarks VALUES ('dc1', 'probes', TIMESTAMP '2026-01-01 00:00:00')")
    old.close()

    with Warehouse.open(old_path) as upgraded:  # opening for writing applies what is pending
        assert upgraded.applied_migrations() == NAMES
        assert upgraded.schema_description() == _schema(fresh)
        assert upgraded.watermark("dc1", "probes") is not None


def test_each_migration_runs_once(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert migrate(connection) == NAMES
    assert migrate(connection) == []
    count = connection.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    assert count == len(NAMES)
    assert applied_migrations(connection) == NAMES


def test_a_failing_migration_leaves_no_trace(tmp_path, monkeypatch):
    from warehouse import migrations

    broken = migrations.Migration(
        "9999_broken", "CREATE TABLE half_made (x INTEGER); SELECT * FROM no_such_table;"
    )
    monkeypatch.setattr(migrations, "all_migrations", lambda: [*all_migrations(), broken])
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(duckdb.Error):
        migrations.migrate(connection)
    tables = {
        row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    assert "half_made" not in tables
    assert "9999_broken" not in applied_migrations(connection)


def test_read_only_open_refuses_an_old_file_and_a_missing_one(tmp_path):
    old_path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(old_path))
    migrate(old, up_to=NAMES[0])
    old.close()
    with pytest.raises(WarehouseError, match="needs migrations"):
        Warehouse.open(old_path, read_only=True)
    with pytest.raises(WarehouseError, match="no warehouse here"):
        Warehouse.open(tmp_path / "absent.duckdb", read_only=True)


def test_a_second_process_gets_one_clear_line_while_the_file_is_held(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "held.duckdb"
    with Warehouse.open(path, create=True):
        child = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys\nfrom warehouse import Warehouse, WarehouseBusyError\n"
                "try:\n    Warehouse.open(sys.argv[1], read_only=True)\n"
                "except WarehouseBusyError as e:\n    print(e)\n    sys.exit(3)\n",
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert child.returncode == 3, child.stderr
    assert f"held by process {os.getpid()} (" in child.stdout and "for writing" in child.stdout
    assert "control endpoint" not in child.stdout  # it names only what exists
    assert WarehouseBusyError.__mro__[1] is WarehouseError


def _second_process_opens(path, read_only: bool) -> str:
    import subprocess
    import sys

    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nfrom warehouse import Warehouse, WarehouseError\n"
            "try:\n    Warehouse.open(sys.argv[1], read_only=sys.argv[2] == 'ro')\n"
            "except WarehouseError as e:\n    print(e)\n    sys.exit(3)\n",
            str(path),
            "ro" if read_only else "rw",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 3, (child.stdout, child.stderr)
    return child.stdout.strip()


def test_a_file_held_by_a_reader_says_so_to_a_writer(tmp_path):
    path = tmp_path / "read.duckdb"
    Warehouse.open(path, create=True).close()
    with Warehouse.open(path, read_only=True):
        message = _second_process_opens(path, read_only=False)
    assert f"held by process {os.getpid()} (" in message and "for reading" in message


def test_each_way_of_not_opening_says_what_happened(tmp_path):
    not_duckdb = tmp_path / "notes.duckdb"
    not_duckdb.write_text("a file that is not a warehouse\n", encoding="utf-8")
    for read_only in (True, False):
        with pytest.raises(WarehouseError) as refused:
            Warehouse.open(not_duckdb, read_only=read_only)
        assert (
            str(refused.value)
            == f"{not_duckdb}: not a DuckDB file (is --db, or COUNCILOPS_DB, the warehouse?)"
        )
    assert not_duckdb.read_text(encoding="utf-8") == "a file that is not a warehouse\n"  # left as it was
    missing_dir = tmp_path / "nowhere" / "w.duckdb"
    with pytest.raises(WarehouseError, match=f"no such directory {tmp_path / 'nowhere'}$"):
        Warehouse.open(missing_dir, read_only=True)
    with pytest.raises(WarehouseError, match="is a directory, not a warehouse file"):
        Warehouse.open(tmp_path, read_only=False)


def test_a_write_never_makes_directories_for_a_mistyped_path(tmp_path):
    typo = tmp_path / "demo-typo" / "warehouse.duckdb"
    with pytest.raises(WarehouseError, match=f"no such directory {tmp_path / 'demo-typo'}$"):
        Warehouse.open(typo, create=True)
    assert not (tmp_path / "demo-typo").exists()
