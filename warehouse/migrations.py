"""Named, ordered schema migrations: each .sql file in migrations/ runs once, in name order.

A fresh file and an old one reach the same schema; the schema_migrations table records which
migrations a file has had, so each runs exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

import duckdb

_PACKAGE = "warehouse"


@dataclass(frozen=True)
class Migration:
    name: str  # 0002_issued_reports
    sql: str


def all_migrations() -> list[Migration]:
    folder = resources.files(_PACKAGE) / "migrations"
    files = sorted(f for f in folder.iterdir() if f.name.endswith(".sql"))
    return [Migration(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


def applied_migrations(connection: duckdb.DuckDBPyConnection) -> list[str]:
    ((exists,),) = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()
    if not exists:
        return []
    rows = connection.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()
    return [name for (name,) in rows]


def migrate(connection: duckdb.DuckDBPyConnection, up_to: str | None = None) -> list[str]:
    """Apply the pending migrations (up to and including `up_to`); return their names."""
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at_utc TIMESTAMP NOT NULL)"
    )
    done = set(applied_migrations(connection))
    applied: list[str] = []
    for migration in all_migrations():
        if up_to is not None and migration.name > up_to:
            break
        if migration.name in done:
            continue
        connection.execute("BEGIN TRANSACTION")
        try:
            connection.execute(migration.sql)
            connection.execute(
                "INSERT INTO schema_migrations VALUES (?, ?)",
                [migration.name, datetime.now(UTC).replace(tzinfo=None)],
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        applied.append(migration.name)
    return applied
