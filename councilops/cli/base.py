"""What every command shares: the group, its options, how an answer is built and emitted, and
how an expected failure becomes one line and an exit status."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from application.periods import estate_zone, local_instant
from councilops import __version__
from councilops.settings import CONFIG_ENV, DB_ENV, DEFAULT_CONFIG, DEFAULT_DB
from estate import load_estate
from estate.scope import PROVIDER
from warehouse import Warehouse

EXIT_PROBLEMS = 1  # the input is wrong: the message says what and where
EXIT_UNAVAILABLE = 2  # something needed is missing or busy
EXIT_USAGE = 2  # an option is wrong (click's own code for usage errors)
YEARS = range(1970, 2101)  # every date an option names lies in these years


# Inside `councilops serve`, a command that reached it over the control endpoint runs on a cursor
# of the warehouse the served process owns (DuckDB lets no other process open the file).
SERVED_WAREHOUSE: ContextVar = ContextVar("served_warehouse", default=None)


class Context:
    last_db: Path | None = None  # the warehouse the running command was given, for main's messages

    def __init__(self, config: str, db: str):
        self.config = Path(config)
        self.db = Path(db)
        Context.last_db = self.db

    @contextmanager
    def warehouse(self, *, read_only: bool = False, create: bool = False) -> Iterator[Warehouse]:
        """The warehouse at --db: opened here, or, for a command `serve` runs for another process,
        a cursor of the one it owns."""
        served = SERVED_WAREHOUSE.get()
        if served is not None:
            with served.cursor() as cursor:
                yield cursor
            return
        with Warehouse.open(self.db, read_only=read_only, create=create) as opened:
            yield opened


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    envvar=CONFIG_ENV,
    default=DEFAULT_CONFIG,
    show_default=True,
    metavar="FILE",
    help=f"The estate configuration (TOML). Environment: {CONFIG_ENV}.",
)
@click.option(
    "--db",
    envvar=DB_ENV,
    default=DEFAULT_DB,
    show_default=True,
    metavar="FILE",
    help=f"The warehouse (DuckDB file). Environment: {DB_ENV}.",
)
@click.version_option(__version__, prog_name="councilops")
@click.pass_context
def cli(ctx: click.Context, config: str, db: str) -> None:
    """councilops: service levels, capacity and savings for a two-site council IT provider."""
    ctx.obj = Context(config, db)


AS_OF_HELP = (
    "End of the window (default: now, or the end of what has been collected). A date or a time "
    "without an offset is local time in the estate's zone."
)
as_of_option = click.option("--as-of", "as_of_text", metavar="ISO-8601", default=None, help=AS_OF_HELP)


def format_option(*choices: str):
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["table", *choices]),
        default="table",
        show_default=True,
    )


def parse_instant(text: str | None, option: str, tz: ZoneInfo | None = None) -> datetime | None:
    """An ISO-8601 date or time from an option: with an offset (or Z) as written; without one,
    wall-clock time in `tz` (the estate's zone), or UTC where no estate is at hand."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO-8601 date and time", param_hint=option) from None
    if moment.year not in YEARS:
        raise click.BadParameter(
            f"{text!r} is outside the years {YEARS[0]}-{YEARS[-1]} councilops works in", param_hint=option
        )
    return local_instant(moment, tz or ZoneInfo("UTC"))


def require_window(start: datetime, end: datetime, option: str) -> None:
    """A window given by options ends after it starts."""
    if end <= start:
        raise click.BadParameter(
            f"the window ends ({end:%Y-%m-%d %H:%M} UTC) before it starts ({start:%Y-%m-%d %H:%M} UTC)",
            param_hint=option,
        )


def build(obj: Context, answer, as_of_text: str | None, *args):
    """Load the estate, open the warehouse read-only and build one answer as of --as-of. The
    command line is the provider's own tool: it sees every council."""
    estate = load_estate(obj.config)
    now = parse_instant(as_of_text, "--as-of", estate_zone(estate))
    with obj.warehouse(read_only=True) as warehouse:
        return answer(estate, warehouse, *args, scope=PROVIDER, now=now)


def emit(output_format: str, as_json, print_table, as_csv=None) -> None:
    if output_format == "json":
        click.echo(as_json())
    elif output_format == "csv" and as_csv is not None:
        click.echo(as_csv(), nl=False)
    else:
        print_table()


def fail(message: str, status: int = EXIT_PROBLEMS) -> None:
    click.echo(message, err=True)
    sys.exit(status)


def utc_now() -> datetime:
    return datetime.now(UTC)
