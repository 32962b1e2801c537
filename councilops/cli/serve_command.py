"""`councilops serve`: the dashboard, scheduled collection and the control endpoint, in one process."""

from __future__ import annotations

import logging

import click

from councilops.cli.base import Context, cli

DEFAULT_PORT = 8050
DEFAULT_COLLECT_MINUTES = 5.0


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="0: any free port."
)
@click.option(
    "--collect-every",
    "collect_every_minutes",
    type=click.FloatRange(0, 1440),
    default=DEFAULT_COLLECT_MINUTES,
    show_default=True,
    metavar="MINUTES",
    help="Collect from every site this often (0: never). Off for the demo's estate, whose sites are not real.",
)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True, help="Request threads.")
@click.option(
    "--secure-cookies/--no-secure-cookies",
    default=False,
    show_default=True,
    help="Send the session cookies over HTTPS only: set it behind a TLS-terminating proxy.",
)
@click.option(
    "--trusted-user-header",
    default=None,
    metavar="HEADER",
    help="Single sign-on: the header a reverse proxy sets to the signed-in user's name (off by default).",
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="ADDRESS",
    help="An address (or network) whose --trusted-user-header is believed (repeatable).",
)
@click.option(
    "--metrics-from",
    multiple=True,
    metavar="ADDRESS",
    help="An address (or network) that may read /metrics (repeatable; default: loopback only).",
)
@click.pass_obj
def serve(
    obj: Context,
    host: str,
    port: int,
    collect_every_minutes: float,
    threads: int,
    secure_cookies: bool,
    trusted_user_header: str | None,
    trusted_proxies: tuple[str, ...],
    metrics_from: tuple[str, ...],
) -> None:
    """Serve the dashboard and own the warehouse while it runs.

    While it runs, `collect`, `sla`, `capacity`, `savings`, `status`, `load` and `users` run in
    it when given the same --db (DuckDB lets no other process open the file). SIGTERM or Ctrl-C
    stops it after the requests and the write in progress. Sign-in accounts: `councilops users`."""
    from councilops.serve import serve as run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if trusted_user_header and not trusted_proxies:
        raise click.BadParameter(
            "give --trusted-proxy with it: the header is believed only from those addresses",
            param_hint="--trusted-user-header",
        )
    overrides = {
        "secure_cookies": secure_cookies,
        "trusted_user_header": trusted_user_header,
        "trusted_proxies": trusted_proxies,
    }
    if metrics_from:
        overrides["metrics_from"] = metrics_from
    run(
        obj.config,
        obj.db,
        host,
        port,
        collect_every_minutes=collect_every_minutes or None,
        threads=threads,
        settings_overrides=overrides,
        announce=lambda line: click.echo(line, err=True),
    )
