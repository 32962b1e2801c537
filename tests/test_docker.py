"""docker/ is not built here (no Docker engine): its files are parsed and their references checked."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parents[1] / "docker"


def test_compose_file_parses_and_mounts_files_that_exist():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))
    assert {"prometheus-dc1", "prometheus-dc2", "councilops"} <= set(compose["services"])
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DOCKER / source).exists(), source


def test_prometheus_configs_parse_and_label_their_site():
    for site in ("dc1", "dc2"):
        config = yaml.safe_load((DOCKER / f"prometheus-{site}.yml").read_text(encoding="utf-8"))
        assert config["global"]["external_labels"]["site"] == site
        assert {job["job_name"] for job in config["scrape_configs"]} == {"node", "blackbox"}


def test_dockerfile_copies_only_what_exists():
    root = DOCKER.parent
    for line in (DOCKER / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"COPY (.+) \S+$", line):
            for source in match[1].split():
                assert (root / source).exists(), source


def test_prometheus_configs_pass_promtool():
    """The docker Prometheus configurations are valid for the Prometheus the tests run."""
    import subprocess

    from tests.conftest import require_program

    promtool = require_program("promtool")
    for site in ("dc1", "dc2"):
        result = subprocess.run(
            [promtool, "check", "config", str(DOCKER / f"prometheus-{site}.yml")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "SUCCESS" in result.stdout
