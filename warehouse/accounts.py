"""The dashboard's local accounts (migration 0007): who may sign in, with which role.

Only what application/accounts.py hands over is written: a username it checked, a role, a council
for a council viewer, and an argon2id hash. No password reaches this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warehouse.store import WarehouseWriteError, _Connection, utc_naive


@dataclass(frozen=True)
class AccountRow:
    username: str
    role: str
    council_id: str | None
    password_hash: str
    created_at_utc: datetime
    password_set_utc: datetime


class Accounts(_Connection):
    def add_account(
        self, username: str, role: str, council_id: str | None, password_hash: str, at: datetime
    ) -> None:
        with self.transaction():
            if self._con.execute("SELECT 1 FROM accounts WHERE username = ?", [username]).fetchall():
                raise WarehouseWriteError(f"account {username!r} exists already")
            self._con.execute(
                "INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?)",
                [username, role, council_id, password_hash, utc_naive(at), utc_naive(at)],
            )

    def remove_account(self, username: str) -> bool:
        with self.transaction():
            found = self._con.execute("SELECT 1 FROM accounts WHERE username = ?", [username]).fetchall()
            self._con.execute("DELETE FROM accounts WHERE username = ?", [username])
        return bool(found)

    def set_password_hash(self, username: str, password_hash: str, at: datetime) -> bool:
        with self.transaction():
            found = self._con.execute("SELECT 1 FROM accounts WHERE username = ?", [username]).fetchall()
            self._con.execute(
                "UPDATE accounts SET password_hash = ?, password_set_utc = ? WHERE username = ?",
                [password_hash, utc_naive(at), username],
            )
        return bool(found)

    def account(self, username: str) -> AccountRow | None:
        found = self._con.execute(
            "SELECT username, role, council_id, password_hash, created_at_utc, password_set_utc "
            "FROM accounts WHERE username = ?",
            [username],
        ).fetchall()
        return AccountRow(*found[0]) if found else None

    def accounts(self) -> list[AccountRow]:
        found = self._con.execute(
            "SELECT username, role, council_id, password_hash, created_at_utc, password_set_utc "
            "FROM accounts ORDER BY username"
        ).fetchall()
        return [AccountRow(*row) for row in found]
