"""`councilops demo` makes an account per role and a council viewer per council, prints them and
writes them to accounts.csv beside the warehouse, readable only by its owner (issue 13, item 2)."""

from __future__ import annotations

import csv
import os
import stat

from application.accounts import scope_of, signed_in
from collectors.demo import DemoPaths, foreign_files
from estate import load_estate
from estate.scope import PROVIDER, Scope
from tests.demo.test_demo_folder import run
from warehouse import Warehouse


def test_the_demo_prints_and_writes_an_account_per_role_and_council(tmp_path):
    folder = tmp_path / "demo"
    built = run("demo", "--out", str(folder), "--now", "2026-11-22T10:00:00Z", timeout=600)
    assert built.returncode == 0, built.stderr
    paths = DemoPaths(folder)
    assert stat.S_IMODE(os.stat(paths.accounts).st_mode) == 0o600
    with paths.accounts.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    councils = [c.id for c in load_estate(paths.estate).councils]
    assert [(r["username"], r["role"], r["council"]) for r in rows] == [
        ("admin", "administrator", ""),
        ("operator", "operator", ""),
        ("planner", "capacity-planner", ""),
        ("manager", "manager", ""),
        *((f"viewer-{c}", "council-viewer", c) for c in councils),
    ]
    assert len(councils) == 7 and len({r["password"] for r in rows}) == len(rows)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        for row in rows:
            assert f"  {row['username']:<22} {row['password']}  {row['role']}" in built.stdout
            account = signed_in(warehouse, row["username"], row["password"])
            expected = Scope.council(row["council"]) if row["council"] else PROVIDER
            assert account is not None and scope_of(account) == expected
    assert foreign_files(folder) == []  # accounts.csv is the demo's own: a rebuild replaces it
