"""A collector killed at any point (kill -9) leaves the warehouse consistent, and the next run
neither loses nor duplicates anything: after kill and re-run the warehouse equals a clean run's."""

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
    """Twelve days of 30-second probes of the dc1 endpoints, one down spell a day, and a CPU."""
    metrics = []
    for target in ("https://ctax.dc1.example/health", "https://mail.dc1.example/health"):
        samples = [
            (t, 0.0 if (t - S0) % 86_400 < 600 else 1.0) for t in range(S0 - 300, S0 + DAYS * 86_400, 30)
        ]
        metrics.append(Metric("probe_success", {"instance": target}, samples))
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
        }


def test_kill_9_mid_collection_then_run_again_equals_a_clean_run(tmp_path):
    with prometheus_with(history(), tmp_path / "prometheus") as url:
        config = tmp_path / "estate.toml"
        text = SMALL_ESTATE.read_text(encoding="utf-8").replace("http://127.0.0.1:19091", url)
        config.write_text(text, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        clean = tmp_path / "clean.duckdb"
        started = time.monotonic()
        subprocess.run(
            collect_command(config, clean), check=True, capture_output=True, env=env, cwd=ROOT, timeout=600
        )
        took = time.monotonic() - started
        killed_db = tmp_path / "killed.duckdb"
        kills = 0
        for fraction in (0.35, 0.6, 0.85):  # kill three runs at different points, each resuming
            process = subprocess.Popen(
                collect_command(config, killed_db),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
                cwd=ROOT,
            )
            time.sleep(took * fraction)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                kills += 1
            process.wait(timeout=60)
        subprocess.run(
            collect_command(config, killed_db),
            check=True,
            capture_output=True,
            env=env,
            cwd=ROOT,
            timeout=600,
        )
    assert kills >= 1, f"the collection took {took:.1f} s and finished before any kill"
    assert snapshot(killed_db) == snapshot(clean)
