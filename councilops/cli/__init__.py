"""The `councilops` command line: a thin layer over the application layer.

Each command parses its options, calls one application function (or a collector, for a
collection run or a file load) and renders what it returned through presentation/. An expected
failure (a broken configuration, an unknown id, a busy warehouse, a question outside the
caller's scope) is one clear message and a non-zero exit, never a traceback; COUNCILOPS_DEBUG=1
shows the traceback of an unexpected one. One module per command group.
"""

from __future__ import annotations

import os
import sys

import click

from councilops import control
from councilops.cli import (  # noqa: F401 - each module registers its commands on `cli`
    capacity_commands,
    collect_command,
    estate_commands,
    load_commands,
    report_command,
    savings_command,
    serve_command,
    sites_command,
    sla_command,
    users_command,
)
from councilops.cli.base import EXIT_PROBLEMS, EXIT_UNAVAILABLE, EXIT_USAGE, Context, cli
from councilops.settings import DB_ENV, DEBUG_ENV
from estate import EstateConfigError
from estate.model import UnknownId
from estate.scope import OutOfScope
from warehouse import WarehouseBusyError, WarehouseError, damage

__all__ = ["cli", "main"]


class _RecordedStdin:
    """Standard input, with what a command reads of it kept: a command that finds the warehouse
    held by `serve` is sent there with what it had read (a password from --password-stdin)."""

    LIMIT = 65_536  # characters kept; a command reads a line or two

    def __init__(self, stream):
        self._stream = stream
        self.read_so_far = ""

    def _kept(self, text: str) -> str:
        if len(self.read_so_far) < self.LIMIT:
            self.read_so_far += text[: self.LIMIT - len(self.read_so_far)]
        return text

    def readline(self, *args):
        return self._kept(self._stream.readline(*args))

    def read(self, *args):
        return self._kept(self._stream.read(*args))

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main() -> None:
    given = sys.stdin
    if given is not None and not isinstance(given, _RecordedStdin):
        sys.stdin = _RecordedStdin(given)
    try:
        status = run_main(sys.argv[1:], forward=True)
    finally:
        sys.stdin = given  # as it was (the tests run the command line in their own process)
    sys.exit(status)


def run_main(arguments: list[str], forward: bool = False) -> int:
    """Run the command line on `arguments` and return its exit status. With `forward`, a
    command that finds the warehouse held by `councilops serve` is run by it instead, over its
    control endpoint (councilops/control.py), and its output printed here."""
    try:
        cli.main(args=arguments, standalone_mode=False, prog_name="councilops")
        return 0
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else EXIT_PROBLEMS)
    except click.exceptions.Exit as stop:
        return stop.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except EstateConfigError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(
            f"{len(error.problems)} problem(s) in the estate configuration; see `councilops check`.", err=True
        )
        return EXIT_PROBLEMS
    except UnknownId as error:  # an option named nothing in the estate: a usage error, as click's
        click.echo(f"error: {error.args[0]}", err=True)
        return EXIT_USAGE
    except OutOfScope as error:
        click.echo(f"error: {error}", err=True)
        return EXIT_USAGE
    except WarehouseBusyError as error:
        if forward and Context.last_db is not None:
            status = control.forward(Context.last_db, arguments, getattr(sys.stdin, "read_so_far", ""))
            if status is not None:
                return status
        click.echo(f"error: {error}", err=True)
        return EXIT_UNAVAILABLE
    except WarehouseError as error:
        click.echo(f"error: {error}", err=True)
        return EXIT_UNAVAILABLE
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        damaged = damage(error, str(Context.last_db or DB_ENV))
        if damaged is not None:  # a block failed its checksum mid-query: say it is the file
            click.echo(f"error: {damaged}", err=True)
            return EXIT_UNAVAILABLE
        if os.environ.get(DEBUG_ENV):
            raise
        click.echo(f"error: {type(error).__name__}: {error} (set {DEBUG_ENV}=1 for the traceback)", err=True)
        return EXIT_UNAVAILABLE


if __name__ == "__main__":
    main()
