"""`councilops users add|remove|passwd|list`: the dashboard's local accounts (issue 13).

A password is read from standard input with --password-stdin (so it never sits in the shell's
history or the process list), or made here and printed once. It is kept only as its argon2id
hash (application/accounts.py).
"""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console

from application.accounts import ROLES, AccountError, accounts, add_account, remove_account, set_password
from councilops.cli.base import EXIT_PROBLEMS, Context, cli, fail, format_option
from estate import load_estate
from presentation import render
from presentation.render import text
from warehouse import WarehouseWriteError

password_stdin = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (one line); without it a password is made and printed once.",
)


def _password(from_stdin: bool) -> str | None:
    if not from_stdin:
        return None
    line = sys.stdin.readline(4096).rstrip("\r\n")
    if not line:
        fail("--password-stdin: standard input held no password")
    return line


@cli.group()
def users() -> None:
    """The dashboard's accounts: administrator, operator, capacity-planner, manager, or
    council-viewer bound to one council (docs/security.md)."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--council", "council_id", metavar="ID", help="The one council a council-viewer may see.")
@password_stdin
@click.pass_obj
def add(obj: Context, username: str, role: str, council_id: str | None, password_stdin: bool) -> None:
    """Add an account."""
    estate = load_estate(obj.config)
    given = _password(password_stdin)
    try:
        with obj.warehouse() as warehouse:
            password = add_account(warehouse, estate, username, role, council_id, given)
    except (AccountError, WarehouseWriteError) as error:
        fail(f"error: {error}", EXIT_PROBLEMS)
    where = f" for {council_id}" if council_id else ""
    click.echo(f"added {username} ({role}{where})")
    if given is None:
        click.echo(f"password: {password}  (shown once; change it with `councilops users passwd {username}`)")


@users.command("remove")
@click.argument("username")
@click.pass_obj
def remove(obj: Context, username: str) -> None:
    """Remove an account: it can no longer sign in."""
    try:
        with obj.warehouse() as warehouse:
            remove_account(warehouse, username)
    except AccountError as error:
        fail(f"error: {error}", EXIT_PROBLEMS)
    click.echo(f"removed {username}")


@users.command("passwd")
@click.argument("username")
@password_stdin
@click.pass_obj
def passwd(obj: Context, username: str, password_stdin: bool) -> None:
    """Set an account's password."""
    given = _password(password_stdin)
    try:
        with obj.warehouse() as warehouse:
            password = set_password(warehouse, username, given)
    except AccountError as error:
        fail(f"error: {error}", EXIT_PROBLEMS)
    click.echo(f"password of {username} set")
    if given is None:
        click.echo(f"password: {password}  (shown once)")


COLUMNS = (
    text("username", lambda a: a.username),
    text("role", lambda a: a.role),
    text("council", lambda a: a.council_id or ""),
    text("created (UTC)", lambda a: f"{a.created_at_utc:%Y-%m-%d %H:%M}"),
    text("password set (UTC)", lambda a: f"{a.password_set_utc:%Y-%m-%d %H:%M}"),
)


@users.command("list")
@format_option("json")
@click.pass_obj
def list_users(obj: Context, output_format: str) -> None:
    """List the accounts (never a password or its hash)."""
    with obj.warehouse(read_only=True) as warehouse:
        found = accounts(warehouse)
    if output_format == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "username": a.username,
                        "role": a.role,
                        "council": a.council_id,
                        "created_at_utc": f"{a.created_at_utc:%Y-%m-%dT%H:%M:%SZ}",
                        "password_set_utc": f"{a.password_set_utc:%Y-%m-%dT%H:%M:%SZ}",
                    }
                    for a in found
                ],
                indent=2,
            )
        )
    else:
        render.table(COLUMNS, found, f"{len(found)} account(s)", console=Console(width=120))
