"""`councilops serve`: the one process that owns the warehouse.

It serves the dashboard on waitress (threads, each request on a cursor of its own), collects
every N minutes in a background thread, keeps the answers warm after each collection, and runs
other councilops commands for the command line over a loopback control endpoint (DuckDB lets
no other process open the file while this one holds it).

The control endpoint: `POST /control/run` with the argument list as JSON and the token from
the control file beside the warehouse (`<warehouse>.control`, mode 0600: the port, the token,
the process id), from a loopback address only. The command runs here exactly as it would
there (the same click command, the same library functions), on a cursor of this process's
warehouse, and its output and exit status go back. Commands that write wait for the
collection in progress, one at a time.

SIGTERM ends the listening, lets requests in progress finish, waits for the collection's
write in progress (each window is one transaction: one cut short rolls back) and closes the
warehouse. After `kill -9` the next start opens a consistent warehouse (DuckDB's WAL holds only
committed transactions) and the next collection resumes from the watermarks.
"""

from __future__ import annotations

import contextlib
import hmac
import io
import json
import logging
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import flask

from application.answers import Answers
from application.signin import SignInGuard
from collectors.run import collect as collect_all
from councilops.control import control_file
from dashboard.app import create_app
from dashboard.context import Served, WebSettings
from estate import load_estate
from estate.scope import PROVIDER
from reports.archive import archive_folder
from warehouse import Warehouse

LOG = logging.getLogger("councilops.serve")

CONTROL_PATH = "/control/run"
# the commands the control endpoint runs, and of those, the ones that write (one at a time)
CONTROLLED = frozenset({"collect", "sla", "capacity", "savings", "status", "load", "users", "report"})
WRITING = frozenset({"collect", "load", "users", "report"})
MAX_ARGUMENTS = 64
STOP_WAIT_SECONDS = 120  # how long SIGTERM waits for the collection's write in progress


def secret_file(db: Path) -> Path:
    return db.with_name(db.name + ".secret")


def _private_write(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def session_secret(db: Path) -> bytes:
    """The key that signs session cookies: kept beside the warehouse (mode 0600) so sessions
    outlive a restart; made on first start."""
    path = secret_file(db)
    if not path.exists():
        _private_write(path, secrets.token_hex(32))
    return bytes.fromhex(path.read_text(encoding="utf-8").strip())


def is_demo(estate) -> bool:
    """The demo's sites are at reserved `.example` names (RFC 2606): nothing to collect from."""
    from urllib.parse import urlsplit

    return all((urlsplit(site.prometheus_url).hostname or "").endswith(".example") for site in estate.sites)


class Collections:
    """Collection on schedule (and on demand), one run at a time, with its metrics kept."""

    def __init__(self, served: Served, metrics, every_minutes: float | None, write_lock: threading.Lock):
        self._served = served
        self._metrics = metrics
        self.every_seconds = None if not every_minutes else every_minutes * 60
        self.write_lock = write_lock
        self._stop = threading.Event()
        self.running = False
        self.last: list = []
        self._thread: threading.Thread | None = None

    def state(self) -> dict:
        return {"running": self.running, "every_seconds": self.every_seconds}

    def start(self) -> None:
        if self.every_seconds:
            self._thread = threading.Thread(target=self._loop, name="collect-schedule", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self.run_once():
                _warm(self._served.answers)
            self._stop.wait(self.every_seconds)

    def run_once(self) -> list:
        with self.write_lock:
            if self._stop.is_set():
                return []
            self.running = True
            began = time.perf_counter()
            try:
                with self._served.warehouse.cursor() as warehouse:
                    summaries = collect_all(self._served.estate, warehouse, scope=PROVIDER)
            except Exception:  # noqa: BLE001 - a failed run is logged and counted; the schedule goes on
                LOG.exception("collection failed")
                summaries = []
            finally:
                self.running = False
        self.record(summaries, time.perf_counter() - began)
        return summaries

    def record(self, summaries, seconds: float) -> None:
        for s in summaries:
            self._metrics.collection_seconds.labels(s.site_id, s.kind).observe(seconds)
            if s.status == "ok":
                self._metrics.collection_last_success.labels(s.site_id, s.kind).set(time.time())
            else:
                self._metrics.collection_errors.labels(s.site_id, s.kind).inc()
                LOG.warning("collection %s %s: %s %s", s.site_id, s.kind, s.status, s.message)
        starts = [s.start for s in summaries if s.windows]
        if starts:
            self._served.answers.written(min(starts), datetime.now(UTC))

    def stop(self) -> None:
        """Stop the schedule and wait for the run in progress to finish its write."""
        self._stop.set()
        if self.write_lock.acquire(timeout=STOP_WAIT_SECONDS):
            self.write_lock.release()


def _command_of(arguments: list[str]) -> str | None:
    """The subcommand named in an argument list, past the group's own options."""
    skip = False
    for argument in arguments:
        if skip:
            skip = False
            continue
        if argument in ("--config", "--db"):
            skip = True
            continue
        if argument.startswith(("--config=", "--db=")):
            continue
        return None if argument.startswith("-") else argument
    return None


def _subcommand_arguments(arguments: list[str]) -> list[str]:
    """The arguments from the subcommand on: the group's --config and --db are the server's."""
    command = _command_of(arguments)
    return arguments[arguments.index(command) :] if command else []


def install_control(
    app,
    served: Served,
    config: Path,
    db: Path,
    token: str,
    write_lock: threading.Lock,
    after_write: Callable[[], None],
) -> None:
    from councilops.cli import cli
    from councilops.cli.base import SERVED_WAREHOUSE

    server = app.server
    run_lock = threading.Lock()  # one command at a time: its output is this process's stdout for the while

    @server.route(CONTROL_PATH, methods=["POST"])
    def control():
        address = flask.request.remote_addr or ""
        sent = flask.request.headers.get("Authorization", "")
        if address not in ("127.0.0.1", "::1") or not hmac.compare_digest(
            sent.encode(), f"Bearer {token}".encode()
        ):
            logging.getLogger("councilops.security").warning("refused control request from %s", address)
            app.councilops_metrics.refused.labels("control endpoint without its token").inc()
            return flask.Response('{"error": "not allowed"}', 403, mimetype="application/json")
        body = flask.request.get_json(silent=True) or {}
        arguments = body.get("arguments")
        if (
            not isinstance(arguments, list)
            or len(arguments) > MAX_ARGUMENTS
            or not all(isinstance(a, str) and len(a) < 4096 for a in arguments)
        ):
            return flask.Response(
                '{"error": "arguments: a list of strings"}', 400, mimetype="application/json"
            )
        command = _command_of(arguments)
        if command not in CONTROLLED:
            return flask.Response(
                json.dumps({"error": f"{command!r} is not run by the served process"}),
                400,
                mimetype="application/json",
            )
        stdin = body.get("stdin", "")
        if not isinstance(stdin, str) or len(stdin) > 65_536:
            return flask.Response('{"error": "stdin: a string"}', 400, mimetype="application/json")
        argv = ["--config", str(config), "--db", str(db), *_subcommand_arguments(arguments)]
        out, err = io.StringIO(), io.StringIO()
        status = 0
        writes = command in WRITING
        with run_lock, write_lock if writes else contextlib.nullcontext():
            token_var = SERVED_WAREHOUSE.set(served.warehouse)
            given, sys.stdin = sys.stdin, io.StringIO(stdin)  # what the command line had read
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    status = _run_cli(cli, argv)
            finally:
                sys.stdin = given
                SERVED_WAREHOUSE.reset(token_var)
        if writes and command != "users":
            after_write()
        LOG.info("ran for the command line: %s (exit %s)", command, status)
        return flask.Response(
            json.dumps({"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}),
            mimetype="application/json",
        )


class Reporting:
    """Last month's reports on the estate's day and time: checked every minute, issued and
    emailed under the write lock (reports/schedule.py); counted in /metrics."""

    CHECK_SECONDS = 60

    def __init__(self, served: Served, metrics, archive: Path, write_lock: threading.Lock, clock):
        self._served, self._metrics, self._archive = served, metrics, archive
        self._write_lock, self._clock = write_lock, clock
        self._stop = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._loop, name="report-schedule", daemon=True).start()

    def _loop(self) -> None:
        while not self._stop.wait(self.CHECK_SECONDS):
            self.run_once()

    def run_once(self):
        from reports.schedule import issue_due  # noqa: PLC0415 - WeasyPrint loads only when a report is due

        if self._stop.is_set():
            return [], []
        try:
            # rendered on a cursor of its own while collection goes on; written under the lock
            with self._served.warehouse.cursor() as warehouse:
                outcomes, sent = issue_due(
                    self._served.estate, warehouse, self._archive, self._clock, write_lock=self._write_lock
                )
        except Exception:  # noqa: BLE001 - a failed issue is logged and counted; the schedule goes on
            LOG.exception("issuing the month's reports failed")
            self._metrics.report_failures.inc()
            return [], []
        for outcome in outcomes:
            if outcome.issued is not None:
                self._metrics.reports_issued.inc()
                LOG.info("issued %s revision %s", outcome.issued.report_id, outcome.issued.revision)
        for delivery in sent:
            LOG.info("report %s %s: %s", delivery.council_id, delivery.month, delivery.said)
        if any(o.issued for o in outcomes):
            self._served.answers.touched()  # the Council pages list the reports
        return outcomes, sent

    def stop(self) -> None:
        self._stop.set()


def _run_cli(cli, argv: list[str]) -> int:
    """The command line's main, as `councilops` runs it, returning its exit status."""
    from councilops.cli import run_main

    return run_main(argv)  # never forwarded: this is the process it would forward to


def serve(
    config: Path,
    db: Path,
    host: str,
    port: int,
    *,
    collect_every_minutes: float | None,
    threads: int = 8,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    settings_overrides: dict | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    import waitress

    estate = load_estate(config)
    warehouse = Warehouse.open(db)
    control = control_file(db)
    try:
        answers = Answers(estate, warehouse, clock)
        settings = WebSettings(secret_key=session_secret(db), **(settings_overrides or {}))
        write_lock = threading.Lock()
        collections_holder: dict = {}
        served = Served(
            estate=estate,
            warehouse=warehouse,
            answers=answers,
            settings=settings,
            clock=clock,
            guard=SignInGuard(),
            collection_state=lambda: collections_holder["c"].state() if "c" in collections_holder else {},
        )
        app = create_app(served)
        if is_demo(estate) and collect_every_minutes:
            announce("The estate's sites are the demo's (.example): scheduled collection is off.")
            collect_every_minutes = None
        collections = Collections(served, app.councilops_metrics, collect_every_minutes, write_lock)
        collections_holder["c"] = collections
        token = secrets.token_urlsafe(32)
        install_control(app, served, config, db, token, write_lock, answers.forget)
        server = waitress.create_server(app.server, host=host, port=port, threads=threads, ident="councilops")
        bound_port = int(server.effective_port)
        _private_write(control, json.dumps({"port": bound_port, "token": token, "pid": os.getpid()}))

        def terminate(signum, frame):
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, terminate)
        collections.start()
        reporting = Reporting(served, app.councilops_metrics, archive_folder(Path(db)), write_lock, clock)
        if is_demo(estate):  # the demo's history ends where it was built: nothing comes due in it
            announce(
                "The estate is the demo's: reports are issued on demand (`councilops report`), not on schedule."
            )
        else:
            reporting.start()
        threading.Thread(target=_warm, args=(answers,), name="warm", daemon=True).start()
        announce(f"Serving the dashboard at http://{host}:{bound_port} (Ctrl-C or SIGTERM stops it)")
        try:
            server.run()  # returns on SystemExit or KeyboardInterrupt, after the requests in progress
        finally:
            announce("Stopping: finishing the write in progress")
            reporting.stop()
            collections.stop()
            server.close()
    finally:
        with contextlib.suppress(FileNotFoundError):
            control.unlink()
        warehouse.close()
        announce("Stopped; the warehouse is closed.")


def _warm(answers: Answers) -> None:
    """Work out what the first pages ask for, so the first visitor does not wait for it."""
    try:
        month = answers.current_month()
        answers.months(month, 13, PROVIDER)
        for ask in (
            answers.status,
            answers.savings,
            answers.site_loss,
            answers.time_left,
            answers.underuse,
            answers.consolidation,
        ):
            ask(PROVIDER)
    except Exception:  # noqa: BLE001 - warming is an optimisation; a page asks again and says what failed
        LOG.exception("warming the answers failed")
