"""`councilops sites` as a user runs it, against a real Prometheus: what answers, its build,
and exactly what the estate needs that the site lacks."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

from tests.collectors.prometheus_server import Metric, prometheus_with
from tests.conftest import SMALL_ESTATE
from tests.test_cli import run

NOW = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
N0 = int(NOW.timestamp())


def test_sites_names_what_a_real_prometheus_lacks(tmp_path):
    # dc1 holds council-tax's probe (the small estate's only dc1 endpoint) and nothing else:
    # every dc1 server's exporter metrics and the council-tax-db backup gauges are missing.
    times = range(N0 - 2 * 3600, N0 + 1, 60)
    probe = Metric(
        "probe_success", {"instance": "https://ctax.dc1.example/health"}, [(t, 1.0) for t in times]
    )
    duration = Metric(
        "probe_duration_seconds", {"instance": "https://ctax.dc1.example/health"}, [(t, 0.2) for t in times]
    )
    with prometheus_with([probe, duration], tmp_path / "dc1") as url:
        estate = tmp_path / "estate.toml"
        estate.write_text(
            SMALL_ESTATE.read_text(encoding="utf-8").replace('"http://127.0.0.1:19091"', f'"{url}"', 1),
            encoding="utf-8",
        )
        result = run(
            "--config",
            str(estate),
            "sites",
            "--site",
            "dc1",
            "--as-of",
            "2026-01-05T06:00:00Z",
            "--format",
            "json",
        )
    assert result.returncode == 2, result.stderr  # dc1 lacks something
    (check,) = json.loads(result.stdout)["sites"]
    version = subprocess.run(["prometheus", "--version"], capture_output=True, text=True).stdout.split()[2]
    assert check["site_id"] == "dc1" and check["answers"] is True and check["build"]["version"] == version
    missing = {(m["kind"], m["id"]) for m in check["missing"]}
    assert ("endpoint", "council-tax@dc1") not in missing  # its probe is there
    assert ("server", "dc1-ctax-app01") in missing
    assert any(kind == "dataset" and item == "council-tax-db" for kind, item in missing)


def test_sites_says_a_site_does_not_answer():
    result = run("--config", str(SMALL_ESTATE), "sites", "--site", "dc1", "--format", "json")
    (check,) = json.loads(result.stdout)["sites"]
    assert result.returncode == 2 and check["answers"] is False  # nothing listens on port 19091
    assert "dc1" in check["error"]
