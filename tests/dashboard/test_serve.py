"""`councilops serve` as a process: it owns the warehouse, answers /healthz and /metrics, runs
the command line's commands for other processes over its control endpoint (and refuses the
endpoint without its token), stops cleanly on SIGTERM, and after kill -9 mid-collection a
restart and a new collection leave exactly what a clean collection leaves."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.collectors.prometheus_server import prometheus_with
from tests.collectors.test_kill import MARKER, collect_command, history, marker_lines, snapshot
from tests.conftest import DEMO_NOW, SMALL_ESTATE
from warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[2]
SERVING = re.compile(r"Serving the dashboard at http://127\.0\.0\.1:(\d+)")


def councilops(config: Path, db: Path, *arguments: str) -> list[str]:
    return [sys.executable, "-m", "councilops.cli", "--config", str(config), "--db", str(db), *arguments]


def environment(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key != MARKER}
    env["PYTHONPATH"] = str(ROOT)
    return {**env, **extra}


class Served:
    """`councilops serve --port 0` in a subprocess; its port read from what it prints."""

    def __init__(self, config: Path, db: Path, log: Path, env: dict | None = None, *extra: str):
        self.log = log
        self.handle = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            councilops(config, db, "serve", "--port", "0", "--collect-every", "0", *extra),
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            env=env or environment(),
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = SERVING.search(log.read_text(encoding="utf-8"))
            if found:
                self.port = int(found[1])
                self.base = f"http://127.0.0.1:{self.port}"
                return
            if self.process.poll() is not None:
                raise AssertionError(f"serve ended: {log.read_text(encoding='utf-8')}")
            time.sleep(0.1)
        raise AssertionError(f"serve did not start: {log.read_text(encoding='utf-8')}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=120)
        self.handle.close()
        return code

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=60)
        self.handle.close()


@pytest.fixture
def demo_copy(demo_build, tmp_path):
    paths, _ = demo_build
    shutil.copy(paths.estate, tmp_path / "estate.toml")
    shutil.copy(paths.warehouse, tmp_path / "warehouse.duckdb")
    return tmp_path / "estate.toml", tmp_path / "warehouse.duckdb"


def test_the_command_line_runs_in_serve_and_sigterm_stops_it_cleanly(demo_copy, tmp_path):
    config, db = demo_copy
    sla = (
        "sla",
        "--month",
        "2026-10",
        "--council",
        "fylde",
        "--format",
        "json",
        "--as-of",
        DEMO_NOW.isoformat(),
    )
    alone = subprocess.run(
        councilops(config, db, *sla), capture_output=True, text=True, env=environment(), cwd=ROOT, timeout=300
    )
    assert alone.returncode == 0, alone.stderr
    served = Served(config, db, tmp_path / "serve.log")
    try:
        assert httpx.get(f"{served.base}/healthz").json() == {"ok": True, "warehouse": "readable"}
        metrics = httpx.get(f"{served.base}/metrics").text
        assert (
            "councilops_request_seconds_bucket" in metrics
            and "councilops_signin_failures_total 0.0" in metrics
        )
        control = json.loads((tmp_path / "warehouse.duckdb.control").read_text(encoding="utf-8"))
        assert oct(os.stat(tmp_path / "warehouse.duckdb.control").st_mode & 0o777) == "0o600"
        assert control["port"] == served.port and control["pid"] == served.process.pid

        # the same command, while serve holds the file: run there, the same answer
        forwarded = subprocess.run(
            councilops(config, db, *sla),
            capture_output=True,
            text=True,
            env=environment(),
            cwd=ROOT,
            timeout=300,
        )
        assert forwarded.returncode == 0, forwarded.stderr
        assert "holds the warehouse: running this there" in forwarded.stderr
        assert json.loads(forwarded.stdout) == json.loads(alone.stdout)

        # an account made while it serves can sign in at once
        made = subprocess.run(
            councilops(config, db, "users", "add", "newcomer", "--role", "operator", "--password-stdin"),
            input="a long enough password\n",
            capture_output=True,
            text=True,
            env=environment(),
            cwd=ROOT,
            timeout=120,
        )
        assert made.returncode == 0, made.stderr
        client = httpx.Client(base_url=served.base)
        client.get("/signin")
        signed = client.post(
            "/signin",
            data={
                "username": "newcomer",
                "password": "a long enough password",
                "csrf": client.cookies["_csrf_token"],
            },
        )
        assert signed.status_code == 302 and signed.headers["location"] == "/"

        # the control endpoint without its token, or with another, is refused
        for headers in ({}, {"Authorization": "Bearer " + "x" * 43}):
            refused = httpx.post(
                f"{served.base}/control/run", json={"arguments": ["status"]}, headers=headers
            )
            assert refused.status_code == 403
        # a command it does not run is refused too
        other = httpx.post(
            f"{served.base}/control/run",
            json={"arguments": ["serve"]},
            headers={"Authorization": f"Bearer {control['token']}"},
        )
        assert other.status_code == 400
    finally:
        code = served.stop()
    assert code == 0, served.log.read_text(encoding="utf-8")
    assert not (tmp_path / "warehouse.duckdb.control").exists()
    assert "Stopped; the warehouse is closed." in served.log.read_text(encoding="utf-8")
    with Warehouse.open(db, read_only=True) as warehouse:  # closed, whole, with the new account
        assert warehouse.account("newcomer") is not None


def test_kill_9_of_serve_mid_collection_then_restart_and_collect_equals_a_clean_run(tmp_path):
    with prometheus_with(history(), tmp_path / "prometheus") as url:
        config = tmp_path / "estate.toml"
        config.write_text(
            SMALL_ESTATE.read_text(encoding="utf-8").replace("http://127.0.0.1:19091", url), encoding="utf-8"
        )
        clean = tmp_path / "clean.duckdb"
        Warehouse.open(clean, create=True).close()
        subprocess.run(
            collect_command(config, clean),
            check=True,
            capture_output=True,
            env=environment(),
            cwd=ROOT,
            timeout=600,
        )

        db = tmp_path / "served.duckdb"
        Warehouse.open(db, create=True).close()
        marker = tmp_path / "marker"
        served = Served(config, db, tmp_path / "serve1.log", environment(**{MARKER: str(marker)}))
        client = subprocess.Popen(
            collect_command(config, db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(),
            cwd=ROOT,
        )
        wanted = f"{served.process.pid} commit waiting"
        deadline = time.monotonic() + 300
        while marker_lines(marker).count(wanted) < 4:
            assert time.monotonic() < deadline and served.process.poll() is None, marker_lines(marker)
            time.sleep(0.005)
        served.kill()  # kill -9, inside a write transaction
        lines = marker_lines(marker)
        assert lines[-1] == wanted and lines.count(wanted) == 4
        _, err = client.communicate(timeout=60)
        assert client.returncode == 2 and "did not answer" in err  # the command line says so

        again = Served(config, db, tmp_path / "serve2.log")  # the stale control file is replaced
        try:
            resumed = subprocess.run(
                collect_command(config, db),
                capture_output=True,
                text=True,
                env=environment(),
                cwd=ROOT,
                timeout=600,
            )
            assert resumed.returncode == 0, resumed.stderr
            assert "holds the warehouse: running this there" in resumed.stderr
        finally:
            assert again.stop() == 0
    assert snapshot(db) == snapshot(clean)
