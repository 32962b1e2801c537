"""Local accounts for the dashboard (issue 13): who may sign in, as what, and what they may see.

Roles (docs/security.md says what each sees and may do):

- **administrator**: everything, and the accounts themselves;
- **operator**: every council's figures, collection and data coverage; writes outage explanations;
- **capacity-planner**: every council's figures, utilisation and capacity;
- **manager**: every council's figures and the savings;
- **council-viewer**: one council's service levels and reports, bound when the account is made.

A password is kept only as its argon2id hash (argon2-cffi, its default cost); it is checked
against the hash in constant time and never stored, logged or shown again once set. A password
made here is 16 random characters from `secrets` (about 95 bits). The scope comes from the
account (`scope_of`), never from a request.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from estate.model import Estate, UnknownId
from estate.scope import PROVIDER, Scope

ROLES = ("administrator", "operator", "capacity-planner", "manager", "council-viewer")
COUNCIL_VIEWER = "council-viewer"
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")  # lower case: one name, one account
MIN_PASSWORD = 12  # characters; NCSC guidance favours length over rules of composition
MAX_PASSWORD = 1024  # a bound on what is hashed
_HASHER = PasswordHasher()


class AccountError(ValueError):
    """An account request that cannot be done; the message says why."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    council_id: str | None
    created_at_utc: datetime
    password_set_utc: datetime


def scope_of(account: Account) -> Scope:
    """What the account may see: its council for a council viewer, else every council."""
    return Scope.council(account.council_id) if account.role == COUNCIL_VIEWER else PROVIDER


def new_password() -> str:
    return secrets.token_urlsafe(12)


def _checked(username: str, role: str, council_id: str | None, estate: Estate) -> None:
    if not USERNAME.fullmatch(username):
        raise AccountError(
            f"username {username!r} must be 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit"
        )
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if role == COUNCIL_VIEWER:
        if council_id is None:
            raise AccountError("a council viewer needs --council, the one council it may see")
        if council_id not in {c.id for c in estate.councils}:
            raise UnknownId(f"council {council_id!r} is not in the estate")
    elif council_id is not None:
        raise AccountError(f"a {role} sees every council: --council is for council viewers only")


def _hashed(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"a password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long")
    return _HASHER.hash(password)


def add_account(
    warehouse,
    estate: Estate,
    username: str,
    role: str,
    council_id: str | None = None,
    password: str | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> str:
    """Make the account; returns its password (the one given, or a new one to hand over once)."""
    _checked(username, role, council_id, estate)
    password = password if password is not None else new_password()
    warehouse.add_account(username, role, council_id, _hashed(password), clock())
    return password


def remove_account(warehouse, username: str) -> None:
    if not warehouse.remove_account(username):
        raise AccountError(f"there is no account {username!r}")


def set_password(
    warehouse,
    username: str,
    password: str | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> str:
    """Set the account's password; returns it (the one given, or a new one)."""
    password = password if password is not None else new_password()
    if not warehouse.set_password_hash(username, _hashed(password), clock()):
        raise AccountError(f"there is no account {username!r}")
    return password


def accounts(warehouse) -> list[Account]:
    return [
        Account(r.username, r.role, r.council_id, r.created_at_utc, r.password_set_utc)
        for r in warehouse.accounts()
    ]


def account(warehouse, username: str) -> Account | None:
    """The account of that name, if there is one (a session checks it on every request, so an
    account removed, or its password changed, ends its sessions at once)."""
    row = warehouse.account(username) if USERNAME.fullmatch(username or "") else None
    if row is None:
        return None
    return Account(row.username, row.role, row.council_id, row.created_at_utc, row.password_set_utc)


def signed_in(warehouse, username: str, password: str) -> Account | None:
    """The account, when the password is its own; None otherwise (which of the two was wrong is
    not said). An unknown name costs a hash all the same, so timing does not tell names apart."""
    row = warehouse.account(username) if USERNAME.fullmatch(username or "") else None
    if len(password) > MAX_PASSWORD:
        return None
    try:
        if row is None:
            _HASHER.verify(_dummy_hash(), password)
            return None
        _HASHER.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return Account(row.username, row.role, row.council_id, row.created_at_utc, row.password_set_utc)


@cache
def _dummy_hash() -> str:
    """A hash to verify an unknown name against, made on first need (not on every import of the
    command line: a hash costs tens of milliseconds and 64 MiB)."""
    return _HASHER.hash(secrets.token_urlsafe(16))
