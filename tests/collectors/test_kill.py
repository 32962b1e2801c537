"""A collector killed at any point (kill -9) leaves the warehouse consistent, and the next run
neither loses nor duplicates anything: after kill and re-run the warehouse equals a clean run's.

The kills land inside write transactions, not at guessed moments: with COUNCILOPS_TEST_WRITE_MARKER
set, warehouse/store.py's transaction() reports reaching BEGIN and the point before COMMIT in a
file and pauses there; the test kills the collector on seeing that line, and checks that the
run never reported resuming."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.collectors.prometheus_server import Metric, prometheus_with
from tests.conftest import SMALL_ESTATE
from warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 1, 1, tzinfo=UTC)
S0 = int(START.timestamp())
DAYS = 12


def history() -> list[Metric]:
    """Twelve days of 30-second probes of the dc1 endpoints (success and duration), one down spell
    a day, and a CPU."""
    metrics = []
    for target in ("https://ctax.dc1.example/health", "https://mail.dc1.example/health"):
        samples = [
            (t, 0.0 if (t - S0) % 86_400 < 600 else 1.0) for t in range(S0 - 300, S0 + DAYS * 86_400, 30)
        ]
        metrics.append(Metric("probe_success", {"instance": target}, samples))
        # each probe's duration with its success: a response time when it succeeded
        metrics.append(
            Metric(
                "probe_duration_seconds",
                {"instance": target},
                [(t, 0.25 + (t // 30) % 7 / 100 if ok else 10.0) for t, ok in samples],
            )
        )
    idle = [(t, 0.6 * (t - S0 + 600)) for t in range(S0 - 600, S0 + DAYS * 86_400 + 60, 60)]
    metrics.append(
        Metric(
            "node_cpu_seconds_total", {"instance": "dc1-ctax-app01:9100", "cpu": "0", "mode": "idle"}, idle
        )
    )
    return metrics


def collect_command(config: Path, db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "councilops.cli",
        "--config",
        str(config),
        "--db",
        str(db),
        "collect",
        "--site",
        "dc1",
        "--since",
        "2026-01-01T00:00:00Z",
        "--until",
        f"2026-01-{1 + DAYS:02d}T00:00:00Z",
    ]


def snapshot(db: Path) -> dict:
    with Warehouse.open(db, read_only=True) as warehouse:
        return {
            "availability": warehouse.query(
                "SELECT * EXCLUDE (site_id) FROM availability_intervals ORDER BY ALL"
            ).rows(),
            "utilisation": warehouse.query("SELECT * FROM utilisation ORDER BY ALL").rows(),
            "watermarks": warehouse.query("SELECT * FROM collection_watermarks ORDER BY ALL").rows(),
            "response_times": warehouse.query(
                "SELECT endpoint_id, day_utc, phase_seconds, ticks FROM probe_duration_days ORDER BY endpoint_id, day_utc"
            ).rows(),
        }


MARKER = "COUNCILOPS_TEST_WRITE_MARKER"  # the test hook in warehouse/store.py's transaction()
# Where each killed run is killed: the n-th time it reaches that point of a write transaction
# ("begin": just after BEGIN; "commit": after the deletes and inserts, just before COMMIT).
# A clean run of this history makes about 60 write transactions; each killed run resumes from
# what the last one committed.
KILLS = (("commit", 5), ("begin", 7), ("commit", 3))


def marker_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def run_until_killed(command: list[str], env: dict, marker: Path, point: str, nth: int) -> list[str]:
    """Start a collection, wait for it to report reaching `point` of a write transaction for the
    `nth` time, kill -9 it while it pauses there, check that the kill landed there, and return
    the marker lines it wrote."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**env, MARKER: str(marker)},
        cwd=ROOT,
    )
    wanted = f"{process.pid} {point} waiting"
    try:
        while marker_lines(marker).count(wanted) < nth:
            if process.poll() is not None:
                raise AssertionError(
                    f"the collection ended (exit {process.returncode}) before reaching {point!r} "
                    f"of a write transaction {nth} times: {marker_lines(marker)}"
                )
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    # The kill landed inside the transaction: the last thing the run wrote is that it was
    # waiting at the point, between BEGIN and COMMIT, and it never wrote that it resumed.
    lines = marker_lines(marker)
    assert lines[-1] == wanted and lines.count(wanted) == nth, lines
    return lines


def test_kill_9_mid_collection_then_run_again_equals_a_clean_run(tmp_path):
    with prometheus_with(history(), tmp_path / "prometheus") as url:
        config = tmp_path / "estate.toml"
        text = SMALL_ESTATE.read_text(encoding="utf-8").replace("http://127.0.0.1:19091", url)
        config.write_text(text, encoding="utf-8")
        env = {key: value for key, value in os.environ.items() if key != MARKER}
        env["PYTHONPATH"] = str(ROOT)
        clean = tmp_path / "clean.duckdb"
        Warehouse.open(clean, create=True).close()
        subprocess.run(
            collect_command(config, clean), check=True, capture_output=True, env=env, cwd=ROOT, timeout=600
        )
        killed_db = tmp_path / "killed.duckdb"
        Warehouse.open(killed_db, create=True).close()
        for k, (point, nth) in enumerate(KILLS):  # kill three runs at different points, each resuming
            run_until_killed(collect_command(config, killed_db), env, tmp_path / f"marker{k}", point, nth)
        subprocess.run(
            collect_command(config, killed_db),
            check=True,
            capture_output=True,
            env=env,
            cwd=ROOT,
            timeout=600,
        )
    whole = snapshot(clean)
    assert whole == snapshot(killed_db)
    # the clean run kept a response time in every slot: dc1's one endpoint (council-tax) is
    # probed every 30 s but configured at 60 s, so 12 days are 17,280 one-minute slots, less the
    # 10 a day in its ten-minute down spell (120): 17,160
    kept: dict[str, int] = {}
    for endpoint_id, _, _, ticks in whole["response_times"]:
        kept[endpoint_id] = kept.get(endpoint_id, 0) + sum(t is not None for t in ticks)
    assert kept == {"council-tax@dc1": 17_160}
