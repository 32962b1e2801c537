"""The dashboard's local accounts (issue 13, item 4): roles, argon2id hashes, the scope each
account is bound to, and the `councilops users` commands."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from application.accounts import (
    AccountError,
    accounts,
    add_account,
    remove_account,
    scope_of,
    set_password,
    signed_in,
)
from estate import load_estate
from estate.model import UnknownId
from estate.scope import PROVIDER, Scope
from tests.conftest import SMALL_ESTATE
from warehouse import Warehouse

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def estate():
    return load_estate(SMALL_ESTATE)


@pytest.fixture
def warehouse(tmp_path):
    with Warehouse.open(tmp_path / "w.duckdb", create=True) as opened:
        yield opened


def test_an_account_signs_in_with_its_password_only_and_keeps_only_a_hash(estate, warehouse):
    password = add_account(
        warehouse, estate, "fylde-cm", "council-viewer", "fylde", "correct horse battery", lambda: AT
    )
    assert password == "correct horse battery"
    account = signed_in(warehouse, "fylde-cm", "correct horse battery")
    assert (account.username, account.role, account.council_id) == ("fylde-cm", "council-viewer", "fylde")
    assert scope_of(account) == Scope.council("fylde")
    # a wrong password, another name, an over-long password: no account, and no saying which
    assert signed_in(warehouse, "fylde-cm", "correct horse batterY") is None
    assert signed_in(warehouse, "nobody", "correct horse battery") is None
    assert signed_in(warehouse, "fylde-cm", "x" * 5000) is None
    assert signed_in(warehouse, "FYLDE-CM", "correct horse battery") is None  # names are lower case
    stored = warehouse.account("fylde-cm").password_hash
    assert stored.startswith("$argon2id$") and "correct horse battery" not in stored
    assert warehouse.account("fylde-cm").created_at_utc == datetime(2026, 12, 1, 9, 30)


def test_a_provider_role_sees_every_council(estate, warehouse):
    for role in ("administrator", "operator", "capacity-planner", "manager"):
        add_account(warehouse, estate, role, role, None, "a long enough password")
        assert scope_of(signed_in(warehouse, role, "a long enough password")) == PROVIDER


@pytest.mark.parametrize(
    ("username", "role", "council", "password", "words"),
    [
        ("Bad Name", "manager", None, "a long enough password", "must be 1-64 characters"),
        ("x" * 65, "manager", None, "a long enough password", "must be 1-64 characters"),
        ("ok", "superuser", None, "a long enough password", "is not one of administrator"),
        ("ok", "council-viewer", None, "a long enough password", "needs --council"),
        ("ok", "manager", "fylde", "a long enough password", "--council is for council viewers only"),
        ("ok", "manager", None, "short", "12 to 1024 characters"),
    ],
)
def test_an_account_that_cannot_be_made_says_why_and_nothing_is_written(
    estate, warehouse, username, role, council, password, words
):
    with pytest.raises(AccountError, match=words):
        add_account(warehouse, estate, username, role, council, password)
    assert accounts(warehouse) == []


def test_a_council_viewer_of_an_unknown_council_is_refused(estate, warehouse):
    with pytest.raises(UnknownId, match="council 'wyre' is not in the estate"):
        add_account(warehouse, estate, "wyre-cm", "council-viewer", "wyre", "a long enough password")


def test_a_made_password_is_long_random_and_works(estate, warehouse):
    first = add_account(warehouse, estate, "a", "manager")
    second = add_account(warehouse, estate, "b", "manager")
    assert len(first) == 16 and first != second
    assert signed_in(warehouse, "a", first) is not None and signed_in(warehouse, "a", second) is None


def test_passwords_change_and_accounts_go(estate, warehouse):
    add_account(warehouse, estate, "ops", "operator", None, "the first password")
    set_password(warehouse, "ops", "the second password", lambda: AT)
    assert signed_in(warehouse, "ops", "the first password") is None
    assert signed_in(warehouse, "ops", "the second password") is not None
    remove_account(warehouse, "ops")
    assert signed_in(warehouse, "ops", "the second password") is None
    with pytest.raises(AccountError, match="there is no account 'ops'"):
        remove_account(warehouse, "ops")
    with pytest.raises(AccountError, match="there is no account 'ops'"):
        set_password(warehouse, "ops", "a long enough password")


def run(*args: str, env: dict, given: str | None = None) -> subprocess.CompletedProcess:
    """`councilops ARGS` in this process (a dozen runs: a subprocess each cost half a minute),
    with `given` on standard input."""
    from unittest import mock

    from tests.in_process import run as run_here

    with mock.patch.object(sys, "stdin", io.StringIO(given or "")):
        code, out, err = run_here(list(args), env)
    return subprocess.CompletedProcess(args, code, out, err)


def test_the_users_commands(tmp_path):
    env = {"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": str(tmp_path / "w.duckdb")}
    assert run("init", env=env).returncode == 0
    added = run(
        "users",
        "add",
        "fylde-cm",
        "--role",
        "council-viewer",
        "--council",
        "fylde",
        "--password-stdin",
        env=env,
        given="a long enough password\n",
    )
    assert added.returncode == 0 and added.stdout == "added fylde-cm (council-viewer for fylde)\n"
    made = run("users", "add", "boss", "--role", "manager", env=env)
    assert made.returncode == 0 and made.stdout.startswith("added boss (manager)\npassword: ")
    password = made.stdout.split("password: ")[1].split()[0]
    again = run("users", "add", "boss", "--role", "manager", env=env)
    assert again.returncode == 1 and "account 'boss' exists already" in again.stderr
    listed = json.loads(run("users", "list", "--format", "json", env=env).stdout)
    assert [(a["username"], a["role"], a["council"]) for a in listed] == [
        ("boss", "manager", None),
        ("fylde-cm", "council-viewer", "fylde"),
    ]
    assert "argon2" not in json.dumps(listed) and password not in run("users", "list", env=env).stdout
    assert (
        run(
            "users", "passwd", "boss", "--password-stdin", env=env, given="another long password\n"
        ).returncode
        == 0
    )
    with Warehouse.open(tmp_path / "w.duckdb", read_only=True) as warehouse:
        assert signed_in(warehouse, "boss", password) is None
        assert signed_in(warehouse, "boss", "another long password").role == "manager"
    assert run("users", "remove", "fylde-cm", env=env).stdout == "removed fylde-cm\n"
    gone = run("users", "remove", "fylde-cm", env=env)
    assert gone.returncode == 1 and "there is no account 'fylde-cm'" in gone.stderr
    unknown = run("users", "add", "x", "--role", "council-viewer", "--council", "wyre", env=env)
    assert unknown.returncode == 2 and "council 'wyre' is not in the estate" in unknown.stderr
