"""`councilops demo` makes an account per role and a council viewer per council, prints them and
writes them to accounts.csv beside the warehouse, readable only by its owner (issue 13, item 2).
Checked on a build the demo folder's tests make anyway (test_demo_folder.py), not on one of its
own: a build takes half a minute."""

from __future__ import annotations

import csv
import os
import stat

from application.accounts import scope_of, signed_in
from collectors.demo import DemoPaths, foreign_files
from estate import load_estate
from estate.scope import PROVIDER, Scope
from warehouse import Warehouse


def assert_demo_accounts(folder, printed: str) -> None:
    """The build in `folder`, which printed `printed`, made and printed every account."""
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
            assert f"  {row['username']:<22} {row['password']}  {row['role']}" in printed
            account = signed_in(warehouse, row["username"], row["password"])
            expected = Scope.council(row["council"]) if row["council"] else PROVIDER
            assert account is not None and scope_of(account) == expected
    assert "accounts.csv" not in foreign_files(folder)  # the demo's own: a rebuild replaces it
